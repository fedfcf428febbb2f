"""A leader's reception day: scheduling or changing it (DayDialog), the log of who came on it with
the petitions registered there (ReceptionDayDialog), and the office's monthly targets
(TargetsDialog). Ctrl+S saves; Esc closes without saving."""

from __future__ import annotations

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_number
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import StaffRole, label
from app.ledger import reception as rx
from app.ledger.reception import DayDetail, DayInput, VisitInput
from ui.core.tasks import Tasks
from ui.widgets.combo import compact
from ui.widgets.fields import MessageLine, cell, date_field, plain_table, set_headers, show_problems
from ui.widgets.form_support import FieldErrors, Retranslated, translated_label

VISIT_HEADERS = (N_("Who came"), N_("Matter"), N_("Petition registered"),
                 N_("First reception"))


def _time_edit(value: str) -> QTimeEdit:
    edit = QTimeEdit(QTime.fromString(value, "HH:mm"))
    edit.setDisplayFormat("HH:mm")
    edit.setMaximumWidth(120)
    return edit


def leader_text(zh: str, bo: str, role: str) -> str:
    return f"{pick(zh, bo, ' / ')} ({label(StaffRole, role)})"


class _Form(Retranslated, QDialog):
    """Save (Ctrl+S) and Close, a message line, inline errors beside the fields."""

    saved = Signal(str)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.errors = FieldErrors()
        self.message = MessageLine()
        self.save_button = QPushButton()
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton()
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.button_row = QHBoxLayout()
        self.button_row.addWidget(self.save_button)
        self.button_row.addStretch(1)
        self.button_row.addWidget(self.close_button)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

    def save(self) -> None:
        raise NotImplementedError

    def _problem(self, error: AppError) -> None:
        show_problems(self.errors, self.message, error)

    def retranslate_ui(self) -> None:
        self.save_button.setText(_("Save (Ctrl+S)"))
        self.close_button.setText(_("Close"))


class DayDialog(_Form):
    """Schedule a leader's reception day, or change one still scheduled."""

    def __init__(self, tasks: Tasks, office_id: str, day_id: str | None = None,
                 on: QDate | None = None, place: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.office_id, self.day_id = office_id, day_id
        self.row = tasks.query(rx.day_detail, day_id).row if day_id else None
        self.choices = tasks.query(rx.leaders, office_id, self.row.leader_id if self.row else "")
        self.leader = QComboBox()
        compact(self.leader, 16)
        self.day = date_field(on or QDate.currentDate())
        self.start = _time_edit("09:00")
        self.end = _time_edit("12:00")
        times = QHBoxLayout()
        times.setContentsMargins(0, 0, 0, 0)
        times.addWidget(self.start)
        self.until = QLabel("—")
        times.addWidget(self.until)
        times.addWidget(self.end)
        times.addStretch(1)
        times_box = QWidget()
        times_box.setLayout(times)
        self.place = QLineEdit(place)
        self.place.setMaxLength(rx.MAX_PLACE)
        self.note = QLineEdit()
        form = QFormLayout()
        self.errors.add_row(form, "leader_id", translated_label(N_("Leader")), self.leader)
        self.errors.add_row(form, "day", translated_label(N_("Date")), self.day)
        self.errors.add_row(form, "start_time", translated_label(N_("Time")), times_box)
        end_error = QLabel()
        form.addRow("", end_error)
        self.errors.register("end_time", end_error, self.end)
        self.errors.add_row(form, "place", translated_label(N_("Place")), self.place)
        self.errors.add_row(form, "note", translated_label(N_("Note")), self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(self.button_row)
        if self.row is not None:
            self.day.setDate(QDate.fromString(self.row.day, "yyyy-MM-dd"))
            self.start.setTime(QTime.fromString(self.row.start_time, "HH:mm"))
            self.end.setTime(QTime.fromString(self.row.end_time, "HH:mm"))
            self.place.setText(self.row.place)
            self.note.setText(self.row.note)
        self.retranslate_ui()
        if self.row is not None:
            self.leader.setCurrentIndex(max(self.leader.findData(self.row.leader_id), 0))
        self.resize(560, 360)
        self.leader.setFocus()

    def value(self) -> DayInput:
        return DayInput(str(self.leader.currentData() or ""),
                        self.day.date().toString("yyyy-MM-dd"),
                        self.start.time().toString("HH:mm"), self.end.time().toString("HH:mm"),
                        self.place.text(), self.note.text())

    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        try:
            if self.day_id is None:
                self.day_id = self._tasks.call(rx.schedule, self.office_id, self.value())
            else:
                self._tasks.call(rx.change, self.day_id, self.value())
        except AppError as error:
            self._problem(error)
            return
        self.saved.emit(self.day_id)
        self.accept()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(title_text("Reception day") if self.row is None
                            else title_text("Change the reception day"))
        current = self.leader.currentData()
        self.leader.clear()
        self.leader.addItem(_("Choose…"), "")
        for choice in self.choices:
            self.leader.addItem(leader_text(choice.name_zh, choice.name_bo, choice.role),
                                choice.staff_id)
        if current is not None:
            self.leader.setCurrentIndex(max(self.leader.findData(current), 0))
        self.place.setPlaceholderText(_("e.g. the 12309 procuratorial service centre"))


class ReceptionDayDialog(_Form):
    """Who came on a reception day: add them (a name, or the petition registered there, which
    brings the petitioner), mark first receptions by a leader, remove an entry made in error.
    Adding someone to a day still scheduled marks it held."""

    def __init__(self, tasks: Tasks, day_id: str, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.day_id = day_id
        self.detail: DayDetail = tasks.query(rx.day_detail, day_id)
        self.choices: list[rx.PetitionChoice] = []
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = plain_table(len(VISIT_HEADERS), stretch=1)
        self.remove_button = QPushButton()
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.petition = QComboBox()
        compact(self.petition, 24)
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.matter = QLineEdit()
        self.first = QCheckBox()
        form = QFormLayout()
        self.errors.add_row(form, "petition_id", translated_label(N_("Petition registered")),
                            self.petition)
        self.errors.add_row(form, "name", translated_label(N_("Name")), self.name)
        self.errors.add_row(form, "matter", translated_label(N_("Matter")), self.matter)
        form.addRow("", self.first)
        self.form_heading = QLabel()
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(remove_row)
        layout.addWidget(self.form_heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(self.button_row)
        self.changed_any = False
        self._reload()
        self.resize(900, 620)
        self.name.setFocus()

    def _reload(self) -> None:
        self.detail = self._tasks.query(rx.day_detail, self.day_id)
        self.choices = self._tasks.query(rx.petitions_of_day, self.day_id)
        self.retranslate_ui()
        cancelled = self.detail.row.status == rx.DayStatus.CANCELLED
        for widget in (self.petition, self.name, self.matter, self.first, self.save_button):
            widget.setEnabled(not cancelled)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def value(self) -> VisitInput:
        return VisitInput(name=self.name.text(), matter=self.matter.text(),
                          petition_id=str(self.petition.currentData() or ""),
                          first_reception=self.first.isChecked())

    def save(self) -> None:
        """Add the person to the day's log."""
        self.errors.clear()
        self.message.clear()
        try:
            visit_id = self._tasks.call(rx.log_visit, self.day_id, self.value())
        except AppError as error:
            self._problem(error)
            return
        self.changed_any = True
        self.saved.emit(visit_id)
        self.name.clear()
        self.matter.clear()
        self.first.setChecked(False)
        self._reload()
        self.message.success(_("Added."))
        self.name.setFocus()

    def remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        visit = self.detail.visits[rows[0].row()]
        try:
            self._tasks.call(rx.remove_visit, visit.visit_id)
        except AppError as error:
            self._problem(error)
            return
        self.changed_any = True
        self.saved.emit(visit.visit_id)
        self._reload()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        row = self.detail.row
        self.setWindowTitle(title_text("Reception day"))
        self.save_button.setText(_("Add (Ctrl+S)"))
        status = (rx.DayStatus(row.status).label if rx.DayStatus.has(row.status)
                  else row.status)
        self.heading.setText("\n".join((
            f"{format_iso_date(row.day, 'long')}   {row.start_time}–{row.end_time}   "
            f"{row.place}",
            f"{leader_text(row.leader_zh, row.leader_bo, row.role)}   {status}")))
        self.form_heading.setText(_("Someone who came:"))
        self.remove_button.setText(_("Remove the entry made in error"))
        self.first.setText(_("First reception of this matter by a leader of the office"))
        self.name.setPlaceholderText(_("The name, when no petition was registered"))
        self.matter.setPlaceholderText(_("What the person came about"))
        set_headers(self.table, VISIT_HEADERS)
        self.table.setRowCount(len(self.detail.visits))
        for number, visit in enumerate(self.detail.visits):
            for column, text in enumerate((pick(visit.name_zh, visit.name_bo) or "—",
                                           visit.matter, visit.reg_no or "—",
                                           _("Yes") if visit.first_reception else "")):
                self.table.setItem(number, column, cell(text))
        current = self.petition.currentData()
        self.petition.clear()
        self.petition.addItem(_("None registered"), "")
        for choice in self.choices:
            self.petition.addItem(f"{choice.reg_no}  {pick(choice.names_zh, choice.names_bo)}"
                                  f"  {choice.summary[:30]}", choice.petition_id)
        if current is not None:
            self.petition.setCurrentIndex(max(self.petition.findData(current), 0))


class TargetsDialog(_Form):
    """The office's monthly targets: days for the chief procurator, days for each other
    leader. Only the chief procurator or a deputy changes them."""

    def __init__(self, tasks: Tasks, office_id: str, may_change: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.office_id, self.may_change = office_id, may_change
        current = tasks.query(rx.targets, office_id)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.chief_days = QSpinBox()
        self.leader_days = QSpinBox()
        for spin, value in ((self.chief_days, current.chief_days),
                            (self.leader_days, current.leader_days)):
            spin.setRange(0, rx.MAX_TARGET_DAYS)
            spin.setValue(value)
            spin.setEnabled(may_change)
        form = QFormLayout()
        self.errors.add_row(form, "chief_days",
                            translated_label(N_("Days a month for the chief procurator")),
                            self.chief_days)
        self.errors.add_row(form, "leader_days",
                            translated_label(N_("Days a month for each other leader")),
                            self.leader_days)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(self.button_row)
        self.retranslate_ui()
        if not may_change:
            self.message.error(lambda: _(access.NOT_PERMITTED[Permission.OFFICE_RULES]))
        self.resize(560, 300)

    def save(self) -> None:
        if not self.may_change:
            return
        self.errors.clear()
        try:
            self._tasks.call(rx.set_targets, self.office_id, self.chief_days.value(),
                             self.leader_days.value())
        except AppError as error:
            self._problem(error)
            return
        self.saved.emit(self.office_id)
        self.accept()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(title_text("Reception days a month"))
        self.save_button.setEnabled(self.may_change)
        self.explain.setText(_(
            "How many days a month each leader of the office receives petitioners: the chief "
            "procurator at least {chief}, every other leader at least {leader}, unless the "
            "office sets its own.").format(chief=format_number(rx.DEFAULT_CHIEF_DAYS),
                                           leader=format_number(rx.DEFAULT_LEADER_DAYS)))
