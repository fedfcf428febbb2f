"""The office's leaders in charge (领导包案): each charge's leader, what it is on, its deadline,
status and how late it is; open ones first, the most overdue first. A row opens the charge.

Read on the worker like Today; charges on key petitioners' matters are listed only for those
who may see the ledger (the reading is then recorded, ``app.ledger.charges``)."""

from __future__ import annotations

from datetime import date
from functools import cache

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_number
from app.core.i18n import N_, _, ngettext, pick
from app.core.labels import label
from app.ledger import charges
from app.ledger.charges import ChargeRow, ChargeStatus
from ui.core.tasks import Changes, Tasks
from ui.ledger.charge_dialog import ChargeDialog, days_text, what_text
from ui.widgets.fields import plain_table
from ui.widgets.form_support import Retranslated, section

HEADERS = (N_("Leader in charge"), N_("Case"), N_("Petitioners"), N_("Taken in charge on"),
           N_("Deadline"), N_("Status"), N_("Days left or result"))
OVERDUE_COLOUR = "#f8c9c4"
# What the list is read from.
SHOWN = ("leader_charge", "charge_extension", "petition", "petition_party", "person",
         "key_petitioner", "staff")


@cache
def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


class ChargesView(Retranslated, QWidget):
    """Every charge of the office, for the Key petitioners area."""

    counts_changed = Signal(int)  # open charges past their deadline

    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.office_id = tasks, office_id
        self.rows: list[ChargeRow] = []
        self.loaded = False
        self.heading = section(N_("Leaders in charge (领导包案)"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.show_closed = QCheckBox()
        self.show_closed.toggled.connect(lambda _on: self.reload())
        self.table = plain_table(len(HEADERS), stretch=2)
        self.table.cellActivated.connect(self._open)
        self.table.cellDoubleClicked.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_closed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        tasks.changed.connect(self._on_changes)
        self._generation = 0
        self.retranslate_ui()
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*SHOWN):
            self.reload()

    def reload(self) -> None:
        """Read again on the worker; only the newest reading is shown."""
        self._generation += 1
        generation = self._generation
        today, office_id = date.today(), self.office_id
        closed = self.show_closed.isChecked()
        self._tasks.run(lambda store, _progress: charges.office_charges(
            store, office_id, today, include_closed=closed),
            on_done=lambda found: self._show(generation, found), owner=self)

    def _show(self, generation: int, found: list[ChargeRow]) -> None:
        if generation != self._generation:
            return
        self.rows, self.loaded = found, True
        self.retranslate_ui()
        self.counts_changed.emit(self.overdue())

    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    def _open(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_charge(self.rows[row].charge_id)

    def open_charge(self, charge_id: str) -> None:
        try:
            dialog = ChargeDialog(self._tasks, self._tasks.staff_id, charge_id, parent=self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.exec()

    def retranslate_ui(self) -> None:
        open_rows = [r for r in self.rows if r.status == ChargeStatus.OPEN]
        self.summary.setText(
            _("Opening the data…") if not self.loaded else
            ngettext("{n} charge open", "{n} charges open", len(open_rows)).format(
                n=format_number(len(open_rows))) + "   " +
            ngettext("{n} past its deadline", "{n} past their deadline", self.overdue()).format(
                n=format_number(self.overdue())))
        self.show_closed.setText(_("Show closed charges"))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setRowCount(len(self.rows))
        for index, r in enumerate(self.rows):
            cells = (pick(r.leader_zh, r.leader_bo), what_text(r), pick(r.names_zh, r.names_bo),
                     format_iso_date(r.taken_on), format_iso_date(r.deadline),
                     label(ChargeStatus, r.status), days_text(r))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.charge_id)
                if r.overdue:
                    item.setBackground(_brush(OVERDUE_COLOUR))
                    item.setForeground(_brush("#000000"))
                self.table.setItem(index, column, item)
