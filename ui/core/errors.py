"""Showing errors, the one way every screen does: a known problem (an ``AppError``, or a file
that cannot be read or written: missing, a full or read-only disk) as a plain message; anything
else with details to copy (Anki's ``aqt/errors.py``)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import AppError, file_problem
from app.core.i18n import N_, _

log = logging.getLogger(__name__)

T = TypeVar("T")

SAVE_ERROR = N_("The file could not be saved: {error}")
READ_ERROR = N_("The file could not be read: {error}")
# L10N: an unexpected problem in an action of one step (saved in one transaction).
UNEXPECTED = N_("Something went wrong. Nothing of the last action was saved. Please copy the "
                "details and send them to the person who looks after Doorstep.")
# L10N: an unexpected problem in an action of several steps (a package, an export): some of
# its steps may have been done.
UNEXPECTED_PARTIAL = N_("Something went wrong before the action was finished. Please copy the "
                        "details and send them to the person who looks after Doorstep.")


def show_error(parent: QWidget | None, error: BaseException, *,
               file_error: str = SAVE_ERROR, partial: bool = False) -> None:
    """``error`` shown to the person. A file problem gets its own message (or ``file_error``
    with its ``{error}``); an unexpected one is logged and shown with its details; ``partial``
    for an action of several steps, where "nothing was saved" would not be true."""
    if isinstance(error, OSError):
        error = file_problem(error) or AppError(file_error, error=str(error))
    if isinstance(error, AppError):
        QMessageBox.warning(parent, _("Doorstep"), error.translated())
        return
    log.error("unexpected problem", exc_info=error)
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Critical, _("Doorstep"),
                      _(UNEXPECTED_PARTIAL if partial else UNEXPECTED),
                      QMessageBox.StandardButton.Close, parent)
    box.setDetailedText(details)
    box.exec()


def attempt(parent: QWidget | None, action: Callable[[], T], *,
            file_error: str = SAVE_ERROR, partial: bool = False) -> T | None:
    """``action()``; a known problem, or a file that cannot be read or written, is shown to the
    person and gives None. Anything unexpected still raises (to the hook below)."""
    try:
        return action()
    except (AppError, OSError) as error:
        show_error(parent, error, file_error=file_error, partial=partial)
    return None


def install_excepthook() -> None:
    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled error", exc_info=(kind, error, tb))
        show_error(None, error, partial=True)

    sys.excepthook = hook
