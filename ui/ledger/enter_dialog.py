"""Entering a person Doorstep knows in the office's ledger of key petitioners: found by name (in
either script) or ID number, as intake finds a returning petitioner; then why, since when, and
who is responsible."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from app.core import duties
from app.core.errors import AppError, ValidationError
from app.core.i18n import N_, _, title_text
from app.ledger import entries
from app.ledger.entries import EntryInput
from ui.core.tasks import Tasks
from ui.persons.person_search import PersonSearch
from ui.widgets.combo import compact
from ui.widgets.fields import date_field, display_name, tab_chain
from ui.widgets.form_support import to_date, translated_label
from ui.widgets.save_form import SaveForm

CHOOSE_PERSON = N_("Please choose the person from those found.")


def fill_staff(combo: QComboBox, choices: list[duties.StaffChoice], chosen: str) -> None:
    """``combo`` offers ``choices`` after a blank (nobody chosen), ``chosen`` selected."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("—", "")
    for s in choices:
        combo.addItem(display_name(s.name_zh, s.name_bo), s.staff_id)
    index = combo.findData(chosen)
    combo.setCurrentIndex(index if index >= 0 else 0)
    combo.blockSignals(False)


def staff_combo() -> QComboBox:
    combo = QComboBox()
    compact(combo, 14)
    return combo


class EnterDialog(SaveForm):
    entered = Signal(str)  # the new entry's id

    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self._tasks, self.office_id = tasks, office_id
        self.finder = PersonSearch(tasks)
        self.finder.person_chosen.connect(self._chosen)
        self.search, self.found = self.finder.search, self.finder.found
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(64)
        self.entered_on = date_field(latest=QDate.currentDate())
        self.situation = QPlainTextEdit()
        self.situation.setTabChangesFocus(True)
        self.situation.setFixedHeight(64)
        self.demands = QPlainTextEdit()
        self.demands.setTabChangesFocus(True)
        self.demands.setFixedHeight(64)
        self.responsible = staff_combo()
        self.leader = staff_combo()
        fill_staff(self.responsible, tasks.query(duties.eligible_staff, office_id,
                                                 duties.HEARING), tasks.staff_id)
        fill_staff(self.leader, tasks.query(duties.eligible_staff, office_id, duties.LEAD), "")
        form = QFormLayout()
        self.errors.add_row(form, "search", translated_label(N_("Find the person")),
                            self.finder)
        self.errors.add_row(form, "person_id", translated_label(N_("Person")), self.chosen)
        self.errors.add_row(form, "reason", translated_label(N_("Why they enter the ledger")),
                            self.reason)
        self.errors.add_row(form, "entered_on", translated_label(N_("Entered on")),
                            self.entered_on)
        self.errors.add_row(form, "situation", translated_label(N_("Current situation")),
                            self.situation)
        self.errors.add_row(form, "demands", translated_label(N_("Demands")), self.demands)
        self.errors.add_row(form, "responsible_staff_id",
                            translated_label(N_("Staff responsible")), self.responsible)
        self.errors.add_row(form, "leader_id", translated_label(N_("Leader in charge")),
                            self.leader)
        self.finish(form)
        tab_chain(self.search, self.found, self.reason, self.entered_on, self.situation,
                  self.demands, self.responsible, self.leader)
        self.retranslate_ui()
        self.resize(760, 700)
        self.search.setFocus()

    @property
    def person_id(self) -> str:
        return self.finder.person_id

    def _chosen(self, _person_id: str) -> None:
        self.errors.clear_one("person_id")
        self._show_chosen()

    def _show_chosen(self) -> None:
        self.chosen.setText(self.finder.describe())

    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        if not self.person_id:
            self.errors.show([ValidationError(CHOOSE_PERSON, field="person_id")])
            return
        data = EntryInput(self.person_id, self.office_id, self.reason.toPlainText(),
                          to_date(self.entered_on.date()).isoformat(),
                          self.situation.toPlainText(), self.demands.toPlainText(),
                          str(self.responsible.currentData() or ""),
                          str(self.leader.currentData() or ""))
        try:
            entry_id = self._tasks.call(entries.enter, data)
        except AppError as error:
            self._problem(error)
            return
        self.entered.emit(entry_id)
        self.accept()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(title_text("Enter a person in the ledger"))
        self.save_button.setText(_("Enter in the ledger (Ctrl+S)"))
        self._show_chosen()
