"""Typed per-installation settings, with every default declared here and nowhere else."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields

from app.core.files import write_atomically
from app.core.i18n import MODES, ZH
from app.core.paths import AppPaths

log = logging.getLogger(__name__)


@dataclass
class Settings:
    # Display mode: "zh", "bo" or "bilingual".
    language_mode: str = ZH
    # Main window geometry and state as saved by Qt, base64; empty for the default layout.
    window_geometry: str = ""
    window_state: str = ""
    # The staff member who last logged in on this laptop (first in the log-in list).
    current_staff_id: str = ""
    # The window locks after this many minutes without a key pressed or the mouse used.
    lock_after_minutes: int = 10

    def validated(self) -> Settings:
        if self.language_mode not in MODES:
            self.language_mode = ZH
        if not 1 <= self.lock_after_minutes <= 240:
            self.lock_after_minutes = Settings.lock_after_minutes
        return self


def load_settings(paths: AppPaths) -> Settings:
    """Settings from the data dir; defaults for whatever is missing, unreadable or mistyped."""
    defaults = Settings()
    try:
        raw = json.loads(paths.settings.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return defaults
    except (OSError, ValueError) as exc:
        log.warning("settings file unreadable, using defaults: %s", exc)
        return defaults
    if not isinstance(raw, dict):
        return defaults
    values = {}
    for f in fields(Settings):
        value = raw.get(f.name, getattr(defaults, f.name))
        values[f.name] = value if isinstance(value, type(getattr(defaults, f.name))) \
            else getattr(defaults, f.name)
    return Settings(**values).validated()


def save_settings(paths: AppPaths, settings: Settings) -> None:
    """Write atomically: a power cut leaves the old file or the new one, never half of one."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(paths.settings, json.dumps(asdict(settings), ensure_ascii=False, indent=1,
                                                sort_keys=True).encode("utf-8"))
