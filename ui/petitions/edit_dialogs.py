"""Correcting a registered petition or one of its persons, handing the case to another
procurator, voiding a wrong registration: the dialogs the petition's "Registration" menu opens.

Each is a short form like the reply and deadline dialogs: filled with what the record says,
problems beside their fields, a refusal that concerns no field (nothing was changed) under the
form. A long form scrolls inside the dialog; its buttons stay below it, on the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import duties
from app.core.errors import AppError
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import (
    BusinessType,
    Category,
    Channel,
    Ethnicity,
    Jurisdiction,
    Language,
    Sex,
    StaffRole,
    label,
)
from app.persons import editing as person_editing
from app.persons.records import PersonInput
from app.petitions import editing
from app.petitions.editing import PetitionEdit
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import DateTimeEdit, MessageLine, confirm, show_problems
from ui.widgets.form_support import FieldErrors, Retranslated, scrolling, translated_label

# Tall enough for a short form with its messages, short enough for a 1366×768 screen with a
# taskbar: a longer form scrolls inside.
MAX_HEIGHT = 600
RECEIVED_FORMAT = "yyyy-MM-ddTHH:mm"


def _text_box(height: int = 70) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


def _staff_combo(choices: list[duties.StaffChoice], blank: bool) -> QComboBox:
    combo = QComboBox()
    compact(combo)
    if blank:
        combo.addItem("—", "")
    for member in choices:
        combo.addItem(f"{pick(member.name_zh, member.name_bo)} · "
                      f"{label(StaffRole, member.role)}", member.staff_id)
    return combo


class _EditDialog(Retranslated, QDialog):
    """A form about one petition: Save runs ``submit``; problems show beside their fields, a
    refusal about no field under the form, and the dialog stays open."""

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._petition_id, self._staff_id = tasks, petition_id, staff_id
        self.errors = FieldErrors()
        self.message = MessageLine()
        self.form = QFormLayout()

    def _finish(self, scroll: bool = False) -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if scroll:
            page = QWidget()
            page.setLayout(self.form)
            layout.addWidget(scrolling(page), 1)
        else:
            layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMaximumHeight(MAX_HEIGHT)
        self.retranslate_ui()
        if scroll:
            self.resize(560, MAX_HEIGHT)
        else:  # as tall as its wrapped text needs at this width (both scripts take more)
            self.setMinimumWidth(640)
            self.adjustSize()

    def submit(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        self.message.setText("")
        try:
            self.submit()
        except AppError as error:
            show_problems(self.errors, self.message, error)
            return
        self.accept()


class PetitionEditDialog(_EditDialog):
    """The petition's own fields, as registered, to correct."""

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, parent)
        data: PetitionEdit = tasks.query(editing.petition_edit, petition_id)
        leaders = tasks.query(editing.staff_choices, petition_id, duties.LEAD)
        self.channel = CodeCombo(Channel)
        self.received = DateTimeEdit()
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received.setMaximumWidth(220)
        self.higher_office = QLineEdit()
        self.higher_ref = QLineEdit()
        self.category = CodeCombo(Category, N_("Choose…"))
        self.business_type = CodeCombo(BusinessType, N_("Choose…"))
        self.summary = _text_box()
        self.requests = _text_box()
        self.original_case_no = QLineEdit()
        self.is_group = QCheckBox()
        self.head_count = QSpinBox()
        self.head_count.setRange(0, 100_000)
        self.is_sensitive = QCheckBox()
        self.is_repeat = QCheckBox()
        self.jurisdiction = CodeCombo(Jurisdiction)
        self.referral_body = QLineEdit()
        self.referral_note = _text_box(50)
        self.leader = _staff_combo(leaders, blank=True)
        rows: tuple[tuple[str, str, QWidget], ...] = (
            ("channel", N_("Channel"), self.channel),
            ("received_at", N_("Received"), self.received),
            ("higher_office", N_("Higher office"), self.higher_office),
            ("higher_ref", N_("Its reference"), self.higher_ref),
            ("category", N_("Category"), self.category),
            ("business_type", N_("Business type"), self.business_type),
            ("summary", N_("Summary"), self.summary),
            ("requests", N_("Requests"), self.requests),
            ("original_case_no", N_("Original case number"), self.original_case_no),
            ("is_group", N_("Group visit"), self.is_group),
            ("head_count", N_("Number of people"), self.head_count),
            ("is_sensitive", N_("Sensitive"), self.is_sensitive),
            ("is_repeat", N_("Repeat petition"), self.is_repeat),
            ("jurisdiction", N_("Jurisdiction"), self.jurisdiction),
            ("referral_body", N_("Referred to"), self.referral_body),
            ("referral_note", N_("Referral note"), self.referral_note),
            ("leader_id", N_("Leader in charge"), self.leader),
        )
        for key, message, widget in rows:
            self.errors.add_row(self.form, key, translated_label(message), widget)
        self._fill(data)
        self.channel.currentIndexChanged.connect(lambda _i: self._update_enabled())
        self.jurisdiction.currentIndexChanged.connect(lambda _i: self._update_enabled())
        self.is_group.toggled.connect(lambda _on: self._update_enabled())
        self._update_enabled()
        self._finish(scroll=True)

    def _fill(self, data: PetitionEdit) -> None:
        self.channel.set_code(data.channel)
        self.received.setDateTime(QDateTime.fromString(data.received_at, RECEIVED_FORMAT))
        self.higher_office.setText(data.higher_office)
        self.higher_ref.setText(data.higher_ref)
        self.category.set_code(data.category)
        self.business_type.set_code(data.business_type)
        self.summary.setPlainText(data.summary)
        self.requests.setPlainText(data.requests)
        self.original_case_no.setText(data.original_case_no)
        self.is_group.setChecked(data.is_group)
        self.head_count.setValue(data.head_count)
        self.is_sensitive.setChecked(data.is_sensitive)
        self.is_repeat.setChecked(data.is_repeat)
        self.jurisdiction.set_code(data.jurisdiction)
        self.referral_body.setText(data.referral_body)
        self.referral_note.setPlainText(data.referral_note)
        self.leader.setCurrentIndex(max(self.leader.findData(data.leader_id), 0))

    def _update_enabled(self) -> None:
        higher = self.channel.code() == "higher"
        self.higher_office.setEnabled(higher)
        self.higher_ref.setEnabled(higher)
        refer = self.jurisdiction.code() == "refer"
        self.referral_body.setEnabled(refer)
        self.referral_note.setEnabled(refer)
        self.head_count.setEnabled(self.is_group.isChecked())

    def value(self) -> PetitionEdit:
        return PetitionEdit(
            channel=self.channel.code(), higher_office=self.higher_office.text(),
            higher_ref=self.higher_ref.text(),
            received_at=self.received.dateTime().toString(RECEIVED_FORMAT),
            category=self.category.code(), business_type=self.business_type.code(),
            summary=self.summary.toPlainText(), requests=self.requests.toPlainText(),
            original_case_no=self.original_case_no.text(), is_group=self.is_group.isChecked(),
            head_count=self.head_count.value(), is_sensitive=self.is_sensitive.isChecked(),
            is_repeat=self.is_repeat.isChecked(), jurisdiction=self.jurisdiction.code(),
            referral_body=self.referral_body.text(),
            referral_note=self.referral_note.toPlainText(),
            leader_id=str(self.leader.currentData() or ""))

    def submit(self) -> None:
        self._tasks.call(editing.edit_petition, self._petition_id, self.value(), self._staff_id)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Correct the petition"))
        for combo in (self.channel, self.category, self.business_type, self.jurisdiction):
            combo.retranslate()


PERSON_TEXT = (("name_bo", N_("Name (Tibetan)")), ("name_zh", N_("Name (Chinese)")),
               ("id_number", N_("Resident ID number")), ("phone", N_("Phone")),
               ("county", N_("County")), ("township", N_("Township")),
               ("village", N_("Village")), ("herding_group", N_("Herding group")))


class PersonEditDialog(_EditDialog):
    """A petitioner's or representative's details, to correct (for all their petitions)."""

    def __init__(self, tasks: Tasks, petition_id: str, person_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, parent)
        self._person_id = person_id
        data: PersonInput = tasks.query(person_editing.person_edit, petition_id, person_id)
        self.edits = {name: QLineEdit() for name, _message in PERSON_TEXT}
        self.edits["id_number"].setMaxLength(22)
        self.edits["name_zh"].setMaxLength(60)
        self.edits["name_bo"].setMaxLength(120)
        self.sex = CodeCombo(Sex, "—")
        self.ethnicity = CodeCombo(Ethnicity, "—")
        self.language = CodeCombo(Language)
        self.interpreter = QCheckBox()
        prefix = person_editing.PREFIX
        for name, message in PERSON_TEXT[:2]:
            self.errors.add_row(self.form, f"{prefix}.{name}", translated_label(message),
                                self.edits[name])
        self.errors.add_row(self.form, f"{prefix}.sex", translated_label(N_("Sex")), self.sex)
        self.errors.add_row(self.form, f"{prefix}.ethnicity", translated_label(N_("Ethnicity")),
                            self.ethnicity)
        for name, message in PERSON_TEXT[2:]:
            self.errors.add_row(self.form, f"{prefix}.{name}", translated_label(message),
                                self.edits[name])
        self.errors.add_row(self.form, f"{prefix}.preferred_language",
                            translated_label(N_("Preferred language")), self.language)
        self.form.addRow("", self.interpreter)
        for name, _message in PERSON_TEXT:
            self.edits[name].setText(getattr(data, name))
        self.sex.set_code(data.sex)
        self.ethnicity.set_code(data.ethnicity)
        self.language.set_code(data.preferred_language)
        self.interpreter.setChecked(data.needs_interpreter)
        self._finish(scroll=True)

    def value(self) -> PersonInput:
        return PersonInput(**{name: edit.text() for name, edit in self.edits.items()},
                           sex=self.sex.code(), ethnicity=self.ethnicity.code(),
                           preferred_language=self.language.code(),
                           needs_interpreter=self.interpreter.isChecked(),
                           existing_id=self._person_id)

    def submit(self) -> None:
        self._tasks.call(person_editing.edit_person, self._petition_id, self._person_id,
                         self.value(), self._staff_id)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Correct a petitioner's details"))
        self.interpreter.setText(_("Interpreter needed"))
        for combo in (self.sex, self.ethnicity, self.language):
            combo.retranslate()


class TransferDialog(_EditDialog):
    """Hand the case to another procurator of the office."""

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, parent)
        choices = tasks.query(editing.staff_choices, petition_id, duties.HANDLE)
        self.procurator = _staff_combo(choices, blank=True)
        self.reason = _text_box()
        self.errors.add_row(self.form, "procurator_id",
                            translated_label(N_("Hand the case to")), self.procurator)
        self.errors.add_row(self.form, "reason", translated_label(N_("Reason (optional)")),
                            self.reason)
        self._finish()

    def submit(self) -> None:
        self._tasks.call(editing.transfer_petition, self._petition_id,
                         str(self.procurator.currentData() or ""), self.reason.toPlainText(),
                         self._staff_id)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Hand the case to another procurator"))


class VoidDialog(_EditDialog):
    """Void a wrong registration: the reason, then a confirmation (a void is final)."""

    def __init__(self, tasks: Tasks, petition_id: str, reg_no: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, parent)
        self._reg_no = reg_no
        self.note = MessageLine()
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.reason = _text_box(90)
        self.form.addRow(self.note)
        self.errors.add_row(self.form, "reason", translated_label(N_("Why it is voided")),
                            self.reason)
        self._finish()

    def save(self) -> None:
        if not self.reason.toPlainText().strip():
            super().save()  # says the reason is needed, beside it
            return
        if confirm(self, _("Void the registration {number}? This cannot be undone.")
                   .format(number=self._reg_no)):
            super().save()

    def submit(self) -> None:
        self._tasks.call(editing.void_petition, self._petition_id, self.reason.toPlainText(),
                         self._staff_id)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Void the registration"))
        self.note.setText(_(
            "A voided registration keeps its number {number} (no other petition gets it) and "
            "stays in the registry marked void, with the reason. It leaves Today and the "
            "statistics, no paper is printed from it and nothing more is recorded on it. A "
            "void cannot be undone: a petition voided by mistake is registered again.")
            .format(number=self._reg_no))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Void…"))


__all__ = ["PersonEditDialog", "PetitionEditDialog", "TransferDialog", "VoidDialog"]
