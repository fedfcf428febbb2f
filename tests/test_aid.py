"""Judicial aid: approval rules, exact money, payments never above the approval (also from two
sessions at once and with the application's check bypassed), reversing entries, figures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.aid import cases as aid
from app.aid.cases import AidProposal, PaymentInput
from app.core.errors import AppError, InvalidInputError, RefusedError, ValidationError
from app.core.money import capital, parse_amount, tibetan_words
from app.core.store import Store
from models import AidPayment
from models.aid import PAID_ABOVE_APPROVED, REVERSAL_NOT_ONE_PAYMENT, ZERO_PAYMENT
from tests.helpers import AidOffice as Office
from tests.helpers import aid_office, refused
from tests.stores import open_test_store

NOW = datetime(2026, 11, 20, 10, 0)
TODAY = date(2026, 11, 26)


@pytest.fixture
def office(store: Store) -> Office:
    return aid_office(store, now=NOW)


def _propose(o: Office, amount: str = "12000", by: str = "") -> str:
    return aid.propose(o.store, AidProposal(
        o.petition_id, [o.person_id], "poor", "家庭生活困难，工程款被拖欠。", amount,
        "符合国家司法救助条件。"), by or o.procurator, today=TODAY)


def _payment(case_id: str, amount: str, **changes: str) -> PaymentInput:
    data = PaymentInput(case_id, amount, "2026-11-25", "扎西才让", "self")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


@pytest.mark.parametrize(("text", "fen"), [
    ("12000", 1_200_000), ("12,000.5", 1_200_050), ("¥3000", 300_000), ("3000元", 300_000),
    ("１２０００", 1_200_000), (" 0.01 ", 1), ("999999.99", 99_999_999)])
def test_amounts_are_read_exactly(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(("text", "message"), [
    ("", "Please enter an amount."), ("abc", "not an amount"), ("-500", "cannot be negative"),
    ("0", "more than zero"), ("0.00", "more than zero"), ("12.345", "at most two decimals"),
    ("1e5", "not an amount"), ("12,00", "not an amount"), ("100000000", "too large"),
    ("nan", "not an amount"), ("1.2.3", "not an amount")])
def test_bad_amounts_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_amount(text)


def test_capital_numerals() -> None:
    assert capital(1_200_000) == "壹万贰仟元整"
    assert capital(3_012_345) == "叁万零壹佰贰拾叁元肆角伍分"


@pytest.mark.parametrize(("fen", "words"), [  # written out by hand
    (1_500_000, "སྒོར་མོ་ཁྲི་ཕྲག་གཅིག་དང་སྟོང་ཕྲག་ལྔ"),
    (2_000_000, "སྒོར་མོ་ཁྲི་ཕྲག་གཉིས"),
    (1_200, "སྒོར་མོ་བཅུ་གཉིས"),
    (1_500, "སྒོར་མོ་བཅོ་ལྔ"),
    (2_100, "སྒོར་མོ་ཉེར་གཅིག"),
    (4_500, "སྒོར་མོ་ཞེ་ལྔ"),
    (8_000, "སྒོར་མོ་བརྒྱད་ཅུ"),
    (9_900, "སྒོར་མོ་གོ་དགུ"),
    (25_000, "སྒོར་མོ་བརྒྱ་ཕྲག་གཉིས་དང་ལྔ་བཅུ"),
    (10_050, "སྒོར་མོ་བརྒྱ་ཕྲག་གཅིག་དང་ཞོ་ལྔ"),
    (3_012_345, "སྒོར་མོ་ཁྲི་ཕྲག་གསུམ་དང་བརྒྱ་ཕྲག་གཅིག་དང་ཉེར་གསུམ་དང་ཞོ་བཞི་དང་སྐར་མ་ལྔ"),
    (100_000_000, "སྒོར་མོ་ས་ཡ་གཅིག"),
    (7, "སྐར་མ་བདུན"),
])
def test_tibetan_words_for_an_amount(fen: int, words: str) -> None:
    assert tibetan_words(fen) == words


def test_bad_proposal_saves_nothing(office: Office) -> None:
    with pytest.raises(InvalidInputError) as caught:
        aid.propose(office.store, AidProposal(office.petition_id, [], "rich", " ", "-1", ""),
                    office.procurator, today=TODAY)
    assert {p.field for p in caught.value.problems} == {
        "eligibility", "person_ids", "facts", "amount", "reasons"}
    assert aid.aid_cases_of(office.store, office.petition_id) == []


def test_approval_rules(office: Office) -> None:
    case = _propose(office, "12000")
    with pytest.raises(AppError, match="Only the chief procurator or a deputy"):
        aid.decide(office.store, case, "approved", office.procurator, now=NOW)
    with pytest.raises(InvalidInputError):  # a refusal needs its reason
        aid.decide(office.store, case, "refused", office.deputy, now=NOW)
    with pytest.raises(InvalidInputError, match="correct"):  # more than proposed
        aid.decide(office.store, case, "reduced", office.deputy, "15000", "核减", now=NOW)
    aid.decide(office.store, case, "reduced", office.deputy, "8000", "部分损失已获赔偿",
               now=NOW)
    detail = aid.aid_case_detail(office.store, case)
    assert (detail.status, detail.approved_fen) == ("reduced", 800_000)
    assert detail.decisions[0].decided_by_zh == "才让" and detail.decisions[0].reason
    with pytest.raises(AppError, match="already been decided"):
        aid.decide(office.store, case, "approved", office.chief, now=NOW)


def test_own_proposal_and_the_chiefs_threshold(office: Office) -> None:
    own = _propose(office, "5000", by=office.deputy)
    with pytest.raises(AppError, match="You proposed this aid"):
        aid.decide(office.store, own, "approved", office.deputy, now=NOW)
    with pytest.raises(AppError, match="can change this rule"):
        aid.set_chief_threshold(office.store, office.office_id, "20000", office.procurator)
    aid.set_chief_threshold(office.store, office.office_id, "20000", office.chief)
    large = _propose(office, "25000")
    with pytest.raises(AppError, match="needs the chief procurator"):
        aid.decide(office.store, large, "approved", office.deputy, now=NOW)
    aid.decide(office.store, large, "reduced", office.deputy, "20000", "按标准核定", now=NOW)
    larger = _propose(office, "30000")
    aid.decide(office.store, larger, "approved", office.chief, now=NOW)
    assert aid.aid_case_detail(office.store, larger).approved_fen == 3_000_000


def test_payments_never_exceed_the_approval(office: Office) -> None:
    case = _propose(office, "10000")
    with pytest.raises(AppError, match="not been approved"):
        aid.pay(office.store, _payment(case, "100"), office.procurator, today=TODAY)
    aid.decide(office.store, case, "approved", office.chief, now=NOW)
    with pytest.raises(InvalidInputError, match="correct"):  # paid before it was approved
        aid.pay(office.store, _payment(case, "100", paid_on="2026-11-19"), office.procurator,
                today=TODAY)
    first = aid.pay(office.store, _payment(case, "6000"), office.procurator, today=TODAY)
    with pytest.raises(InvalidInputError) as caught:
        aid.pay(office.store, _payment(case, "4000.01"), office.procurator, today=TODAY)
    assert caught.value.problems[0].params["amount"] == "¥4,000.00"
    aid.pay(office.store, _payment(case, "4000", payee_name="拉毛", payee_relation="guardian",
                                   method="bank", bank_name="青海省农村信用社",
                                   account_no="6230 5800 0012 3456 789"),
            office.procurator, today=TODAY)
    detail = aid.aid_case_detail(office.store, case)
    assert (detail.paid_fen, detail.remaining_fen, detail.payment_state) == (
        1_000_000, 0, "fully")
    assert detail.payments[1].account_no == "6230580000123456789"
    assert first == detail.payments[0].id


def test_bad_payment_input_is_refused_whole(office: Office) -> None:
    case = _propose(office, "10000")
    aid.decide(office.store, case, "approved", office.chief, now=NOW)
    bad = _payment(case, "12.345", paid_on="2027-01-01", payee_name=" ", method="bank",
                   account_no="12ab", payee_id_number="632624198503120013")
    with pytest.raises(InvalidInputError) as caught:
        aid.pay(office.store, bad, office.procurator, today=TODAY)
    assert {p.field for p in caught.value.problems} == {
        "amount", "paid_on", "payee_name", "bank_name", "account_no", "payee_id_number"}
    assert aid.aid_case_detail(office.store, case).payments == []


def test_the_database_refuses_an_overpayment_whatever_the_code_path(office: Office) -> None:
    case = _propose(office, "1000")
    aid.decide(office.store, case, "approved", office.chief, now=NOW)
    aid.pay(office.store, _payment(case, "800"), office.procurator, today=TODAY)

    def raw(amount_fen: int, reverses: str | None = None) -> None:
        with office.store.write() as session:
            session.add(AidPayment(aid_case_id=case, amount_fen=amount_fen, paid_on="2026-11-25",
                                   payee_name="x", payee_relation="self", method="cash",
                                   paid_by=office.procurator, reverses_id=reverses))

    # Each refusal leaves the write as its own message (app.core.refusals), never as an
    # "unexpected problem".
    for amount, guard, shown in (
            (20_001, PAID_ABOVE_APPROVED, "此笔发放将使发放总额超过批准金额。"),
            (0, ZERO_PAYMENT, None),
            (-100, REVERSAL_NOT_ONE_PAYMENT, "该笔发放已经冲销。")):  # -100 reverses nothing
        with pytest.raises(RefusedError) as refused:
            raw(amount)
        assert refused.value.guard == guard
        assert isinstance(refused.value.__cause__, IntegrityError)
        if shown is not None:
            assert refused.value.translated() == shown
    with office.store.write() as session:
        payment = session.scalars(select(AidPayment)).one()
        payment.amount_fen = 1
        with pytest.raises(IntegrityError, match="append-only"):
            session.flush()


def test_two_sessions_paying_at_once_cannot_overpay(office: Office) -> None:
    case = _propose(office, "1000")
    aid.decide(office.store, case, "approved", office.chief, now=NOW)
    second = open_test_store(office.store.paths)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def pay(store: Store) -> None:
        barrier.wait()
        try:
            aid.pay(store, _payment(case, "600"), office.procurator, today=TODAY)
            results.append("paid")
        except AppError as error:
            results.append(error.translated())

    threads = [threading.Thread(target=pay, args=(s,)) for s in (office.store, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    assert len(results) == 2 and results.count("paid") == 1  # the other is told why
    assert aid.aid_case_detail(office.store, case).paid_fen == 60_000


def test_two_sessions_with_the_check_bypassed_still_cannot_overpay(office: Office) -> None:
    """Both sessions validate first; the database refuses the one that commits second."""
    case = _propose(office, "1000")
    aid.decide(office.store, case, "approved", office.chief, now=NOW)
    second = open_test_store(office.store.paths)
    try:
        checks = []
        for store in (office.store, second):
            with store.read() as session:
                checks.append(aid._paid(session, case) + 60_000 <= 100_000)
        assert checks == [True, True]
        outcomes = []
        for store in (office.store, second):
            try:
                with store.write() as session:
                    session.add(AidPayment(aid_case_id=case, amount_fen=60_000,
                                           paid_on="2026-11-25", payee_name="x",
                                           payee_relation="self", method="cash",
                                           paid_by=office.procurator))
                outcomes.append("saved")
            except RefusedError:
                outcomes.append("refused")
        assert outcomes == ["saved", "refused"]
    finally:
        second.close()
    with office.store.read() as session:
        assert session.scalar(select(func.sum(AidPayment.amount_fen))) == 60_000


def test_a_wrong_payment_is_reversed_never_edited(office: Office) -> None:
    case = _propose(office, "10000")
    aid.decide(office.store, case, "approved", office.chief, now=NOW)
    wrong = aid.pay(office.store, _payment(case, "10000", payee_name="错人"), office.procurator,
                    today=TODAY)
    with pytest.raises(InvalidInputError):
        aid.reverse(office.store, wrong, " ", office.procurator, today=TODAY)
    reversal = aid.reverse(office.store, wrong, "领款人填错", office.procurator, today=TODAY)
    with pytest.raises(AppError, match="already been reversed"):
        aid.reverse(office.store, wrong, "again", office.procurator, today=TODAY)
    with pytest.raises(AppError, match="cannot itself be reversed"):
        aid.reverse(office.store, reversal, "again", office.procurator, today=TODAY)
    aid.pay(office.store, _payment(case, "10000"), office.procurator, today=TODAY)
    detail = aid.aid_case_detail(office.store, case)
    assert [p.amount_fen for p in detail.payments] == [1_000_000, -1_000_000, 1_000_000]
    assert detail.payments[0].reversed and detail.payments[1].reverses_id == wrong
    assert detail.paid_fen == 1_000_000 and detail.payments[0].payee_name == "错人"


def test_figures_per_period_and_group(office: Office) -> None:
    paid = _propose(office, "10000")
    aid.decide(office.store, paid, "approved", office.chief, now=NOW)
    aid.pay(office.store, _payment(paid, "6000", paid_on="2026-11-22"), office.procurator,
            today=TODAY)
    wrong = aid.pay(office.store, _payment(paid, "1000", paid_on="2026-11-23"),
                    office.procurator, today=TODAY)
    aid.reverse(office.store, wrong, "重复", office.procurator, today=TODAY)
    refused = _propose(office, "5000")
    aid.decide(office.store, refused, "refused", office.chief, reason="不符合条件", now=NOW)
    figures = aid.figures(office.store, office.office_id, date(2026, 11, 1), date(2026, 11, 30))
    assert (figures.cases_proposed, figures.cases_approved, figures.cases_refused) == (2, 1, 1)
    assert figures.paid_fen == 600_000 and figures.paid_by_group == {"poor": 600_000}
    assert figures.persons_aided == 1 and figures.persons_by_group == {"poor": 1}
    october = aid.figures(office.store, office.office_id, date(2026, 10, 1), date(2026, 10, 31))
    assert october.paid_fen == 0 and october.cases_proposed == 0


@pytest.fixture
def in_xining(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The laptop's clock in China Standard Time (UTC+8), whatever the test machine's zone."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_moments_are_stored_in_utc_and_shown_in_local_time(office: Office,
                                                            in_xining: None) -> None:
    """An aid decision, a history line and an attachment are stamped in UTC with the offset,
    like every other stamp; they read back in local time, and a value written before (naive,
    local) still reads as it was. A decision at 07:30 in Xining is 23:30 UTC the day before:
    it still counts, and allows payments, on its own local day."""
    from datetime import timedelta

    from PIL import Image

    from app.hearings import attachments
    from app.hearings import record as hearings
    from app.hearings.record import HearingInput
    from app.petitions.detail import petition_detail
    from models import Activity, AidDecision, Attachment

    case = _propose(office, "1000")
    morning = datetime(2026, 11, 24, 7, 30)  # local time, as a person reads the clock
    aid.decide(office.store, case, "approved", office.chief, now=morning)
    with office.store.read() as session:
        stored = session.scalars(select(AidDecision.decided_at)).one()
    assert stored == "2026-11-23T23:30:00+00:00"
    (shown,) = aid.aid_case_detail(office.store, case).decisions
    assert shown.decided_at == "2026-11-24T07:30"
    day = date(2026, 11, 24)
    assert aid.figures(office.store, office.office_id, day, day).cases_approved == 1
    aid.pay(office.store, _payment(case, "100", paid_on="2026-11-24"), office.procurator,
            today=TODAY)

    with office.store.write() as session:  # a history line written before, naive local time
        session.add(Activity(petition_id=office.petition_id, at="2026-11-24T07:00:00",
                             device_id=office.store.device_id, action="old", detail=""))
    history = petition_detail(office.store, office.petition_id).history
    lines = {h.action: h.at for h in history}
    assert lines["old"] == "2026-11-24T07:00:00"
    written = datetime.fromisoformat(lines["aid_approved"])  # written now, shown in local time
    assert abs(written - datetime.now()) < timedelta(minutes=5)
    assert [h.at for h in history] == sorted(h.at for h in history)
    with office.store.read() as session:
        assert all(a.at.endswith("+00:00") for a in session.scalars(select(Activity))
                   if a.action != "old")

    photo = office.store.paths.data_dir.parent / "scan.png"
    Image.new("RGB", (300, 200), "white").save(photo)
    hearing = hearings.record_hearing(office.store, HearingInput(
        petition_id=office.petition_id, kind="public", held_at="2026-11-22T10:00",
        place="听证室", host_id=office.procurator, party_ids=[office.person_id]))
    attachments.add_attachment(office.store, office.store.paths, "hearing", hearing, photo,
                               now=morning + timedelta(minutes=5))
    with office.store.read() as session:
        assert session.scalars(select(Attachment.added_at)).one() == "2026-11-23T23:35:00+00:00"
    (row,) = attachments.attachments_of(office.store, office.store.paths, "hearing", hearing)
    assert row.added_at == "2026-11-24T07:35"


def test_what_the_aid_window_offers_is_what_app_allows(office: Office) -> None:
    """The aid case window enables deciding, approving in full, paying and reversing from
    ``aid_rules``; each use case refuses, with the window's reason and changing nothing, what
    the window would not offer."""
    store = office.store
    aid.set_chief_threshold(store, office.office_id, "10000", office.chief)
    case = _propose(office, "12000")

    def actions(staff_id: str) -> frozenset[str]:
        return aid.aid_rules(store, case, staff_id).actions

    assert actions(office.procurator) == frozenset()  # the proposer, and no leader
    assert actions(office.deputy) == {aid.DECIDE}  # above the deputies' limit
    assert actions(office.chief) == {aid.DECIDE, aid.APPROVE_IN_FULL}
    refused(store, aid.NOT_A_DECIDER, aid.decide, case, "approved", office.procurator,
            now=NOW)
    refused(store, aid.ABOVE_THRESHOLD, aid.decide, case, "approved", office.deputy, now=NOW)
    refused(store, aid.NOT_APPROVED, aid.pay, _payment(case, "100"), office.procurator,
            today=TODAY)
    refused(store, "Only the chief procurator or a deputy chief procurator of this office can "
            "change this rule.", aid.set_chief_threshold, office.office_id, "50000",
            office.procurator)
    own = _propose(office, "5000", by=office.deputy)
    assert aid.DECIDE not in aid.aid_rules(store, own, office.deputy).actions
    refused(store, aid.OWN_PROPOSAL, aid.decide, own, "approved", office.deputy, now=NOW)

    aid.decide(store, case, "approved", office.chief, now=NOW)
    assert actions(office.chief) == actions(office.procurator) == {aid.PAY}
    refused(store, aid.ALREADY_DECIDED, aid.decide, case, "refused", office.deputy,
            reason="x", now=NOW)
    paid = aid.pay(store, _payment(case, "12000"), office.procurator, today=TODAY)
    rules = aid.aid_rules(store, case, office.procurator)
    assert rules.actions == frozenset() and rules.reversible == {paid}
    refused(store, aid.PAID_IN_FULL, aid.pay, _payment(case, "1"), office.procurator,
            today=TODAY)
    reversal = aid.reverse(store, paid, "领款人填错", office.procurator, today=TODAY)
    rules = aid.aid_rules(store, case, office.procurator)
    assert rules.actions == {aid.PAY} and rules.reversible == frozenset()
    refused(store, aid.ALREADY_REVERSED, aid.reverse, paid, "again", office.procurator,
            today=TODAY)
    refused(store, aid.REVERSING_ENTRY, aid.reverse, reversal, "again", office.procurator,
            today=TODAY)
