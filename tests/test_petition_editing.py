"""Correcting a registered petition and its persons, voiding a wrong registration, handing a
case to another procurator (issue 14, point 5)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text

from app.aid import cases as aid
from app.core import i18n
from app.core.errors import InvalidInputError
from app.core.store import Store
from app.papers import documents as papers
from app.papers import kinds
from app.persons import editing as persons
from app.petitions import editing
from app.petitions.detail import petition_detail
from app.petitions.history import describe
from app.petitions.intake import change_deadline, record_reply
from app.petitions.registry import RegistryFilter, petition_ids
from app.petitions.today import today_list
from app.statistics import measures
from app.statistics.measures import Scope
from app.statistics.periods import parse_period
from tests.helpers import add_leaders, office_with_staff, petition, refused, register, tashi

NOW = datetime(2026, 11, 24, 10, 0)


@pytest.fixture
def office(store: Store) -> tuple[str, str, str, str]:
    """The office, its chief 更桑, deputy 才让 and procurator 卓玛."""
    office_id, chief = office_with_staff(store)
    deputy, procurator = add_leaders(store, office_id)
    return office_id, chief, deputy, procurator


def _versions(store: Store, row_id: str) -> list[str]:
    with store.read() as session:
        return list(session.scalars(text(
            "SELECT field FROM sync_version WHERE tbl = 'petition' AND row_id = :id"
            " ORDER BY seq"), {"id": row_id}))


def test_an_edit_changes_its_fields_versions_each_and_logs_once(
        store: Store, office: tuple[str, str, str, str]) -> None:
    _office, chief, deputy, _procurator = office
    done = register(store, petition(), now=NOW)
    form = editing.petition_edit(store, done.id)
    assert form.summary == "草场承包纠纷，工程款被拖欠" and form.leader_id == ""
    before = len(_versions(store, done.id))
    form.summary = "草场承包纠纷"
    form.is_sensitive = True
    form.leader_id = deputy
    edited = editing.edit_petition(store, done.id, form, chief, now=NOW)
    assert edited.changed == ["summary", "is_sensitive", "leader_id"]
    assert sorted(_versions(store, done.id)[before:]) == ["is_sensitive", "leader_id", "summary"]
    detail = petition_detail(store, done.id)
    assert (detail.row.summary, detail.row.is_sensitive, detail.leader_zh) == \
        ("草场承包纠纷", True, "才让")
    assert detail.row.reg_no == done.reg_no
    entry = detail.history[-1]
    assert (entry.action, entry.by_zh) == ("edited", "更桑")
    assert entry.detail == "summary is_sensitive leader_id"


def test_an_edit_that_changes_nothing_saves_nothing(store: Store,
                                                    office: tuple[str, str, str, str]) -> None:
    done = register(store, petition(), now=NOW)
    form = editing.petition_edit(store, done.id)
    form.summary = " " + form.summary + " "  # as registration keeps it: the same
    refused(store, "Nothing was changed, so nothing was saved.", editing.edit_petition,
            done.id, form, now=NOW)


def test_an_invalid_edit_shows_each_problem_and_changes_nothing(
        store: Store, office: tuple[str, str, str, str]) -> None:
    _office, _chief, _deputy, procurator = office
    done = register(store, petition(), now=NOW)
    form = editing.petition_edit(store, done.id)
    form.summary = ""
    form.received_at = "2026-11-25T09:00"  # after NOW
    form.is_group, form.head_count = True, 5  # no representative among its parties
    form.leader_id = procurator  # a procurator does not lead
    error = refused(store, "Please write what the petition is about.", editing.edit_petition,
                    done.id, form, now=NOW)
    assert isinstance(error, InvalidInputError)
    assert {p.field for p in error.problems} == {"summary", "received_at", "is_group",
                                                "leader_id"}
    form = editing.petition_edit(store, done.id)
    form.received_at = "2025-12-30T09:00"
    refused(store, "The registration number is of {year}: the date received must stay in that "
            "year.", editing.edit_petition, done.id, form, now=NOW)


def test_moving_the_date_received_moves_the_due_dates(store: Store,
                                                      office: tuple[str, str, str, str]) -> None:
    done = register(store, petition("2026-11-20T09:30"), now=NOW)
    assert done.reply_due == date(2026, 11, 27)
    form = editing.petition_edit(store, done.id)
    form.received_at = "2026-11-18T16:00"
    edited = editing.edit_petition(store, done.id, form, now=NOW)
    assert (edited.reply_due, edited.answer_due) == ("2026-11-25", "2027-02-18")
    row = petition_detail(store, done.id).row
    assert (row.received_at, row.reply_due) == ("2026-11-18T16:00", "2026-11-25")
    # Not after a reply already given.
    record_reply(store, done.id, "procedural", date(2026, 11, 19), "phone", "已电话告知",
                 today=date(2026, 11, 24))
    form.received_at = "2026-11-20T09:00"
    refused(store, "Something was recorded on this petition on {date}: it was received before "
            "that.", editing.edit_petition, done.id, form, now=NOW)


def test_a_person_is_corrected_and_every_petition_of_theirs_says_so(
        store: Store, office: tuple[str, str, str, str]) -> None:
    _office, chief, _deputy, _procurator = office
    first = register(store, petition(), now=NOW)
    person_id = petition_detail(store, first.id).parties[0].person_id
    second = register(store, petition("2026-11-22T10:00", persons=[tashi(existing_id=person_id)]),
                      now=NOW)
    form = persons.person_edit(store, second.id, person_id)
    assert (form.name_zh, form.phone, form.village) == ("扎西才让", "13909751234", "查干村")
    form.phone = "139 0975 0000"
    form.village = ""  # emptied is emptied
    assert persons.edit_person(store, second.id, person_id, form, chief,
                               today=date(2026, 11, 24)) == ["phone", "village"]
    for done in (first, second):
        detail = petition_detail(store, done.id)
        assert detail.parties[0].phone == "13909750000"
        assert "查干村" not in detail.parties[0].address
        entry = detail.history[-1]
        assert entry.action == "person_edited"
        assert describe(entry.action, entry.detail).startswith("扎西才让: ")
    refused(store, "Nothing was changed, so nothing was saved.", persons.edit_person,
            second.id, person_id, form, today=date(2026, 11, 24))
    form.id_number = "632624198503120013"
    error = refused(store, "The last character of this ID number (its check digit) does not "
                    "match the others: please check the number.", persons.edit_person,
                    second.id, person_id, form, today=date(2026, 11, 24))
    assert isinstance(error, InvalidInputError)
    assert [p.field for p in error.problems] == ["person.id_number"]
    # Another person's ID number: the same person twice is merged under Persons, not here.
    other = register(store, petition(persons=[tashi(name_zh="卓玛", name_bo="སྒྲོལ་མ",
                                                    id_number="11010519491231002X")]), now=NOW)
    form.id_number = "11010519491231002X"
    refused(store, "{name} already has this ID number. If they are the same person, merge the "
            "two under Persons.", persons.edit_person, second.id, person_id, form,
            today=date(2026, 11, 24))
    refused(store, "This person is not a party to this petition any more.", persons.edit_person,
            other.id, person_id, form, today=date(2026, 11, 24))


def test_a_void_keeps_the_number_and_leaves_today_statistics_and_papers(
        store: Store, office: tuple[str, str, str, str]) -> None:
    office_id, chief, _deputy, _procurator = office
    wrong = register(store, petition("2026-11-10T09:30"), now=NOW)
    right = register(store, petition("2026-11-10T10:30"), now=NOW)
    as_of = date(2026, 11, 24)
    assert {i.petition_id for i in today_list(store, as_of).items} == {wrong.id, right.id}
    period = parse_period("2026-11")
    received = measures.statistics(store, period, Scope((office_id,)), as_of=as_of)
    assert received.current["received"] == 2
    refused(store, "Please give the reason.", editing.void_petition, wrong.id, "  ")

    editing.void_petition(store, wrong.id, "重复登记，与第2号为同一来访", chief)

    detail = petition_detail(store, wrong.id)
    assert detail.voided and detail.void_reason == "重复登记，与第2号为同一来访"
    assert (detail.row.reg_no, detail.row.status, detail.voided_by_zh) == \
        (wrong.reg_no, "void", "更桑")
    assert detail.history[-1].action == "voided"
    # Still in the registry (and its status filter), out of Today and every figure.
    assert set(petition_ids(store, RegistryFilter())) == {wrong.id, right.id}
    assert petition_ids(store, RegistryFilter(status="void")) == [wrong.id]
    assert petition_ids(store, RegistryFilter(status="awaiting_reply")) == [right.id]
    assert petition_ids(store, RegistryFilter(overdue_only=True), as_of) == [right.id]
    assert [i.petition_id for i in today_list(store, as_of).items] == [right.id]
    after = measures.statistics(store, period, Scope((office_id,)), as_of=as_of)
    assert after.current["received"] == 1
    # No paper, no reply, no edit, no transfer, no aid, no second void.
    assert papers.papers_for(detail) == []
    void = "This registration was voided ({reason}): nothing more can be recorded on it."
    refused(store, "This registration was voided: no paper is printed from it.", papers.render,
            wrong.id, kinds.RECEIPT)
    refused(store, void, record_reply, wrong.id, "procedural", as_of, "phone", "已告知",
            today=as_of)
    refused(store, void, change_deadline, wrong.id, "reply", "pause", as_of, "等待")
    refused(store, void, editing.petition_edit, wrong.id)
    form = editing.petition_edit(store, right.id)
    form.summary = "改"
    refused(store, void, editing.edit_petition, wrong.id, form, now=NOW)
    refused(store, void, editing.void_petition, wrong.id, "再次")
    refused(store, void, editing.transfer_petition, wrong.id, chief)
    refused(store, void, aid.propose, aid.AidProposal(
        petition_id=wrong.id, person_ids=[detail.parties[0].person_id], eligibility="poor",
        facts="家庭困难", amount="5000", reasons="生活困难", proposed_on="2026-11-24"), chief,
        today=as_of)
    refused(store, void, persons.edit_person, wrong.id, detail.parties[0].person_id, tashi())


def test_a_transfer_is_logged_from_whom_to_whom_and_refusals(
        store: Store, office: tuple[str, str, str, str]) -> None:
    _office, chief, deputy, procurator = office
    done = register(store, petition(handling_procurator_id=deputy), now=NOW)
    editing.transfer_petition(store, done.id, procurator, "才让出差", chief)
    detail = petition_detail(store, done.id)
    assert (detail.procurator_zh, detail.handling_procurator_id) == ("卓玛", procurator)
    entry = detail.history[-1]
    assert (entry.action, entry.by_zh) == ("transferred", "更桑")
    assert describe(entry.action, entry.detail) == "才让 → 卓玛: 才让出差"
    i18n.set_mode(i18n.BO)
    assert describe(entry.action, entry.detail) == "ཚེ་རིང → སྒྲོལ་མ: 才让出差"
    i18n.set_mode(i18n.ZH)
    refused(store, "The case is already with this procurator.", editing.transfer_petition,
            done.id, procurator)
    refused(store, "Please choose the procurator.", editing.transfer_petition, done.id, "")
    with store.write() as session:
        session.execute(text("UPDATE staff SET active = false WHERE id = :id"), {"id": deputy})
    refused(store, "{name} is no longer active on the staff.", editing.transfer_petition,
            done.id, deputy)


def test_a_registered_person_is_found_by_the_start_or_a_part_of_a_name(
        store: Store, office: tuple[str, str, str, str]) -> None:
    from app.persons.records import find_matches

    register(store, petition(persons=[tashi(name_zh="卓玛桑杰", name_bo="སྒྲོལ་མ་སངས་རྒྱས",
                                            id_number="", phone="13800000001")]), now=NOW)
    register(store, petition(persons=[tashi(name_zh="卓玛", name_bo="སྒྲོལ་མ",
                                            id_number="", phone="13800000002")]), now=NOW)
    register(store, petition(persons=[tashi(name_zh="才让卓玛", name_bo="ཚེ་རིང་སྒྲོལ་མ",
                                            id_number="", phone="13800000003")]), now=NOW)

    def found(**typed: str) -> list[tuple[str, str]]:
        return [(m.name_zh, m.reason) for m in find_matches(store, **typed)]

    # The exact name first, then names that begin with it, then names that hold it.
    assert found(name_zh="卓玛") == [("卓玛", "name"), ("卓玛桑杰", "name_start"),
                                   ("才让卓玛", "name_part")]
    assert found(name_bo="སྒྲོལ་མ་") == [("卓玛", "name"), ("卓玛桑杰", "name_start"),
                                       ("才让卓玛", "name_part")]
    assert found(name_zh="桑杰") == [("卓玛桑杰", "name_part")]
    assert found(name_bo="སངས་རྒྱས") == [("卓玛桑杰", "name_part")]
    assert found(name_zh="卓") == []  # one character finds too many to read


@pytest.mark.sqlite_file
def test_partial_names_are_looked_up_through_indexes(store: Store,
                                                     office: tuple[str, str, str, str]) -> None:
    from app.persons.records import find_matches
    from tests.test_petitions import _executed, _plan

    register(store, petition(), now=NOW)
    for typed in ({"name_zh": "扎西"}, {"name_bo": "བཀྲ་ཤིས"}):
        run = _executed(store, lambda typed=typed: find_matches(store, **typed))
        statements = [(sql, params) for sql, params in run if "FROM person" in sql
                      or "petition_fts" in sql]
        plans = [" | ".join(_plan(store, sql, params)) for sql, params in statements]
        column = next(iter(typed))
        assert any(f"USING INDEX ix_person_{column} ({column}>? AND {column}<?)" in plan
                   or f"USING COVERING INDEX ix_person_{column} ({column}>? AND {column}<?)"
                   in plan for plan in plans), plans
        for plan in plans:  # no table read row by row
            assert [step for step in plan.split(" | ") if step.startswith("SCAN")
                    and "VIRTUAL TABLE INDEX" not in step] == [], plan
