"""Paying judicial aid money, with its receipt, and reversing a payment made in error."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.aid import cases as aid
from app.aid.cases import AidCaseDetail, PaymentInput, PaymentRow
from app.core.errors import AppError, InvalidInputError
from app.core.formatting import format_iso_date, format_money
from app.core.i18n import N_, _, title_text
from app.core.labels import (
    PayeeRelation,
    PaymentMethod,
    label,
)
from app.core.money import yuan_text
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import (
    AmountField,
    MessageLine,
    confirm,
    date_field,
    show_problems,
    tab_chain,
)
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    scroll_to_focus,
    scrolling,
    to_date,
    translated_label,
)

# L10N: column headings of the table of judicial aid payments
PAYMENT_COLUMNS = (N_("Date"), N_("Amount"), N_("Payee"), N_("Method"), N_("Paid by"),
                   N_("Remarks"))




class PaymentDialog(Retranslated, QDialog):
    """Money paid out on an approved case: to the person aided, or to a guardian or relative."""

    saved = Signal(str)

    def __init__(self, tasks: Tasks, detail: AidCaseDetail, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._detail, self._staff_id = tasks, detail, staff_id
        first = detail.persons[0] if detail.persons else None
        self._aided = ((first.name_zh or first.name_bo, first.id_number) if first else ("", ""))
        self.errors = FieldErrors()
        self.left = QLabel()
        self.amount = AmountField()
        self.amount.setText(yuan_text(detail.remaining_fen))
        self.paid_on = date_field(latest=QDate.currentDate())
        self.relation = CodeCombo(PayeeRelation)
        self.payee = QLineEdit(self._aided[0])
        self.id_number = QLineEdit(self._aided[1])
        self.id_number.setMaxLength(18)
        self.method = CodeCombo(PaymentMethod)
        self.bank_name = QLineEdit()
        self.account_no = QLineEdit()
        self.note = QLineEdit()
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)
        self.form_scroll = scrolling(page)
        form.addRow(translated_label(N_("Left to pay")), self.left)
        self.errors.add_row(form, "amount", translated_label(N_("Amount (yuan)")), self.amount)
        self.errors.add_row(form, "paid_on", translated_label(N_("Paid on")), self.paid_on)
        self.errors.add_row(form, "payee_relation", translated_label(N_("Paid to")),
                            self.relation)
        self.errors.add_row(form, "payee_name", translated_label(N_("Payee's name")),
                            self.payee)
        self.errors.add_row(form, "payee_id_number",
                            translated_label(N_("Payee's ID number")), self.id_number)
        self.errors.add_row(form, "method", translated_label(N_("How")), self.method)
        bank = QWidget()
        bank_row = QGridLayout(bank)
        bank_row.setContentsMargins(0, 0, 0, 0)
        bank_error, account_error = QLabel(), QLabel()
        bank_row.addWidget(self.bank_name, 0, 0)
        bank_row.addWidget(translated_label(N_("Account number")), 0, 1)
        bank_row.addWidget(self.account_no, 0, 2)
        bank_row.addWidget(bank_error, 1, 0)
        bank_row.addWidget(account_error, 1, 2)
        bank_row.setColumnStretch(0, 1)
        bank_row.setColumnStretch(2, 1)
        bank.setFocusProxy(self.bank_name)
        form.addRow(translated_label(N_("Bank")), bank)
        self.errors.register("bank_name", bank_error, self.bank_name)
        self.errors.register("account_no", account_error, self.account_no)
        self.errors.add_row(form, "note", translated_label(N_("Note")), self.note)
        self.relation.currentIndexChanged.connect(self._relation_changed)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        tab_chain(self.amount.edit, self.paid_on, self.relation, self.payee, self.id_number,
                   self.method, self.bank_name, self.account_no, self.note)
        self._method_changed()
        self.retranslate_ui()
        self.resize(680, 640)
        self.amount.edit.setFocus()
        self.amount.edit.selectAll()

    def _relation_changed(self) -> None:
        """The person aided is the payee until another relation is chosen; then type the name."""
        if self.relation.code() == "self":
            self.payee.setText(self._aided[0])
            self.id_number.setText(self._aided[1])
        elif (self.payee.text(), self.id_number.text()) == self._aided:
            self.payee.clear()
            self.id_number.clear()

    def _method_changed(self) -> None:
        bank = self.method.code() == "bank"
        self.bank_name.setEnabled(bank)
        self.account_no.setEnabled(bank)

    def value(self) -> PaymentInput:
        return PaymentInput(
            aid_case_id=self._detail.id, amount=self.amount.text(),
            paid_on=to_date(self.paid_on.date()).isoformat(), payee_name=self.payee.text(),
            payee_relation=self.relation.code(), payee_id_number=self.id_number.text(),
            method=self.method.code(), bank_name=self.bank_name.text(),
            account_no=self.account_no.text(), note=self.note.text())

    def confirmation(self, value: PaymentInput, fen: int) -> str:
        """The question asked before money is recorded as paid: who gets how much, and how."""
        payee = _("{name} ({relation})").format(
            name=value.payee_name.strip(), relation=label(PayeeRelation, value.payee_relation))
        if value.method == "bank":
            how = _("by transfer to account {account} at {bank}").format(
                account=value.account_no.replace(" ", ""), bank=value.bank_name.strip())
        else:
            how = _("in cash")
        return _("Record {amount} paid to {payee} {how} on {date}? A payment recorded can only "
                 "be taken back by a reversal.").format(
            amount=format_money(fen), payee=payee, how=how,
            date=format_iso_date(value.paid_on or date.today().isoformat()))

    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        value = self.value()
        fen, problems = aid.validate_payment(value, date.today(), self._detail.remaining_fen)
        if problems:
            show_problems(self.errors, self.message, InvalidInputError(problems))
            scroll_to_focus(self.form_scroll)
            return
        if not confirm(self, self.confirmation(value, fen)):
            return
        try:
            payment_id = self._tasks.call(aid.pay, value, self._staff_id)
        except AppError as error:
            show_problems(self.errors, self.message, error)
            scroll_to_focus(self.form_scroll)
            return
        self.saved.emit(payment_id)
        self.accept()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Pay judicial aid — {number}").format(
            number=self._detail.reg_no))
        self.left.setText(format_money(self._detail.remaining_fen))
        self.amount.retranslate_ui()
        self.relation.retranslate()
        self.method.retranslate()
        self.bank_name.setPlaceholderText(_("e.g. Agricultural Bank of China, Darlag branch"))
        self.account_no.setPlaceholderText(_("12 to 30 digits"))


class ReverseDialog(Retranslated, QDialog):
    """Taking back a wrong payment: a reversing entry with the reason; the payment stays."""

    saved = Signal(str)

    def __init__(self, tasks: Tasks, payment: PaymentRow, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._payment, self._staff_id = tasks, payment, staff_id
        self.errors = FieldErrors()
        self.what = QLabel()
        self.what.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        form = QFormLayout()
        self.errors.add_row(form, "reason", translated_label(N_("Reason")), self.reason)
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reverse_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.resize(560, 340)
        self.reason.setFocus()

    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        if self.reason.toPlainText().strip():
            if not confirm(
                    self,
                    _("Reverse this payment? This cannot be undone; the payment and its reversal "
                      "both stay in the record.")):
                return
        try:
            entry_id = self._tasks.call(aid.reverse, self._payment.id, self.reason.toPlainText(),
                                        self._staff_id)
        except AppError as error:
            show_problems(self.errors, self.message, error)
            return
        self.saved.emit(entry_id)
        self.accept()

    def retranslate_ui(self) -> None:
        p = self._payment
        self.setWindowTitle(title_text("Reverse a payment"))
        self.what.setText(_(
            "The payment of {amount} to {payee} on {date} is taken back out of the total paid "
            "by a reversing entry. Use this when a payment was recorded wrongly or the money "
            "came back.").format(amount=format_money(p.amount_fen), payee=p.payee_name,
                                 date=format_iso_date(p.paid_on)))
        self.reverse_button.setText(_("Reverse the payment"))
