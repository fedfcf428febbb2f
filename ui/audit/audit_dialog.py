"""The record of what was done (操作记录) about one record or one person, for leaders: who did
what, when, on which laptop; printed as an A4 list. And the check of every laptop's record."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.audit import reading
from app.core.formatting import format_number
from app.core.i18n import N_, _, ngettext
from app.core.progress import CancelledError
from ui.core.errors import show_error
from ui.core.tasks import Progress, Tasks, TasksClosedError
from ui.widgets.form_support import Retranslated
from ui.widgets.paper_preview import show_paper

READING = N_("Reading the record of what was done…")
CHECKING = N_("Checking the record of what was done…")


class AuditDialog(Retranslated, QDialog):
    """The entries about ``tbl``/``row_id`` (a person: also their petitions), newest first."""

    def __init__(self, tasks: Tasks, tbl: str, row_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.tbl, self.row_id = tasks, tbl, row_id
        self.rows: list[reading.AuditRow] = []
        self.subject = ""
        self.table = QTableWidget(0, len(reading.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            len(reading.HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_trail)
        self.print_button.setEnabled(False)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(1000, 600)
        self.retranslate_ui()
        self.reload()

    def reload(self) -> None:
        tbl, row_id = self.tbl, self.row_id

        def work(store: Any, _progress: Progress) -> tuple[str, list[reading.AuditRow]]:
            return (reading.subject_name(store, tbl, row_id),
                    reading.entries_about(store, tbl, row_id))

        def failed(error: BaseException) -> None:
            if not isinstance(error, CancelledError):
                show_error(self, error)
            self.reject()

        try:
            self._tasks.run(work, on_done=self._show, on_failed=failed, parent=self,
                            message=_(READING))
        except TasksClosedError:
            return

    def _show(self, result: tuple[str, list[reading.AuditRow]]) -> None:
        self.subject, self.rows = result
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            cells = (row.at, row.laptop, row.staff, row.action, row.record, row.detail)
            for column, value in enumerate(cells):
                self.table.setItem(number, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self.print_button.setEnabled(bool(self.rows))
        self.retranslate_ui()

    def print_trail(self) -> None:
        tbl, row_id = self.tbl, self.row_id
        title = _(reading.TITLE)

        def draw(store: Any) -> bytes:
            return reading.render_pdf(store, tbl, row_id)

        show_paper(self._tasks, self, draw, f"{title} {self.subject}".strip(),
                   f"{title}.pdf", record=(tbl, row_id))

    def retranslate_ui(self) -> None:
        title = _(reading.TITLE)
        self.setWindowTitle(f"{title} — {self.subject}" if self.subject else title)
        self.table.setHorizontalHeaderLabels([_(h) for h in reading.HEADERS])
        self.print_button.setText(_("Print…"))
        self.close_button.setText(_("Close"))


def open_audit(tasks: Tasks, parent: QWidget, tbl: str, row_id: str) -> None:
    """The record of what was done about a record (a person: per person)."""
    AuditDialog(tasks, tbl, row_id, parent).exec()


def check_trail(tasks: Tasks, parent: QWidget) -> None:
    """Every laptop's record of what was done checked on the worker; what was found, said."""

    def done(result: reading.TrailCheck) -> None:
        if result.altered:
            QMessageBox.warning(parent, _("Doorstep"), "\n\n".join(result.altered))
            return
        QMessageBox.information(parent, _("Doorstep"), ngettext(
            "The record of what was done holds as it was written: {n} entry checked.",
            "The record of what was done holds as it was written: {n} entries checked.",
            result.entries).format(n=format_number(result.entries)))

    def failed(error: BaseException) -> None:
        if not isinstance(error, CancelledError):
            show_error(parent, error)

    try:
        tasks.run(lambda store, _progress: reading.check_trail(store), on_done=done,
                  on_failed=failed, parent=parent, message=_(CHECKING))
    except TasksClosedError:
        return


__all__ = ["AuditDialog", "check_trail", "open_audit"]
