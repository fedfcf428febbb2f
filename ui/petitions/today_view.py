"""Today: what must be answered now. Overdue first, then due today, then within three days;
under the deadlines, the return visits planned for the coming week (or overdue), the
judicial aid awaiting a leader's decision (a row opens the case to decide on it), and the
logged-in leader's own cases in charge (包案) with their deadlines (a row opens the charge)."""

from __future__ import annotations

from datetime import date
from functools import cache, partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.aid import visits
from app.aid.listing import AidCaseItem, awaiting_decision
from app.aid.visits import DueVisit
from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_money, format_number
from app.core.i18n import N_, _, ngettext, pick
from app.core.labels import Deadline, VisitMethod, label
from app.ledger.charges import ChargeRow, my_charges
from app.petitions.registry import SOON_DAYS
from app.petitions.today import TodayList, today_list
from ui.core.tasks import Changes, Tasks
from ui.widgets.fields import plain_table
from ui.widgets.form_support import Retranslated, section
from ui.widgets.lazy_table_model import fit_columns

# Background colours by urgency: red, orange, yellow (light enough for black text).
URGENCY_COLOURS = {"overdue": "#f8c9c4", "today": "#fbdcaa", "soon": "#fdf3b0",
                   "later": "#ffffff"}
URGENCY = {"overdue": N_("Overdue"), "today": N_("Due today"), "soon": N_("Due within 3 days")}
HEADERS = (N_("When"), N_("Deadline"), N_("Due"), N_("Registration number"), N_("Petitioners"),
           N_("Summary"))
VISIBLE_VISIT_ROWS = 8
VISIT_HEADERS = (N_("When"), N_("Planned for"), N_("Registration number"), N_("Petitioners"),
                 N_("How"), N_("Visitor"))
VISIBLE_AID_ROWS = 6
AID_HEADERS = (N_("Waiting"), N_("Proposed on"), N_("Registration number"), N_("Persons to aid"),
               N_("Amount proposed"), N_("Proposed by"))
VISIBLE_CHARGE_ROWS = 6
CHARGE_HEADERS = (N_("When"), N_("Deadline"), N_("Registration number"), N_("Petitioners"),
                  N_("Summary"))
# A proposal waiting this long is marked as a deadline due soon, then as one overdue.
AID_SLOW_DAYS, AID_LATE_DAYS = 3, 7


def when_text(days_left: int, urgency: str) -> str:
    if urgency == "overdue":
        return ngettext("{n} day overdue", "{n} days overdue", -days_left).format(
            n=format_number(-days_left))
    if urgency == "today":
        return _("Due today")
    return ngettext("In {n} day", "In {n} days", days_left).format(n=format_number(days_left))


def waiting_text(days: int) -> str:
    if days == 0:
        return _("Proposed today")
    return ngettext("Waiting {n} day", "Waiting {n} days", days).format(n=format_number(days))


def _aid_urgency(days: int) -> str:
    if days >= AID_LATE_DAYS:
        return "overdue"
    return "today" if days >= AID_SLOW_DAYS else "soon"


def _charge_urgency(days_left: int) -> str:
    if days_left < 0:
        return "overdue"
    if days_left == 0:
        return "today"
    return "soon" if days_left <= SOON_DAYS else "later"


def _fit_rows(table: QTableWidget, rows: int) -> None:
    """As tall as its few rows (up to ``rows``), with room for the scroll bar a narrow window
    shows under them; the deadlines above take the rest."""
    shown = sum(table.rowHeight(row) for row in range(min(rows, table.rowCount())))
    shown += max(0, rows - table.rowCount()) * table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + shown
                         + 2 * table.frameWidth()
                         + table.horizontalScrollBar().sizeHint().height())


def _table(columns: int) -> QTableWidget:
    table = plain_table(columns, wrap=False)
    # Sized from the rows on screen (``fit_columns``): fitting each column to its contents
    # would measure every row, thousands on a prefecture's store, at each layout.
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    # One line of text at the screen font's height (its Tibetan stacks included).
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


@cache
def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


def _fill_row(table: QTableWidget, row: int, cells: tuple[str, ...], urgency: str,
              key: str) -> None:
    background, text = _brush(URGENCY_COLOURS[urgency]), _brush("#000000")
    for column, value in enumerate(cells):
        cell = QTableWidgetItem(value)
        cell.setBackground(background)
        cell.setForeground(text)
        cell.setData(Qt.ItemDataRole.UserRole, key)
        table.setItem(row, column, cell)


_Reading = tuple[TodayList, list[DueVisit], list[AidCaseItem], list[ChargeRow]]

# What Today shows comes from these tables (the deadlines, their petitions' parties, the return
# visits due, the office's holiday calendar).
SHOWN = ("petition", "petition_party", "person", "petition_reply", "deadline_event",
         "return_visit", "holiday_override", "office", "aid_case", "aid_person", "staff",
         "leader_charge", "charge_extension", "key_petitioner")


class TodayView(Retranslated, QWidget):
    petition_opened = Signal(str)
    # A planned return visit: (petition id, visit id).
    visit_opened = Signal(str, str)
    counts_changed = Signal(int)

    def __init__(self, tasks: Tasks, office_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.office_id = office_id
        self.listing = TodayList([])
        self.due_visits: list[DueVisit] = []
        self.awaiting_aid: list[AidCaseItem] = []
        self.my_charges: list[ChargeRow] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.calendar_warning = QLabel()
        self.calendar_warning.setWordWrap(True)
        self.calendar_warning.setStyleSheet("color: #8a4b00")
        self.table = _table(len(HEADERS))
        self.visit_heading = section(N_("Return visits due"))
        self.visit_summary = QLabel()
        self.visit_summary.setWordWrap(True)
        self.visit_table = _table(len(VISIT_HEADERS))
        self.aid_heading = section(N_("Judicial aid awaiting a decision ({n})"))
        self.aid_heading.setProperty("msgid", None)  # its count is filled in by retranslate_ui
        self.aid_table = _table(len(AID_HEADERS))
        self.charge_heading = section(N_("My cases in charge (包案) ({n})"))
        self.charge_heading.setProperty("msgid", None)  # its count is filled in below
        self.charge_table = _table(len(CHARGE_HEADERS))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.calendar_warning)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.visit_heading)
        layout.addWidget(self.visit_summary)
        layout.addWidget(self.visit_table)
        layout.addWidget(self.aid_heading)
        layout.addWidget(self.aid_table)
        layout.addWidget(self.charge_heading)
        layout.addWidget(self.charge_table)
        self.table.cellActivated.connect(self._open)
        self.table.cellDoubleClicked.connect(self._open)
        self.visit_table.cellActivated.connect(self._open_visit)
        self.visit_table.cellDoubleClicked.connect(self._open_visit)
        self.aid_table.cellActivated.connect(self._open_aid)
        self.aid_table.cellDoubleClicked.connect(self._open_aid)
        self.charge_table.cellActivated.connect(self._open_charge)
        self.charge_table.cellDoubleClicked.connect(self._open_charge)
        tasks.changed.connect(self._on_changes)
        self._generation = 0
        self.loaded = False  # until the first reading has arrived
        self.retranslate_ui()
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*SHOWN):
            self.reload()

    def _open(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.listing.items):
            self.petition_opened.emit(self.listing.items[row].petition_id)

    def _open_visit(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.due_visits):
            due = self.due_visits[row]
            self.visit_opened.emit(due.petition_id, due.visit_id)

    def _open_aid(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.awaiting_aid):
            self.open_aid_case(self.awaiting_aid[row])

    def _open_charge(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.my_charges):
            self.open_charge(self.my_charges[row])

    def open_charge(self, item: ChargeRow) -> None:
        """The charge: its progress, a later deadline, closing it."""
        from ui.ledger.charge_dialog import ChargeDialog

        try:
            dialog = ChargeDialog(self._tasks, self._tasks.staff_id, item.charge_id,
                                  parent=self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.exec()

    def open_aid_case(self, item: AidCaseItem) -> None:
        """The case, to decide on it (or to see who may), over this window."""
        from ui.aid.case_dialog import AidCaseDialog

        try:
            dialog = AidCaseDialog(self._tasks, item.petition_id, self._tasks.staff_id,
                                   item.aid_case_id, self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.exec()

    def count(self) -> int:
        """What the navigation shows beside "Today": deadlines and visits to see to."""
        return len(self.listing.items) + len(self.due_visits)

    def reload(self) -> None:
        """Read again, on the worker (a prefecture's store has thousands of deadlines due):
        the window goes on meanwhile, and what was read is shown when it arrives. Only the
        newest reading is shown; one overtaken by a later change is dropped."""
        self._generation += 1
        generation = self._generation
        today, office_id = date.today(), self.office_id

        self._tasks.run(
            lambda store, _progress: (today_list(store, today, office_id),
                                      visits.due_visits(store, office_id, today),
                                      awaiting_decision(store, office_id, today),
                                      my_charges(store, today)),
            on_done=lambda found: self._show(generation, found), owner=self)

    def _show(self, generation: int, found: _Reading) -> None:
        if generation != self._generation:
            return
        self.listing, self.due_visits, self.awaiting_aid, self.my_charges = found
        self.loaded = True
        self.retranslate_ui()
        self.counts_changed.emit(self.count())

    def retranslate_ui(self) -> None:
        items = self.listing.items
        counts = [f"{_(URGENCY[u])}: {format_number(self.listing.count(u))}"
                  for u in ("overdue", "today", "soon")]
        self.summary.setText("   ".join(counts) if items else
                             _("Nothing is overdue or due in the next three days.")
                             if self.loaded else _("Opening the data…"))
        years = "、".join(str(y) for y in self.listing.unknown_years)
        self.calendar_warning.setVisible(bool(years))
        self.calendar_warning.setText(_(
            "The official holiday schedule for {years} is not known yet, so working-day "
            "deadlines in {years} count only weekends as days off. Enter the schedule under "
            "Laptop → Deadlines and holidays….").format(years=years) if years else "")
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setRowCount(len(items))
        # Thousands of rows share a few hundred days and deadline kinds: each is said once.
        when = cache(when_text)
        due = cache(format_iso_date)
        kind = cache(partial(label, Deadline))
        for row, item in enumerate(items):
            cells = (when(item.days_left, item.urgency), kind(item.deadline),
                     due(item.due.isoformat()), item.reg_no,
                     pick(item.names_zh, item.names_bo), item.summary[:80])
            _fill_row(self.table, row, cells, item.urgency, item.petition_id)
        fit_columns(self.table)
        self._retranslate_visits()
        self._retranslate_aid()
        self._retranslate_charges()

    def _retranslate_visits(self) -> None:
        due = self.due_visits
        self.visit_summary.setText(ngettext(
            "No return visit is planned for the next {n} day.",
            "No return visit is planned for the next {n} days.",
            visits.DUE_WITHIN_DAYS).format(n=format_number(visits.DUE_WITHIN_DAYS))
            if not due else "")
        self.visit_summary.setVisible(not due and self.loaded)
        self.visit_table.setVisible(bool(due))
        self.visit_table.setHorizontalHeaderLabels([_(h) for h in VISIT_HEADERS])
        self.visit_table.setRowCount(len(due))
        for row, visit in enumerate(due):
            cells = (when_text(visit.days_left, visit.urgency),
                     format_iso_date(visit.scheduled_on.isoformat()), visit.reg_no,
                     pick(visit.names_zh, visit.names_bo), label(VisitMethod, visit.method),
                     pick(visit.visitor_zh, visit.visitor_bo) or "—")
            _fill_row(self.visit_table, row, cells, visit.urgency, visit.visit_id)
        fit_columns(self.visit_table)
        _fit_rows(self.visit_table, min(len(due), VISIBLE_VISIT_ROWS))

    def _retranslate_aid(self) -> None:
        """Shown only while some aid awaits a decision: nothing to see for most of the day."""
        waiting = self.awaiting_aid
        self.aid_heading.setVisible(bool(waiting))
        self.aid_table.setVisible(bool(waiting))
        self.aid_heading.setText(_("Judicial aid awaiting a decision ({n})").format(
            n=format_number(len(waiting))))
        self.aid_table.setHorizontalHeaderLabels([_(h) for h in AID_HEADERS])
        self.aid_table.setRowCount(len(waiting))
        for row, item in enumerate(waiting):
            cells = (waiting_text(item.days_waiting),
                     format_iso_date(item.proposed_on.isoformat()), item.reg_no,
                     pick(item.names_zh, item.names_bo), format_money(item.proposed_fen),
                     pick(item.proposed_by_zh, item.proposed_by_bo) or "—")
            _fill_row(self.aid_table, row, cells, _aid_urgency(item.days_waiting),
                      item.aid_case_id)
        fit_columns(self.aid_table)
        _fit_rows(self.aid_table, min(len(waiting), VISIBLE_AID_ROWS))

    def _retranslate_charges(self) -> None:
        """The logged-in leader's open cases in charge, the most overdue first; shown only
        when they have some."""
        mine = self.my_charges
        self.charge_heading.setVisible(bool(mine))
        self.charge_table.setVisible(bool(mine))
        self.charge_heading.setText(_("My cases in charge (包案) ({n})").format(
            n=format_number(len(mine))))
        self.charge_table.setHorizontalHeaderLabels([_(h) for h in CHARGE_HEADERS])
        self.charge_table.setRowCount(len(mine))
        for row, item in enumerate(mine):
            days = item.days_left if item.days_left is not None else 0
            urgency = _charge_urgency(days)
            when = when_text(days, urgency if urgency != "later" else "soon")
            cells = (when, format_iso_date(item.deadline),
                     item.reg_no or _("Key petitioner's matter"),
                     pick(item.names_zh, item.names_bo), item.about[:80])
            _fill_row(self.charge_table, row, cells, urgency, item.charge_id)
        fit_columns(self.charge_table)
        _fit_rows(self.charge_table, min(len(mine), VISIBLE_CHARGE_ROWS))
