"""Logging, configured once at start: a rotating UTF-8 log file in the data dir."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from app.paths import AppPaths


def configure(paths: AppPaths, level: int = logging.INFO) -> None:
    paths.logs.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(paths.logs / "doorstep.log", maxBytes=2_000_000, backupCount=5,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
