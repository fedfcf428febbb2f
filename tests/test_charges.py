"""Leaders in charge (领导包案, issue 17 point 4): a leader takes charge of a petition or of a key
petitioner's matter, notes progress, asks for a later deadline that only the chief procurator
approves (the deadline moves only then), and closes the charge with its result; 包案率 and
包案化解率 counted by hand on records built here."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.accounts import login
from app.audit.trail import Action
from app.core import access, duties
from app.core.access import Permission
from app.core.errors import FUTURE_DAY, AppError, InvalidInputError
from app.core.store import Store
from app.ledger import charges, entries, levels
from app.ledger.charges import ChargeInput
from app.ledger.entries import EntryInput
from app.persons.records import PersonInput
from app.petitions import editing
from app.petitions.detail import petition_detail
from app.statistics import measures
from app.statistics.measures import Scope
from app.statistics.periods import parse_period
from models import AuditEntry, Petition, PetitionParty
from tests.helpers import AidOffice, every_role, petition, refused, register

REGISTERED = datetime(2026, 12, 1, 9, 0)
TODAY = date(2026, 12, 1)
AS_OF = date(2026, 12, 31)
YEAR = parse_period("2026")


@pytest.fixture
def office(store: Store) -> tuple[AidOffice, dict[str, str]]:
    return every_role(store, now=REGISTERED)


def _charge(base: AidOffice, leader: str, **changes: str) -> ChargeInput:
    data = ChargeInput(leader_id=leader, plan="约谈申诉人，协调乡政府解决草场纠纷",
                       deadline="2026-12-20", taken_on="2026-11-25",
                       petition_id=base.petition_id)
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def _petition_row(store: Store, petition_id: str) -> Petition:
    with store.read() as session:
        found = session.get(Petition, petition_id)
        assert found is not None
        session.expunge(found)
        return found


def test_a_leader_takes_charge_and_the_petition_names_them(
        office: tuple[AidOffice, dict[str, str]]) -> None:
    base, by_role = office
    store = base.store
    # Only a leader may lead: a procurator or a clerk is refused, and so is nobody at all.
    for role in ("procurator", "clerk"):
        refused(store, duties.NOT_ELIGIBLE[duties.LEAD], charges.take_charge,
                _charge(base, by_role[role]), today=TODAY)
    refused(store, charges.LEADER_NEEDED, charges.take_charge, _charge(base, ""), today=TODAY)
    refused(store, charges.PLAN_NEEDED, charges.take_charge,
            _charge(base, base.deputy, plan="  "), today=TODAY)
    refused(store, charges.DEADLINE_AFTER, charges.take_charge,
            _charge(base, base.deputy, deadline="2026-11-25"), today=TODAY)
    refused(store, charges.ONE_TARGET, charges.take_charge,
            _charge(base, base.deputy, entry_id="x"), today=TODAY)
    charge = charges.take_charge(store, _charge(base, base.deputy), today=TODAY)
    assert _petition_row(store, base.petition_id).leader_id == base.deputy
    history = petition_detail(store, base.petition_id).history
    assert any(h.action == "edited" and "leader_id" in h.detail for h in history)
    # One open charge at a time; the petition's leader changes with the charge only.
    refused(store, charges.ALREADY_IN_CHARGE, charges.take_charge,
            _charge(base, by_role["head"]), today=TODAY)
    edit = editing.petition_edit(store, base.petition_id)
    edit.leader_id = by_role["head"]
    with pytest.raises(InvalidInputError) as caught:
        editing.edit_petition(store, base.petition_id, edit)
    assert [p.message for p in caught.value.problems] == [editing.IN_CHARGE]
    rows = charges.charges_of_petition(store, base.petition_id, today=TODAY)
    assert [(r.charge_id, r.leader_id, r.deadline, r.days_left, r.status) for r in rows] == [
        (charge, base.deputy, "2026-12-20", 19, "open")]
    assert rows[0].reg_no and rows[0].names_zh == "扎西才让"


def test_only_the_chief_moves_the_deadline(office: tuple[AidOffice, dict[str, str]]) -> None:
    base, by_role = office
    store = base.store
    charge = charges.take_charge(store, _charge(base, base.deputy), today=TODAY)
    refused(store, charges.ASK_LATER, charges.request_extension, charge, "2026-12-10",
            "需要更多时间", base.deputy, today=TODAY)
    refused(store, charges.REASON_NEEDED, charges.request_extension, charge, "2027-01-20", "",
            base.deputy, today=TODAY)
    asked = charges.request_extension(store, charge, "2027-01-20", "等待法院判决",
                                      base.deputy, today=TODAY)
    refused(store, charges.ONE_PENDING, charges.request_extension, charge, "2027-02-20",
            "再延", base.deputy, today=TODAY)
    # Until it is approved the deadline does not move.
    detail = charges.charge_detail(store, charge, today=TODAY)
    assert detail.row.deadline == "2026-12-20" and detail.row.extension_pending
    assert detail.pending is not None and detail.chief_ids == [base.chief]
    # The deputy (a leader, but not the chief), the head and a clerk may not decide.
    for role in ("deputy", "head", "clerk"):
        refused(store, charges.ONLY_CHIEF, charges.decide_extension, asked, True,
                by_role[role], today=TODAY)
    # Logged in, nobody decides in the chief's name.
    login.begin(store, by_role["deputy"])
    refused(store, access.IN_ANOTHERS_NAME, charges.decide_extension, asked, True, base.chief,
            today=TODAY)
    login.begin(store, base.chief)
    refused(store, charges.REFUSAL_REASON, charges.decide_extension, asked, False, base.chief,
            today=TODAY)
    charges.decide_extension(store, asked, True, base.chief, today=TODAY)
    detail = charges.charge_detail(store, charge, today=TODAY)
    assert detail.row.deadline == "2027-01-20" and not detail.row.extension_pending
    assert [(e.status, e.decided_zh, e.decided_on) for e in detail.extensions] == [
        ("approved", "更桑", "2026-12-01")]
    refused(store, charges.ALREADY_DECIDED, charges.decide_extension, asked, False,
            base.chief, "不同意", today=TODAY)
    # A refusal leaves the deadline where it was.
    again = charges.request_extension(store, charge, "2027-03-01", "当事人外出放牧",
                                      base.deputy, today=TODAY)
    charges.decide_extension(store, again, False, base.chief, "期限已足够", today=TODAY)
    detail = charges.charge_detail(store, charge, today=TODAY)
    assert detail.row.deadline == "2027-01-20"
    assert sorted(e.status for e in detail.extensions) == ["approved", "refused"]


def test_notes_and_closing_with_a_result(office: tuple[AidOffice, dict[str, str]]) -> None:
    base, by_role = office
    store = base.store
    charge = charges.take_charge(store, _charge(base, base.deputy), today=TODAY)
    refused(store, charges.NOTE_NEEDED, charges.add_note, charge, "2026-11-28", " ",
            base.deputy, today=TODAY)
    refused(store, FUTURE_DAY, charges.add_note, charge, "2026-12-02", "约谈",
            base.deputy, today=TODAY)
    charges.add_note(store, charge, "2026-11-28", "院领导约谈申诉人", base.deputy, today=TODAY)
    charges.add_note(store, charge, "2026-11-30", "协调乡政府", base.deputy, today=TODAY)
    refused(store, charges.BAD_RESULT, charges.close, charge, "gone", "化解", "2026-11-30",
            today=TODAY)
    refused(store, charges.CLOSING_NOTE_NEEDED, charges.close, charge, "resolved", "",
            "2026-11-30", today=TODAY)
    refused(store, charges.CLOSED_BEFORE, charges.close, charge, "resolved", "化解",
            "2026-11-20", today=TODAY)
    charges.close(store, charge, "passed_to_judicial", "已移送法院审理", "2026-11-30",
                  today=TODAY)
    detail = charges.charge_detail(store, charge, today=TODAY)
    assert [n.text for n in detail.notes] == ["协调乡政府", "院领导约谈申诉人"]
    assert (detail.row.status, detail.row.result, detail.row.closed_on, detail.closing_note,
            detail.row.days_left) == ("closed", "passed_to_judicial", "2026-11-30",
                                      "已移送法院审理", None)
    # Nothing more is recorded on a closed charge; a new charge may now be taken.
    refused(store, charges.IS_CLOSED, charges.add_note, charge, "2026-12-01", "回访",
            base.deputy, today=TODAY)
    refused(store, charges.IS_CLOSED, charges.close, charge, "resolved", "化解", "2026-12-01",
            today=TODAY)
    charges.take_charge(store, _charge(base, by_role["head"], taken_on="2026-12-01"),
                        today=TODAY)
    assert _petition_row(store, base.petition_id).leader_id == by_role["head"]


def test_a_leaders_cases_with_days_left_and_overdue(
        office: tuple[AidOffice, dict[str, str]]) -> None:
    base, by_role = office
    store = base.store
    late = charges.take_charge(store, _charge(base, base.deputy, deadline="2026-11-28"),
                               today=TODAY)
    other = register(store, petition("2026-11-21T10:00"), now=REGISTERED).id
    soon = charges.take_charge(store, _charge(base, base.deputy, petition_id=other),
                               today=TODAY)
    rows = charges.charges_of_leader(store, base.deputy, today=TODAY)
    assert [(r.charge_id, r.days_left, r.overdue) for r in rows] == [
        (late, -3, True), (soon, 19, False)]
    assert charges.charges_of_leader(store, by_role["head"], today=TODAY) == []
    # Today's reading is the logged-in leader's own.
    assert charges.my_charges(store, today=TODAY) == []
    login.begin(store, base.deputy)
    assert [r.charge_id for r in charges.my_charges(store, today=TODAY)] == [late, soon]
    charges.close(store, late, "resolved", "已化解", "2026-12-01", today=TODAY)
    assert [r.charge_id for r in charges.my_charges(store, today=TODAY)] == [soon]
    assert len(charges.office_charges(store, base.office_id, today=TODAY)) == 2


def test_a_key_petitioners_matter_is_the_ledgers(
        office: tuple[AidOffice, dict[str, str]]) -> None:
    base, by_role = office
    store = base.store
    entry = entries.enter(store, EntryInput(base.person_id, base.office_id, "多次上访",
                                            "2026-11-25"), today=TODAY)
    charge = charges.take_charge(store, _charge(base, base.chief, petition_id="",
                                                entry_id=entry), today=TODAY)
    assert entries.entry_detail(store, entry).leader_id == base.chief
    refused(store, charges.ALREADY_IN_CHARGE, charges.take_charge,
            _charge(base, base.deputy, petition_id="", entry_id=entry), today=TODAY)
    # The administrator may not see the ledger, nor the charges on it.
    login.begin(store, by_role["admin"])
    refused(store, access.NOT_PERMITTED[Permission.DAILY_WORK], charges.add_note, charge,
            "2026-11-30", "约谈", today=TODAY)
    with pytest.raises(AppError):
        charges.charge_detail(store, charge, today=TODAY)
    assert charges.office_charges(store, base.office_id, today=TODAY) == []
    # A clerk sees it, and the reading is recorded.
    login.begin(store, by_role["clerk"])
    rows = charges.office_charges(store, base.office_id, today=TODAY)
    assert [(r.entry_id, r.names_zh, r.about) for r in rows] == [(entry, "扎西才让", "多次上访")]
    with store.read() as session:
        seen = session.scalars(select(AuditEntry).where(
            AuditEntry.action == Action.VIEWED, AuditEntry.tbl == "leader_charge")).all()
    assert len(seen) == 1
    # Read again (Today reads on every change): the same reading is recorded once a day; one
    # that shows another key petitioner is recorded anew.
    charges.office_charges(store, base.office_id, today=TODAY)
    login.begin(store, base.chief)
    other = register(store, petition(datetime(2026, 11, 20, 10, 0),
                                     persons=[_person("卓玛")]), now=REGISTERED)
    with store.read() as session:
        person_id = session.scalars(select(PetitionParty.person_id).where(
            PetitionParty.petition_id == other.id)).one()
    second = entries.enter(store, EntryInput(person_id, base.office_id, "越级上访",
                                             "2026-11-26"), today=TODAY)
    charges.take_charge(store, _charge(base, base.chief, petition_id="", entry_id=second),
                        today=TODAY)
    login.begin(store, by_role["clerk"])
    charges.office_charges(store, base.office_id, today=TODAY)
    charges.office_charges(store, base.office_id, today=TODAY)
    with store.read() as session:
        seen = session.scalars(select(AuditEntry).where(
            AuditEntry.action == Action.VIEWED, AuditEntry.tbl == "leader_charge")).all()
    assert len(seen) == 2


def _person(name_zh: str) -> PersonInput:
    return PersonInput(name_zh=name_zh, sex="M", ethnicity="04", county="达日县")


def _figures(store: Store, office_id: str) -> measures.Figures:
    return measures.statistics(store, YEAR, Scope((office_id,)), as_of=AS_OF)


def test_charge_rates_counted_by_hand(office: tuple[AidOffice, dict[str, str]]) -> None:
    """By hand, for 2026, with the office's default setting (repeat petitions and red or yellow
    key petitioners' petitions, taken into case handling):
    P1 扎西 (the base petition, first, accepted): not in scope; charged, open, overdue.
    P2 卓玛 (repeat, accepted, 2026-03): in scope; charged, closed resolved.
    P3 多杰 (repeat, accepted, 2026-04): in scope; not charged.
    P4 索南 (repeat, pointed elsewhere): not in scope.
    P5 拉毛 (first, accepted, 2026-05), red key petitioner: in scope; charged by her entry,
       closed partly resolved.
    P6 桑杰 (repeat, accepted, 2025-06): last year; charged in 2025, resolved.
    卓玛, 多杰, 索南 and 桑杰 each petitioned first in January 2025 (not in scope).
    包案率 2 of 3 = 66.67%; charges taken in 2026: 3, resolved 1 = 33.33%, overdue 1.
    With every accepted petition in scope: P1, P2, P3, P5: 3 of 4 = 75%; with only key
    petitioners': P5: 1 of 1 = 100%."""
    base, _by_role = office
    store = base.store
    office_id = base.office_id

    def reg(when: str, name: str, again: bool = False, **changes: object) -> str:
        """A petition of ``name``; ``again``: a repeat, after a first one in January 2025."""
        existing = None
        if again:
            first = reg("2025-01-10T10:00", name)
            existing = petition_detail(store, first).parties[0].person_id
        person = _person(name)
        person.existing_id = existing
        done = register(store, petition(when, persons=[person], **changes), now=REGISTERED)
        assert done.is_repeat == again
        return done.id

    p2 = reg("2026-03-01T10:00", "卓玛", again=True)
    reg("2026-04-01T10:00", "多杰", again=True)
    reg("2026-04-02T10:00", "索南", again=True, jurisdiction="refer",
        referral_body="达日县人民法院")
    p5 = reg("2026-05-01T10:00", "拉毛")
    p6 = reg("2025-06-01T10:00", "桑杰", again=True)
    lhamo = petition_detail(store, p5).parties[0].person_id
    entry = entries.enter(store, EntryInput(lhamo, office_id, "扬言进京", "2026-04-20"),
                          today=TODAY)
    levels.set_level(store, entry, "red", "扬言到北京上访", now=REGISTERED)

    def take(taken: str, deadline: str, petition_id: str = "", entry_id: str = "") -> str:
        return charges.take_charge(store, ChargeInput(base.deputy, "包案化解", deadline, taken,
                                                      petition_id, entry_id), today=TODAY)

    charges.take_charge(store, _charge(base, base.chief, taken_on="2026-11-21",
                                       deadline="2026-11-30"), today=TODAY)
    charges.close(store, take("2026-03-05", "2026-06-05", p2), "resolved", "息诉", "2026-05-01",
                  today=TODAY)
    charges.close(store, take("2026-04-25", "2026-07-25", entry_id=entry), "partly",
                  "部分化解", "2026-07-01", today=TODAY)
    charges.close(store, take("2025-06-05", "2025-09-05", p6), "resolved", "化解",
                  "2025-08-01", today=TODAY)

    got = _figures(store, office_id)
    assert {k: got.current[k] for k in ("charge_due", "charged", "charges_taken",
                                        "charges_resolved", "charges_overdue")} == {
        "charge_due": 3, "charged": 2, "charges_taken": 3, "charges_resolved": 1,
        "charges_overdue": 1}
    assert (got.base["charge_due"], got.base["charged"], got.base["charges_taken"],
            got.base["charges_resolved"]) == (1, 1, 1, 1)
    assert measures.percent(got.current["charged"], got.current["charge_due"]) == \
        measures.percent(2, 3)
    assert str(measures.percent(2, 3)) == "66.67"
    assert str(measures.percent(got.current["charges_resolved"],
                                got.current["charges_taken"])) == "33.33"
    charges.set_charge_scope(store, office_id, "accepted")
    got = _figures(store, office_id)
    assert (got.current["charge_due"], got.current["charged"]) == (4, 3)
    charges.set_charge_scope(store, office_id, "key")
    got = _figures(store, office_id)
    assert (got.current["charge_due"], got.current["charged"]) == (1, 1)
    with pytest.raises(AppError):
        charges.set_charge_scope(store, office_id, "everything")
    # The rates are in the statistics tables, with the measures behind them.
    rows = {r.key for t in measures.TABLES for r in t.rows}
    assert {"charge_rate", "charge_resolution_rate", "charge_due", "charged"} <= rows
    assert measures.RATES["charge_rate"].denominator == "charge_due"


def test_the_record_of_what_was_done_names_the_charge(
        office: tuple[AidOffice, dict[str, str]]) -> None:
    from app.audit import reading

    base, _by_role = office
    store = base.store
    login.begin(store, base.deputy)
    charge = charges.take_charge(store, _charge(base, base.deputy), today=TODAY)
    charges.add_note(store, charge, "2026-11-30", "约谈申诉人", today=TODAY)
    number = _petition_row(store, base.petition_id).reg_no
    login.begin(store, base.chief)
    read = reading.entries_for_record(store, "leader_charge", charge)
    assert read and all(r.record.endswith(number) for r in read)
    entry = entries.enter(store, EntryInput(base.person_id, base.office_id, "多次上访",
                                            "2026-11-25"), today=TODAY)
    on_entry = charges.take_charge(store, _charge(base, base.chief, petition_id="",
                                                  entry_id=entry), today=TODAY)
    read = reading.entries_for_record(store, "leader_charge", on_entry)
    assert read and read[0].record.endswith("扎西才让")
