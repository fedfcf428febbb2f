"""One key petitioner's entry in the ledger (重点信访人员台账): the person and their records, why
they are in the ledger and what they ask for, who is responsible and which leader is in charge
(定人员), their recent movements (近期动向) and the measures taken (定措施), their status, and their
risk level (三色预警): what Doorstep proposes from the office's rules and which rules fired, the
level a person sets (overriding the proposal needs a reason; lowering it, the leader in charge or
the chief), and every change of it.

Each button is one use case of ``app.ledger``: what it refuses is shown beside its field, or
under the page, in the display language, and nothing is half-saved. Opening the entry is
recorded as a reading of it.

A county's entry opened on the prefecture hub is read only: the county keeps it, so every field
is greyed and the buttons that change it are not shown (``app.ledger.keeping`` refuses any
change anyway).
"""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core import duties, i18n
from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_short_datetime
from app.core.i18n import N_, _, title_text
from app.core.labels import AgreementStatus, HearingKind, HearingOutcome, label
from app.ledger import charges, entries, keeping, levels
from app.ledger.entries import EntryDetail, EntryUpdate, MeasureInput, MeasureKind, Status
from app.ledger.rules import Level, MovementKind, Proposal, RuleCode, level_label
from app.petitions.outcomes import Resolution
from ui.core.tasks import Tasks
from ui.ledger.enter_dialog import fill_staff, staff_combo
from ui.ledger.ledger_view import level_style, set_stacked_headers
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import (
    MessageLine,
    RadioChoices,
    cell,
    date_field,
    display_name,
    plain_table,
    show_problems,
)
from ui.widgets.form_support import (
    FieldErrors,
    FormGrid,
    Retranslated,
    section,
    to_date,
    translated_label,
)

# L10N: column headings of a key petitioner's recent movements
MOVEMENT_COLUMNS = (N_("Date"), N_("Kind of movement"), N_("What happened"))
# L10N: column headings of the measures taken for a key petitioner
MEASURE_COLUMNS = (N_("Date"), N_("Kind of measure"), N_("Taken by"), N_("What was done"),
                   N_("Result"))
# L10N: column headings of the history of a key petitioner's risk level
LEVEL_COLUMNS = (N_("Date and time"), N_("Set by"), N_("Was"), N_("Set to"),
                 N_("Doorstep proposed"), N_("Why"))
NOTHING = N_("None recorded")


def _text_edit(height: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def _button(clicked: object) -> QPushButton:
    button = QPushButton()
    button.setAutoDefault(False)
    button.clicked.connect(clicked)
    return button


def _right(button: QPushButton) -> QHBoxLayout:
    """A row with ``button`` at its right end."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    return row


class EntryDialog(Retranslated, QDialog):
    """The entry ``entry_id``; raises the app's error when it cannot be read."""

    petition_opened = Signal(str)

    def __init__(self, tasks: Tasks, entry_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.entry_id = tasks, entry_id
        self.detail: EntryDetail = tasks.query(entries.entry_detail, entry_id)
        self.proposal: Proposal | None = None
        self.entry_errors = FieldErrors()
        self.status_errors = FieldErrors()
        self.movement_errors = FieldErrors()
        self.measure_errors = FieldErrors()
        self.level_errors = FieldErrors()
        office_id = self.detail.office_id
        self._staff = tasks.query(duties.eligible_staff, office_id, duties.HEARING)
        self._leaders = tasks.query(duties.eligible_staff, office_id, duties.LEAD)

        self.person = QLabel()
        self.person.setWordWrap(True)
        self.person.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level_chip = QLabel()
        self.status_now = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.person, 1)
        top.addWidget(self.status_now)
        top.addWidget(self.level_chip)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_entry(), "")
        self.tabs.addTab(self._build_movements(), "")
        self.tabs.addTab(self._build_measures(), "")
        self.tabs.addTab(self._build_level(), "")
        self.tabs.addTab(self._build_records(), "")
        self.message = MessageLine()
        self.close_button = _button(self.accept)
        self.kept_elsewhere = QLabel()
        self.kept_elsewhere.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.kept_elsewhere)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(_right(self.close_button))
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        for index in range(self.tabs.count()):
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self,
                      lambda i=index: self.tabs.setCurrentIndex(i))
        self._show()
        self.retranslate_ui()
        self.resize(1100, 680)

    # -- building -------------------------------------------------------------------------------
    def _build_entry(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.situation = _text_edit(70)
        self.demands = _text_edit(70)
        self.responsible = staff_combo()
        self.leader = staff_combo()
        form = QFormLayout()
        form.addRow(translated_label(N_("Why in the ledger")), self.reason)
        self.entry_errors.add_row(form, "situation", translated_label(N_("Current situation")),
                                  self.situation)
        self.entry_errors.add_row(form, "demands", translated_label(N_("Demands")),
                                  self.demands)
        people = QWidget()
        row = QHBoxLayout(people)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.responsible, 1)
        row.addWidget(translated_label(N_("Leader in charge")))
        row.addWidget(self.leader, 1)
        self.charge_button = _button(self.open_charge)
        row.addWidget(self.charge_button)
        people.setFocusProxy(self.responsible)
        form.addRow(translated_label(N_("Staff responsible")), people)
        errors = QHBoxLayout()
        responsible_error, leader_error = QLabel(), QLabel()
        errors.addWidget(responsible_error)
        errors.addWidget(leader_error)
        form.addRow("", errors)
        self.entry_errors.register("responsible_staff_id", responsible_error, self.responsible)
        self.entry_errors.register("leader_id", leader_error, self.leader)
        self.save_button = _button(self.save)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        form.addRow("", save_row)
        column.addLayout(form)

        column.addWidget(section(N_("Status")))
        self.status = CodeCombo(Status)
        self.left_reason = QLineEdit()
        self.status_button = _button(self.change_status)
        grid = FormGrid(self.status_errors)
        grid.add("status", translated_label(N_("New status")), self.status)
        grid.add("reason", translated_label(N_("Why (when leaving)")), self.left_reason)
        column.addLayout(grid)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_button)
        status_row.addStretch(1)
        column.addLayout(status_row)
        self.left_note = QLabel()
        self.left_note.setWordWrap(True)
        column.addWidget(self.left_note)
        column.addStretch(1)
        return page

    def _build_movements(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.movements = plain_table(len(MOVEMENT_COLUMNS))
        column.addWidget(self.movements, 1)
        self.movement_day = date_field(latest=QDate.currentDate())
        self.movement_kind = CodeCombo(MovementKind, blank=N_("Choose…"))
        self.movement_kind.setMinimumContentsLength(24)
        self.movement_text = QLineEdit()
        self.movement_button = _button(self.add_movement)
        grid = FormGrid(self.movement_errors)
        grid.add("day", translated_label(N_("Date")), self.movement_day)
        grid.add("kind", translated_label(N_("Kind of movement")), self.movement_kind)
        grid.add("text", translated_label(N_("What happened")), self.movement_text, wide=True)
        column.addLayout(grid)
        column.addLayout(_right(self.movement_button))
        return page

    def _build_measures(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.measures = plain_table(len(MEASURE_COLUMNS))
        column.addWidget(self.measures, 1)
        self.measure_kind = CodeCombo(MeasureKind, blank=N_("Choose…"))
        self.measure_kind.setMinimumContentsLength(20)
        self.measure_staff = staff_combo()
        self.measure_day = date_field(latest=QDate.currentDate())
        self.measure_text = QLineEdit()
        self.measure_result = QLineEdit()
        self.measure_button = _button(self.add_measure)
        grid = FormGrid(self.measure_errors, pairs=3)
        grid.add("kind", translated_label(N_("Kind of measure")), self.measure_kind)
        grid.add("staff_id", translated_label(N_("Taken by")), self.measure_staff)
        grid.add("day", translated_label(N_("Date")), self.measure_day)
        grid.add("description", translated_label(N_("What was done")), self.measure_text,
                 wide=True)
        grid.add("result", translated_label(N_("Result")), self.measure_result, wide=True)
        column.addLayout(grid)
        column.addLayout(_right(self.measure_button))
        return page

    def _build_level(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.proposed = QLabel()
        self.proposed.setWordWrap(True)
        self.fired = QLabel()
        self.fired.setWordWrap(True)
        self.fired.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.proposed)
        column.addWidget(self.fired)
        column.addWidget(section(N_("Set the level")))
        grid = QGridLayout()
        choices = RadioChoices(Level)
        self.level_group, self.level_buttons = choices.group, choices.buttons
        choices.row.addStretch(1)
        self.level_reason = _text_edit(48)
        level_error, reason_error = QLabel(), QLabel()
        self.level_errors.register("level", level_error, choices)
        self.level_errors.register("reason", reason_error, self.level_reason)
        grid.addWidget(translated_label(N_("Level")), 0, 0)
        grid.addWidget(choices, 0, 1)
        grid.addWidget(level_error, 1, 1)
        grid.addWidget(translated_label(N_("Why")), 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.level_reason, 2, 1)
        grid.addWidget(reason_error, 3, 1)
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        self.level_note = QLabel()
        self.level_note.setWordWrap(True)
        column.addWidget(self.level_note)
        self.level_button = _button(self.set_level)
        row = QHBoxLayout()
        row.addWidget(self.level_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(section(N_("Changes of the level")))
        self.history = plain_table(len(LEVEL_COLUMNS), wrap=False)
        column.addWidget(self.history, 1)
        return page

    def _build_records(self) -> QWidget:
        self.records = QTextBrowser()
        self.records.setOpenLinks(False)
        self.records.anchorClicked.connect(self._link)
        return self.records

    # -- loading and showing --------------------------------------------------------------------
    def _reload(self, message: str, fields: bool = False) -> None:
        """Read the entry again after a change; its own fields are filled in again only with
        ``fields`` (after they were saved), so that adding a movement keeps what is typed."""
        self.detail = self._tasks.query(entries.entry_detail, self.entry_id)
        self._show(fields)
        self.retranslate_ui()
        self.message.success(message)

    def _show(self, fields: bool = True) -> None:
        """The entry's values in its fields (when read, not on a language change) and
        Doorstep's proposal, chosen in advance."""
        d = self.detail
        if fields:
            self.situation.setPlainText(d.situation)
            self.demands.setPlainText(d.demands)
            fill_staff(self.responsible, self._staff, d.responsible_staff_id)
            fill_staff(self.leader, self._leaders, d.leader_id)
            self.status.set_code(d.status)
            self.left_reason.clear()
        if self.measure_staff.count() == 0:
            fill_staff(self.measure_staff, self._staff, self._tasks.staff_id)
        self.proposal = None
        if d.status != Status.LEFT:
            self.proposal = self._tasks.query(levels.propose_level, self.entry_id)
        chosen = self.proposal.level if self.proposal and self.proposal.level else d.level
        for code, button in self.level_buttons.items():
            button.setChecked(code == chosen)
        following = d.status != Status.LEFT and d.kept
        changing: tuple[QWidget, ...] = (
            self.save_button, self.status_button, self.movement_button, self.measure_button,
            self.level_button, self.charge_button, self.level_note)
        for shown in changing:
            shown.setVisible(d.kept)
        self.kept_elsewhere.setVisible(not d.kept)
        for widget in (self.situation, self.demands, self.responsible, self.leader,
                       self.save_button, self.status, self.left_reason, self.status_button,
                       self.movement_day, self.movement_kind, self.movement_text,
                       self.movement_button, self.measure_kind, self.measure_staff,
                       self.measure_day, self.measure_text, self.measure_result,
                       self.measure_button, self.level_reason, self.level_button,
                       *self.level_buttons.values()):
            widget.setEnabled(following)

    def _show_tables(self) -> None:
        d = self.detail
        set_stacked_headers(self.movements, MOVEMENT_COLUMNS)
        self.movements.setRowCount(len(d.movements))
        for row, m in enumerate(d.movements):
            for column, text in enumerate((format_iso_date(m.day), label(MovementKind, m.kind),
                                           m.text)):
                self.movements.setItem(row, column, cell(text))
        set_stacked_headers(self.measures, MEASURE_COLUMNS)
        self.measures.setRowCount(len(d.measures))
        for row, measure in enumerate(d.measures):
            for column, text in enumerate((
                    format_iso_date(measure.day), label(MeasureKind, measure.kind),
                    display_name(measure.staff_zh, measure.staff_bo), measure.description,
                    measure.result)):
                self.measures.setItem(row, column, cell(text))
        set_stacked_headers(self.history, LEVEL_COLUMNS)
        self.history.setRowCount(len(d.levels))
        for row, change in enumerate(d.levels):
            for column, text in enumerate((
                    format_short_datetime(datetime.fromisoformat(change.at)),
                    display_name(change.staff_zh, change.staff_bo), level_label(change.from_level),
                    level_label(change.to_level), level_label(change.proposed_level),
                    change.reason)):
                item = cell(text)
                item.setToolTip(text)
                self.history.setItem(row, column, item)
        for table in (self.movements, self.measures, self.history):
            table.resizeRowsToContents()

    # -- actions --------------------------------------------------------------------------------
    def save(self) -> None:
        """Ctrl+S: the entry's situation, demands and who is responsible."""
        if self.detail.status == Status.LEFT or not self.detail.kept:
            return
        self.entry_errors.clear()
        self.message.clear()
        data = EntryUpdate(self.situation.toPlainText(), self.demands.toPlainText(),
                           str(self.responsible.currentData() or ""),
                           str(self.leader.currentData() or ""))
        try:
            self._tasks.call(entries.update, self.entry_id, data)
        except AppError as error:
            self.tabs.setCurrentIndex(0)
            show_problems(self.entry_errors, self.message, error)
            return
        self._reload(_("Saved."), fields=True)

    def change_status(self) -> None:
        self.status_errors.clear()
        self.message.clear()
        try:
            self._tasks.call(entries.change_status, self.entry_id, self.status.code(),
                             self.left_reason.text())
        except AppError as error:
            show_problems(self.status_errors, self.message, error)
            return
        self._reload(_("Status changed."), fields=True)

    def add_movement(self) -> None:
        self.movement_errors.clear()
        self.message.clear()
        try:
            self._tasks.call(entries.add_movement, self.entry_id,
                             to_date(self.movement_day.date()).isoformat(),
                             self.movement_kind.code(), self.movement_text.text())
        except AppError as error:
            show_problems(self.movement_errors, self.message, error)
            return
        self.movement_kind.set_code("")
        self.movement_text.clear()
        self._reload(_("Movement added."))

    def add_measure(self) -> None:
        self.measure_errors.clear()
        self.message.clear()
        data = MeasureInput(self.measure_kind.code(), str(self.measure_staff.currentData() or ""),
                            to_date(self.measure_day.date()).isoformat(),
                            self.measure_text.text(), self.measure_result.text())
        try:
            self._tasks.call(entries.add_measure, self.entry_id, data)
        except AppError as error:
            show_problems(self.measure_errors, self.message, error)
            return
        self.measure_kind.set_code("")
        self.measure_text.clear()
        self.measure_result.clear()
        self._reload(_("Measure added."))

    def open_charge(self) -> None:
        """A leader in charge of the person's matter (包案): the open charge of the entry, or
        a new one; taking charge names the entry's leader in charge."""
        from ui.ledger.charge_dialog import ChargeDialog

        try:
            charge_id = self._tasks.query(charges.open_charge_of, entry_id=self.entry_id)
            dialog = ChargeDialog(self._tasks, self._tasks.staff_id, charge_id,
                                  entry_id=self.entry_id, parent=self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.changed.connect(self._charge_changed)
        dialog.exec()

    def _charge_changed(self) -> None:
        """The entry read again: its leader in charge may be another now (what is typed in the
        other fields is kept)."""
        self.detail = self._tasks.query(entries.entry_detail, self.entry_id)
        fill_staff(self.leader, self._leaders, self.detail.leader_id)
        self._show(fields=False)
        self.retranslate_ui()

    def chosen_level(self) -> str:
        return next((code for code, button in self.level_buttons.items()
                     if button.isChecked()), "")

    def set_level(self) -> None:
        self.level_errors.clear()
        self.message.clear()
        try:
            done = self._tasks.call(levels.set_level, self.entry_id, self.chosen_level(),
                                    self.level_reason.toPlainText())
        except AppError as error:
            show_problems(self.level_errors, self.message, error)
            return
        self.level_reason.clear()
        self._reload(_("Level set: {level}.").format(level=level_label(done.level)))
        self.tabs.setCurrentIndex(3)

    def _link(self, url: QUrl) -> None:
        kind, _sep, target = url.toString().partition(":")
        if kind == "petition" and target:
            self.petition_opened.emit(target)

    # -- texts ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        d = self.detail
        name = display_name(d.name_zh, d.name_bo)
        self.setWindowTitle(title_text("Key petitioner") + f" — {d.name_zh or d.name_bo}")
        entered = _("Entered on") + " " + format_iso_date(d.entered_on)
        self.person.setText(" · ".join(x for x in (
            f"<b>{html.escape(name)}</b>", html.escape(d.id_number), html.escape(d.phone),
            html.escape(entered)) if x))
        self.status_now.setText(label(Status, d.status))
        self.level_chip.setText(level_label(d.level))
        self.level_chip.setStyleSheet(level_style(d.level))
        for index, title in enumerate((N_("The entry"), N_("Recent movements"),
                                       N_("Measures taken"), N_("Risk level"),
                                       N_("Petitions and hearings"))):
            # Five tabs side by side: in bilingual mode their titles are in Tibetan only (both
            # scripts in the tooltip).
            shown = i18n.bo_text(title) if i18n.mode() == i18n.BILINGUAL else _(title)
            self.tabs.setTabText(index, shown)
            self.tabs.setTabToolTip(index, f"{_(title)} (Ctrl+{index + 1})")
        self.reason.setText(d.reason)
        self.kept_elsewhere.setText(_(keeping.KEPT_BY_ITS_OFFICE))
        self.save_button.setText(_("Save (Ctrl+S)"))
        self.charge_button.setText(_("Leader in charge (包案)…"))
        self.status.retranslate()
        self.status_button.setText(_("Change the status"))
        self.left_note.setText(_("Left the ledger on {date}: {reason}").format(
            date=format_iso_date(d.left_on), reason=d.left_reason)
            if d.status == Status.LEFT else "")
        self.left_note.setVisible(d.status == Status.LEFT)
        self.movement_kind.retranslate()
        self.measure_kind.retranslate()
        self.movement_button.setText(_("Add the movement"))
        self.measure_button.setText(_("Add the measure"))
        for code, button in self.level_buttons.items():
            button.setText(Level(code).label)
        self.level_button.setText(_("Set the level"))
        self.level_note.setText(_(
            "Another level than the proposal needs a reason. Only the entry's leader in charge "
            "or the chief procurator can lower a level."))
        self.close_button.setText(_("Close"))
        # The staff's names in the display script, keeping who is chosen.
        for combo, choices in ((self.responsible, self._staff), (self.leader, self._leaders),
                               (self.measure_staff, self._staff)):
            fill_staff(combo, choices, str(combo.currentData() or ""))
        self._show_proposal()
        self._show_tables()
        self.records.setHtml(records_html(d))

    def _show_proposal(self) -> None:
        p = self.proposal
        if p is None:
            self.proposed.setText("")
            self.fired.setText("")
            return
        if p.level:
            self.proposed.setText(_("Doorstep proposes: {level}").format(
                level=level_label(p.level)))
        else:
            self.proposed.setText(_("No rule fired: Doorstep proposes no level."))
        lines = [f"<li><b>{html.escape(level_label(f.level))}</b> · "
                 f"{html.escape(RuleCode(f.code).label)}: {html.escape(f.description())}</li>"
                 for f in p.fired]
        self.fired.setText(f"<ul>{''.join(lines)}</ul>" if lines else "")
        self.fired.setVisible(bool(lines))


def records_html(d: EntryDetail) -> str:
    """The person's petitions (each linking to ``petition:<id>``), hearings and agreements."""
    parts: list[str] = []

    def table(title: str, headings: tuple[str, ...], rows: list[list[str]]) -> None:
        parts.append(f"<h3>{html.escape(_(title))}</h3>")
        if not rows:
            parts.append(f"<p>{html.escape(_(NOTHING))}</p>")
            return
        parts.append("<table cellspacing='6'><tr>" + "".join(
            f"<th align='left'>{html.escape(_(h))}</th>" for h in headings) + "</tr>")
        parts.extend("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                     for row in rows)
        parts.append("</table>")

    numbers = {p.petition_id: p.reg_no for p in d.petitions}

    def link(petition_id: str) -> str:
        number = html.escape(numbers.get(petition_id, "") or "—")
        return f"<a href='petition:{petition_id}'>{number}</a>"

    table(N_("Petitions"), (N_("Number"), N_("Received"), N_("Summary"), N_("Repeat"),
                            N_("Outcome")),
          [[link(p.petition_id), html.escape(format_iso_date(p.received_at)),
            html.escape(p.summary), html.escape(_("Yes") if p.is_repeat else ""),
            html.escape(label(Resolution, p.resolution) if p.resolution else "")]
           for p in d.petitions])
    table(N_("Hearings"), (N_("Petition"), N_("Held on"), N_("Kind"), N_("Outcome")),
          [[link(h.petition_id), html.escape(format_iso_date(h.held_at)),
            html.escape(label(HearingKind, h.kind)),
            html.escape(label(HearingOutcome, h.outcome) if h.outcome else "")]
           for h in d.hearings])
    table(N_("Settle-and-withdraw agreements"), (N_("Petition"), N_("Status"),
                                                 N_("Signed on")),
          [[link(a.petition_id), html.escape(label(AgreementStatus, a.status)),
            html.escape(format_iso_date(a.signed_on))] for a in d.agreements])
    return "".join(parts)
