"""Backups: the list of this laptop's backups (date, kind, size), backing up now or to a USB
stick, and choosing a backup to restore.

Restoring replaces the store, which must be closed first: once the person has confirmed (and
may restore: a leader or the office administrator), the dialog emits ``restore_chosen`` with the
backup's path, and whoever owns the store (``ui.main``) closes it, runs
``app.backups.service.restore_backup`` and opens it again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.backups import service as backups
from app.core.errors import AppError
from app.core.formatting import format_number, format_short_datetime
from app.core.i18n import N_, _, title_text
from app.core.paths import AppPaths
from ui.core.errors import READ_ERROR, show_error
from ui.core.tasks import Tasks
from ui.widgets.fields import confirm
from ui.widgets.form_support import Retranslated

BACKED_UP = N_("The data was backed up to {path}.")
BACKED_UP_TO_STICK = N_("The data, the list of passphrases and {count} scans and photos were "
                        "backed up to {folder}. Keep the USB stick somewhere safe.")
CONFIRM_RESTORE = N_("Restore the data of {when}? The data on this laptop is replaced by it. "
                     "What was changed on this laptop since then is gone from it, unless it "
                     "reached the office or another laptop: it comes back at the next exchange "
                     "with the office. The data as it is now is backed up first.")
NO_BACKUPS = N_("There are no backups yet.")
SIZE_KIB = N_("{size} KB")


def back_up_now(parent: QWidget, tasks: Tasks) -> None:
    """Back up now, on the worker, and say where the backup went."""
    def done(path: Path) -> None:
        QMessageBox.information(parent, _("Doorstep"), _(BACKED_UP).format(path=path))

    tasks.run(lambda store, progress: backups.back_up_now(store, progress), on_done=done,
              on_failed=lambda error: show_error(parent, error),
              parent=parent, message=_("Backing up…"))


def back_up_to_stick(parent: QWidget, tasks: Tasks) -> None:
    """Choose the USB stick's folder; a backup, the list of passphrases and the scans go
    into a dated folder there."""
    chosen = QFileDialog.getExistingDirectory(parent, _("Choose the USB stick"))
    if not chosen:
        return
    folder = Path(chosen)
    def done(made: backups.FolderBackup) -> None:
        QMessageBox.information(parent, _("Doorstep"), _(BACKED_UP_TO_STICK).format(
            count=format_number(made.scans), folder=made.folder))

    tasks.run(lambda store, progress: backups.back_up_to_folder(store, folder, progress),
              on_done=done,
              on_failed=lambda error: show_error(parent, error),
              parent=parent, message=_("Backing up to the USB stick…"))


class BackupsDialog(Retranslated, QDialog):
    """The backups of this laptop; restore one."""

    restore_chosen = Signal(str)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._rows: list[backups.BackupRow] = []
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.back_up_button = QPushButton()
        self.back_up_button.clicked.connect(self._back_up)
        self.stick_button = QPushButton()
        self.stick_button.clicked.connect(lambda: back_up_to_stick(self, self._tasks))
        self.other_button = QPushButton()
        self.other_button.clicked.connect(self._restore_other)
        self.restore_button = QPushButton()
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._restore_selected)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.back_up_button, self.stick_button, self.other_button,
                       self.restore_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table)
        layout.addLayout(actions)
        layout.addWidget(self.buttons)
        self.resize(640, 420)
        self.retranslate_ui()
        self.reload()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Backups"))
        self.intro.setText(_("Doorstep backs up the data every day, before every sync import "
                             "and before every update. Backups are encrypted like the data."))
        self.table.setHorizontalHeaderLabels([_("Made on"), _("Kind"), _("Size")])
        self.back_up_button.setText(_("Back up now"))
        self.stick_button.setText(_("Back up to a USB stick…"))
        self.other_button.setText(_("Restore from a file…"))
        self.restore_button.setText(_("Restore…"))
        self._fill()

    def reload(self) -> None:
        """The list of backups read again from the backups folder (names only: cheap)."""
        self._rows = backups.list_backups(self._tasks.paths)
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(max(len(self._rows), 1 if not self._rows else 0))
        if not self._rows:
            item = QTableWidgetItem(_(NO_BACKUPS))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.table.setItem(0, 0, item)
            return
        for row, found in enumerate(self._rows):
            cells = (format_short_datetime(found.taken_at.astimezone().replace(tzinfo=None)),
                     _(found.kind_label),
                     _(SIZE_KIB).format(size=format_number(max(1, found.size // 1024))))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self._selected() is not None)

    def _selected(self) -> backups.BackupRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self._rows:
            return None
        return self._rows[rows[0].row()]

    def _back_up(self) -> None:
        self._tasks.run(lambda store, progress: backups.back_up_now(store, progress),
                        on_done=lambda _path: self.reload(),
                        on_failed=lambda error: show_error(self, error),
                        parent=self, message=_("Backing up…"))

    def _restore_selected(self) -> None:
        found = self._selected()
        if found is not None:
            self._confirm(found.path, format_short_datetime(
                found.taken_at.astimezone().replace(tzinfo=None)))

    def _restore_other(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a backup"), "", _("Doorstep backups (*.sqlite3)"))
        if chosen:
            self._confirm(Path(chosen), Path(chosen).name)

    def _confirm(self, path: Path, when: str) -> None:
        def allowed(_result: None) -> None:
            answer = QMessageBox.question(self, _("Restore from backup"),
                                          _(CONFIRM_RESTORE).format(when=when))
            if answer == QMessageBox.StandardButton.Yes:
                self.restore_chosen.emit(str(path))
                self.accept()

        self._tasks.run(lambda store, _progress: backups.may_restore(store), on_done=allowed,
                        on_failed=lambda error: show_error(self, error), parent=self)


def restore(paths: AppPaths, source: Path, key: bytes | None) -> bool:
    """With the store closed: restore ``source`` (the sync keys' passphrase asked for when the
    backup holds them; another laptop's backup only when the person confirms), then say what
    was restored. Whether it was; a refusal is said, and changes nothing."""
    from app.core import backups as backup_files
    from ui.office.login_dialog import working
    from ui.sync.common import PASSPHRASE, ask_passphrase

    try:
        info = working(None, lambda: _("Checking the backup…"),
                       lambda: backups.describe_backup(paths, source, key))
        passphrase = None
        if info.has_sync_keys:
            passphrase = ask_passphrase(None, _(PASSPHRASE))
            if passphrase is None:
                return False
        other = False
        while True:
            try:
                done = working(None, lambda: _("Restoring the backup…"),
                               lambda o=other: backups.restore_backup(  # type: ignore[misc]
                                   paths, source, key, passphrase, other_laptop=o))
                break
            except backups.OtherLaptopError as error:
                if other or not confirm(None, error.translated()):
                    return False
                other = True
    except AppError as error:
        QMessageBox.warning(None, title_text("Restore from backup"), error.translated())
        return False
    except OSError as error:
        show_error(None, error, file_error=READ_ERROR)
        return False
    when = (format_short_datetime(done.info.taken_at.astimezone().replace(tzinfo=None))
            if done.info.taken_at else str(source))
    QMessageBox.information(None, title_text("Restore from backup"), _(backups.RESTORED).format(
        when=when, kind=_(backup_files.kind_label(done.info.kind))))
    return True
