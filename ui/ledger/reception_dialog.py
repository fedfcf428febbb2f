"""A leader's reception day: scheduling or changing it (DayDialog), the log of who came on it with
the petitions registered there, each entry correctable (ReceptionDayDialog), and the office's
monthly targets (TargetsDialog). Ctrl+S saves; Esc closes without saving."""

from __future__ import annotations

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from app.ledger.reception import DayDetail, DayInput, VisitInput, VisitRow
from ui.core.tasks import Tasks
from ui.persons.person_search import PersonSearch
from ui.widgets.combo import compact
from ui.widgets.fields import cell, date_field, plain_table, set_headers
from ui.widgets.form_support import translated_label
from ui.widgets.save_form import SaveForm

VISIT_HEADERS = (N_("Who came"), N_("Matter"), N_("Petition registered"),
                 N_("First reception"))


def _time_edit(value: str) -> QTimeEdit:
    edit = QTimeEdit(QTime.fromString(value, "HH:mm"))
    edit.setDisplayFormat("HH:mm")
    edit.setMaximumWidth(120)
    return edit


def leader_text(zh: str, bo: str, role: str) -> str:
    return f"{pick(zh, bo, ' / ')} ({label(StaffRole, role)})"


class DayDialog(SaveForm):
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


class ReceptionDayDialog(SaveForm):
    """Who came on a reception day: add them (a person Doorstep knows, found by name or ID
    number; a name typed for someone not yet known; or the petition registered there, which
    brings the petitioner), mark first receptions by a leader, correct an entry or remove one
    made in error. Adding someone to a day still scheduled marks it held."""

    def __init__(self, tasks: Tasks, day_id: str, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.day_id = day_id
        self.detail: DayDetail = tasks.query(rx.day_detail, day_id)
        self.choices: list[rx.PetitionChoice] = []
        self.editing: VisitRow | None = None  # the entry being corrected
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = plain_table(len(VISIT_HEADERS), stretch=1)
        self.table.setMinimumHeight(100)
        self.edit_button = QPushButton()
        self.remove_button = QPushButton()
        for button in (self.edit_button, self.remove_button):
            button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.edit)
        self.remove_button.clicked.connect(self.remove)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit())
        self.petition = QComboBox()
        compact(self.petition, 24)
        self.finder = PersonSearch(tasks, list_height=64, hide_empty=True)
        self.finder.person_chosen.connect(self._person_chosen)
        self.person = QLabel()
        self.person.setWordWrap(True)
        self.unchoose_button = QPushButton()
        self.unchoose_button.setAutoDefault(False)
        self.unchoose_button.clicked.connect(lambda: self._choose_person("", "", ""))
        person_row = QHBoxLayout()
        person_row.setContentsMargins(0, 0, 0, 0)
        person_row.addWidget(self.person, 1)
        person_row.addWidget(self.unchoose_button)
        person_box = QWidget()
        person_box.setLayout(person_row)
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.matter = QLineEdit()
        self.first = QCheckBox()
        form = QFormLayout()
        self.errors.add_row(form, "petition_id", translated_label(N_("Petition registered")),
                            self.petition)
        form.addRow(translated_label(N_("Find the person")), self.finder)
        self.errors.add_row(form, "person_id", translated_label(N_("Person")), person_box)
        self.errors.add_row(form, "name", translated_label(N_("Name")), self.name)
        self.errors.add_row(form, "matter", translated_label(N_("Matter")), self.matter)
        form.addRow("", self.first)
        self.form_heading = QLabel()
        self.form_heading.setWordWrap(True)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.form_heading, 1)
        entry_row.addWidget(self.edit_button)
        entry_row.addWidget(self.remove_button)
        self.stop_button = QPushButton()
        self.stop_button.setAutoDefault(False)
        self.stop_button.clicked.connect(self.stop_editing)
        self.button_row.insertWidget(1, self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(entry_row)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(self.button_row)
        self.changed_any = False
        self._reload()
        self.resize(900, 660)
        self.finder.setFocus()

    def _reload(self) -> None:
        self.detail = self._tasks.query(rx.day_detail, self.day_id)
        keep = self.editing.petition_id if self.editing is not None else ""
        self.choices = self._tasks.query(rx.petitions_of_day, self.day_id, keep)
        self.retranslate_ui()
        cancelled = self.detail.row.status == rx.DayStatus.CANCELLED
        for widget in (self.petition, self.finder, self.person, self.unchoose_button,
                       self.name, self.matter, self.first, self.save_button):
            widget.setEnabled(not cancelled)
        self._selection_changed()

    def _selected(self) -> VisitRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.detail.visits[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self._selected() is not None
        self.remove_button.setEnabled(chosen)
        self.edit_button.setEnabled(
            chosen and self.detail.row.status != rx.DayStatus.CANCELLED)

    def _person_chosen(self, _person_id: str) -> None:
        self.errors.clear_one("person_id")
        self.errors.clear_one("name")
        self._show_person()

    def _choose_person(self, person_id: str, name_zh: str, name_bo: str) -> None:
        self.finder.choose(person_id, name_zh, name_bo)
        self._show_person()

    def _show_person(self) -> None:
        self.person.setText(self.finder.describe() if self.finder.person_id
                            else _("Nobody chosen: type the name below for someone not yet "
                                   "known."))
        self.unchoose_button.setVisible(bool(self.finder.person_id))

    def _clear_form(self) -> None:
        self.errors.clear()
        self._choose_person("", "", "")
        self.petition.setCurrentIndex(0)
        self.name.clear()
        self.matter.clear()
        self.first.setChecked(False)

    def value(self) -> VisitInput:
        return VisitInput(person_id=self.finder.person_id, name=self.name.text(),
                          matter=self.matter.text(),
                          petition_id=str(self.petition.currentData() or ""),
                          first_reception=self.first.isChecked())

    def edit(self) -> None:
        """Bring the selected entry into the form to correct it."""
        visit = self._selected()
        if visit is None or self.detail.row.status == rx.DayStatus.CANCELLED:
            return
        self.message.clear()
        self._clear_form()
        self.editing = visit
        self._reload()
        self.petition.setCurrentIndex(max(self.petition.findData(visit.petition_id), 0))
        if visit.person_id:
            self._choose_person(visit.person_id, visit.name_zh, visit.name_bo)
        self.name.setText(visit.name)
        self.matter.setText(visit.matter)
        self.first.setChecked(visit.first_reception)
        self.matter.setFocus()

    def stop_editing(self) -> None:
        """Leave the entry as it was; the form adds someone again."""
        self.editing = None
        self._clear_form()
        self._reload()
        self.finder.setFocus()

    def save(self) -> None:
        """Add the person to the day's log, or save the correction of the entry."""
        self.errors.clear()
        self.message.clear()
        try:
            if self.editing is None:
                visit_id = self._tasks.call(rx.log_visit, self.day_id, self.value())
            else:
                visit_id = self.editing.visit_id
                self._tasks.call(rx.update_visit, visit_id, self.value())
        except AppError as error:
            self._problem(error)
            return
        self.changed_any = True
        self.saved.emit(visit_id)
        done = _("Added.") if self.editing is None else _("The change was saved.")
        self.editing = None
        self._clear_form()
        self._reload()
        self.message.success(done)
        self.finder.setFocus()

    def remove(self) -> None:
        visit = self._selected()
        if visit is None:
            return
        try:
            self._tasks.call(rx.remove_visit, visit.visit_id)
        except AppError as error:
            self._problem(error)
            return
        self.changed_any = True
        self.saved.emit(visit.visit_id)
        if self.editing is not None and self.editing.visit_id == visit.visit_id:
            self.editing = None
            self._clear_form()
        self._reload()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        row = self.detail.row
        self.setWindowTitle(title_text("Reception day"))
        editing = self.editing
        self.save_button.setText(_("Add (Ctrl+S)") if editing is None else _("Save (Ctrl+S)"))
        self.stop_button.setText(_("Cancel"))
        self.stop_button.setVisible(editing is not None)
        status = (rx.DayStatus(row.status).label if rx.DayStatus.has(row.status)
                  else row.status)
        self.heading.setText("\n".join((
            f"{format_iso_date(row.day, 'long')}   {row.start_time}–{row.end_time}   "
            f"{row.place}",
            f"{leader_text(row.leader_zh, row.leader_bo, row.role)}   {status}")))
        self.form_heading.setText(
            _("Someone who came:") if editing is None
            else _("Changing the entry: {name}").format(
                name=pick(editing.name_zh, editing.name_bo) or editing.reg_no or "—"))
        self.edit_button.setText(_("Change the entry"))
        self.remove_button.setText(_("Remove the entry made in error"))
        self.unchoose_button.setText(_("Not this person"))
        self.first.setText(_("First reception of this matter by a leader of the office"))
        self.name.setPlaceholderText(_("The name, when no petition was registered"))
        self.matter.setPlaceholderText(_("What the person came about"))
        self._show_person()
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


class TargetsDialog(SaveForm):
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
