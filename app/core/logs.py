"""Logging, configured once at start: a rotating UTF-8 log file in the data dir.

The GUI logs there for as long as it runs (:func:`configure`). A command of ``python -m app``
logs for its run only (:func:`command_log`), and never to the terminal: a traceback belongs in
the log file, the person reads one line.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.core.paths import AppPaths

LOG_NAME = "doorstep.log"
# Where a command logs when its data folder holds no store (nothing is made there for a log).
FALLBACK_NAME = "doorstep-command.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _LogFile(RotatingFileHandler):
    """Doorstep's own log file handler (so that :func:`current_file` can find it)."""


def _handler(path: Path) -> _LogFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _LogFile(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    return handler


def configure(paths: AppPaths, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(_handler(paths.logs / LOG_NAME))


def current_file() -> Path | None:
    """The log file Doorstep is writing to, if any."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _LogFile):
            return Path(handler.baseFilename)
    return None


@contextmanager
def command_log(paths: AppPaths, level: int = logging.INFO) -> Iterator[Path | None]:
    """Log one command's run to the data folder's log file when the folder holds a store, else
    to a file in the system's temporary folder; yields that file (None when neither can be
    written: then nothing is logged, and still nothing reaches the terminal)."""
    candidates = [Path(tempfile.gettempdir()) / FALLBACK_NAME]
    try:
        if paths.store.is_file():
            candidates.insert(0, paths.logs / LOG_NAME)
    except OSError:
        pass
    handler: logging.Handler = logging.NullHandler()
    found: Path | None = None
    for candidate in candidates:
        try:
            handler = _handler(candidate)
        except OSError:
            continue
        found = candidate
        break
    root = logging.getLogger()
    previous = root.level
    root.setLevel(min(previous, level))
    root.addHandler(handler)
    try:
        yield found
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(previous)
