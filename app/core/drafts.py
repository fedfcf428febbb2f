"""Half-typed forms that survive a crash or a power cut.

A form saves its content as it is typed; the next start offers it back (the intake form's in
``app.petitions.drafts``, a hearing's in ``app.hearings.drafts``). Each save is written
whole or not at all (``app.core.files``), so a power cut leaves the previous draft or the new
one, never a torn file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, fields, is_dataclass
from typing import Any

from app.core.files import write_atomically
from app.core.paths import AppPaths

log = logging.getLogger(__name__)


def save_draft(paths: AppPaths, name: str, content: Any) -> None:
    folder = paths.data_dir / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.json"
    data = asdict(content) if is_dataclass(content) and not isinstance(content, type) else content
    write_atomically(target, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def discard_draft(paths: AppPaths, name: str) -> None:
    for suffix in (".json", ".json.tmp"):  # .json.tmp: left by a version before app.core.files
        (paths.data_dir / "drafts" / f"{name}{suffix}").unlink(missing_ok=True)


def load_draft(paths: AppPaths, name: str) -> dict[str, Any] | None:
    target = paths.data_dir / "drafts" / f"{name}.json"
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("draft %s unreadable: %s", target, exc)
        return None
    return data if isinstance(data, dict) else None


def fill(cls: type[Any], data: dict[str, Any]) -> Any:
    """Build ``cls`` from ``data``, keeping only known fields of the right type."""
    defaults = cls()
    values = {}
    for f in fields(cls):
        if f.name in data and isinstance(data[f.name], type(getattr(defaults, f.name))):
            values[f.name] = data[f.name]
    return cls(**values)


def draft_names(paths: AppPaths, prefix: str) -> list[str]:
    """The names of the drafts waiting whose names start with ``prefix``, in order."""
    folder = paths.data_dir / "drafts"
    if not folder.is_dir():
        return []
    return sorted(p.name[:-len(".json")] for p in folder.glob(f"{prefix}*.json"))
