"""Where Doorstep keeps its files, resolved once at start."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_HOME = "DOORSTEP_HOME"
STORE_FILE = "doorstep.sqlite3"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path

    @property
    def store(self) -> Path:
        return self.data_dir / STORE_FILE

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def attachments(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def scratch(self) -> Path:
        """Files an import or export needs only while it runs; emptied at every start."""
        return self.data_dir / "scratch"

    @property
    def settings(self) -> Path:
        return self.data_dir / "settings.json"

    def ensure(self) -> None:
        for folder in (self.data_dir, self.backups, self.attachments, self.logs):
            folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        """``--data-dir`` first, then ``DOORSTEP_HOME``, then the platform's user data folder."""
        if data_dir:
            return cls(Path(data_dir).expanduser().resolve())
        env = os.environ.get(ENV_HOME)
        if env:
            return cls(Path(env).expanduser().resolve())
        return cls(Path(platformdirs.user_data_dir("Doorstep", appauthor=False, roaming=True)))


def resource_dir() -> Path:
    """Files shipped inside the application (fonts, compiled catalogs), frozen or not."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def locale_dir() -> Path:
    return resource_dir() / "locale"


def fonts_dir() -> Path:
    return resource_dir() / "app" / "fonts"
