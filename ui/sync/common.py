"""What the Sync screens share: the passphrase prompt, the progress window, files and times."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from app.core.errors import AppError, ValidationError, file_problem
from app.core.formatting import format_short_datetime
from app.core.i18n import N_, _

T = TypeVar("T")

PASSPHRASE = N_("The passphrase of this laptop's sync keys:")
# L10N: Shown when the sync keys are made (office set-up, first enrolment request).
NEW_PASSPHRASE = N_("Choose a passphrase for this laptop's sync keys (at least 4 characters). "
                    "It is asked for each time a package is written or read. It cannot be "
                    "recovered if it is forgotten.")
PASSPHRASE_AGAIN = N_("Type the passphrase again:")
NOT_THE_SAME = N_("The two passphrases are not the same. Please choose it again.")
NOTHING_CHANGED = N_("Nothing was changed on this laptop.")
READ_ERROR = N_("The file could not be read: {error}")
SAVE_ERROR = N_("The file could not be saved: {error}")

# L10N: File dialog filters: keep the part in brackets exactly as it is.
PACKAGE_FILTER = N_("Doorstep packages (*.dsp)")
REQUEST_FILTER = N_("Enrolment requests (*.dsreq)")
GRANT_FILTER = N_("Enrolment grants (*.dsgrant)")
ALL_FILES = N_("All files (*)")

ERROR_STYLE = "color: #b00020"
NOTICE_STYLE = "background: #eef5ea; border: 1px solid #b5cfa8; padding: 6px"
PROBLEM_STYLE = "background: #fbeaea; border: 1px solid #e0aaaa; padding: 6px"

# An operation quicker than this shows no progress window.
SHOW_PROGRESS_AFTER_MS = 500
_STEPS = 1000
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

_last_folder: Path | None = None


# -- passphrase --------------------------------------------------------------------------------
def ask_passphrase(parent: QWidget | None, message: str) -> str | None:
    """The passphrase typed (hidden), or None when the person cancels. Kept nowhere."""
    text, ok = QInputDialog.getText(parent, _("Passphrase"), message,
                                    QLineEdit.EchoMode.Password)
    return text if ok else None


def with_passphrase(parent: QWidget | None, action: Callable[[str], T],
                    prompt: str = PASSPHRASE) -> T | None:
    """Ask for the passphrase and run ``action`` with it; a wrong one is asked for again, with
    the reason. None when the person cancels."""
    message = _(prompt)
    while True:
        passphrase = ask_passphrase(parent, message)
        if passphrase is None:
            return None
        try:
            return action(passphrase)
        except ValidationError as error:
            if error.field != "passphrase":
                raise
            message = error.translated() + "\n\n" + _(prompt)


def attempt(parent: QWidget | None, action: Callable[[], T],
            file_error: str = SAVE_ERROR) -> T | None:
    """``action()``; a known problem, or a file that cannot be read or written (a missing
    file, a full or read-only disk each with its own message; others shown as ``file_error``
    with its ``{error}``), is shown to the person and gives None."""
    from ui.core.errors import show_error

    try:
        return action()
    except AppError as error:
        show_error(parent, error)
    except OSError as error:
        show_error(parent, file_problem(error) or AppError(file_error, error=str(error)))
    return None


def ask_new_passphrase(parent: QWidget | None) -> str | None:
    """A new passphrase, typed twice alike; None when the person cancels."""
    message = _(NEW_PASSPHRASE)
    while True:
        first = ask_passphrase(parent, message)
        if first is None:
            return None
        second = ask_passphrase(parent, _(PASSPHRASE_AGAIN))
        if second is None:
            return None
        if first == second:
            return first
        message = _(NOT_THE_SAME) + "\n\n" + _(NEW_PASSPHRASE)


def confirm(parent: QWidget | None, text: str, default_yes: bool = True) -> bool:
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, _("Doorstep"), text, yes | no,
                                yes if default_yes else no) == yes


# -- progress ----------------------------------------------------------------------------------
class Progress:
    """A progress window with Cancel for a long operation, shown only once it has lasted half a
    second. Its ``progress`` and ``is_cancelled`` are handed to the operation, which runs on
    this thread; both let the window repaint and answer the Cancel button."""

    def __init__(self, parent: QWidget | None, message: str) -> None:
        self.dialog = QProgressDialog(message, _("Cancel"), 0, _STEPS, parent)
        self.dialog.setWindowTitle(_("Doorstep"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        self.dialog.setValue(0)

    def progress(self, done: int, total: int) -> None:
        self.dialog.setValue(min(_STEPS, done * _STEPS // total) if total > 0 else 0)
        QApplication.processEvents()

    def is_cancelled(self) -> bool:
        QApplication.processEvents()
        return self.dialog.wasCanceled()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()


# -- files -------------------------------------------------------------------------------------
def start_folder() -> Path:
    """Where file dialogs open: the folder last used on this screen (a USB stick, usually)."""
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    return Path.home()


def _remember(path: Path) -> None:
    global _last_folder
    _last_folder = path.parent


def file_part(text: str) -> str:
    """``text`` made safe for a file name (a laptop's name may have spaces or slashes)."""
    return _UNSAFE.sub("-", text).strip("-.") or "doorstep"


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    path = folder / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path


def _filters(message: str) -> str:
    return f"{_(message)};;{_(ALL_FILES)}"


def ask_save_path(parent: QWidget | None, title: str, suggested: Path,
                  file_filter: str) -> Path | None:
    chosen, _selected = QFileDialog.getSaveFileName(parent, title, str(suggested),
                                                    _filters(file_filter))
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix:
        path = path.with_suffix(suggested.suffix)
    _remember(path)
    return path


def ask_open_path(parent: QWidget | None, title: str, file_filter: str) -> Path | None:
    chosen, _selected = QFileDialog.getOpenFileName(parent, title, str(start_folder()),
                                                    _filters(file_filter))
    if not chosen:
        return None
    path = Path(chosen)
    _remember(path)
    return path


def write_file(path: Path, data: bytes) -> None:
    """Whole or not at all: written beside the target, flushed, then renamed over it."""
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)


# -- times -------------------------------------------------------------------------------------
def local_time(value: datetime | str) -> str:
    """A stored time (UTC, or an ISO text of one) as this laptop's local date and time."""
    if isinstance(value, str):
        if not value:
            return "—"
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return format_short_datetime(value)
