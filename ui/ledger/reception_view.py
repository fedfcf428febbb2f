"""Reception days (检察长接访): a month's schedule of the leaders' reception days, and each
leader's days held that month against the office's targets (met, or short by so many).

From here the clerk schedules a day, changes or cancels one still scheduled, marks one held,
opens a day to log who came and the petitions registered there, and prints the month's
schedule as a notice in Tibetan and Chinese to post at the window.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_number
from app.core.i18n import N_, _, ngettext, pick, title_text
from app.ledger import reception as rx
from app.ledger.reception import DayRow, MonthCount
from ui.core.errors import show_error
from ui.core.tasks import Changes, Tasks
from ui.ledger.reception_dialog import DayDialog, ReceptionDayDialog, TargetsDialog, leader_text
from ui.widgets.fields import cell, plain_table, set_headers
from ui.widgets.form_support import Retranslated, section
from ui.widgets.paper_preview import show_paper

COUNT_HEADERS = (N_("Leader"), N_("Days held"), N_("Still scheduled"), N_("Target"),
                 N_("Against the target"), N_("First receptions"))
DAY_HEADERS = (N_("Date"), N_("Leader"), N_("Time"), N_("Place"), N_("Status"), N_("Came"),
               N_("First receptions"), N_("Petitions registered"))
SHOWN = ("reception_day", "reception_visit", "reception_target", "staff", "petition", "person")
SHORT_COLOUR, MET_COLOUR = "#b00020", "#1b5e20"
STATUS_COLOURS = {rx.DayStatus.CANCELLED: "#888888", rx.DayStatus.HELD: "#1b5e20"}


def result_text(count: rx.LeaderCount) -> str:
    if count.met:
        return _("Met")
    return ngettext("Short by {n} day", "Short by {n} days", count.short).format(
        n=format_number(count.short))


class ReceptionView(Retranslated, QWidget):
    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.office_id = tasks, office_id
        today = date.today()
        self.year, self.month = today.year, today.month
        self.days: list[DayRow] = []
        self.counts: MonthCount | None = None
        self.may_set_targets = tasks.query(rx.may_set_targets)

        self.previous_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        for button in (self.previous_button, self.next_button):
            button.setAutoDefault(False)
            button.setFixedWidth(40)
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.this_month_button = QPushButton()
        self.this_month_button.clicked.connect(self.go_to_today)
        self.month_label = QLabel()
        font = self.month_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.month_label.setFont(font)
        self.targets_button = QPushButton()
        self.targets_button.clicked.connect(self.edit_targets)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_notice)
        top = QHBoxLayout()
        top.addWidget(self.previous_button)
        top.addWidget(self.month_label)
        top.addWidget(self.next_button)
        top.addWidget(self.this_month_button)
        top.addStretch(1)
        top.addWidget(self.targets_button)
        top.addWidget(self.print_button)

        self.targets_label = QLabel()
        self.targets_label.setWordWrap(True)
        self.count_table = plain_table(len(COUNT_HEADERS), stretch=0)
        self.count_table.setMaximumHeight(170)
        self.day_heading = section(N_("The month's reception days"))
        self.day_table = plain_table(len(DAY_HEADERS), stretch=3)
        self.day_table.itemSelectionChanged.connect(self._selection_changed)
        self.day_table.cellDoubleClicked.connect(lambda _r, _c: self.open_day())
        self.day_table.cellActivated.connect(lambda _r, _c: self.open_day())

        self.schedule_button = QPushButton()
        self.schedule_button.clicked.connect(self.schedule_day)
        self.change_button = QPushButton()
        self.change_button.clicked.connect(self.change_day)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_day)
        self.held_button = QPushButton()
        self.held_button.clicked.connect(self.mark_held)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_day)
        actions = QHBoxLayout()
        for button in (self.schedule_button, self.change_button, self.open_button,
                       self.held_button, self.cancel_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.targets_label)
        layout.addWidget(self.count_table)
        layout.addWidget(self.day_heading)
        layout.addWidget(self.day_table, 1)
        layout.addLayout(actions)
        tasks.changed.connect(self._on_changes)
        self.reload()

    # -- reading -------------------------------------------------------------------------------
    def _span(self) -> tuple[date, date]:
        return rx.month_span(self.year, self.month)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*SHOWN):
            self.reload()

    def reload(self) -> None:
        first, last = self._span()
        selected = self.selected()
        try:
            self.days = self._tasks.query(rx.schedule_for, self.office_id, first, last)
            self.counts = self._tasks.query(rx.monthly_count, self.office_id, self.year,
                                            self.month)
        except AppError as error:
            show_error(self, error)
            return
        self.retranslate_ui()
        if selected is not None:
            for number, day in enumerate(self.days):
                if day.day_id == selected.day_id:
                    self.day_table.selectRow(number)

    def go(self, months: int) -> None:
        total = self.year * 12 + self.month - 1 + months
        self.year, self.month = total // 12, total % 12 + 1
        self.reload()

    def go_to_today(self) -> None:
        today = date.today()
        self.year, self.month = today.year, today.month
        self.reload()

    def selected(self) -> DayRow | None:
        rows = self.day_table.selectionModel().selectedRows()
        if rows and 0 <= rows[0].row() < len(self.days):
            return self.days[rows[0].row()]
        return None

    def _selection_changed(self) -> None:
        day = self.selected()
        scheduled = day is not None and day.status == rx.DayStatus.SCHEDULED
        self.change_button.setEnabled(scheduled)
        self.cancel_button.setEnabled(scheduled)
        self.held_button.setEnabled(scheduled and day is not None
                                    and day.day <= date.today().isoformat())
        self.open_button.setEnabled(day is not None)

    # -- actions -------------------------------------------------------------------------------
    def schedule_day(self) -> None:
        first, last = self._span()
        today = date.today()
        on = today if first <= today <= last else first
        place = next((d.place for d in reversed(self.days)), "")
        dialog = DayDialog(self._tasks, self.office_id, None,
                           QDate(on.year, on.month, on.day), place, self)
        dialog.exec()

    def change_day(self) -> None:
        day = self.selected()
        if day is None:
            return
        DayDialog(self._tasks, self.office_id, day.day_id, parent=self).exec()

    def open_day(self) -> None:
        day = self.selected()
        if day is None:
            return
        ReceptionDayDialog(self._tasks, day.day_id, self).exec()

    def mark_held(self) -> None:
        day = self.selected()
        if day is None:
            return
        try:
            self._tasks.call(rx.mark_held, day.day_id)
        except AppError as error:
            show_error(self, error)

    def cancel_day(self) -> None:
        day = self.selected()
        if day is None:
            return
        reason, ok = QInputDialog.getText(
            self, title_text("Cancel the reception day"),
            _("Why is the reception day of {date} cancelled?").format(
                date=format_iso_date(day.day, "long")), QLineEdit.EchoMode.Normal, "")
        if not ok:
            return
        try:
            self._tasks.call(rx.cancel, day.day_id, reason)
        except AppError as error:
            show_error(self, error)

    def edit_targets(self) -> None:
        TargetsDialog(self._tasks, self.office_id, self.may_set_targets, self).exec()

    def print_notice(self) -> None:
        first, last = self._span()
        office_id = self.office_id
        show_paper(self._tasks, self,
                   lambda store: rx.render_notice(store, office_id, first, last),
                   title_text("Leaders' reception days"),
                   f"reception-days-{self.year}-{self.month:02d}.pdf",
                   record=("reception_day", ""))

    # -- labels --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.month_label.setText(rx.month_text(self.year, self.month))
        self.this_month_button.setText(_("This month"))
        self.targets_button.setText(_("Targets…"))
        self.print_button.setText(_("Print the notice…"))
        self.print_button.setEnabled(any(d.status != rx.DayStatus.CANCELLED for d in self.days))
        self.schedule_button.setText(_("Schedule a day…"))
        self.change_button.setText(_("Change…"))
        self.open_button.setText(_("Who came…"))
        self.held_button.setText(_("Mark held"))
        self.cancel_button.setText(_("Cancel the day…"))
        counts = self.counts
        if counts is not None:
            targets = counts.targets
            self.targets_label.setText(_(
                "Targets: the chief procurator {chief} days a month, every other leader "
                "{leader}. First receptions by a leader this month: {first}.").format(
                    chief=format_number(targets.chief_days),
                    leader=format_number(targets.leader_days),
                    first=format_number(counts.first_receptions)))
        set_headers(self.count_table, COUNT_HEADERS)
        leaders = counts.leaders if counts is not None else []
        self.count_table.setRowCount(len(leaders))
        for number, c in enumerate(leaders):
            result = cell(result_text(c))
            result.setForeground(QBrush(QColor(MET_COLOUR if c.met else SHORT_COLOUR)))
            for column, item in enumerate((
                    cell(leader_text(c.name_zh, c.name_bo, c.role)),
                    cell(format_number(c.held), right=True),
                    cell(format_number(c.scheduled), right=True),
                    cell(format_number(c.target), right=True), result,
                    cell(format_number(c.first_receptions), right=True))):
                self.count_table.setItem(number, column, item)
        set_headers(self.day_table, DAY_HEADERS)
        self.day_table.setRowCount(len(self.days))
        for number, d in enumerate(self.days):
            status = rx.DayStatus(d.status).label if rx.DayStatus.has(d.status) else d.status
            if d.status == rx.DayStatus.CANCELLED and d.cancel_reason:
                status = f"{status}: {d.cancel_reason}"
            cancelled = d.status == rx.DayStatus.CANCELLED
            for column, text in enumerate((
                    format_iso_date(d.day), pick(d.leader_zh, d.leader_bo),
                    f"{d.start_time}–{d.end_time}", d.place, status,
                    format_number(d.visits), format_number(d.first_receptions),
                    format_number(d.petitions))):
                item = cell(text, greyed=cancelled, right=column >= 5)
                if column == 4 and d.status in STATUS_COLOURS:
                    item.setForeground(QBrush(QColor(STATUS_COLOURS[rx.DayStatus(d.status)])))
                item.setData(Qt.ItemDataRole.UserRole, d.day_id)
                self.day_table.setItem(number, column, item)
        self._selection_changed()
