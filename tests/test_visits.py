"""Return visits (回访) and hand-overs to social assistance: scheduling, recording, the dates a
visit may have, still in need → hand-over → closed, the Today list's window, and bad input that
saves nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from app.aid import cases as aid
from app.aid import visits
from app.aid.cases import AidProposal
from app.aid.visits import HandoverInput, VisitInput
from app.core.errors import AppError, InvalidInputError
from app.core.identity import ensure_office
from app.core.store import Store
from app.petitions.detail import petition_detail
from models import Activity, Handover, ReturnVisit, Staff
from tests.helpers import office_with_staff, petition, register

NOW = datetime(2026, 11, 20, 10, 0)  # the petition is received on 2026-11-20
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


def _made(c: Case, **changes: Any) -> VisitInput:
    data = VisitInput(petition_id=c.petition_id, method="on_site", done_on="2026-12-08",
                      visitor_id=c.staff_id, findings="牧民生活仍困难，冬季草料不足。",
                      satisfaction="basically", still_in_need=False)
    return replace(data, **changes)


def _rows(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(table)) or 0
                     for table in (ReturnVisit, Handover, Activity))  # type: ignore[return-value]


def _fields(error: pytest.ExceptionInfo[InvalidInputError]) -> set[str | None]:
    return {p.field for p in error.value.problems}


def test_a_scheduled_visit_is_due_then_recorded_as_made(case: Case) -> None:
    c = case
    visit_id = visits.schedule_visit(c.store, VisitInput(
        petition_id=c.petition_id, method="phone", scheduled_on="2026-12-20",
        visitor_id=c.staff_id), c.staff_id)
    planned = visits.visit_row(c.store, visit_id)
    assert not planned.done and planned.scheduled_on == "2026-12-20"
    assert planned.visitor_zh == "更桑"

    # Not yet in the window, then due soon, due today, overdue.
    assert visits.due_visits(c.store, c.office_id, TODAY, within_days=7) == []
    soon = visits.due_visits(c.store, c.office_id, date(2026, 12, 15), within_days=7)
    assert [(v.visit_id, v.days_left, v.urgency) for v in soon] == [(visit_id, 5, "soon")]
    assert soon[0].reg_no.startswith("达检信") and soon[0].names_zh == "扎西才让"
    assert soon[0].method == "phone"
    assert visits.due_visits(c.store, c.office_id, date(2026, 12, 20))[0].urgency == "today"
    late = visits.due_visits(c.store, c.office_id, date(2026, 12, 23))
    assert (late[0].days_left, late[0].urgency) == (-3, "overdue")
    # Another office's list does not show it; every office's list does.
    assert visits.due_visits(c.store, "another office", date(2026, 12, 23)) == []
    assert len(visits.due_visits(c.store, "", date(2026, 12, 23))) == 1

    # Made a day early, by phone as planned.
    visits.record_visit(c.store, _made(c, method="phone", done_on="2026-12-19"), c.staff_id,
                        visit_id=visit_id, today=date(2026, 12, 19))
    made = visits.visit_row(c.store, visit_id)
    assert made.done and made.done_on == "2026-12-19" and made.scheduled_on == "2026-12-20"
    assert made.satisfaction == "basically" and made.findings.startswith("牧民生活仍困难")
    assert visits.due_visits(c.store, c.office_id, date(2026, 12, 23)) == []
    assert [h.action for h in petition_detail(c.store, c.petition_id).history] == [
        "registered", "visit_scheduled", "visit_done"]


def test_a_visit_can_be_planned_for_later_but_made_only_in_the_past(case: Case) -> None:
    c = case
    later = visits.schedule_visit(c.store, VisitInput(
        petition_id=c.petition_id, method="meeting", scheduled_on="2027-03-01"))
    assert visits.visit_row(c.store, later).scheduled_on == "2027-03-01"
    before = _rows(c.store)
    with pytest.raises(InvalidInputError) as future:
        visits.record_visit(c.store, _made(c, done_on="2026-12-11"), today=TODAY)
    assert _fields(future) == {"done_on"}
    with pytest.raises(InvalidInputError) as early:
        visits.record_visit(c.store, _made(c, done_on="2026-11-19"), today=TODAY)
    assert _fields(early) == {"done_on"}
    assert early.value.problems[0].message == "A return visit cannot be earlier than the petition."
    with pytest.raises(InvalidInputError) as planned_early:
        visits.schedule_visit(c.store, VisitInput(petition_id=c.petition_id, method="phone",
                                                  scheduled_on="2026-11-01"))
    assert _fields(planned_early) == {"scheduled_on"}
    # The day the petition came in is fine.
    visits.record_visit(c.store, _made(c, done_on="2026-11-20"), today=TODAY)
    assert _rows(c.store)[0] == before[0] + 1


def test_bad_input_says_what_is_wrong_and_saves_nothing(case: Case, store: Store) -> None:
    c = case
    before = _rows(store)
    with pytest.raises(InvalidInputError) as error:
        visits.record_visit(store, VisitInput(petition_id=c.petition_id, method="fax",
                                              done_on="2026-02-30", findings="  ",
                                              satisfaction="happy"), today=TODAY)
    assert _fields(error) == {"method", "done_on", "visitor_id", "findings", "satisfaction"}
    with pytest.raises(InvalidInputError) as error:
        visits.schedule_visit(store, VisitInput(petition_id=c.petition_id, method="",
                                                scheduled_on=""))
    assert _fields(error) == {"method", "scheduled_on"}
    with pytest.raises(InvalidInputError) as error:
        visits.record_visit(store, _made(c, findings="很" * (visits.MAX_TEXT + 1)), today=TODAY)
    assert _fields(error) == {"findings"}
    # A visitor from another office, an aid case of another petition.
    with store.write() as session:
        maqen = ensure_office(session, "632621")
        outsider = Staff(office_id=maqen.id, name_zh="外人", role="clerk", active=True)
        session.add(outsider)
        session.flush()
        outsider_id = outsider.id
    with pytest.raises(InvalidInputError) as error:
        visits.record_visit(store, _made(c, visitor_id=outsider_id, aid_case_id="no such case"),
                            today=TODAY)
    assert _fields(error) == {"visitor_id", "aid_case_id"}
    with pytest.raises(AppError):
        visits.schedule_visit(store, VisitInput(petition_id="gone", method="phone",
                                                scheduled_on="2026-12-20"))
    assert _rows(store) == before


def test_still_in_need_is_handed_over_then_closed(case: Case) -> None:
    c = case
    visit_id = visits.record_visit(c.store, _made(c, still_in_need=True), c.staff_id,
                                   today=TODAY)
    assert visits.visit_row(c.store, visit_id).still_in_need
    before = _rows(c.store)
    with pytest.raises(InvalidInputError) as error:
        visits.open_handover(c.store, HandoverInput(visit_id, " ", "2026-12-07"), today=TODAY)
    assert _fields(error) == {"body", "handed_on"}  # no body; earlier than the visit
    assert _rows(c.store) == before
    handover_id = visits.open_handover(c.store, HandoverInput(visit_id, "吉迈镇民政所",
                                                              "2026-12-09"), c.staff_id,
                                       today=TODAY)
    assert [h.id for h in visits.open_handovers(c.store, c.office_id)] == [handover_id]
    assert visits.open_handovers(c.store, c.office_id)[0].names_zh == "扎西才让"
    assert [h.id for h in visits.handovers_from(c.store, visit_id)] == [handover_id]

    # The outcome so far, then closing it: the outcome is needed, the date not before opening.
    visits.update_handover(c.store, handover_id, HandoverInput(
        visit_id, "吉迈镇民政所", "2026-12-09", "已纳入临时救助审核。"), c.staff_id, today=TODAY)
    assert visits.handover_row(c.store, handover_id).is_open
    with pytest.raises(InvalidInputError) as error:
        visits.close_handover(c.store, handover_id, "2026-12-08", "   ", today=TODAY)
    assert _fields(error) == {"outcome", "closed_on"}
    assert visits.handover_row(c.store, handover_id).outcome == "已纳入临时救助审核。"
    visits.close_handover(c.store, handover_id, "2026-12-10", "已纳入农村低保，每月发放。",
                          c.staff_id, today=TODAY)
    closed = visits.handover_row(c.store, handover_id)
    assert not closed.is_open and closed.closed_on == "2026-12-10"
    assert closed.outcome == "已纳入农村低保，每月发放。"
    assert visits.open_handovers(c.store, c.office_id) == []
    with pytest.raises(AppError, match="already closed"):
        visits.close_handover(c.store, handover_id, "2026-12-10", "again", today=TODAY)
    assert [h.action for h in petition_detail(c.store, c.petition_id).history][1:] == [
        "visit_done", "handover_opened", "handover_updated", "handover_closed"]
    # The visit that opened a hand-over cannot be corrected to "not in need".
    with pytest.raises(InvalidInputError) as error:
        visits.record_visit(c.store, _made(c), visit_id=visit_id, today=TODAY)
    assert _fields(error) == {"still_in_need"}


def test_only_a_visit_that_found_need_is_handed_over(case: Case) -> None:
    c = case
    planned = visits.schedule_visit(c.store, VisitInput(
        petition_id=c.petition_id, method="phone", scheduled_on="2026-12-20"))
    satisfied = visits.record_visit(c.store, _made(c, satisfaction="satisfied"), today=TODAY)
    for visit_id in (planned, satisfied):
        with pytest.raises(AppError, match="still in need"):
            visits.open_handover(c.store, HandoverInput(visit_id, "民政所", "2026-12-09"),
                                 today=TODAY)
    assert visits.handovers_of(c.store, c.petition_id) == []


def test_a_planned_visit_is_moved_or_cancelled_but_a_made_one_stays(case: Case) -> None:
    c = case
    visit_id = visits.schedule_visit(c.store, VisitInput(
        petition_id=c.petition_id, method="phone", scheduled_on="2026-12-12"))
    visits.schedule_visit(c.store, VisitInput(method="on_site", scheduled_on="2026-12-30",
                                              visitor_id=c.staff_id), visit_id=visit_id)
    moved = visits.visit_row(c.store, visit_id)
    assert (moved.method, moved.scheduled_on, moved.visitor_id) == (
        "on_site", "2026-12-30", c.staff_id)
    assert visits.due_visits(c.store, c.office_id, TODAY) == []
    visits.cancel_visit(c.store, visit_id, c.staff_id)
    assert visits.visits_of(c.store, c.petition_id) == []
    with pytest.raises(AppError):
        visits.visit_row(c.store, visit_id)

    made = visits.record_visit(c.store, _made(c), today=TODAY)
    with pytest.raises(AppError, match="already been made"):
        visits.cancel_visit(c.store, made)
    with pytest.raises(AppError, match="already been made"):
        visits.schedule_visit(c.store, VisitInput(method="phone", scheduled_on="2026-12-30"),
                              visit_id=made)
    # An unscheduled visit counts as planned for the day it was made.
    assert visits.visit_row(c.store, made).scheduled_on == "2026-12-08"


def test_a_visit_about_an_aid_case_names_it(case: Case, store: Store) -> None:
    c = case
    person = petition_detail(store, c.petition_id).parties[0].person_id
    aid_case = aid.propose(store, AidProposal(c.petition_id, [person], "poor", "生活困难。",
                                              "5000", "符合条件。"), c.staff_id, today=TODAY)
    context = visits.visit_context(store, c.petition_id)
    assert [a.id for a in context.aid_cases] == [aid_case]
    assert [s.id for s in context.staff] == [c.staff_id]
    assert context.received_on == "2026-11-20" and context.names_zh == "扎西才让"
    visit_id = visits.record_visit(store, _made(c, aid_case_id=aid_case), today=TODAY)
    assert visits.visit_row(store, visit_id).aid_case_id == aid_case
    # An inactive member of staff stays offered on a visit that already names them.
    with store.write() as session:
        staff = session.get(Staff, c.staff_id)
        assert staff is not None
        staff.active = False
    assert visits.visit_context(store, c.petition_id).staff == []
    assert [s.id for s in visits.visit_context(store, c.petition_id, c.staff_id).staff] == [
        c.staff_id]


def test_dates_are_kept_in_one_form(case: Case) -> None:
    c = case
    visit_id = visits.record_visit(c.store, _made(c, still_in_need=True), today=TODAY)
    handover_id = visits.open_handover(c.store, HandoverInput(visit_id, "民政所", "20261209"),
                                       today=TODAY)
    assert visits.handover_row(c.store, handover_id).handed_on == "2026-12-09"
