"""Who may handle or lead a petition and take part in a hearing: the intake form and the hearing
window offer only the staff app lists as eligible, and app refuses anyone else."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.core import duties
from app.core.identity import ensure_office
from app.core.store import Store
from app.hearings import record as hearings
from app.hearings.record import HearingInput
from app.petitions.detail import petition_detail
from models import Petition, Staff
from tests.helpers import add_leaders, office_with_staff, petition, refused, register

NOW = datetime(2026, 11, 24, 16, 0)


def _staff(store: Store, office_id: str, name: str, role: str, active: bool = True,
           deleted: bool = False) -> str:
    with store.write() as session:
        staff = Staff(office_id=office_id, name_zh=name, name_bo="", role=role, phone="",
                      active=active)
        session.add(staff)
        session.flush()
        staff.deleted = deleted
        return staff.id


@pytest.fixture
def office(store: Store) -> dict[str, str]:
    """An office with a chief, a deputy, a procurator, a clerk, a department head, a procurator
    no longer active, a procurator deleted; and a procurator of another office."""
    office_id, chief = office_with_staff(store)
    deputy, procurator = add_leaders(store, office_id)
    with store.write() as session:
        other_office = ensure_office(session, "632621").id
    return {"office": office_id, "chief": chief, "deputy": deputy, "procurator": procurator,
            "clerk": _staff(store, office_id, "书记员", "clerk"),
            "head": _staff(store, office_id, "部门负责人", "head"),
            "retired": _staff(store, office_id, "退休", "procurator", active=False),
            "deleted": _staff(store, office_id, "删除", "procurator", deleted=True),
            "elsewhere": _staff(store, other_office, "外院", "procurator")}


def test_the_staff_offered_for_each_duty(store: Store, office: dict[str, str]) -> None:
    def offered(duty: str) -> set[str]:
        return {s.staff_id for s in duties.eligible_staff(store, office["office"], duty)}

    assert offered(duties.HANDLE) == {office[k] for k in ("chief", "deputy", "procurator",
                                                          "head")}
    assert offered(duties.LEAD) == {office[k] for k in ("chief", "deputy", "head")}
    assert offered(duties.HEARING) == {office[k] for k in ("chief", "deputy", "procurator",
                                                           "head", "clerk")}
    assert offered(duties.DECIDE_AID) == {office["chief"], office["deputy"]}


@pytest.mark.parametrize("who", ["clerk", "retired", "deleted", "elsewhere", "nobody"])
def test_register_refuses_a_handling_procurator_not_offered(
        store: Store, office: dict[str, str], who: str) -> None:
    chosen = office.get(who, "no-such-staff")
    refused(store, duties.NOT_ELIGIBLE[duties.HANDLE], register,
            petition(handling_procurator_id=chosen), office["chief"], now=NOW)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Petition)) == 0


@pytest.mark.parametrize("who", ["procurator", "clerk", "retired", "deleted", "elsewhere"])
def test_register_refuses_a_leader_not_offered(
        store: Store, office: dict[str, str], who: str) -> None:
    error = refused(store, duties.NOT_ELIGIBLE[duties.LEAD], register,
                    petition(handling_procurator_id=office["procurator"],
                             leader_id=office[who]), office["chief"], now=NOW)
    assert [p.field for p in getattr(error, "problems", [])] == ["leader_id"]


def test_register_keeps_the_staff_offered(store: Store, office: dict[str, str]) -> None:
    done = register(store, petition(handling_procurator_id=office["head"],
                                    leader_id=office["deputy"]), office["chief"], now=NOW)
    detail = petition_detail(store, done.id)
    assert (detail.procurator_zh, detail.leader_zh) == ("部门负责人", "才让")


@pytest.mark.parametrize("who", ["retired", "deleted", "elsewhere"])
def test_a_hearing_refuses_staff_not_offered(store: Store, office: dict[str, str],
                                             who: str) -> None:
    petition_id = register(store, petition(), office["chief"], now=NOW).id
    party = petition_detail(store, petition_id).parties[0].person_id
    context = hearings.hearing_context(store, petition_id)
    assert office[who] not in {s.id for s in context.staff}
    planned = HearingInput(petition_id=petition_id, kind="public", held_at="2026-12-02T11:00",
                           place="听证室", host_id=office["chief"], party_ids=[party],
                           procurator_ids=[office[who]])
    refused(store, duties.NOT_ELIGIBLE[duties.HEARING], hearings.record_hearing, planned,
            office["chief"], now=NOW)
    planned.procurator_ids, planned.host_id = [], office[who]
    refused(store, duties.NOT_ELIGIBLE[duties.HEARING], hearings.record_hearing, planned,
            office["chief"], now=NOW)


def test_a_hearing_keeps_staff_it_had_once_they_leave(store: Store,
                                                      office: dict[str, str]) -> None:
    petition_id = register(store, petition(), office["chief"], now=NOW).id
    party = petition_detail(store, petition_id).parties[0].person_id
    planned = HearingInput(petition_id=petition_id, kind="public", held_at="2026-12-02T11:00",
                           place="听证室", host_id=office["procurator"], party_ids=[party])
    hearing_id = hearings.record_hearing(store, planned, office["chief"], now=NOW)
    with store.write() as session:
        staff = session.get(Staff, office["procurator"])
        assert staff is not None
        staff.active = False
    context = hearings.hearing_context(store, petition_id, hearing_id=hearing_id)
    assert office["procurator"] in {s.id for s in context.staff}
    assert office["procurator"] not in {s.id for s in
                                        hearings.hearing_context(store, petition_id).staff}
    assert hearings.record_hearing(store, planned, office["chief"], now=NOW,
                                   hearing_id=hearing_id) == hearing_id
