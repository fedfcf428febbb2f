"""What the Sync screens share: the passphrase prompt, the progress window, files and times."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QWidget,
)

from app.core.errors import ValidationError
from app.core.files import write_atomically
from app.core.formatting import format_short_datetime
from app.core.i18n import N_, _
from app.core.progress import Progress
from ui.core.tasks import Tasks
from ui.widgets import fields

T = TypeVar("T")

PASSPHRASE = N_("The passphrase of this laptop's sync keys:")
# L10N: Shown when the sync keys are made (office set-up, first enrolment request).
NEW_PASSPHRASE = N_("Choose a passphrase for this laptop's sync keys (at least 4 characters). "
                    "It is asked for each time a package is written or read. It cannot be "
                    "recovered if it is forgotten.")
PASSPHRASE_AGAIN = N_("Type the passphrase again:")
NOT_THE_SAME = N_("The two passphrases are not the same. Please choose it again.")
NOTHING_CHANGED = N_("Nothing was changed on this laptop.")

# L10N: File dialog filters: keep the part in brackets exactly as it is.
PACKAGE_FILTER = N_("Doorstep packages (*.dsp)")
REQUEST_FILTER = N_("Enrolment requests (*.dsreq)")
GRANT_FILTER = N_("Enrolment grants (*.dsgrant)")
ALL_FILES = N_("All files (*)")

ERROR_STYLE = "color: #b00020"
NOTICE_STYLE = "background: #eef5ea; border: 1px solid #b5cfa8; padding: 6px"
PROBLEM_STYLE = "background: #fbeaea; border: 1px solid #e0aaaa; padding: 6px"

# An operation quicker than this shows no progress window.
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


def run_with_passphrase(parent: QWidget | None, tasks: Tasks,
                        op: Callable[[Any, Progress, str], T], message: str,
                        on_done: Callable[[T], None], on_failed: Callable[[BaseException], None],
                        prompt: str = PASSPHRASE) -> None:
    """Ask for the passphrase and run ``op(store, progress, passphrase)`` on the worker, with a
    progress window; a wrong passphrase is asked for again, with the reason. Nothing happens
    when the person cancels the question."""

    def ask(text: str) -> None:
        passphrase = ask_passphrase(parent, text)
        if passphrase is None:
            return

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError) and error.field == "passphrase":
                ask(error.translated() + "\n\n" + _(prompt))
            else:
                on_failed(error)

        tasks.run(lambda store, progress: op(store, progress, passphrase), on_done=on_done,
                  on_failed=failed, also={"sync"}, parent=parent, message=message)

    ask(_(prompt))


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
    """The shared question (ui.widgets.fields.confirm), answered yes by Enter on these
    screens."""
    return fields.confirm(parent, text, default_yes=default_yes)


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
    """Whole or not at all (``app.core.files``)."""
    write_atomically(path, data)


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
