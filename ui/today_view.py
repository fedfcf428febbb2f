"""Today: what must be answered now. Overdue first, then due today, then within three days."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import registry
from app.formatting import format_iso_date, format_number
from app.i18n import N_, _, ngettext, pick
from app.labels import DEADLINES, label
from app.registry import TodayList
from app.store import Store

# Background colours by urgency: red, orange, yellow (light enough for black text).
URGENCY_COLOURS = {"overdue": QColor("#f8c9c4"), "today": QColor("#fbdcaa"),
                   "soon": QColor("#fdf3b0")}
URGENCY = {"overdue": N_("Overdue"), "today": N_("Due today"), "soon": N_("Due within 3 days")}
HEADERS = (N_("When"), N_("Deadline"), N_("Due"), N_("Registration number"), N_("Petitioners"),
           N_("Summary"))


def when_text(days_left: int, urgency: str) -> str:
    if urgency == "overdue":
        return ngettext("{n} day overdue", "{n} days overdue", -days_left).format(
            n=format_number(-days_left))
    if urgency == "today":
        return _("Due today")
    return ngettext("In {n} day", "In {n} days", days_left).format(n=format_number(days_left))


class TodayView(QWidget):
    petition_opened = Signal(str)
    counts_changed = Signal(int)

    def __init__(self, store: Store, office_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.office_id = office_id
        self.listing = TodayList([])
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.calendar_warning = QLabel()
        self.calendar_warning.setWordWrap(True)
        self.calendar_warning.setStyleSheet("color: #8a4b00")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.calendar_warning)
        layout.addWidget(self.table)
        self.table.cellActivated.connect(self._open)
        self.table.cellDoubleClicked.connect(self._open)
        self.reload()

    def _open(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.listing.items):
            self.petition_opened.emit(self.listing.items[row].petition_id)

    def reload(self) -> None:
        self.listing = registry.today_list(self._store, date.today(), self.office_id)
        self.retranslate_ui()
        self.counts_changed.emit(len(self.listing.items))

    def retranslate_ui(self) -> None:
        items = self.listing.items
        counts = [f"{_(URGENCY[u])}: {format_number(self.listing.count(u))}"
                  for u in ("overdue", "today", "soon")]
        self.summary.setText("   ".join(counts) if items else
                             _("Nothing is overdue or due in the next three days."))
        years = "、".join(str(y) for y in self.listing.unknown_years)
        self.calendar_warning.setVisible(bool(years))
        self.calendar_warning.setText(_(
            "The official holiday schedule for {years} is not known yet, so working-day "
            "deadlines in {years} count only weekends as days off. Enter the schedule under "
            "Laptop → Deadlines and holidays….").format(years=years) if years else "")
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (when_text(item.days_left, item.urgency), label(DEADLINES, item.deadline),
                     format_iso_date(item.due.isoformat()), item.reg_no,
                     pick(item.names_zh, item.names_bo), item.summary[:80])
            brush = QBrush(URGENCY_COLOURS[item.urgency])
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setBackground(brush)
                cell.setForeground(QBrush(QColor("#000000")))
                cell.setData(Qt.ItemDataRole.UserRole, item.petition_id)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
