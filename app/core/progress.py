"""How a long operation says where it is and learns that the person cancelled (Orange's
``wrap_callback`` idea, Qt-free): the screens hand one in, the command line and tests use
``SILENT``. It may be called from a worker thread."""

from __future__ import annotations

from typing import Protocol

from app.core.errors import AppError
from app.core.i18n import N_


class Progress(Protocol):
    def stage(self, text: str) -> None:
        """A new step begins; ``text`` is an ``N_`` message, translated where it is shown."""

    def __call__(self, done: int, total: int) -> None:
        """``done`` of ``total`` units of the current step (bytes, rows)."""

    def is_cancelled(self) -> bool:
        """Whether the person asked to stop."""


class _Silent:
    def stage(self, text: str) -> None:
        pass

    def __call__(self, done: int, total: int) -> None:
        pass

    def is_cancelled(self) -> bool:
        return False


SILENT: Progress = _Silent()

CANCELLED = N_("Cancelled. Nothing was changed.")


class CancelledError(AppError):
    """The person cancelled between two steps; nothing of the operation was kept."""

    def __init__(self) -> None:
        super().__init__(CANCELLED)


def check(progress: Progress) -> None:
    """Between two steps: stop here if the person cancelled."""
    if progress.is_cancelled():
        raise CancelledError()
