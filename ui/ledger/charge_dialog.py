"""A leader in charge (领导包案) of a petition or of a key petitioner's matter.

Without a charge it takes charge: the leader, the plan, the day taken and the deadline. With one
it shows the charge, its progress notes and its extensions, and (while it is open) records a
progress note, asks for a later deadline, lets the chief procurator (and only the chief: the
part is not shown to anyone else) approve or refuse it, and closes the charge with its result.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core import duties
from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_number
from app.core.i18n import N_, _, ngettext, pick, title_text
from app.core.labels import StaffRole, label
from app.ledger import charges
from app.ledger.charges import (
    ChargeDetail,
    ChargeInput,
    ChargeResult,
    ChargeRow,
    ChargeStatus,
    ExtensionStatus,
)
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import MessageLine, date_field, show_problems
from ui.widgets.form_support import FieldErrors, Retranslated, to_date, translated_label

# A new charge's deadline, unless the leader sets another: three months, as a petition's answer.
DEFAULT_DAYS = 90


def _text_box() -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * 3 + 16)
    return box


def _qdate(iso: str) -> QDate:
    day = date.fromisoformat(iso)
    return QDate(day.year, day.month, day.day)


def days_text(row: ChargeRow) -> str:
    """How the deadline stands: days left, due today, days overdue; or the charge's result."""
    if row.days_left is None:
        return label(ChargeResult, row.result)
    if row.days_left < 0:
        return ngettext("{n} day overdue", "{n} days overdue", -row.days_left).format(
            n=format_number(-row.days_left))
    if row.days_left == 0:
        return _("Due today")
    return ngettext("{n} day left", "{n} days left", row.days_left).format(
        n=format_number(row.days_left))


def what_text(row: ChargeRow) -> str:
    """The petition's number, or that it is a key petitioner's matter."""
    return row.reg_no or _("Key petitioner's matter")


def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def detail_html(d: ChargeDetail) -> str:
    r = d.row
    lines = [
        (_("Case"), f"{what_text(r)} · {pick(r.names_zh, r.names_bo)}"),
        (_("About"), r.about),
        (_("Leader in charge"), pick(r.leader_zh, r.leader_bo)),
        (_("Plan (包案方案)"), r.plan),
        (_("Taken in charge on"), format_iso_date(r.taken_on)),
        (_("Deadline"), f"{format_iso_date(r.deadline)} ({days_text(r)})"
         if r.status == ChargeStatus.OPEN else format_iso_date(r.deadline)),
        (_("Status"), label(ChargeStatus, r.status)),
    ]
    if r.status == ChargeStatus.CLOSED:
        lines += [(_("Closed on"), format_iso_date(r.closed_on)),
                  (_("Result"), label(ChargeResult, r.result)),
                  (_("How the charge ended"), d.closing_note)]
    parts = ["<table>"] + [f"<tr><td><b>{_e(k)}</b></td><td>{_e(v)}</td></tr>"
                           for k, v in lines] + ["</table>"]
    if d.extensions:
        asked = _("Later deadlines asked for")
        parts.append(f"<p><b>{_e(asked)}</b></p><ul>")
        for x in d.extensions:
            decided = f" — {_e(x.decided_zh)} {_e(format_iso_date(x.decided_on))}" \
                if x.decided_on else ""
            note = f": {_e(x.decision_note)}" if x.decision_note else ""
            parts.append(f"<li>{_e(format_iso_date(x.asked_deadline))} · {_e(x.reason)} "
                         f"({_e(x.requested_zh)} {_e(format_iso_date(x.requested_on))}) "
                         f"<b>{_e(label(ExtensionStatus, x.status))}</b>{decided}{note}</li>")
        parts.append("</ul>")
    progress, nothing = _("Progress"), _("No progress noted yet.")
    parts.append(f"<p><b>{_e(progress)}</b></p>")
    if d.notes:
        parts.append("<ul>" + "".join(
            f"<li>{_e(format_iso_date(n.day))} {_e(pick(n.staff_zh, n.staff_bo))}: "
            f"{_e(n.text)}</li>" for n in d.notes) + "</ul>")
    else:
        parts.append(f"<p>{_e(nothing)}</p>")
    return "".join(parts)


class ChargeDialog(Retranslated, QDialog):
    """Take charge (no ``charge_id``: of ``petition_id`` or ``entry_id``), or keep a charge."""

    changed = Signal()

    def __init__(self, tasks: Tasks, staff_id: str, charge_id: str | None = None,
                 petition_id: str = "", entry_id: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._staff_id = tasks, staff_id
        self.charge_id = charge_id
        self._petition_id, self._entry_id = petition_id, entry_id
        self.detail: ChargeDetail | None = None
        self.message = MessageLine()
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        if charge_id is None:
            self._build_new(layout)
        else:
            self._build_existing(layout)
        layout.addWidget(self.message)
        self.close_buttons = QDialogButtonBox()
        if charge_id is None:
            self.close_buttons.setStandardButtons(QDialogButtonBox.StandardButton.Save
                                                  | QDialogButtonBox.StandardButton.Cancel)
            self.close_buttons.accepted.connect(self.take)
        else:
            self.close_buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)
        layout.addWidget(self.close_buttons)
        self.resize(760, 640 if charge_id is not None else 440)
        self.retranslate_ui()

    # -- taking charge ------------------------------------------------------------------------
    def _build_new(self, layout: QVBoxLayout) -> None:
        self.target = self._tasks.query(charges.target_of, self._petition_id, self._entry_id)
        self.target_label = QLabel()
        self.target_label.setWordWrap(True)
        self.leader = QComboBox()
        compact(self.leader, 16)
        self.leaders = self._tasks.query(duties.eligible_staff, self.target.office_id,
                                         duties.LEAD)
        self.plan = _text_box()
        today = date.today()
        self.taken_on = date_field(_qdate(today.isoformat()))
        self.deadline = date_field(_qdate((today + timedelta(days=DEFAULT_DAYS)).isoformat()))
        form = QFormLayout()
        form.addRow(self.target_label)
        self.errors.add_row(form, "leader_id", translated_label(N_("Leader in charge")),
                            self.leader)
        self.errors.add_row(form, "plan", translated_label(N_("Plan (包案方案)")), self.plan)
        self.errors.add_row(form, "taken_on", translated_label(N_("Taken in charge on")),
                            self.taken_on)
        self.errors.add_row(form, "deadline", translated_label(N_("Deadline")), self.deadline)
        layout.addLayout(form)
        layout.addStretch(1)

    def _fill_leaders(self) -> None:
        current = self.leader.currentData()
        self.leader.clear()
        self.leader.addItem(_("Choose…"), "")
        for choice in self.leaders:
            self.leader.addItem(f"{pick(choice.name_zh, choice.name_bo)} "
                                f"({label(StaffRole, choice.role)})", choice.staff_id)
        index = self.leader.findData(current if current else self._staff_id)
        self.leader.setCurrentIndex(max(index, 0))

    def take(self) -> None:
        self.errors.clear()
        self.message.clear()
        data = ChargeInput(str(self.leader.currentData() or ""), self.plan.toPlainText(),
                           to_date(self.deadline.date()).isoformat(),
                           to_date(self.taken_on.date()).isoformat(),
                           self._petition_id, self._entry_id)
        try:
            self.charge_id = self._tasks.call(charges.take_charge, data)
        except AppError as error:
            show_problems(self.errors, self.message, error)
            return
        self.changed.emit()
        self.accept()

    # -- keeping a charge ---------------------------------------------------------------------
    def _build_existing(self, layout: QVBoxLayout) -> None:
        self.browser = QTextBrowser()
        self.browser.setMinimumHeight(170)
        layout.addWidget(self.browser, 1)
        self.tabs = QTabWidget()
        # Progress.
        note_page = QWidget()
        form = QFormLayout(note_page)
        self.note_day = date_field()
        self.note_text = _text_box()
        self.errors.add_row(form, "day", translated_label(N_("Date")), self.note_day)
        self.errors.add_row(form, "text", translated_label(N_("What was done")),
                            self.note_text)
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.add_note)
        form.addRow("", self.note_button)
        # A later deadline: asked by anyone keeping the charge, decided by the chief.
        extension_page = QWidget()
        form = QFormLayout(extension_page)
        self.asked = date_field()
        self.reason = _text_box()
        self.errors.add_row(form, "asked_deadline", translated_label(N_("Deadline asked for")),
                            self.asked)
        self.errors.add_row(form, "reason", translated_label(N_("Reason")), self.reason)
        self.ask_button = QPushButton()
        self.ask_button.clicked.connect(self.ask)
        form.addRow("", self.ask_button)
        self.decision_label = translated_label(N_("Reason for the decision"))
        self.decision_note = _text_box()
        self.errors.add_row(form, "decision_note", self.decision_label, self.decision_note)
        self.approve_button = QPushButton()
        self.refuse_button = QPushButton()
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.refuse_button.clicked.connect(lambda: self.decide(False))
        self.decide_row = QWidget()
        row = QHBoxLayout(self.decide_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.approve_button)
        row.addWidget(self.refuse_button)
        row.addStretch(1)
        form.addRow("", self.decide_row)
        # Closing.
        close_page = QWidget()
        form = QFormLayout(close_page)
        self.result_choice = CodeCombo(ChargeResult)
        self.closed_on = date_field()
        self.closing_note = _text_box()
        self.errors.add_row(form, "result", translated_label(N_("Result")), self.result_choice)
        self.errors.add_row(form, "closed_on", translated_label(N_("Closed on")),
                            self.closed_on)
        self.errors.add_row(form, "closing_note", translated_label(N_("How the charge ended")),
                            self.closing_note)
        self.close_charge_button = QPushButton()
        self.close_charge_button.clicked.connect(self.close_charge)
        form.addRow("", self.close_charge_button)
        self.tabs.addTab(note_page, "")
        self.tabs.addTab(extension_page, "")
        self.tabs.addTab(close_page, "")
        # The charge itself takes the room the forms do not need.
        self.tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.tabs)
        self.reload()

    def reload(self) -> None:
        assert self.charge_id is not None
        try:
            self.detail = self._tasks.call(charges.charge_detail, self.charge_id, date.today())
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            self.detail = None

    @property
    def may_decide(self) -> bool:
        """The chief procurator of the office, and only while a later deadline waits."""
        return self.detail is not None and self.detail.pending is not None \
            and bool(self._staff_id) and self._staff_id in self.detail.chief_ids

    def _done(self, call: Callable[..., object], *args: object) -> bool:
        self.errors.clear()
        self.message.clear()
        try:
            self._tasks.call(call, *args)
        except AppError as error:
            show_problems(self.errors, self.message, error)
            return False
        self.changed.emit()
        self.reload()
        self.retranslate_ui()
        return True

    def add_note(self) -> None:
        if self._done(charges.add_note, self.charge_id, to_date(self.note_day.date()).isoformat(),
                      self.note_text.toPlainText(), self._staff_id):
            self.note_text.clear()
            self.message.success(lambda: _("The progress was noted."))

    def ask(self) -> None:
        if self._done(charges.request_extension, self.charge_id,
                      to_date(self.asked.date()).isoformat(), self.reason.toPlainText(),
                      self._staff_id):
            self.reason.clear()
            self.message.success(lambda: _("The later deadline awaits the chief procurator."))

    def decide(self, approve: bool) -> None:
        pending = self.detail.pending if self.detail else None
        if pending is None:
            return
        if self._done(charges.decide_extension, pending.extension_id, approve, self._staff_id,
                      self.decision_note.toPlainText()):
            self.decision_note.clear()

    def close_charge(self) -> None:
        if self._done(charges.close, self.charge_id, self.result_choice.code(),
                      self.closing_note.toPlainText(),
                      to_date(self.closed_on.date()).isoformat()):
            self.message.success(lambda: _("The charge is closed."))

    # -- language ---------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Leader in charge (包案)"))
        if self.charge_id is None or not hasattr(self, "browser"):
            target = self.target
            what = target.reg_no or _("Key petitioner's matter")
            self.target_label.setText(
                f"<b>{_e(what)}</b> · "
                f"{_e(pick(target.names_zh, target.names_bo))}<br>{_e(target.about[:200])}")
            self._fill_leaders()
            return
        self.browser.setHtml(detail_html(self.detail) if self.detail else "")
        self.tabs.setTabText(0, _("Progress"))
        self.tabs.setTabText(1, _("Later deadline"))
        self.tabs.setTabText(2, _("Close the charge"))
        self.note_button.setText(_("Note the progress"))
        self.ask_button.setText(_("Ask the chief procurator"))
        self.approve_button.setText(_("Approve the later deadline"))
        self.refuse_button.setText(_("Refuse it"))
        self.close_charge_button.setText(_("Close the charge"))
        self.result_choice.retranslate()
        open_ = self.detail is not None and self.detail.row.status == ChargeStatus.OPEN
        self.tabs.setEnabled(open_)
        waiting = self.detail is not None and self.detail.pending is not None
        self.ask_button.setEnabled(not waiting)
        # The decision is shown to the chief procurator only.
        for widget in (self.decision_label, self.decision_note, self.decide_row):
            widget.setVisible(self.may_decide)
