"""What became of a petition, as the figures count it: whether it can be answered at all, how it
was resolved (化解 / 息诉罢访), and what was recorded about it — conciliation or mediation, support
to sue (migrant workers' wages), escalation, outside helpers, leads passed to other bodies.

OutcomesDialog shows all of it for one petition. Each "Add…" opens a small form (Ctrl+S saves,
Esc closes without saving); a record entered by mistake is removed after a confirmation and
stays in the history. Every save is one transaction; problems show beside their fields.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError, ValidationError
from app.core.formatting import format_iso_date, format_money, format_number
from app.core.i18n import N_, _, ngettext, title_text
from app.core.labels import label
from app.core.money import capital, parse_amount
from app.petitions import outcomes
from app.petitions.detail import petition_detail
from app.petitions.outcomes import (
    ConciliationInput,
    ConciliationKind,
    EscalationInput,
    EscalationKind,
    EscalationLevel,
    HelperInput,
    HelperRole,
    LawsuitInput,
    LeadInput,
    OutcomeRecord,
    PetitionOutcomes,
    Resolution,
    Unanswerable,
)
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import (
    AmountField,
    MessageLine,
    confirm,
    date_field,
    plain_table,
    show_problems,
)
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    scroll_to_focus,
    scrolling,
    section,
    translated_label,
)

# Tall enough for the whole dialog on a 1366×768 laptop screen, with the taskbar and title bar.
MAX_HEIGHT = 700
# L10N: column headings of the list of what was recorded about a petition's resolution
COLUMNS = (N_("Date"), N_("What was recorded"), N_("Details"))
# L10N: the "Add…" buttons, one per kind of record
ADD_LABELS = {
    "conciliation": N_("Add conciliation or mediation…"),
    "lawsuit": N_("Add support to sue…"),
    "escalation": N_("Add escalation…"),
    "helper": N_("Add outside helper…"),
    "lead": N_("Add lead passed on…"),
}


# -- helpers ---------------------------------------------------------------------------------
def _date_edit(minimum: QDate) -> QDateEdit:
    edit = date_field(earliest=minimum, latest=QDate.currentDate())
    edit.setMaximumWidth(220)
    return edit


def _qdate(value: str) -> QDate:
    return QDate.fromString(value[:10], "yyyy-MM-dd")


def _iso(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


def _note_edit() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMaximumHeight(80)
    return edit


def _fit_screen(dialog: QWidget, width: int, height: int) -> None:
    """Open at ``width``×``height``, never taller than a 768-pixel screen allows."""
    screen = dialog.screen()
    limit = MAX_HEIGHT
    if screen is not None:
        limit = min(limit, screen.availableGeometry().height() - 40)
    dialog.resize(width, max(200, min(height, limit)))


def describe(record: OutcomeRecord) -> tuple[str, str]:
    """What a record is and its details, in the display language."""
    details: list[str] = []
    if record.kind == "conciliation":
        what = label(ConciliationKind, record.code)
        if record.court_confirmed:
            details.append(_("Confirmed by a court on {date}").format(
                date=format_iso_date(record.confirmed_on)))
    elif record.kind == "lawsuit":
        what = (_("Support to sue: migrant workers' wages") if record.is_wage_claim
                else _("Support to sue"))
        if record.workers:
            details.append(ngettext("{n} worker", "{n} workers", record.workers).format(
                n=format_number(record.workers)))
        if record.amount_fen:
            details.append(_("{amount} recovered").format(amount=format_money(record.amount_fen)))
        if record.with_labour_inspectorate:
            details.append(_("with the labour inspectorate"))
    elif record.kind == "escalation":
        what = label(EscalationKind, record.code)
        details.append(label(EscalationLevel, record.detail))
    elif record.kind == "helper":
        what = label(HelperRole, record.code)
        if record.detail:
            details.append(record.detail)
    else:
        what = _("Lead passed to another body")
        details.append(record.detail)
    if record.note:
        details.append(record.note)
    return what, " · ".join(d for d in details if d)


def resolution_text(found: PetitionOutcomes) -> str:
    if not found.resolution:
        return _("Not resolved yet")
    return f"{label(Resolution, found.resolution)} {format_iso_date(found.resolved_on, 'long')}"


def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def outcomes_html(found: PetitionOutcomes | None) -> str:
    """The petition's records about its resolution, for the petition's window; "" when none."""
    if found is None or not found.records:
        return ""
    heading = _("Resolution and follow-up")
    parts = [f"<h3>{_e(heading)}</h3><table cellspacing='6'>"]
    for record in found.records:
        what, details = describe(record)
        parts.append(f"<tr><td>{_e(format_iso_date(record.on_date))}</td><td>{_e(what)}</td>"
                     f"<td>{_e(details)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


class RecoveredField(AmountField):
    """Wages recovered, typed in yuan, read back formatted beside the field (a whole site's
    wages run above the judicial aid limit that AmountField's hint assumes)."""

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("In yuan, e.g. 12000; empty if nothing yet"))
        try:
            fen = parse_amount(self.edit.text(), max_fen=outcomes.MAX_RECOVERED_FEN)
        except ValidationError:
            self.hint.setText("")
            return
        self.hint.setText(f"{format_money(fen)}　{capital(fen)}")


# -- the forms that add a record ---------------------------------------------------------------
class _RecordForm(Retranslated, QDialog):
    """Adds one record to a petition: Save (Ctrl+S) or Cancel; problems beside the fields."""

    saved = Signal(str)
    kind = ""
    title = ""  # msgid

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str, received: QDate,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.petition_id, self._staff_id = tasks, petition_id, staff_id
        self._received = received
        self.record_id: str | None = None
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.message = MessageLine()
        self.save_button = QPushButton()
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton()
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

    def _date(self) -> QDateEdit:
        return _date_edit(self._received)

    def _finish(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addLayout(self.form)
        column.addStretch(1)
        self.scroll_area = scrolling(page)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.retranslate_ui()
        _fit_screen(self, 700, 500)

    def submit(self) -> str:
        raise NotImplementedError

    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        try:
            self.record_id = self.submit()
        except AppError as error:
            show_problems(self.errors, self.message, error)
            scroll_to_focus(self.scroll_area)
            return
        self.saved.emit(self.record_id)
        self.accept()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text(self.title))
        self.save_button.setText(_("Save (Ctrl+S)"))
        self.cancel_button.setText(_("Cancel"))


class ConciliationForm(_RecordForm):
    kind = "conciliation"
    title = N_("Conciliation or mediation")

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str, received: QDate,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, received, parent)
        self.conciliation_kind = CodeCombo(ConciliationKind)
        self.concluded_on = self._date()
        self.court_confirmed = QCheckBox()
        self.confirmed_on = self._date()
        self.note = _note_edit()
        self.errors.add_row(self.form, "kind", translated_label(N_("Kind")),
                            self.conciliation_kind)
        self.errors.add_row(self.form, "concluded_on", translated_label(N_("Reached on")),
                            self.concluded_on)
        self.errors.add_row(self.form, "court_confirmed",
                            translated_label(N_("Court confirmation")), self.court_confirmed)
        self.errors.add_row(self.form, "confirmed_on", translated_label(N_("Confirmed on")),
                            self.confirmed_on)
        self.errors.add_row(self.form, "note", translated_label(N_("Note")), self.note)
        self.court_confirmed.toggled.connect(lambda _on: self._enable())
        self.conciliation_kind.currentIndexChanged.connect(lambda _i: self._enable())
        self._enable()
        self._finish()
        self.conciliation_kind.setFocus()

    def _enable(self) -> None:
        conciliation = self.conciliation_kind.code() == "conciliation"
        self.court_confirmed.setEnabled(conciliation)
        if not conciliation:
            self.court_confirmed.setChecked(False)
        self.confirmed_on.setEnabled(self.court_confirmed.isChecked())

    def value(self) -> ConciliationInput:
        confirmed = self.court_confirmed.isChecked()
        return ConciliationInput(kind=self.conciliation_kind.code(),
                                 concluded_on=_iso(self.concluded_on),
                                 court_confirmed=confirmed,
                                 confirmed_on=_iso(self.confirmed_on) if confirmed else "",
                                 note=self.note.toPlainText())

    def submit(self) -> str:
        return self._tasks.call(outcomes.add_conciliation, self.petition_id, self.value(),
                                self._staff_id)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.conciliation_kind.retranslate()
        self.court_confirmed.setText(_("Confirmed by a court (司法确认)"))


class LawsuitForm(_RecordForm):
    kind = "lawsuit"
    title = N_("Support to sue")

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str, received: QDate,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, received, parent)
        self.is_wage_claim = QCheckBox()
        self.is_wage_claim.setChecked(True)
        self.workers = QLineEdit()
        self.workers.setMaximumWidth(120)
        self.recovered = RecoveredField()
        self.with_labour_inspectorate = QCheckBox()
        self.concluded_on = self._date()
        self.note = _note_edit()
        self.errors.add_row(self.form, "is_wage_claim", translated_label(N_("Kind")),
                            self.is_wage_claim)
        self.errors.add_row(self.form, "workers", translated_label(N_("Workers helped")),
                            self.workers)
        self.errors.add_row(self.form, "recovered",
                            translated_label(N_("Amount recovered (yuan)")), self.recovered)
        self.errors.add_row(self.form, "with_labour_inspectorate",
                            translated_label(N_("Labour inspectorate")),
                            self.with_labour_inspectorate)
        self.errors.add_row(self.form, "concluded_on", translated_label(N_("Concluded on")),
                            self.concluded_on)
        self.errors.add_row(self.form, "note", translated_label(N_("Note")), self.note)
        self.is_wage_claim.toggled.connect(self.workers.setEnabled)
        self._finish()
        self.workers.setFocus()

    def value(self) -> LawsuitInput:
        wages = self.is_wage_claim.isChecked()
        return LawsuitInput(is_wage_claim=wages, workers=self.workers.text() if wages else "",
                            recovered=self.recovered.text(),
                            with_labour_inspectorate=self.with_labour_inspectorate.isChecked(),
                            concluded_on=_iso(self.concluded_on), note=self.note.toPlainText())

    def submit(self) -> str:
        return self._tasks.call(outcomes.add_lawsuit_support, self.petition_id, self.value(),
                                self._staff_id)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.is_wage_claim.setText(_("Migrant workers' unpaid wages (农民工讨薪)"))
        self.workers.setPlaceholderText(_("e.g. 12"))
        self.recovered.retranslate_ui()
        self.with_labour_inspectorate.setText(_("Resolved with the labour inspectorate"))


class EscalationForm(_RecordForm):
    kind = "escalation"
    title = N_("Escalation")

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str, received: QDate,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, received, parent)
        self.escalation_kind = CodeCombo(EscalationKind)
        self.level = CodeCombo(EscalationLevel)
        self.level.set_code("province")
        self.on_date = self._date()
        self.note = _note_edit()
        self.errors.add_row(self.form, "kind", translated_label(N_("What happened")),
                            self.escalation_kind)
        self.errors.add_row(self.form, "level", translated_label(N_("Where")), self.level)
        self.errors.add_row(self.form, "on_date", translated_label(N_("Date")), self.on_date)
        self.errors.add_row(self.form, "note", translated_label(N_("Note")), self.note)
        self._finish()
        self.escalation_kind.setFocus()

    def value(self) -> EscalationInput:
        return EscalationInput(kind=self.escalation_kind.code(), level=self.level.code(),
                               on_date=_iso(self.on_date), note=self.note.toPlainText())

    def submit(self) -> str:
        return self._tasks.call(outcomes.add_escalation, self.petition_id, self.value(),
                                self._staff_id)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.escalation_kind.retranslate()
        self.level.retranslate()


class HelperForm(_RecordForm):
    kind = "helper"
    title = N_("Outside helper")

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str, received: QDate,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, received, parent)
        self.role = CodeCombo(HelperRole)
        self.name = QLineEdit()
        self.name.setMaxLength(outcomes.MAX_NAME)
        self.on_date = self._date()
        self.note = _note_edit()
        self.errors.add_row(self.form, "role", translated_label(N_("Who took part")), self.role)
        self.errors.add_row(self.form, "name", translated_label(N_("Name")), self.name)
        self.errors.add_row(self.form, "on_date", translated_label(N_("Date")), self.on_date)
        self.errors.add_row(self.form, "note", translated_label(N_("Note")), self.note)
        self._finish()
        self.role.setFocus()

    def value(self) -> HelperInput:
        return HelperInput(role=self.role.code(), name=self.name.text(),
                           on_date=_iso(self.on_date), note=self.note.toPlainText())

    def submit(self) -> str:
        return self._tasks.call(outcomes.add_helper, self.petition_id, self.value(), self._staff_id)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.role.retranslate()
        self.name.setPlaceholderText(_("e.g. the lawyer's name and law firm"))


class LeadForm(_RecordForm):
    kind = "lead"
    title = N_("Lead passed to another body")

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str, received: QDate,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, received, parent)
        self.body = QLineEdit()
        self.body.setMaxLength(outcomes.MAX_NAME)
        self.on_date = self._date()
        self.note = _note_edit()
        self.errors.add_row(self.form, "body", translated_label(N_("Passed to")), self.body)
        self.errors.add_row(self.form, "on_date", translated_label(N_("Date")), self.on_date)
        self.errors.add_row(self.form, "note", translated_label(N_("Note")), self.note)
        self._finish()
        self.body.setFocus()

    def value(self) -> LeadInput:
        return LeadInput(body=self.body.text(), on_date=_iso(self.on_date),
                         note=self.note.toPlainText())

    def submit(self) -> str:
        return self._tasks.call(outcomes.add_lead_transfer, self.petition_id, self.value(),
                                self._staff_id)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.body.setPlaceholderText(_("e.g. the county discipline inspection commission"))


FORMS: dict[str, type[_RecordForm]] = {
    form.kind: form for form in (ConciliationForm, LawsuitForm, EscalationForm, HelperForm,
                                 LeadForm)}


# -- the dialog --------------------------------------------------------------------------------
class OutcomesDialog(Retranslated, QDialog):
    """Everything the figures count about one petition's resolution, and the ways to record it."""

    changed = Signal()

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.petition_id, self._staff_id = tasks, petition_id, staff_id
        detail = tasks.call(petition_detail, petition_id)
        self.reg_no = detail.row.reg_no
        self.received = _qdate(detail.row.received_at)
        self.found: PetitionOutcomes = tasks.call(outcomes.outcomes_of, petition_id)
        self.errors = FieldErrors()

        page = QWidget()
        column = QVBoxLayout(page)
        # Can it be answered at all?
        column.addWidget(section(N_("Can the petitioner be answered?")))
        self.answerable = CodeCombo(Unanswerable, blank=N_("Yes, it can be answered"))
        self.answerable_button = QPushButton()
        self.answerable_button.setAutoDefault(False)
        self.answerable_button.clicked.connect(self.save_answerable)
        row = QHBoxLayout()
        row.addWidget(self.answerable, 1)
        row.addWidget(self.answerable_button)
        column.addLayout(row)
        self.answerable_hint = QLabel()
        self.answerable_hint.setWordWrap(True)
        column.addWidget(self.answerable_hint)
        answerable_error = QLabel()
        self.errors.register("unanswerable", answerable_error, self.answerable)
        column.addWidget(answerable_error)
        # How it was resolved.
        column.addWidget(section(N_("Resolution")))
        self.resolution = CodeCombo(Resolution, blank=N_("Not resolved yet"))
        self.resolved_on = _date_edit(self.received)
        self.resolution_button = QPushButton()
        self.resolution_button.setAutoDefault(False)
        self.resolution_button.clicked.connect(self.save_resolution)
        self.resolution.currentIndexChanged.connect(lambda _i: self._enable())
        row = QHBoxLayout()
        row.addWidget(self.resolution, 1)
        # L10N: between a resolution and its date, as in "Settled and withdrawn on 2026-12-01"
        self.on_label = translated_label(N_("on"))
        row.addWidget(self.on_label)
        row.addWidget(self.resolved_on)
        row.addWidget(self.resolution_button)
        column.addLayout(row)
        for key, widget in (("resolution", self.resolution), ("resolved_on", self.resolved_on)):
            error = QLabel()
            self.errors.register(key, error, widget)
            column.addWidget(error)
        self.agreement_note = QLabel()
        self.agreement_note.setWordWrap(True)
        column.addWidget(self.agreement_note)
        # What was recorded.
        column.addWidget(section(N_("Recorded")))
        self.table = plain_table(len(COLUMNS))
        self.table.setMinimumHeight(150)
        self.table.itemSelectionChanged.connect(self._enable)
        column.addWidget(self.table, 1)
        self.nothing_recorded = QLabel()
        column.addWidget(self.nothing_recorded)
        grid = QGridLayout()
        self.add_buttons: dict[str, QPushButton] = {}
        for index, kind in enumerate(FORMS):
            button = QPushButton()
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, k=kind: self.add(k))
            self.add_buttons[kind] = button
            # Two a row: buttons carrying both scripts still fit the dialog's width.
            grid.addWidget(button, index // 2, index % 2)
        self.remove_button = QPushButton()
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        grid.addWidget(self.remove_button, len(FORMS) // 2, len(FORMS) % 2)
        column.addLayout(grid)
        self.scroll_area = scrolling(page)

        self.message = MessageLine()
        self.close_button = QPushButton()
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)

        self._set_value()
        self.retranslate_ui()
        _fit_screen(self, 820, 640)
        self.answerable.setFocus()

    # -- value ----------------------------------------------------------------------------------
    def _set_value(self) -> None:
        found = self.found
        self.answerable.set_code(found.unanswerable)
        self.resolution.set_code(found.resolution)
        self.resolved_on.setDate(_qdate(found.resolved_on) if found.resolved_on
                                 else QDate.currentDate())
        self._enable()

    def _enable(self) -> None:
        resolved = bool(self.resolution.code())
        self.resolved_on.setEnabled(resolved)
        self.on_label.setEnabled(resolved)
        self.remove_button.setEnabled(self.selected() is not None)

    def selected(self) -> OutcomeRecord | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        index = rows[0].row()
        return self.found.records[index] if 0 <= index < len(self.found.records) else None

    def reload(self) -> None:
        try:
            self.found = self._tasks.call(outcomes.outcomes_of, self.petition_id)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        self._set_value()
        self._fill_table()

    def _fill_table(self) -> None:
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setRowCount(len(self.found.records))
        for row, record in enumerate(self.found.records):
            what, details = describe(record)
            for col, text in enumerate((format_iso_date(record.on_date), what, details)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, f"{record.kind}:{record.id}")
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.table.setVisible(bool(self.found.records))
        self.nothing_recorded.setVisible(not self.found.records)
        self._enable()

    def _agreement_text(self) -> str:
        found = self.found
        if not found.signed_agreement_on:
            return ""
        when = format_iso_date(found.signed_agreement_on, "long")
        if found.resolution == "settled" and found.resolved_on == found.signed_agreement_on:
            return _("Settled when the settle-and-withdraw agreement was signed on {date}."
                     ).format(date=when)
        return _("A settle-and-withdraw agreement was signed on {date}.").format(date=when)

    # -- actions --------------------------------------------------------------------------------
    def _done(self, text: str) -> None:
        self.message.success(text)
        self.reload()
        self.changed.emit()

    def _refused(self, error: AppError) -> None:
        show_problems(self.errors, self.message, error)
        scroll_to_focus(self.scroll_area)

    def save_answerable(self) -> None:
        self.errors.clear()
        self.message.clear()
        try:
            self._tasks.call(outcomes.set_unanswerable, self.petition_id, self.answerable.code(),
                             self._staff_id)
        except AppError as error:
            self._refused(error)
            return
        self._done(_("Saved."))

    def save_resolution(self) -> None:
        self.errors.clear()
        self.message.clear()
        code = self.resolution.code()
        try:
            self._tasks.call(outcomes.record_resolution, self.petition_id, code,
                             _iso(self.resolved_on) if code else "", self._staff_id)
        except AppError as error:
            self._refused(error)
            return
        self._done(_("Saved."))

    def add(self, kind: str) -> None:
        """Open the form that adds a record of ``kind``; saving it refreshes the list."""
        self.errors.clear()
        self.message.clear()
        form = FORMS[kind](self._tasks, self.petition_id, self._staff_id, self.received, self)
        form.saved.connect(lambda _id: self._done(_("Saved.")))
        form.exec()

    def remove_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        what, _details = describe(record)
        if not confirm(
                self,
                _("Remove “{what}” of {date}? Do this only for a record entered by mistake; the "
                  "petition's history keeps a note of it.").format(
                  what=what, date=format_iso_date(record.on_date))):
            return
        self.message.clear()
        try:
            self._tasks.call(outcomes.remove, record.kind, record.id, self._staff_id)
        except AppError as error:
            self._refused(error)
            return
        self._done(_("Removed."))

    # -- language -------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Resolution and follow-up — {number}").format(
            number=self.reg_no))
        self.answerable.retranslate()
        self.resolution.retranslate()
        self.answerable_button.setText(_("Save"))
        self.resolution_button.setText(_("Save the resolution"))
        self.answerable_hint.setText(_(
            "An anonymous letter, or one without a usable contact, is left out of the reply "
            "rates and counted apart."))
        self.agreement_note.setText(self._agreement_text())
        self.agreement_note.setVisible(bool(self.found.signed_agreement_on))
        self.nothing_recorded.setText(_("Nothing recorded yet."))
        for kind, button in self.add_buttons.items():
            button.setText(_(ADD_LABELS[kind]))
        self.remove_button.setText(_("Remove…"))
        self.close_button.setText(_("Close"))
        self._fill_table()
