"""What the figures count beyond replies (app/petitions/outcomes.py): whether a petition can be
answered, its resolution, conciliation and mediation, support to sue, escalation, outside helpers
and leads passed on. Each is saved in one transaction and read back; bad input names its field
and saves nothing; a record entered by mistake becomes a tombstone; every record writes sync
versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from app.core.dump import dump_json
from app.core.errors import AppError, InvalidInputError
from app.core.store import Store
from app.hearings import agreements
from app.hearings import record as hearings
from app.hearings.record import HearingInput, OfficerInput
from app.petitions import outcomes
from app.petitions.detail import petition_detail
from app.petitions.outcomes import (
    ConciliationInput,
    EscalationInput,
    HelperInput,
    LawsuitInput,
    LeadInput,
)
from models import Conciliation, LawsuitSupport
from tests.helpers import office_with_staff, petition, register

NOW = datetime(2026, 11, 20, 10, 0)  # the petition is received on 2026-11-20 at 09:30
TODAY = date(2026, 12, 10)


@dataclass
class Case:
    store: Store
    office_id: str
    staff_id: str
    petition_id: str


@pytest.fixture
def case(store: Store) -> Case:
    office_id, staff_id = office_with_staff(store, role="procurator")
    done = register(store, petition("2026-11-20T09:30"), now=NOW)
    return Case(store, office_id, staff_id, done.id)


def _history(c: Case) -> list[tuple[str, str]]:
    return [(h.action, h.detail) for h in petition_detail(c.store, c.petition_id).history]


def _versions(store: Store, table: str) -> int:
    with store.read() as session:
        return int(session.execute(text("SELECT count(*) FROM sync_version WHERE tbl = :t"),
                                   {"t": table}).scalar() or 0)


# -- on the petition itself ----------------------------------------------------------------------
def test_unanswerable_is_set_and_taken_off(case: Case) -> None:
    outcomes.set_unanswerable(case.store, case.petition_id, "anonymous", case.staff_id)
    assert outcomes.outcomes_of(case.store, case.petition_id).unanswerable == "anonymous"
    before = dump_json(case.store)
    outcomes.set_unanswerable(case.store, case.petition_id, "anonymous", case.staff_id)
    assert dump_json(case.store) == before, "the same mark again changes nothing"
    outcomes.set_unanswerable(case.store, case.petition_id, "", case.staff_id)
    assert outcomes.outcomes_of(case.store, case.petition_id).unanswerable == ""
    assert [a for a, _d in _history(case)][-2:] == ["unanswerable", "answerable"]


def test_unknown_unanswerable_reason_is_refused(case: Case) -> None:
    before = dump_json(case.store)
    with pytest.raises(InvalidInputError) as caught:
        outcomes.set_unanswerable(case.store, case.petition_id, "lost", case.staff_id)
    assert [p.field for p in caught.value.problems] == ["unanswerable"]
    assert dump_json(case.store) == before


def test_resolution_recorded_changed_and_cleared(case: Case) -> None:
    outcomes.record_resolution(case.store, case.petition_id, "resolved", "2026-12-01",
                               case.staff_id, today=TODAY)
    found = outcomes.outcomes_of(case.store, case.petition_id)
    assert (found.resolution, found.resolved_on) == ("resolved", "2026-12-01")
    outcomes.record_resolution(case.store, case.petition_id, "settled", "2026-12-03",
                               case.staff_id, today=TODAY)
    found = outcomes.outcomes_of(case.store, case.petition_id)
    assert (found.resolution, found.resolved_on) == ("settled", "2026-12-03")
    outcomes.record_resolution(case.store, case.petition_id, "", "", case.staff_id,
                               today=TODAY)
    found = outcomes.outcomes_of(case.store, case.petition_id)
    assert (found.resolution, found.resolved_on) == ("", "")
    assert [a for a, _d in _history(case)][-3:] == ["resolved", "resolved",
                                                     "resolution_cleared"]


@pytest.mark.parametrize(("resolution", "on_date", "field"), [
    ("settled", "2026-12-11", "resolved_on"),  # in the future
    ("settled", "2026-11-19", "resolved_on"),  # before the petition
    ("settled", "2026-02-30", "resolved_on"),  # no such day
    ("settled", "", "resolved_on"),
    ("withdrawn", "2026-12-01", "resolution"),
])
def test_bad_resolution_is_refused_and_saves_nothing(case: Case, resolution: str, on_date: str,
                                                     field: str) -> None:
    before = dump_json(case.store)
    with pytest.raises(InvalidInputError) as caught:
        outcomes.record_resolution(case.store, case.petition_id, resolution, on_date,
                                   case.staff_id, today=TODAY)
    assert field in {p.field for p in caught.value.problems}
    assert dump_json(case.store) == before


# -- records hanging off the petition --------------------------------------------------------------
def test_each_kind_of_record_is_saved_and_read_back(case: Case) -> None:
    s, pid, staff = case.store, case.petition_id, case.staff_id
    conciliation = outcomes.add_conciliation(s, pid, ConciliationInput(
        "conciliation", "2026-11-28", True, "2026-12-02", "双方达成和解"), staff, today=TODAY)
    mediation = outcomes.add_conciliation(s, pid, ConciliationInput(
        "mediation", "2026-11-27"), staff, today=TODAY)
    wages = outcomes.add_lawsuit_support(s, pid, LawsuitInput(
        True, "12", "214,000.00", True, "2026-12-05", "协助劳动监察部门追回"), staff,
        today=TODAY)
    other = outcomes.add_lawsuit_support(s, pid, LawsuitInput(
        False, "", "", False, "2026-12-06"), staff, today=TODAY)
    escalation = outcomes.add_escalation(s, pid, EscalationInput(
        "abnormal", "beijing", "2026-12-01"), staff, today=TODAY)
    helper = outcomes.add_helper(s, pid, HelperInput(
        "lawyer", " 李明远 ", "2026-11-30"), staff, today=TODAY)
    lead = outcomes.add_lead_transfer(s, pid, LeadInput(
        " 达日县纪委监委 ", "2026-12-04", "村干部涉嫌优亲厚友"), staff, today=TODAY)

    found = outcomes.outcomes_of(s, pid)
    by_id = {r.id: r for r in found.records}
    assert set(by_id) == {conciliation, mediation, wages, other, escalation, helper, lead}
    assert [r.on_date for r in found.records] == sorted(r.on_date for r in found.records)
    c = by_id[conciliation]
    assert (c.kind, c.code, c.on_date, c.court_confirmed, c.confirmed_on, c.note) == (
        "conciliation", "conciliation", "2026-11-28", True, "2026-12-02", "双方达成和解")
    assert (by_id[mediation].code, by_id[mediation].court_confirmed) == ("mediation", False)
    w = by_id[wages]
    assert (w.kind, w.code, w.workers, w.amount_fen, w.with_labour_inspectorate,
            w.is_wage_claim) == ("lawsuit", "wage", 12, 21_400_000, True, True)
    o = by_id[other]
    assert (o.code, o.workers, o.amount_fen, o.is_wage_claim) == ("other", 0, 0, False)
    e = by_id[escalation]
    assert (e.kind, e.code, e.detail, e.on_date) == ("escalation", "abnormal", "beijing",
                                                     "2026-12-01")
    assert (by_id[helper].code, by_id[helper].detail) == ("lawyer", "李明远")
    assert (by_id[lead].detail, by_id[lead].note) == ("达日县纪委监委", "村干部涉嫌优亲厚友")
    actions = [a for a, _d in _history(case)]
    assert actions.count("conciliation") == 2 and actions.count("lawsuit_support") == 2
    assert {"escalation", "helper", "lead_transfer"} <= set(actions)
    assert ("lawsuit_support", "12 21400000") in _history(case)


def _conciliation(**changes: object) -> ConciliationInput:
    data = ConciliationInput("conciliation", "2026-11-28")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def _lawsuit(**changes: object) -> LawsuitInput:
    data = LawsuitInput(True, "5", "38500", False, "2026-12-05")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


Adder = Callable[[Store, str, str], object]
BAD: list[tuple[str, Adder, str]] = [
    ("conciliation in the future", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(concluded_on="2026-12-11"), st, today=TODAY), "concluded_on"),
    ("conciliation before the petition", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(concluded_on="2026-11-19"), st, today=TODAY), "concluded_on"),
    ("conciliation without a date", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(concluded_on=""), st, today=TODAY), "concluded_on"),
    ("unknown kind", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(kind="arbitration"), st, today=TODAY), "kind"),
    ("court confirmation on a mediation", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(kind="mediation", court_confirmed=True, confirmed_on="2026-12-01"),
        st, today=TODAY), "court_confirmed"),
    ("confirmed before it was reached", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(court_confirmed=True, confirmed_on="2026-11-25"), st, today=TODAY),
     "confirmed_on"),
    ("confirmed without a date", lambda s, p, st: outcomes.add_conciliation(
        s, p, _conciliation(court_confirmed=True, confirmed_on=""), st, today=TODAY),
     "confirmed_on"),
    ("negative amount", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(recovered="-38500"), st, today=TODAY), "recovered"),
    ("zero amount", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(recovered="0"), st, today=TODAY), "recovered"),
    ("garbage amount", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(recovered="三万八"), st, today=TODAY), "recovered"),
    ("three decimals", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(recovered="38500.125"), st, today=TODAY), "recovered"),
    ("no workers", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(workers="0"), st, today=TODAY), "workers"),
    ("workers as text", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(workers="five"), st, today=TODAY), "workers"),
    ("workers missing", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(workers=" "), st, today=TODAY), "workers"),
    ("wages concluded in the future", lambda s, p, st: outcomes.add_lawsuit_support(
        s, p, _lawsuit(concluded_on="2026-12-31"), st, today=TODAY), "concluded_on"),
    ("escalation to nowhere", lambda s, p, st: outcomes.add_escalation(
        s, p, EscalationInput("upward", "moon", "2026-12-01"), st, today=TODAY), "level"),
    ("escalation kind unknown", lambda s, p, st: outcomes.add_escalation(
        s, p, EscalationInput("sideways", "province", "2026-12-01"), st, today=TODAY), "kind"),
    ("escalation before the petition", lambda s, p, st: outcomes.add_escalation(
        s, p, EscalationInput("upward", "province", "2025-12-01"), st, today=TODAY),
     "on_date"),
    ("helper role unknown", lambda s, p, st: outcomes.add_helper(
        s, p, HelperInput("priest", "", "2026-12-01"), st, today=TODAY), "role"),
    ("helper name too long", lambda s, p, st: outcomes.add_helper(
        s, p, HelperInput("lawyer", "律" * 101, "2026-12-01"), st, today=TODAY), "name"),
    ("lead without a body", lambda s, p, st: outcomes.add_lead_transfer(
        s, p, LeadInput("  ", "2026-12-01"), st, today=TODAY), "body"),
    ("lead in the future", lambda s, p, st: outcomes.add_lead_transfer(
        s, p, LeadInput("县纪委监委", "2026-12-11"), st, today=TODAY), "on_date"),
    ("note too long", lambda s, p, st: outcomes.add_lead_transfer(
        s, p, LeadInput("县纪委监委", "2026-12-01", "x" * 2001), st, today=TODAY), "note"),
]


@pytest.mark.parametrize(("name", "add", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_record_names_its_field_and_saves_nothing(case: Case, name: str, add: Adder,
                                                      field: str) -> None:
    before = dump_json(case.store)
    with pytest.raises(InvalidInputError) as caught:
        add(case.store, case.petition_id, case.staff_id)
    assert field in {p.field for p in caught.value.problems}, name
    assert dump_json(case.store) == before
    assert outcomes.outcomes_of(case.store, case.petition_id).records == []


def test_every_problem_of_a_form_is_named_at_once(case: Case) -> None:
    with pytest.raises(InvalidInputError) as caught:
        outcomes.add_lawsuit_support(case.store, case.petition_id, LawsuitInput(
            True, "abc", "-5", False, "2026-13-01", "x" * 2001), today=TODAY)
    assert {p.field for p in caught.value.problems} == {"workers", "recovered", "concluded_on",
                                                        "note"}


def test_remove_leaves_a_tombstone_and_the_record_disappears(case: Case) -> None:
    s, pid = case.store, case.petition_id
    kept = outcomes.add_conciliation(s, pid, _conciliation(), case.staff_id, today=TODAY)
    wrong = outcomes.add_lawsuit_support(s, pid, _lawsuit(), case.staff_id, today=TODAY)
    versions = _versions(s, "lawsuit_support")
    outcomes.remove(s, "lawsuit", wrong, case.staff_id)
    assert [r.id for r in outcomes.outcomes_of(s, pid).records] == [kept]
    with s.read() as session:
        row = session.get(LawsuitSupport, wrong)
        assert row is not None and row.deleted
        assert session.scalar(select(Conciliation.deleted).where(Conciliation.id == kept)) \
            is False
    assert _versions(s, "lawsuit_support") > versions, "the tombstone syncs"
    assert ("outcome_removed", "lawsuit") in _history(case)
    before = dump_json(s)
    with pytest.raises(AppError):
        outcomes.remove(s, "lawsuit", wrong, case.staff_id)
    with pytest.raises(AppError):
        outcomes.remove(s, "conciliation", wrong, case.staff_id)  # the wrong kind
    with pytest.raises(AppError):
        outcomes.remove(s, "hearing", kept, case.staff_id)
    assert dump_json(s) == before


def test_every_new_record_writes_sync_versions(case: Case) -> None:
    s, pid = case.store, case.petition_id
    adds: list[tuple[str, Callable[[], object]]] = [
        ("conciliation", lambda: outcomes.add_conciliation(s, pid, _conciliation(),
                                                           today=TODAY)),
        ("lawsuit_support", lambda: outcomes.add_lawsuit_support(s, pid, _lawsuit(),
                                                                 today=TODAY)),
        ("escalation", lambda: outcomes.add_escalation(
            s, pid, EscalationInput("upward", "province", "2026-12-01"), today=TODAY)),
        ("resolution_helper", lambda: outcomes.add_helper(
            s, pid, HelperInput("psychologist", "心理咨询师", "2026-12-01"), today=TODAY)),
        ("lead_transfer", lambda: outcomes.add_lead_transfer(
            s, pid, LeadInput("县纪委监委", "2026-12-01"), today=TODAY)),
        ("petition", lambda: outcomes.record_resolution(s, pid, "resolved", "2026-12-02",
                                                        today=TODAY)),
        ("petition", lambda: outcomes.set_unanswerable(s, pid, "wrong_contact")),
    ]
    for table, add in adds:
        before, activities = _versions(s, table), _versions(s, "activity")
        add()
        assert _versions(s, table) > before, table
        assert _versions(s, "activity") > activities, f"{table}: its history entry syncs too"


# -- a signed settle-and-withdraw agreement settles the petition ----------------------------------
def _signed_agreement(case: Case, signed_on: str = "2026-11-25") -> str:
    s = case.store
    officer = hearings.save_officer(s, OfficerInput(case.office_id, "索南", "བསོད་ནམས", "deputy"))
    party = petition_detail(s, case.petition_id).parties[0].person_id
    hearing_id = hearings.record_hearing(s, HearingInput(
        petition_id=case.petition_id, kind="doorstep", held_at="2026-11-24T14:00",
        township="窝赛乡", village="查干村", place="信访人家中帐篷", host_id=case.staff_id,
        officer_ids=[officer], party_ids=[party],
        statements=[(("party", party), "同意息诉罢访。")], opinions={officer: "同意。"},
        outcome="settled", outcome_note="签订息诉罢访协议书"), case.staff_id,
        now=datetime(2026, 11, 24, 16, 0))
    agreement_id = agreements.draft_agreement(s, s.paths, hearing_id, case.staff_id)
    agreements.mark_printed(s, agreement_id)
    agreements.mark_signed(s, agreement_id, signed_on, case.staff_id, today=TODAY)
    return agreement_id


def test_signing_an_agreement_settles_the_petition(case: Case) -> None:
    before = outcomes.outcomes_of(case.store, case.petition_id)
    assert (before.resolution, before.signed_agreement_on) == ("", "")
    _signed_agreement(case, "2026-11-25")
    found = outcomes.outcomes_of(case.store, case.petition_id)
    assert (found.resolution, found.resolved_on, found.signed_agreement_on) == (
        "settled", "2026-11-25", "2026-11-25")


def test_signing_keeps_a_resolution_a_person_recorded(case: Case) -> None:
    outcomes.record_resolution(case.store, case.petition_id, "resolved", "2026-11-22",
                               case.staff_id, today=TODAY)
    _signed_agreement(case, "2026-11-26")
    found = outcomes.outcomes_of(case.store, case.petition_id)
    assert (found.resolution, found.resolved_on, found.signed_agreement_on) == (
        "resolved", "2026-11-22", "2026-11-26")
