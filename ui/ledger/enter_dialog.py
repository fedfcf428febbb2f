"""Entering a person Doorstep knows in the office's ledger of key petitioners: found by name (in
either script) or ID number, as intake finds a returning petitioner; then why, since when, and
who is responsible."""

from __future__ import annotations

import re
from datetime import datetime

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import duties
from app.core.errors import AppError, ValidationError
from app.core.formatting import format_short_datetime
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import label
from app.ledger import entries
from app.ledger.entries import EntryInput
from app.persons.records import MatchReason, PersonMatch, find_matches
from ui.core.tasks import Tasks, TasksClosedError
from ui.widgets.combo import compact
from ui.widgets.fields import MessageLine, date_field, display_name, show_problems, tab_chain
from ui.widgets.form_support import FieldErrors, Retranslated, to_date, translated_label

CHOOSE_PERSON = N_("Please choose the person from those found.")
TIBETAN = re.compile("[\u0f00-\u0fff]")
DIGITS = re.compile(r"\d")


def search_terms(text: str) -> tuple[str, str, str]:
    """What a search typed in one box looks for, as (Tibetan name, Chinese name, ID number): an
    ID number when it has digits, else a name in the script it is typed in."""
    text = text.strip()
    if DIGITS.search(text):
        return "", "", text
    if TIBETAN.search(text):
        return text, "", ""
    return "", text, ""


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


class EnterDialog(Retranslated, QDialog):
    entered = Signal(str)  # the new entry's id

    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.office_id = tasks, office_id
        self.matches: list[PersonMatch] = []
        self.person_id = ""
        self.errors = FieldErrors()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.look_up)
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.found = QListWidget()
        self.found.setMinimumHeight(150)
        self.found.currentRowChanged.connect(self._chosen)
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
                            self.search)
        form.addRow("", self.found)
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
        self.message = MessageLine()
        self.save_button = QPushButton()
        self.cancel_button = QPushButton()
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        tab_chain(self.search, self.found, self.reason, self.entered_on, self.situation,
                  self.demands, self.responsible, self.leader)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.retranslate_ui()
        self.resize(760, 700)
        self.search.setFocus()

    def look_up(self) -> None:
        name_bo, name_zh, id_number = search_terms(self.search.text())
        try:
            self.matches = self._tasks.query(find_matches, name_bo, name_zh, id_number) \
                if name_bo or name_zh or id_number else []
        except TasksClosedError:  # the timer fired while the window closes
            return
        self._show_matches()

    def _show_matches(self) -> None:
        self.found.blockSignals(True)
        self.found.clear()
        for match in self.matches:
            lines = [f"{pick(match.name_zh, match.name_bo)}  ·  {label(MatchReason, match.reason)}",
                     " ".join(x for x in (match.id_number, match.phone, match.county,
                                          match.township) if x)]
            for earlier in match.petitions[:2]:
                lines.append(f"  {earlier.reg_no}  "
                             f"{format_short_datetime(datetime.fromisoformat(earlier.received_at))}"
                             f"  {earlier.summary[:30]}")
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, match.person_id)
            self.found.addItem(item)
        self.found.blockSignals(False)
        ids = [m.person_id for m in self.matches]
        if self.person_id in ids:
            self.found.setCurrentRow(ids.index(self.person_id))

    def _chosen(self, row: int) -> None:
        if 0 <= row < len(self.matches):
            self.person_id = self.matches[row].person_id
            self.errors.clear_one("person_id")
        self._show_chosen()

    def _show_chosen(self) -> None:
        match = next((m for m in self.matches if m.person_id == self.person_id), None)
        if match is not None:
            self.chosen.setText(" ".join(x for x in (
                display_name(match.name_zh, match.name_bo), match.id_number, match.county)
                if x))
        elif not self.person_id:
            self.chosen.setText(_("Type a name or an ID number above, then choose the person."))

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
            show_problems(self.errors, self.message, error)
            return
        self.entered.emit(entry_id)
        self.accept()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Enter a person in the ledger"))
        self.search.setPlaceholderText(_("Name in Tibetan or Chinese, or ID number"))
        self.save_button.setText(_("Enter in the ledger (Ctrl+S)"))
        self.cancel_button.setText(_("Cancel"))
        self._show_matches()
        self._show_chosen()
