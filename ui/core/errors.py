"""Showing errors: known ones as a plain message, anything else with details to copy."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import AppError
from app.core.i18n import _

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, error: BaseException) -> None:
    if isinstance(error, AppError):
        QMessageBox.warning(parent, _("Doorstep"), error.translated())
        return
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Critical, _("Doorstep"),
                      _("Something went wrong. Nothing of the last action was saved. Please copy "
                        "the details and send them to the person who looks after Doorstep."),
                      QMessageBox.StandardButton.Close, parent)
    box.setDetailedText(details)
    box.exec()


def install_excepthook() -> None:
    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled error", exc_info=(kind, error, tb))
        show_error(None, error)

    sys.excepthook = hook
