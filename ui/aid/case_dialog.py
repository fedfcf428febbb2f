"""State judicial aid (国家司法救助) for one petition, from the proposal to the receipts.

A new case opens on the handling procurator's proposal; Ctrl+S proposes it. An existing case
shows its facts and decisions (Ctrl+1) and its payments (Ctrl+2). A leader of the office who did
not propose it decides there: approve, reduce (amount and reason) or refuse (reason); Ctrl+S
records the decision. Money is typed in yuan, read exactly by ``app.core.money`` (never a float) and
shown with ``format_money``; while it is typed, the amount is echoed in Chinese capital numerals,
as the receipt will print it, so a slip of the finger shows before it is saved.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.aid import cases as aid
from app.aid.cases import AidCaseDetail, AidProposal, PaymentRow
from app.core import identity
from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_money, format_short_datetime
from app.core.i18n import N_, _, title_text
from app.core.labels import (
    AidDecision,
    AidGroup,
    AidStatus,
    PayeeRelation,
    PaymentMethod,
    PaymentState,
    label,
)
from app.hearings import record as hearings
from ui.aid.payment_dialog import PAYMENT_COLUMNS, PaymentDialog, ReverseDialog
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import (
    AmountField,
    Checklist,
    MessageLine,
    RadioChoices,
    cell,
    date_field,
    display_name,
    plain_table,
    set_headers,
    show_problems,
    tab_chain,
)
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    scroll_to_focus,
    scrolling,
    section,
    to_date,
    translated_label,
)
from ui.widgets.paper_preview import show_paper

# L10N: column headings of the table of a leader's decisions on judicial aid
DECISION_COLUMNS = (N_("Date and time"), N_("Who"), N_("What"), N_("Amount"), N_("Reason"))


class AidCaseDialog(Retranslated, QDialog):
    """A new proposal (``aid_case_id`` None) or an existing aid case of ``petition_id``."""

    changed = Signal()

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 aid_case_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._staff_id = tasks, staff_id
        self._user = tasks.query(identity.staff_member, staff_id)
        self.petition_id, self.aid_case_id = petition_id, aid_case_id
        self.context = tasks.call(hearings.hearing_context, petition_id)
        self.detail: AidCaseDetail | None = None
        self.threshold = tasks.call(aid.chief_threshold, self.context.office_id)
        self.rules: aid.AidRules | None = None
        self.can_decide = False
        self.errors = FieldErrors()
        self.decision_errors = FieldErrors()

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_proposal())
        self.pages.addWidget(self._build_case())
        self.message = MessageLine()
        self.save_button = QPushButton()
        self.notice_button = QPushButton()
        self.close_button = QPushButton()
        for button in (self.save_button, self.notice_button, self.close_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.notice_button.clicked.connect(self.preview_decision)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.notice_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        for index in range(2):
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self,
                      lambda i=index: self._go_to_tab(i))
        if aid_case_id is not None:
            self._load()
        self.retranslate_ui()
        self.resize(940, 660)
        if aid_case_id is None:
            self.persons.setFocus()

    # -- building -------------------------------------------------------------------------------
    def _build_proposal(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)
        self.proposal_scroll = scrolling(page)
        self.persons = Checklist()
        self.group = CodeCombo(AidGroup, blank=N_("Choose…"))
        self.facts = QPlainTextEdit()
        self.facts.setTabChangesFocus(True)
        self.facts.setMaximumHeight(120)
        self.amount = AmountField()
        self.proposed_on = date_field(latest=QDate.currentDate())
        self.reasons = QPlainTextEdit()
        self.reasons.setTabChangesFocus(True)
        self.reasons.setMaximumHeight(90)
        self.proposer = QLabel()
        self.errors.add_row(form, "person_ids", translated_label(N_("Persons aided")),
                            self.persons)
        self.errors.add_row(form, "eligibility", translated_label(N_("Eligibility group")),
                            self.group)
        self.errors.add_row(form, "facts", translated_label(N_("Facts of hardship")),
                            self.facts)
        self.errors.add_row(form, "amount", translated_label(N_("Amount proposed (yuan)")),
                            self.amount)
        when = QWidget()
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.proposed_on)
        when_row.addSpacing(24)
        when_row.addWidget(self.proposer, 1)
        when.setFocusProxy(self.proposed_on)
        self.errors.add_row(form, "proposed_on", translated_label(N_("Proposed on")), when)
        self.errors.add_row(form, "reasons", translated_label(N_("Reasons for the amount")),
                            self.reasons)
        tab_chain(self.persons, self.group, self.facts, self.amount.edit, self.proposed_on,
                   self.reasons)
        first_party = [p.id for p in self.context.parties[:1]]
        self.persons.fill([(p.id, display_name(p.name_zh, p.name_bo))
                           for p in self.context.parties], first_party)
        return self.proposal_scroll

    def _build_case(self) -> QWidget:
        self.tabs = QTabWidget()
        case_page = QWidget()
        column = QVBoxLayout(case_page)
        self.summary = QTextBrowser()
        self.summary.setOpenLinks(False)
        column.addWidget(self.summary, 1)
        self.decisions_heading = section(N_("Decisions"))
        column.addWidget(self.decisions_heading)
        self.decisions = plain_table(len(DECISION_COLUMNS))
        self.decisions.setMaximumHeight(110)
        column.addWidget(self.decisions)
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        column.addWidget(self.waiting)
        self.decision_panel = self._build_decision_panel()
        column.addWidget(self.decision_panel)
        self.waiting.hide()
        self.decision_panel.hide()
        self.tabs.addTab(case_page, "")

        pay_page = QWidget()
        column = QVBoxLayout(pay_page)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        column.addWidget(self.totals)
        self.payments = plain_table(len(PAYMENT_COLUMNS))
        self.payments.itemSelectionChanged.connect(self._selection_changed)
        column.addWidget(self.payments, 1)
        self.pay_button = QPushButton()
        self.reverse_button = QPushButton()
        self.receipt_button = QPushButton()
        row = QHBoxLayout()
        for button in (self.pay_button, self.reverse_button, self.receipt_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self.pay_button.clicked.connect(self.pay)
        self.reverse_button.clicked.connect(self.reverse_payment)
        self.receipt_button.clicked.connect(self.preview_receipt)
        self.tabs.addTab(pay_page, "")
        return self.tabs

    def _build_decision_panel(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(section(N_("Your decision")))
        self.threshold_note = QLabel()
        self.threshold_note.setWordWrap(True)
        column.addWidget(self.threshold_note)
        grid = QGridLayout()
        choices = RadioChoices(AidDecision)
        self.decision_group, self.decision_buttons = choices.group, choices.buttons
        for button in self.decision_buttons.values():
            button.toggled.connect(self._decision_chosen)
        row = choices.row
        row.addSpacing(24)
        row.addWidget(translated_label(N_("Reduced amount (yuan)")))
        self.reduced_to = AmountField()
        self.reduced_to.setEnabled(False)
        row.addWidget(self.reduced_to, 1)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(64)
        decision_error, amount_error, reason_error = QLabel(), QLabel(), QLabel()
        self.decision_errors.register("decision", decision_error, choices)
        self.decision_errors.register("amount", amount_error, self.reduced_to)
        self.decision_errors.register("reason", reason_error, self.reason)
        errors = QHBoxLayout()
        errors.addWidget(decision_error)
        errors.addWidget(amount_error)
        grid.addWidget(translated_label(N_("Decision")), 0, 0)
        grid.addWidget(choices, 0, 1)
        grid.addLayout(errors, 1, 1)
        grid.addWidget(translated_label(N_("Reason")), 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.reason, 2, 1)
        grid.addWidget(reason_error, 3, 1)
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        QWidget.setTabOrder(self.decision_buttons["refused"], self.reduced_to.edit)
        QWidget.setTabOrder(self.reduced_to.edit, self.reason)
        return panel

    # -- loading --------------------------------------------------------------------------------
    def _load(self) -> None:
        assert self.aid_case_id is not None
        self.detail = self._tasks.call(aid.aid_case_detail, self.aid_case_id)
        self.rules = self._tasks.call(aid.aid_rules, self.aid_case_id, self._staff_id)
        self.threshold = self.rules.threshold_fen
        self.can_decide = aid.DECIDE in self.rules.actions
        self.pages.setCurrentIndex(1)

    def _reload(self, message: str = "") -> None:
        self._load()
        self.retranslate_ui()
        self.message.success(message)
        self.changed.emit()

    def selected_payment(self) -> PaymentRow | None:
        if self.detail is None:
            return None
        row = self.payments.currentRow()
        if not self.payments.selectionModel().hasSelection():
            return None
        return self.detail.payments[row] if 0 <= row < len(self.detail.payments) else None

    def _selection_changed(self) -> None:
        payment = self.selected_payment()
        self.reverse_button.setEnabled(payment is not None and self.rules is not None
                                       and payment.id in self.rules.reversible)
        self.receipt_button.setEnabled(payment is not None and payment.amount_fen > 0)

    def _decision_chosen(self) -> None:
        self.reduced_to.setEnabled(self.decision_buttons["reduced"].isChecked())

    # -- actions --------------------------------------------------------------------------------
    def save(self) -> None:
        """Ctrl+S: propose a new case, or record the decision on this one."""
        if self.detail is None:
            self.propose()
        elif self.can_decide:
            self.decide()

    def propose(self) -> None:
        self.errors.clear()
        self.message.clear()
        data = AidProposal(
            petition_id=self.petition_id, person_ids=self.persons.ticked(),
            eligibility=self.group.code(), facts=self.facts.toPlainText(),
            amount=self.amount.text(), reasons=self.reasons.toPlainText(),
            proposed_on=to_date(self.proposed_on.date()).isoformat())
        try:
            self.aid_case_id = self._tasks.call(aid.propose, data, self._staff_id)
        except AppError as error:
            show_problems(self.errors, self.message, error)
            scroll_to_focus(self.proposal_scroll)
            return
        self._reload(_("Judicial aid proposed. A leader of the office decides on it."))
        self.tabs.setCurrentIndex(0)
        self.close_button.setFocus()

    def decide(self) -> None:
        assert self.aid_case_id is not None
        self.decision_errors.clear()
        self.message.clear()
        chosen = next((code for code, button in self.decision_buttons.items()
                       if button.isChecked()), "")
        try:
            self._tasks.call(aid.decide, self.aid_case_id, chosen, self._staff_id,
                             amount=self.reduced_to.text() if chosen == "reduced" else "",
                             reason=self.reason.toPlainText())
        except AppError as error:
            show_problems(self.decision_errors, self.message, error)
            return
        self._reload(_("Decision recorded."))
        self.close_button.setFocus()

    def pay(self) -> None:
        if self.detail is None:
            return
        dialog = PaymentDialog(self._tasks, self.detail, self._staff_id, self)
        dialog.saved.connect(lambda _id: self._after_payment(_("Payment recorded.")))
        dialog.exec()

    def reverse_payment(self) -> None:
        payment = self.selected_payment()
        if payment is None or self.rules is None or payment.id not in self.rules.reversible:
            return
        dialog = ReverseDialog(self._tasks, payment, self._staff_id, self)
        dialog.saved.connect(lambda _id: self._after_payment(_("Payment reversed.")))
        dialog.exec()

    def _after_payment(self, message: str) -> None:
        self._reload(message)
        self.tabs.setCurrentIndex(1)
        if self.payments.rowCount():
            self.payments.selectRow(self.payments.rowCount() - 1)

    def preview_decision(self) -> None:
        if self.detail is None or self.detail.status == "proposed":
            return
        case_id = self.detail.id

        def draw(store: Any) -> bytes:
            from app.papers import documents as papers  # printing loads on first use
            return papers.render_aid_decision(store, case_id)

        title = title_text("Judicial aid decision notice")
        show_paper(self._tasks, self, draw, f"{title} {self.detail.reg_no}",
                   f"aid-decision {self.detail.reg_no}.pdf")

    def preview_receipt(self) -> None:
        payment = self.selected_payment()
        if self.detail is None or payment is None or payment.amount_fen <= 0:
            return
        payment_id = payment.id

        def draw(store: Any) -> bytes:
            from app.papers import documents as papers  # printing loads on first use
            return papers.render_aid_receipt(store, payment_id)

        title = title_text("Judicial aid receipt")
        show_paper(self._tasks, self, draw, f"{title} {self.detail.reg_no}",
                   f"aid-receipt {self.detail.reg_no} {payment.paid_on}.pdf")

    def _go_to_tab(self, index: int) -> None:
        if self.detail is None:
            return
        self.tabs.setCurrentIndex(index)
        if index == 1:
            self.payments.setFocus()
        elif self.can_decide:
            self.decision_buttons["approved"].setFocus()
        else:
            self.summary.setFocus()

    # -- texts ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        number = self.context.reg_no
        self.close_button.setText(_("Close"))
        self.amount.retranslate_ui()
        self.reduced_to.retranslate_ui()
        self.group.retranslate()
        user = self._user
        self.proposer.setText(_("Proposed by {name}").format(
            name=display_name(user.name_zh, user.name_bo) if user else _("nobody chosen")))
        if self.detail is None:
            self.setWindowTitle(title_text("Propose judicial aid — {number}").format(number=number))
            self.save_button.setText(_("Propose (Ctrl+S)"))
            self.notice_button.hide()
            ticked = self.persons.ticked()
            self.persons.fill([(p.id, display_name(p.name_zh, p.name_bo))
                               for p in self.context.parties], ticked)
            return
        self.setWindowTitle(title_text("Judicial aid — {number}").format(number=number))
        self.tabs.setTabText(0, _("The case and decisions") + " (Ctrl+1)")
        self.tabs.setTabText(1, _("Payments") + " (Ctrl+2)")
        self.save_button.setText(_("Record the decision (Ctrl+S)"))
        self.save_button.setVisible(self.can_decide)
        self.notice_button.setText(_("Decision notice…"))
        self.notice_button.show()
        self.notice_button.setEnabled(self.detail.status != "proposed")
        for code, button in self.decision_buttons.items():
            button.setText(AidDecision(code).label)
        self.pay_button.setText(_("Pay…"))
        self.reverse_button.setText(_("Reverse…"))
        self.receipt_button.setText(_("Receipt…"))
        self._show_case(self.detail)

    def _show_case(self, d: AidCaseDetail) -> None:
        self.summary.setHtml(summary_html(d))
        set_headers(self.decisions, DECISION_COLUMNS)
        self.decisions.setRowCount(len(d.decisions))
        for row, decision in enumerate(d.decisions):
            amount = format_money(decision.amount_fen) if decision.decision != "refused" else "—"
            cells = (format_short_datetime(datetime.fromisoformat(decision.decided_at)),
                     display_name(decision.decided_by_zh, decision.decided_by_bo),
                     label(AidStatus, decision.decision), amount, decision.reason)
            for column, text in enumerate(cells):
                self.decisions.setItem(row, column, cell(text, right=column == 3))
        self.decisions_heading.setVisible(bool(d.decisions))
        self.decisions.setVisible(bool(d.decisions))
        self.decision_panel.setVisible(self.can_decide)
        self.waiting.setVisible(d.status == "proposed" and not self.can_decide)
        self.waiting.setText(self._waiting_text(d))
        above = d.proposed_fen > self.threshold
        self.threshold_note.setVisible(self.can_decide and above)
        threshold = format_money(self.threshold)
        if self.rules is not None and aid.APPROVE_IN_FULL in self.rules.actions:
            self.threshold_note.setText(_(
                "The amount proposed is above {threshold}, the limit for deputy chief "
                "procurators: as chief procurator, you may approve it.").format(
                    threshold=threshold))
        else:
            self.threshold_note.setText(_(
                "The amount proposed is above {threshold}: only the chief procurator may "
                "approve it. You may reduce it to {threshold} or less, or refuse it.").format(
                    threshold=threshold))
        self._show_payments(d)

    def _waiting_text(self, d: AidCaseDetail) -> str:
        if self._staff_id == d.proposed_by_id:
            return _("You proposed this aid; another leader must decide on it.")
        if d.proposed_fen > self.threshold:
            return _("Awaiting the chief procurator's decision: the amount is above "
                     "{threshold}.").format(threshold=format_money(self.threshold))
        return _("Awaiting the decision of the chief procurator or a deputy chief procurator.")

    def _show_payments(self, d: AidCaseDetail) -> None:
        selected = self.selected_payment()
        set_headers(self.payments, PAYMENT_COLUMNS)
        self.payments.setRowCount(len(d.payments))
        paid_on = {p.id: p.paid_on for p in d.payments}
        for row, p in enumerate(d.payments):
            greyed = p.reversed or p.reverses_id is not None
            method = label(PaymentMethod, p.method)
            if p.method == "bank":
                method += f"\n{p.bank_name}\n{p.account_no}"
            if p.reversed:
                # L10N: a payment taken back by a reversing entry
                remarks = _("Reversed")
            elif p.reverses_id is not None:
                remarks = _("Reverses the payment of {date}: {reason}").format(
                    date=format_iso_date(paid_on.get(p.reverses_id, "")), reason=p.note)
            else:
                remarks = p.note
            payee = "\n".join(text for text in (p.payee_name,
                                                label(PayeeRelation, p.payee_relation),
                                                p.payee_id_number) if text)
            cells = (format_iso_date(p.paid_on), format_money(p.amount_fen), payee, method,
                     display_name(p.paid_by_zh, p.paid_by_bo), remarks)
            for column, text in enumerate(cells):
                self.payments.setItem(row, column, cell(text, greyed, right=column == 1))
        self.payments.resizeRowsToContents()
        if selected is not None:
            rows = [p.id for p in d.payments]
            if selected.id in rows:
                self.payments.selectRow(rows.index(selected.id))
        if d.status in ("approved", "reduced"):
            self.totals.setText(_(
                "Approved {approved} · paid {paid} · left to pay {left} · {state}").format(
                    approved=format_money(d.approved_fen), paid=format_money(d.paid_fen),
                    left=format_money(d.remaining_fen),
                    state=label(PaymentState, d.payment_state)))
        elif d.status == "refused":
            self.totals.setText(_("The aid was refused: nothing is paid."))
        else:
            self.totals.setText(_("Nothing can be paid until a leader approves the aid."))
        self.pay_button.setEnabled(self.rules is not None and aid.PAY in self.rules.actions)
        self._selection_changed()


def summary_html(d: AidCaseDetail) -> str:
    def row(message: str, value: str) -> str:
        return (f"<tr><th align='left' valign='top'>{html.escape(_(message))}</th>"
                f"<td>{html.escape(value).replace(chr(10), '<br>')}</td></tr>")

    persons = "、".join(display_name(p.name_zh, p.name_bo) for p in d.persons)
    # L10N: how much aid was proposed, by whom and when: ¥12,000.00, by 卓玛 on 2026/11/26
    proposed = _("{amount}, by {name} on {date}").format(
        amount=format_money(d.proposed_fen), name=display_name(d.proposed_by_zh, d.proposed_by_bo),
        date=format_iso_date(d.proposed_on))
    status = label(AidStatus, d.status)
    if d.status in ("approved", "reduced"):
        status += f": {format_money(d.approved_fen)}"
    rows = [row(N_("Petition"), d.reg_no), row(N_("Persons aided"), persons),
            row(N_("Eligibility group"), label(AidGroup, d.eligibility)),
            row(N_("Proposed"), proposed), row(N_("Status"), status),
            row(N_("Facts of hardship"), d.facts), row(N_("Reasons for the amount"), d.reasons)]
    return "<table cellspacing='5'>" + "".join(rows) + "</table>"


# L10N: column headings of the list of a petition's judicial aid cases (amounts in yuan)
AID_LIST_COLUMNS = (N_("Eligibility group"), N_("Proposed"), N_("Approved"), N_("Paid"),
                    N_("State"))


def aid_html(cases: list[AidCaseDetail]) -> str:
    """The petition's aid cases for its window: group, proposed, approved, paid, state; each
    group links to ``aid:<id>``."""
    if not cases:
        return ""
    heading = html.escape(_("Judicial aid"))
    parts = [f"<h3>{heading}</h3><table cellspacing='6'><tr>"]
    parts += [f"<th align='left'>{html.escape(_(column))}</th>" for column in AID_LIST_COLUMNS]
    parts.append("</tr>")
    for c in cases:
        decided = c.status in ("approved", "reduced")
        state = label(AidStatus, c.status)
        if decided:
            state += " · " + label(PaymentState, c.payment_state)
        cells = (format_money(c.proposed_fen), format_money(c.approved_fen) if decided else "—",
                 format_money(c.paid_fen) if decided else "—", state)
        group = html.escape(label(AidGroup, c.eligibility))
        parts.append(f"<tr><td><a href='aid:{c.id}'>{group}</a></td>"
                     + "".join(f"<td>{html.escape(text)}</td>" for text in cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)
