"""Judicial aid on screen, from the procurator's proposal to the printed receipt: amounts typed
on the keyboard and read exactly, a deputy's reduced approval, payments to a guardian by bank
transfer, a payment refused above what is left, a reversal, and the receipt in capital numerals."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog, QMessageBox

from app.aid import cases as aid
from app.core.store import Store
from tests.helpers import AidOffice as Office
from tests.helpers import aid_office, pdf_text, petition, tasks_for
from tests.qt_typing import show_active, type_text
from ui.core.language import LanguageManager
from ui.main import application

CTRL = Qt.KeyboardModifier.ControlModifier
TIBETAN = re.compile("[\u0f00-\u0fff]")
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def office(store: Store) -> Office:
    received = (datetime.now() - timedelta(days=10)).replace(second=0, microsecond=0)
    return aid_office(store, petition(received.isoformat(timespec="minutes")))




def _retype(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    type_text(qtbot, edit, text)


FACTS = "家中五口人，冬季雪灾牲畜大量死亡，工程款被拖欠，生活困难。"
REASONS = "符合国家司法救助条件，建议救助一万二千元。"


@pytest.fixture
def opened(monkeypatch) -> list[QDialog]:  # type: ignore[no-untyped-def]
    """The aid dialogs a screen opens, in order, instead of running them modally."""
    from ui.aid.case_dialog import AidCaseDialog
    from ui.aid.payment_dialog import PaymentDialog, ReverseDialog

    application()
    dialogs: list[QDialog] = []
    for kind in (AidCaseDialog, PaymentDialog, ReverseDialog):
        monkeypatch.setattr(kind, "exec", lambda self: dialogs.append(self) or 0)
    return dialogs


# Each stage of the case starts from the state the one before leaves, made through app/, so a
# failure in one stage does not hide the others.
def _proposed(office: Office) -> str:
    """12,000 yuan proposed by the procurator, for a poor family."""
    return aid.propose(office.store, aid.AidProposal(
        office.petition_id, [office.person_id], "poor", FACTS, "12000", REASONS),
        office.procurator)


def _reduced(office: Office) -> str:
    """… the deputies' limit lowered to 10,000 and the approval reduced to it."""
    case_id = _proposed(office)
    aid.set_chief_threshold(office.store, office.office_id, "10000", office.chief)
    aid.decide(office.store, case_id, "reduced", office.deputy, "10000",
               "超出副检察长审批权限，核减至一万元。")
    return case_id


def _paid_to_the_guardian(office: Office) -> str:
    """… and 6,000 paid to the guardian by bank transfer."""
    case_id = _reduced(office)
    aid.pay(office.store, aid.PaymentInput(
        case_id, "6000", payee_name="更登", payee_relation="guardian", method="bank",
        bank_name="中国农业银行达日县支行", account_no="6228480012345678901"), office.procurator)
    return case_id


def _case_dialog(qtbot, opened: list[QDialog], office: Office, staff: str,  # type: ignore[no-untyped-def]
                 case_id: str):  # type: ignore[no-untyped-def]
    """The petition's window for ``staff`` and, opened from its list, the aid case."""
    from ui.aid.case_dialog import AidCaseDialog
    from ui.petitions.petition_dialog import PetitionDialog

    window = PetitionDialog(tasks_for(office.store), office.store.paths, office.petition_id, staff)
    qtbot.addWidget(window)
    window.browser.anchorClicked.emit(QUrl(f"aid:{case_id}"))
    case = opened.pop()
    assert isinstance(case, AidCaseDialog)
    show_active(qtbot, case)
    return window, case


def test_the_procurator_proposes_aid_with_the_amount_typed_and_checked(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog]) -> None:
    from ui.aid.case_dialog import AidCaseDialog
    from ui.petitions.petition_dialog import PetitionDialog

    store, petition_id = office.store, office.petition_id
    window = PetitionDialog(tasks_for(store), store.paths, petition_id, office.procurator)
    qtbot.addWidget(window)
    window.aid_button.click()
    proposal = opened.pop()
    assert isinstance(proposal, AidCaseDialog)
    show_active(qtbot, proposal)
    assert proposal.persons.ticked() == [office.person_id]
    qtbot.keyClick(proposal.persons, Qt.Key.Key_Tab)
    assert proposal.group.hasFocus()
    qtbot.keyClick(proposal.group, Qt.Key.Key_Down)
    qtbot.keyClick(proposal.group, Qt.Key.Key_Down)
    assert proposal.group.code() == "poor"
    type_text(qtbot, proposal.facts, FACTS)
    type_text(qtbot, proposal.reasons, REASONS)
    for bad, message in (("-5", "金额不能为负数。"), ("12.345", "金额最多保留两位小数（到分）。"),
                         ("abc", "这不是有效的金额。")):
        _retype(qtbot, proposal.amount.edit, bad)
        assert proposal.amount.hint.text() == ""
        qtbot.keyClick(proposal, Qt.Key.Key_S, CTRL)
        assert proposal.errors.text("amount") == message
        assert proposal.aid_case_id is None and aid.aid_cases_of(store, petition_id) == []
    _retype(qtbot, proposal.amount.edit, "12000")
    assert "壹万贰仟元整" in proposal.amount.hint.text()
    qtbot.keyClick(proposal, Qt.Key.Key_S, CTRL)
    case_id = proposal.aid_case_id
    assert case_id is not None, proposal.message.text()
    assert aid.aid_cases_of(store, petition_id) == [case_id]
    detail = aid.aid_case_detail(store, case_id)
    assert (detail.status, detail.proposed_fen) == ("proposed", 1_200_000)
    # Whoever proposed it does not decide on it; the petition lists the case.
    assert proposal.decision_panel.isHidden() and not proposal.waiting.isHidden()
    qtbot.waitUntil(lambda: "困难家庭" in window.browser.toPlainText())
    assert "¥12,000.00" in window.browser.toPlainText()


def test_the_chief_lowers_the_limit_for_deputies(qtbot, office: Office) -> None:  # type: ignore[no-untyped-def]
    from ui.aid.rules_dialog import AidRulesDialog

    application()
    rules = AidRulesDialog(tasks_for(office.store), office.office_id, office.chief)
    show_active(qtbot, rules)
    _retype(qtbot, rules.amount.edit, "10000")
    qtbot.keyClick(rules, Qt.Key.Key_S, CTRL)
    assert aid.chief_threshold(office.store, office.office_id) == 1_000_000


def test_a_deputy_may_not_approve_above_the_limit_and_reduces_the_amount(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog]) -> None:
    store, case_id = office.store, _proposed(office)
    aid.set_chief_threshold(store, office.office_id, "10000", office.chief)
    _window, decide = _case_dialog(qtbot, opened, office, office.deputy, case_id)
    assert not decide.decision_panel.isHidden() and not decide.threshold_note.isHidden()
    assert "¥10,000.00" in decide.threshold_note.text()
    decide.decision_buttons["approved"].setFocus()
    qtbot.keyClick(decide.decision_buttons["approved"], Qt.Key.Key_Space)
    qtbot.keyClick(decide, Qt.Key.Key_S, CTRL)
    assert decide.message.text() == "救助金额超过¥10,000.00的，须经检察长批准。"
    assert aid.aid_case_detail(store, case_id).status == "proposed"
    qtbot.keyClick(decide.decision_buttons["approved"], Qt.Key.Key_Right)
    assert decide.decision_buttons["reduced"].isChecked() and decide.reduced_to.isEnabled()
    qtbot.keyClick(decide, Qt.Key.Key_S, CTRL)
    assert decide.decision_errors.text("amount") == "请输入金额。"
    assert decide.decision_errors.text("reason") == "请填写理由。"
    assert aid.aid_case_detail(store, case_id).status == "proposed"
    type_text(qtbot, decide.reduced_to.edit, "10000")
    type_text(qtbot, decide.reason, "超出副检察长审批权限，核减至一万元。")
    qtbot.keyClick(decide, Qt.Key.Key_S, CTRL)
    detail = aid.aid_case_detail(store, case_id)
    assert (detail.status, detail.approved_fen) == ("reduced", 1_000_000), decide.message.text()
    assert [(d.decision, d.decided_by_zh) for d in detail.decisions] == [("reduced", "才让")]
    assert decide.decision_panel.isHidden()
    assert decide.decisions.item(0, 4).text() == "超出副检察长审批权限，核减至一万元。"


def test_paid_to_the_guardian_by_bank_transfer_and_no_more_than_is_left(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog], monkeypatch) -> None:
    from ui.aid.payment_dialog import PaymentDialog

    store, case_id = office.store, _reduced(office)
    _window, case = _case_dialog(qtbot, opened, office, office.procurator, case_id)
    qtbot.keyClick(case, Qt.Key.Key_2, CTRL)
    assert case.tabs.currentIndex() == 1 and case.pay_button.isEnabled()
    case.pay_button.click()
    pay = opened.pop()
    assert isinstance(pay, PaymentDialog)
    show_active(qtbot, pay)
    assert pay.amount.text() == "10000.00" and pay.amount.edit.hasFocus()
    assert (pay.payee.text(), pay.relation.code()) == ("扎西才让", "self")
    assert not pay.bank_name.isEnabled() and not pay.account_no.isEnabled()
    type_text(qtbot, pay.amount.edit, "6000")  # the default is selected: typing replaces it
    qtbot.keyClick(pay.relation, Qt.Key.Key_Down)
    assert pay.relation.code() == "guardian" and pay.payee.text() == ""
    type_text(qtbot, pay.payee, "更登")
    qtbot.keyClick(pay.method, Qt.Key.Key_Down)
    assert pay.method.code() == "bank" and pay.bank_name.isEnabled()
    type_text(qtbot, pay.bank_name, "中国农业银行达日县支行")
    type_text(qtbot, pay.account_no, "6228 4800 1234 5678 901")
    # Before the money is recorded, the window asks: who, how much, how. "No" records nothing.
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *a, **k: (
        asked.append(text) or answers.pop(0)))
    qtbot.keyClick(pay, Qt.Key.Key_S, CTRL)
    assert len(asked) == 1 and asked[0].startswith(
        "记录向更登（监护人）通过转账至中国农业银行达日县支行账户6228480012345678901发放¥6,000.00")
    assert pay.result() != QDialog.DialogCode.Accepted
    assert aid.aid_case_detail(store, case_id).payments == []
    qtbot.keyClick(pay, Qt.Key.Key_S, CTRL)
    assert pay.result() == QDialog.DialogCode.Accepted, pay.message.text()
    first = aid.aid_case_detail(store, case_id).payments[0]
    assert (first.amount_fen, first.payee_name, first.payee_relation, first.method,
            first.account_no) == (600_000, "更登", "guardian", "bank", "6228480012345678901")
    qtbot.waitUntil(lambda: case.payments.rowCount() == 1)
    assert "¥4,000.00" in case.totals.text()

    # 5,000 more is more than is left: refused beside the amount, nothing recorded.
    case.pay_button.click()
    again = opened.pop()
    show_active(qtbot, again)
    assert again.amount.text() == "4000.00"
    type_text(qtbot, again.amount.edit, "5000")
    qtbot.keyClick(again, Qt.Key.Key_S, CTRL)
    assert again.errors.text("amount") == "超过了尚未发放的金额：¥4,000.00。"
    assert again.result() != QDialog.DialogCode.Accepted
    assert len(asked) == 2  # refused before anything was asked
    assert len(aid.aid_case_detail(store, case_id).payments) == 1
    again.reject()


def test_the_rest_paid_in_cash_then_reversed_as_a_mistake(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog], monkeypatch) -> None:
    from ui.aid.payment_dialog import ReverseDialog

    store, case_id = office.store, _paid_to_the_guardian(office)
    _window, case = _case_dialog(qtbot, opened, office, office.procurator, case_id)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    case.pay_button.click()
    rest = opened.pop()
    show_active(qtbot, rest)
    assert rest.amount.text() == "4000.00"
    qtbot.keyClick(rest, Qt.Key.Key_S, CTRL)
    assert rest.result() == QDialog.DialogCode.Accepted, rest.message.text()
    assert aid.aid_case_detail(store, case_id).payment_state == "fully"
    qtbot.waitUntil(lambda: case.payments.rowCount() == 2)
    assert not case.pay_button.isEnabled()
    case.payments.selectRow(1)
    assert case.reverse_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *a, **k: (
        asked.append(text) or QMessageBox.StandardButton.Yes))
    case.reverse_button.click()
    reverse = opened.pop()
    assert isinstance(reverse, ReverseDialog)
    show_active(qtbot, reverse)
    reverse.reverse_button.click()
    assert reverse.errors.text("reason") == "请填写理由。" and not asked
    type_text(qtbot, reverse.reason, "现金未实际发放，记录有误。")
    reverse.reverse_button.click()
    assert len(asked) == 1 and reverse.result() == QDialog.DialogCode.Accepted
    detail = aid.aid_case_detail(store, case_id)
    assert detail.paid_fen == 600_000 and detail.payment_state == "partly"
    assert [p.amount_fen for p in detail.payments] == [600_000, 400_000, -400_000]
    assert detail.payments[1].reversed
    qtbot.waitUntil(lambda: case.payments.rowCount() == 3)
    assert case.pay_button.isEnabled()
    case.payments.selectRow(2)
    assert not case.reverse_button.isEnabled() and not case.receipt_button.isEnabled()


def test_the_guardians_receipt_in_capital_numerals_and_the_case_relabelled_in_tibetan(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog], tmp_path: Path, monkeypatch) -> None:
    from ui.widgets.paper_preview import PaperPreview

    store, case_id = office.store, _paid_to_the_guardian(office)
    cash = aid.pay(store, aid.PaymentInput(case_id, "4000", payee_name="扎西才让"),
                   office.procurator)
    aid.reverse(store, cash, "现金未实际发放，记录有误。", office.procurator)
    window, case = _case_dialog(qtbot, opened, office, office.procurator, case_id)
    saved: list[Path] = []

    def print_it(preview: PaperPreview) -> int:
        path = tmp_path / f"paper{len(saved)}.pdf"
        preview.save_to(path)
        saved.append(path)
        return 0

    monkeypatch.setattr(PaperPreview, "exec", print_it)
    case.payments.selectRow(0)
    case.receipt_button.click()  # drawn on the worker, then previewed
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=30_000)
    text = "".join(pdf_text(saved[-1].read_bytes()).split())
    assert "陆仟元整" in text and "更登" in text
    case.notice_button.click()
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=30_000)
    assert saved[-1].read_bytes().startswith(b"%PDF")

    listing = window.browser.toPlainText()
    assert "核减后批准" in listing and "部分发放" in listing and "¥6,000.00" in listing

    # Switching to Tibetan re-labels the open case at once.
    language = LanguageManager()
    language.install("zh")
    language.set_mode("bo")
    qtbot.waitUntil(lambda: TIBETAN.search(case.totals.text()) is not None)
    assert TIBETAN.search(case.payments.item(0, 2).text())  # the payee's relation
    assert not CHINESE.search(case.close_button.text())


def test_only_a_leader_changes_the_aid_rule(qtbot, office: Office) -> None:  # type: ignore[no-untyped-def]
    from ui.aid.rules_dialog import AidRulesDialog

    application()
    clerkish = AidRulesDialog(tasks_for(office.store), office.office_id, office.procurator)
    show_active(qtbot, clerkish)
    assert clerkish.amount.text() == "30000.00" and not clerkish.save_button.isEnabled()
    assert clerkish.message.text()  # says who may change it
    _retype(qtbot, clerkish.amount.edit, "5000")
    qtbot.keyClick(clerkish, Qt.Key.Key_S, CTRL)
    assert aid.chief_threshold(office.store, office.office_id) == 3_000_000

    deputy = AidRulesDialog(tasks_for(office.store), office.office_id, office.deputy)
    show_active(qtbot, deputy)
    _retype(qtbot, deputy.amount.edit, "12.345")
    qtbot.keyClick(deputy, Qt.Key.Key_S, CTRL)
    assert deputy.errors.text("threshold") == "金额最多保留两位小数（到分）。"
    _retype(qtbot, deputy.amount.edit, "20000")
    qtbot.keyClick(deputy, Qt.Key.Key_S, CTRL)
    assert aid.chief_threshold(office.store, office.office_id) == 2_000_000
    assert deputy.current.text() == "¥20,000.00"
