"""One petition in full: the record, its parties, replies, deadline changes and history."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.aid import cases as aid
from app.aid import visits
from app.aid.cases import AidCaseDetail
from app.core.errors import AppError, InvalidInputError
from app.core.formatting import format_date, format_iso_date, format_short_datetime
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import (
    Activity,
    AgreementStatus,
    BusinessType,
    Category,
    Channel,
    Deadline,
    DeadlineAction,
    Ethnicity,
    HearingKind,
    HearingOutcome,
    Jurisdiction,
    Language,
    PartyRole,
    PetitionStatus,
    ReplyKind,
    ReplyMethod,
    Sex,
    label,
)
from app.core.paths import AppPaths
from app.hearings import agreements, drafts
from app.hearings import record as hearings
from app.hearings.agreements import AgreementSummary
from app.hearings.record import HearingSummary
from app.ledger import charges
from app.papers import kinds
from app.petitions import intake as petitions
from app.petitions import outcomes
from app.petitions.detail import PetitionDetail, petition_detail
from app.petitions.history import describe
from app.petitions.outcomes import PetitionOutcomes, Unanswerable
from ui.aid.case_dialog import AidCaseDialog, aid_html
from ui.aid.visit_dialog import visits_html
from ui.audit.audit_dialog import open_audit
from ui.core.tasks import Tasks
from ui.petitions.edit_dialogs import (
    PersonEditDialog,
    PetitionEditDialog,
    TransferDialog,
    VoidDialog,
)
from ui.petitions.outcomes_dialog import OutcomesDialog, outcomes_html, resolution_text
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import confirm, date_field
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    to_date,
    translated_label,
)
from ui.widgets.paper_preview import show_paper


def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _row(name: str, value: str) -> str:
    return f"<tr><th align='left' valign='top'>{_e(_(name))}</th><td>{_e(value)}</td></tr>"


def _table_heading(message: str) -> str:
    # Messages are passed in, not written inside f-strings, where extraction cannot see them.
    return f"<h3>{_e(_(message))}</h3><table cellspacing='6'>"


def _link(kind: str, key: str, message: str) -> str:
    return f"<a href='{kind}:{key}'>{_e(_(message))}</a>"


def _hearings_html(found: list[HearingSummary], signed: list[AgreementSummary]) -> str:
    """The petition's hearings, each with its agreement; the links open them."""
    if not found:
        return ""
    parts = [_table_heading(N_("Hearings and agreements"))]
    by_hearing: dict[str, list[AgreementSummary]] = {}
    for agreement in signed:
        by_hearing.setdefault(agreement.hearing_id, []).append(agreement)
    for h in found:
        held = datetime.fromisoformat(h.held_at)
        outcome = label(HearingOutcome, h.outcome) if h.outcome else _("Planned")
        parts.append(
            f"<tr><td>{_e(format_short_datetime(held))}</td>"
            f"<td><a href='hearing:{h.id}'>{_e(label(HearingKind, h.kind))}</a></td>"
            f"<td>{_e(h.place)}</td><td>{_e(outcome)}</td><td>")
        links = []
        for a in by_hearing.get(h.id, []):
            status = label(AgreementStatus, a.status)
            if a.status == "signed":
                status += " " + format_iso_date(a.signed_on)
            links.append(_link("agreement", a.id, N_("Agreement")) + f" ({_e(status)})")
        live = [a for a in by_hearing.get(h.id, []) if a.status != "withdrawn"]
        if agreements.may_draft_from(h.outcome) and not live:
            links.append(_link("draft", h.id, N_("Draft the agreement")))
        parts.append("<br>".join(links) + "</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def detail_html(d: PetitionDetail, found: list[HearingSummary] | None = None,
                signed: list[AgreementSummary] | None = None, visits_section: str = "",
                aid_section: str = "", resolution: PetitionOutcomes | None = None) -> str:
    r = d.row
    parts = [f"<h2>{_e(r.reg_no)}</h2>",
             f"<p><b>{_e(label(PetitionStatus, r.status))}</b>"
             + (" — <span style='color:#b00020'>" + _e(_("Overdue")) + "</span>"
                if r.overdue else "")
             + "</p><table cellspacing='6'>"]
    if d.voided:
        voided = datetime.fromisoformat(d.voided_at)
        by = pick(d.voided_by_zh, d.voided_by_bo)
        heading = _("Voided")  # outside the f-string, where extraction sees it
        parts.append("<tr><th align='left' valign='top' style='color:#b00020'>"
                     f"{_e(heading)}</th><td style='color:#b00020'>"
                     f"{_e(format_short_datetime(voided))}{_e(' ' + by if by else '')}: "
                     f"{_e(d.void_reason)}</td></tr>")
    received = datetime.fromisoformat(r.received_at)
    parts += [
        _row(N_("Office"), pick(d.office_zh, d.office_bo)),
        _row(N_("Received"), f"{format_date(received.date())} {received:%H:%M}"),
        _row(N_("Channel"), label(Channel, r.channel)
             + (f" ({d.higher_office} {d.higher_ref})".rstrip() if r.channel == "higher" else "")),
        _row(N_("Category"), label(Category, r.category)),
        _row(N_("Business type"), label(BusinessType, r.business_type)),
        _row(N_("Summary"), r.summary),
        _row(N_("Requests"), d.requests),
    ]
    if d.original_case_no:
        parts.append(_row(N_("Original case number"), d.original_case_no))
    flags = [text for on, text in ((r.is_repeat, _("Repeat petition")),
                                   (r.is_group, _("Group visit") + f" ({d.head_count})"),
                                   (r.is_sensitive, _("Sensitive"))) if on]
    if flags:
        parts.append(_row(N_("Marked"), "、".join(flags)))
    parts.append(_row(N_("Jurisdiction"), label(Jurisdiction, d.jurisdiction)
                      + (f": {d.referral_body}" if d.jurisdiction == "refer" else "")))
    if d.referral_note:
        parts.append(_row(N_("Referral note"), d.referral_note))
    parts += [
        _row(N_("Handling procurator"), pick(d.procurator_zh, d.procurator_bo) or "—"),
        _row(N_("Leader in charge"), pick(d.leader_zh, d.leader_bo) or "—"),
    ]
    if not d.voided:
        parts += [
            _row(N_("Procedural reply due"),
                 format_iso_date(r.reply_due, "long") if r.status == "awaiting_reply"
                 else _("Done")),
            _row(N_("Result answer due"),
                 format_iso_date(r.answer_due, "long") if r.status != "answered"
                 else _("Done")),
        ]
    if resolution is not None:  # how it was resolved (ui/petitions/outcomes_dialog.py)
        if resolution.unanswerable:
            parts.append(_row(N_("Cannot be answered"),
                              label(Unanswerable, resolution.unanswerable)))
        parts.append(_row(N_("Resolution"), resolution_text(resolution)))
    parts += ["</table>", _table_heading(N_("Petitioners"))]
    for p in d.parties:
        bits = [label(PartyRole, p.role), label(Sex, p.sex), label(Ethnicity, p.ethnicity),
                p.id_number, p.phone, p.address, label(Language, p.preferred_language)]
        if p.needs_interpreter:
            bits.append(_("Interpreter needed"))
        parts.append(f"<tr><td><b>{_e(pick(p.name_zh, p.name_bo))}</b></td>"
                     f"<td>{_e(' · '.join(b for b in bits if b))}</td></tr>")
    parts.append("</table>")
    if d.replies:
        parts.append(_table_heading(N_("Replies")))
        for reply in d.replies:
            parts.append(
                f"<tr><td>{_e(format_iso_date(reply.replied_on))}</td>"
                f"<td>{_e(label(ReplyKind, reply.kind))} · "
                f"{_e(label(ReplyMethod, reply.method))}</td><td>{_e(reply.content)}</td>"
                f"<td>{_e(pick(reply.by_zh, reply.by_bo))}</td></tr>")
        parts.append("</table>")
    if d.deadline_events:
        parts.append(_table_heading(N_("Deadline changes")))
        for ev in d.deadline_events:
            extra = f" +{ev.days}" if ev.action == "extend" else ""
            parts.append(
                f"<tr><td>{_e(format_iso_date(ev.on_date))}</td>"
                f"<td>{_e(label(Deadline, ev.deadline))}: "
                f"{_e(label(DeadlineAction, ev.action))}{extra}</td><td>{_e(ev.reason)}</td>"
                f"<td>{_e(pick(ev.by_zh, ev.by_bo))}</td></tr>")
        parts.append("</table>")
    parts.append(_hearings_html(found or [], signed or []))
    parts.append(aid_section)  # judicial aid cases (ui/aid/aid_dialog.py)
    parts.append(visits_section)  # return visits and hand-overs (ui/aid/visit_dialog.py)
    parts.append(outcomes_html(resolution))  # conciliation, wages, escalation, helpers, leads
    parts.append(_table_heading(N_("History")))
    for h in d.history:
        parts.append(
            f"<tr><td>{_e(format_short_datetime(datetime.fromisoformat(h.at)))}</td>"
            f"<td>{_e(label(Activity, h.action))}</td><td>{_e(describe(h.action, h.detail))}</td>"
            f"<td>{_e(pick(h.by_zh, h.by_bo) or '—')}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


class _FormDialog(QDialog):
    """A small form about one petition: Save runs ``submit``; problems show beside fields."""

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._petition_id, self._staff_id = tasks, petition_id, staff_id
        self.errors = FieldErrors()

    def _finish(self, form: QFormLayout, title: str) -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setWindowTitle(title)
        self.resize(520, 380)

    def submit(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        try:
            self.submit()
        except InvalidInputError as error:
            self.errors.show(error.problems)
            return
        self.accept()


class ReplyDialog(_FormDialog):
    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, petition_id, staff_id, parent)
        self.kind = CodeCombo(ReplyKind)
        self.method = CodeCombo(ReplyMethod)
        self.replied_on = date_field()
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        form = QFormLayout()
        self.errors.add_row(form, "kind", translated_label(N_("Kind of reply")), self.kind)
        self.errors.add_row(form, "replied_on", translated_label(N_("Date")), self.replied_on)
        self.errors.add_row(form, "method", translated_label(N_("How")), self.method)
        self.errors.add_row(form, "content", translated_label(N_("What was replied")),
                            self.content)
        self._finish(form, _("Record a reply"))

    def submit(self) -> None:
        self._tasks.call(petitions.record_reply, self._petition_id, self.kind.code(),
                         to_date(self.replied_on.date()), self.method.code(),
                         self.content.toPlainText(), self._staff_id)


class DeadlineDialog(_FormDialog):
    """``status`` (the petition's) chooses the deadline still counting: the 7-day reply
    until it is given, then the 3-month answer."""

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 parent: QWidget | None = None, status: str = "awaiting_reply") -> None:
        super().__init__(tasks, petition_id, staff_id, parent)
        self.deadline = CodeCombo(Deadline)
        self.deadline.set_code(Deadline.REPLY if status == "awaiting_reply" else Deadline.ANSWER)
        self.action = CodeCombo({"pause": N_("Pause"), "resume": N_("Resume"),
                                 "extend": N_("Extend")})
        self.on_date = date_field()
        self.days = QSpinBox()
        self.days.setRange(0, 365)
        self.days.setValue(30)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        form = QFormLayout()
        self.errors.add_row(form, "deadline", translated_label(N_("Deadline")), self.deadline)
        self.errors.add_row(form, "action", translated_label(N_("Change")), self.action)
        self.errors.add_row(form, "on_date", translated_label(N_("From")), self.on_date)
        self.errors.add_row(form, "days", translated_label(N_("Days added")), self.days)
        self.errors.add_row(form, "reason", translated_label(N_("Reason")), self.reason)
        self.action.currentIndexChanged.connect(
            lambda _i: self.days.setEnabled(self.action.code() == "extend"))
        self.days.setEnabled(False)
        self._finish(form, _("Pause, resume or extend a deadline"))

    def submit(self) -> None:
        self._tasks.call(petitions.change_deadline, self._petition_id, self.deadline.code(),
                         self.action.code(), to_date(self.on_date.date()),
                         self.reason.toPlainText(), self.days.value(), self._staff_id)


class PetitionDialog(Retranslated, QDialog):
    changed = Signal()

    def __init__(self, tasks: Tasks, paths: AppPaths, petition_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._paths = tasks, paths
        self.petition_id, self._staff_id = petition_id, staff_id
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.hearing_button = QPushButton()
        self.hearing_button.clicked.connect(lambda: self.open_hearing(None))
        self.visit_button = QPushButton()
        self.visit_button.clicked.connect(lambda: self.open_visit(None))
        self.aid_button = QPushButton()
        # The case still under way, if there is one; a new proposal only when there is none.
        self.aid_button.clicked.connect(lambda: self.open_aid(
            self._tasks.query(aid.open_case_of, self.petition_id)))
        self.outcomes_button = QPushButton()
        self.outcomes_button.clicked.connect(self.open_outcomes)
        # Correcting, handing over and voiding the registration: one button, one menu, so the
        # window grows no taller.
        self.registration_menu = QMenu(self)
        self.registration_button = QPushButton()
        self.registration_button.setMenu(self.registration_menu)
        self.reply_button = QPushButton()
        self.deadline_button = QPushButton()
        self.close_button = QPushButton()
        self.reply_button.clicked.connect(self.record_reply)
        self.deadline_button.clicked.connect(self.change_deadline)
        self.close_button.clicked.connect(self.accept)
        # Two rows, so that the window still fits a laptop screen when the buttons carry both
        # scripts: what is done about the petition, then how it ended and its papers.
        self.buttons = QHBoxLayout()
        for button in (self.reply_button, self.deadline_button, self.hearing_button,
                       self.visit_button, self.aid_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        papers_row = QHBoxLayout()
        papers_row.addWidget(self.outcomes_button)
        papers_row.addWidget(self.registration_button)
        self.paper_buttons: dict[str, QPushButton] = {}
        for kind in kinds.PAPERS:
            button = QPushButton()
            button.clicked.connect(lambda _checked=False, k=kind: self.preview_paper(k))
            self.paper_buttons[kind] = button
            papers_row.addWidget(button)
        papers_row.addStretch(1)
        papers_row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addLayout(self.buttons)
        layout.addLayout(papers_row)
        self.resize(860, 720)
        self.detail: PetitionDetail | None = None
        self.hearings: list[HearingSummary] = []
        self.agreements: list[AgreementSummary] = []
        self.visits: list[visits.VisitRow] = []
        self.handovers: list[visits.HandoverRow] = []
        self.aid_cases: list[AidCaseDetail] = []
        self.outcomes: PetitionOutcomes | None = None
        self.reload()

    def reload(self) -> None:
        try:
            self.detail = self._tasks.call(petition_detail, self.petition_id, date.today())
            self.hearings = self._tasks.call(hearings.hearing_summaries, self.petition_id)
            self.agreements = self._tasks.call(agreements.agreements_of, self.petition_id)
            self.visits = self._tasks.call(visits.visits_of, self.petition_id)
            self.handovers = self._tasks.call(visits.handovers_of, self.petition_id)
            self.aid_cases = [self._tasks.call(aid.aid_case_detail, case_id)
                              for case_id in self._tasks.call(aid.aid_cases_of, self.petition_id)]
            self.outcomes = self._tasks.call(outcomes.outcomes_of, self.petition_id)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            self.detail = None
        self.retranslate_ui()

    def _link(self, url: QUrl) -> None:
        kind, _sep, key = url.toString().partition(":")
        if kind == "hearing":
            self.open_hearing(key)
        elif kind == "agreement":
            self.open_agreement(key)
        elif kind == "draft":
            self.draft_agreement(key)
        elif kind == "visit":
            self.open_visit(key)
        elif kind == "handover":
            self.open_handover(key)
        elif kind == "aid":
            self.open_aid(key)

    def _fill_registration_menu(self) -> None:
        """Edit the petition, each of its persons, hand it over, void it: built again with the
        petition's parties as they are, in the current language."""
        menu = self.registration_menu
        menu.clear()
        menu.addAction(_("Correct the petition…"), self.edit_petition)
        for party in self.detail.parties if self.detail else []:
            menu.addAction(_("Correct {name}…").format(name=pick(party.name_zh, party.name_bo)),
                           partial(self.edit_person, party.person_id))
        menu.addAction(_("Hand to another procurator…"), self.transfer)
        menu.addAction(_("Leader in charge (包案)…"), self.open_charge)
        menu.addSeparator()
        menu.addAction(_("Void the registration…"), self.void)
        # Leaders: what was done to the petition, and concerning each of its persons.
        menu.addSeparator()
        menu.addAction(_("Record of what was done…"),
                       partial(open_audit, self._tasks, self, "petition", self.petition_id))
        for party in self.detail.parties if self.detail else []:
            menu.addAction(_("Record of what was done: {name}…").format(
                name=pick(party.name_zh, party.name_bo)),
                partial(open_audit, self._tasks, self, "person", party.person_id))

    def _registration_dialog(self, make: Callable[[], QDialog]) -> None:
        try:
            dialog = make()
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        if dialog.exec():
            self._changed()

    def edit_petition(self) -> None:
        self._registration_dialog(lambda: PetitionEditDialog(
            self._tasks, self.petition_id, self._staff_id, self))

    def edit_person(self, person_id: str) -> None:
        self._registration_dialog(lambda: PersonEditDialog(
            self._tasks, self.petition_id, person_id, self._staff_id, self))

    def transfer(self) -> None:
        self._registration_dialog(lambda: TransferDialog(
            self._tasks, self.petition_id, self._staff_id, self))

    def void(self) -> None:
        number = self.detail.row.reg_no if self.detail else ""
        self._registration_dialog(lambda: VoidDialog(
            self._tasks, self.petition_id, number, self._staff_id, self))

    def open_charge(self) -> None:
        """The leader's charge of the petition (包案): the open one, or a new one."""
        from ui.ledger.charge_dialog import ChargeDialog

        try:
            charge_id = self._tasks.query(charges.open_charge_of, self.petition_id)
            dialog = ChargeDialog(self._tasks, self._staff_id, charge_id,
                                  petition_id=self.petition_id, parent=self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.changed.connect(self._changed)
        dialog.exec()

    def open_aid(self, aid_case_id: str | None) -> None:
        """Propose judicial aid (``None``), or open a case to decide, pay or print."""
        try:
            dialog = AidCaseDialog(self._tasks, self.petition_id, self._staff_id, aid_case_id,
                                   self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.changed.connect(self._changed)
        dialog.exec()

    def open_outcomes(self) -> None:
        """Whether it can be answered, how it was resolved, and what was recorded about it."""
        try:
            dialog = OutcomesDialog(self._tasks, self.petition_id, self._staff_id, self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.changed.connect(self._changed)
        dialog.exec()

    def open_visit(self, visit_id: str | None) -> None:
        """Plan or record a return visit (a new one with ``None``); saving a visit that found
        the person still in need goes on to hand them over to social assistance."""
        from ui.aid.visit_dialog import VisitDialog

        try:
            dialog = VisitDialog(self._tasks, self.petition_id, self._staff_id, visit_id, self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.saved.connect(lambda _id: self._changed())
        dialog.exec()

    def open_handover(self, handover_id: str) -> None:
        from ui.aid.visit_dialog import HandoverDialog

        try:
            dialog = HandoverDialog(self._tasks, self._staff_id, handover_id=handover_id,
                                    parent=self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.saved.connect(lambda _id: self._changed())
        dialog.exec()

    def open_hearing(self, hearing_id: str | None, restore_draft: bool = False) -> None:
        from ui.hearings.hearing_dialog import HearingDialog

        if hearing_id is None and not restore_draft and drafts.load_hearing_draft(
                self._paths, self.petition_id) is not None:
            if confirm(
                    self,
                    _("A hearing for this petition was being recorded and was not saved. Continue "
                      "with it?"),
                    default_yes=True):
                restore_draft = True
            else:
                drafts.discard_hearing_draft(self._paths, self.petition_id)
        try:
            dialog = HearingDialog(self._tasks, self._paths, self.petition_id, self._staff_id,
                                   hearing_id, self, restore_draft=restore_draft)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.saved.connect(lambda _id: self._changed())
        dialog.agreement_wanted.connect(self._agreement_for)
        dialog.exec()

    def _agreement_for(self, hearing_id: str) -> None:
        live = [a for a in self._tasks.call(agreements.agreements_of, self.petition_id)
                if a.hearing_id == hearing_id and a.status != "withdrawn"]
        if live:
            self.open_agreement(live[0].id)
        else:
            self.draft_agreement(hearing_id)

    def draft_agreement(self, hearing_id: str) -> None:
        try:
            agreement_id = self._tasks.call(agreements.draft_agreement, self._paths, hearing_id,
                                            self._staff_id)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        self._changed()
        self.open_agreement(agreement_id)

    def open_agreement(self, agreement_id: str) -> None:
        from ui.hearings.agreement_dialog import AgreementDialog

        try:
            dialog = AgreementDialog(self._tasks, self._paths, agreement_id, self._staff_id,
                                     self)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        dialog.changed.connect(self._changed)
        dialog.exec()

    def _changed(self) -> None:
        self.reload()
        self.changed.emit()

    def preview_paper(self, kind: str) -> None:
        """The paper drawn on the worker, then previewed."""
        petition_id = self.petition_id

        def draw(store: Any) -> bytes:
            from app.papers import documents as papers  # printing loads on first use
            return papers.render(store, petition_id, kind)

        number = self.detail.row.reg_no if self.detail else ""
        show_paper(self._tasks, self, draw, f"{title_text(kinds.PAPERS[kind])} {number}",
                   f"{kind} {number}.pdf", record=("petition", petition_id))

    def record_reply(self) -> None:
        if ReplyDialog(self._tasks, self.petition_id, self._staff_id, self).exec():
            self.reload()
            self.changed.emit()

    def change_deadline(self) -> None:
        status = self.detail.row.status if self.detail else "awaiting_reply"
        if DeadlineDialog(self._tasks, self.petition_id, self._staff_id, self,
                          status=status).exec():
            self.reload()
            self.changed.emit()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.detail.row.reg_no if self.detail else _("Petition"))
        self.browser.setHtml(detail_html(self.detail, self.hearings, self.agreements,
                                         visits_html(self.visits, self.handovers),
                                         aid_html(self.aid_cases), self.outcomes)
                             if self.detail else "")
        self.hearing_button.setText(_("New hearing…"))
        self.visit_button.setText(_("Return visit…"))
        self.aid_button.setText(_("Judicial aid…"))
        self.outcomes_button.setText(_("Resolution and follow-up…"))
        self.registration_button.setText(_("Registration"))
        self._fill_registration_menu()
        # Nothing more is recorded on a voided registration: it is only read.
        standing = self.detail is not None and not self.detail.voided
        for button in (self.reply_button, self.deadline_button, self.hearing_button,
                       self.visit_button, self.aid_button, self.outcomes_button,
                       self.registration_button):
            button.setEnabled(standing)
        self.reply_button.setText(_("Record a reply…"))
        self.deadline_button.setText(_("Pause, resume or extend a deadline…"))
        self.close_button.setText(_("Close"))
        available = kinds.papers_for(self.detail) if self.detail else []
        for kind, button in self.paper_buttons.items():
            button.setText(_(kinds.PAPERS[kind]) + "…")
            button.setVisible(kind in available)

