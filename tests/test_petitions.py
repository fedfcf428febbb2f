"""Registering petitions: validation, numbers, deadlines, replies, repeat petitioners, history."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text

from app.core.errors import AppError, InvalidInputError
from app.core.fulltext import fts_query
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from app.persons.records import find_matches, normalise_name
from app.petitions import numbering
from app.petitions.deadlines import PAUSED
from app.petitions.detail import petition_detail
from app.petitions.intake import change_deadline, record_reply
from app.petitions.registry import RegistryFilter, petition_ids
from app.petitions.today import today_list
from models import NumberBlock, Office, Person, Petition
from tests.helpers import petition, register, set_up, tashi
from tests.stores import open_test_store

NOW = datetime(2026, 11, 24, 10, 0)


@pytest.fixture
def office_store(store: Store) -> Store:
    set_up(store)
    return store


def _fields(caught: pytest.ExceptionInfo[InvalidInputError]) -> dict[str, str]:
    return {p.field or "": p.translated() for p in caught.value.problems}


def test_register_numbers_deadlines_and_history(office_store: Store) -> None:
    first = register(office_store, petition(), now=NOW)
    second = register(office_store, petition("2026-11-21T15:00", persons=[tashi(
        name_bo="སྒྲོལ་མ", name_zh="卓玛", id_number="", phone="")]), now=NOW)
    assert (first.reg_no, second.reg_no) == ("达检信〔2026〕1号", "达检信〔2026〕2号")
    assert first.reply_due == date(2026, 11, 27) and first.answer_due == date(2027, 2, 20)
    detail = petition_detail(office_store, first.id)
    assert detail.parties[0].name_bo == "བཀྲ་ཤིས་ཚེ་རིང"
    assert detail.prefers_tibetan
    assert [h.action for h in detail.history] == ["registered"]
    assert detail.row.status == "awaiting_reply"


def test_a_petition_without_a_received_time_was_received_when_it_is_registered(
        office_store: Store) -> None:
    """The clerk did not change the received time: the petition was taken in now, not when
    the form was opened half an hour ago; its deadlines count from now."""
    done = register(office_store, petition(""), now=datetime(2026, 11, 24, 10, 37))
    detail = petition_detail(office_store, done.id)
    assert detail.row.received_at == "2026-11-24T10:37"
    assert done.reply_due == date(2026, 12, 1)


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(office_store: Store) -> None:
    bad = petition("2026-12-24T09:00", category="", summary="  ", persons=[
        tashi(id_number="632624198503120019"),  # wrong check digit
        tashi(name_bo="", name_zh="", id_number="63262419850312", phone="12ab"),
        tashi(id_number="63262420300312001X", name_zh="扎" * 51),  # born in 2030
    ])
    with pytest.raises(InvalidInputError) as caught:
        register(office_store, bad, now=NOW)
    fields = _fields(caught)
    assert fields["received_at"] == "收到日期不能晚于今天。"
    assert fields["category"] == "请选择信访类别。"
    assert fields["summary"] == "请填写信访事项。"
    assert "校验码" in fields["persons.0.id_number"]
    assert fields["persons.1.id_number"] == "身份证号码应为 18 位。"
    assert fields["persons.1.name_zh"] == "请填写姓名(藏文、汉文或两者)。"
    assert "电话" in fields["persons.1.phone"]
    assert "未来" in fields["persons.2.id_number"]
    assert "50" in fields["persons.2.name_zh"]
    with office_store.read() as session:
        assert session.scalar(select(Petition.id)) is None
        assert session.scalar(select(Person.id)) is None
        assert session.execute(text("SELECT count(*) FROM sync_version WHERE tbl IN"
                                    " ('petition', 'person')")).scalar() == 0


def test_impossible_date_and_missing_referral_body(office_store: Store) -> None:
    with pytest.raises(InvalidInputError) as caught:
        register(office_store, petition("2026-02-30T09:00", jurisdiction="refer",
                                        channel="higher"), now=NOW)
    fields = _fields(caught)
    assert fields["received_at"] == "该日期时间不存在。"
    assert "referral_body" in fields and "higher_office" in fields


def test_group_visit_needs_head_count_and_a_representative(office_store: Store) -> None:
    with pytest.raises(InvalidInputError) as caught:
        register(office_store, petition(is_group=True, head_count=1), now=NOW)
    assert set(_fields(caught)) == {"head_count", "persons"}
    done = register(office_store, petition(is_group=True, head_count=23, persons=[
        tashi(role="representative"), tashi(name_zh="拉毛", name_bo="ལྷ་མོ", id_number="",
                                            role="representative")]), now=NOW)
    assert petition_detail(office_store, done.id).head_count == 23


def test_repeat_petitioner_is_found_and_linked(office_store: Store) -> None:
    register(office_store, petition(), now=NOW)
    # Typed again with a different spelling form: trailing tsheg, decomposed vowel, extra spaces.
    matches = find_matches(office_store, name_bo="བཀྲ་ཤིས་ཚེ་རིང་", phone="139 0975 1234")
    assert [m.reason for m in matches] == ["name_phone"]
    assert matches[0].petitions[0].reg_no == "达检信〔2026〕1号"
    assert find_matches(office_store, id_number="6326241985")[0].reason == "id_number"
    assert find_matches(office_store, name_zh=" 扎西才让 ")[0].reason == "name"
    assert find_matches(office_store, name_zh="卓玛") == []
    again = register(office_store, petition("2026-11-22T10:00", persons=[
        tashi(existing_id=matches[0].person_id, phone="13800000000", id_number="")]), now=NOW)
    assert again.is_repeat
    with office_store.read() as session:
        people = session.scalars(select(Person)).all()
    assert len(people) == 1 and people[0].phone == "13800000000"
    assert people[0].id_number == "632624198503120012"  # a blank does not erase it
    # Same ID typed without choosing from the list: still the same person.
    third = register(office_store, petition("2026-11-23T10:00"), now=NOW)
    assert third.is_repeat


def test_names_are_normalised() -> None:
    decomposed = "ཀ\u0f71\u0f72"  # KA + AA + I, the decomposed form of ཀཱི
    assert normalise_name(decomposed + "་") == normalise_name("ཀ\u0f73")
    assert normalise_name("  扎西   才让 ") == "扎西 才让"


def test_replies_close_deadlines_and_show_in_history(office_store: Store) -> None:
    done = register(office_store, petition(), now=NOW)
    with pytest.raises(InvalidInputError) as caught:
        record_reply(office_store, done.id, "procedural", date(2026, 11, 19), "phone", "",
                     today=date(2026, 11, 24))
    assert set(_fields(caught)) == {"content", "replied_on"}
    record_reply(office_store, done.id, "procedural", date(2026, 11, 21), "phone",
                 "已电话告知受理情况", today=date(2026, 11, 24))
    detail = petition_detail(office_store, done.id)
    assert detail.row.status == "awaiting_answer"
    assert [h.action for h in detail.history] == ["registered", "replied"]
    record_reply(office_store, done.id, "result", date(2026, 11, 24), "written", "已书面答复",
                 today=date(2026, 11, 24))
    assert petition_detail(office_store, done.id).row.status == "answered"


def test_a_second_procedural_reply_and_pausing_a_met_deadline_are_refused(
        office_store: Store) -> None:
    """One procedural reply to a petition: a second is refused, naming the first's date; a
    deadline met has nothing left to pause or extend, and nothing is saved either time."""
    done = register(office_store, petition(), now=NOW)
    record_reply(office_store, done.id, "procedural", date(2026, 11, 21), "phone",
                 "已电话告知受理情况", today=date(2026, 11, 24))
    with pytest.raises(InvalidInputError) as caught:
        record_reply(office_store, done.id, "procedural", date(2026, 11, 23), "phone",
                     "再次告知", today=date(2026, 11, 24))
    assert "2026年11月21日" in _fields(caught)["kind"]
    for action in ("pause", "extend"):
        with pytest.raises(InvalidInputError) as caught:
            change_deadline(office_store, done.id, "reply", action, date(2026, 11, 24),
                            "等待材料", days=10)
        assert "2026年11月21日" in _fields(caught)["deadline"]
    # The answer is still counting: it can be paused.
    change_deadline(office_store, done.id, "answer", "pause", date(2026, 11, 24), "等待材料")
    detail = petition_detail(office_store, done.id)
    assert [h.action for h in detail.history] == ["registered", "replied", "deadline"]


def test_pause_resume_and_extend_move_the_due_dates(office_store: Store) -> None:
    done = register(office_store, petition(), now=NOW)
    assert change_deadline(office_store, done.id, "reply", "pause", date(2026, 11, 21),
                           "等待信访人补充材料") == PAUSED
    with pytest.raises(InvalidInputError):
        change_deadline(office_store, done.id, "reply", "pause", date(2026, 11, 22), "again")
    assert change_deadline(office_store, done.id, "reply", "resume", date(2026, 11, 24),
                           "材料已补齐") == date(2026, 11, 30)
    with pytest.raises(InvalidInputError) as caught:
        change_deadline(office_store, done.id, "answer", "extend", date(2026, 11, 24), " ",
                        days=0)
    assert set(_fields(caught)) == {"reason", "days"}
    assert change_deadline(office_store, done.id, "answer", "extend", date(2026, 11, 24),
                           "案情复杂，经检察长批准", days=30) == date(2027, 3, 22)
    detail = petition_detail(office_store, done.id)
    assert [e.action for e in detail.deadline_events] == ["pause", "resume", "extend"]


def test_today_lists_overdue_due_today_and_soon_in_order(office_store: Store) -> None:
    old = register(office_store, petition("2026-11-10T09:00"), now=NOW)       # reply due 17th
    due_today = register(office_store, petition("2026-11-17T09:00", persons=[
        tashi(id_number="")]), now=NOW)                                         # due 24th
    soon = register(office_store, petition("2026-11-19T09:00"), now=NOW)      # due 26th
    register(office_store, petition("2026-11-23T09:00"), now=NOW)             # due 30th: not yet
    replied = register(office_store, petition("2026-11-09T09:00"), now=NOW)
    record_reply(office_store, replied.id, "procedural", date(2026, 11, 10), "phone", "已告知",
                 today=date(2026, 11, 24))
    listing = today_list(office_store, today=date(2026, 11, 24))
    assert [(i.petition_id, i.urgency) for i in listing.items] == [
        (old.id, "overdue"), (due_today.id, "today"), (soon.id, "soon")]
    assert listing.items[0].days_left == -7
    assert listing.count("overdue") == 1
    overdue = petition_ids(office_store, RegistryFilter(overdue_only=True),
                           today=date(2026, 11, 24))
    assert overdue == [old.id]


def test_registry_search_over_both_scripts_id_phone_number_and_summary(office_store: Store) -> None:
    first = register(office_store, petition(), now=NOW)
    second = register(office_store, petition("2026-11-21T09:00", summary="检举村干部侵占补助",
                                             category="accusation", persons=[tashi(
                                                 name_bo="ལྷ་མོ་སྐྱིད", name_zh="拉毛吉",
                                                 id_number="", phone="18997001122")]), now=NOW)

    def found(words: str) -> list[str]:
        return petition_ids(office_store, RegistryFilter(text=words))

    assert found("བཀྲ་ཤིས") == [first.id]
    assert found("བཀྲ་ཤི") == [first.id]          # as you type: the last syllable is a prefix
    assert found("ལྷ་མོ") == [second.id]
    assert found("才让") == [first.id]
    assert found("毛吉") == [second.id]            # inside a Chinese name
    assert found("6326241985") == [first.id]
    assert found("18997001122") == [second.id]
    assert found("达检信〔2026〕2") == [second.id]
    assert found("补助") == [second.id]
    assert found("拖欠 扎西") == [first.id]
    assert found("卓玛") == []
    # Nothing searchable in the words (quotes, stars, brackets are not FTS syntax to us):
    # no search at all, every petition, newest first, and no FTS5 syntax error.
    assert fts_query('"*)(') == ""
    assert found('"*)(') == [second.id, first.id]
    assert found('(扎西*)') == [first.id]  # and around words they are left out
    assert petition_ids(office_store, RegistryFilter(category="accusation")) == [second.id]
    assert petition_ids(office_store, RegistryFilter(date_from=date(2026, 11, 21))) == [second.id]
    # Renaming the person re-indexes their petitions.
    with office_store.write() as session:
        person = session.scalar(select(Person).where(Person.name_zh == "拉毛吉"))
        assert person is not None
        person.name_zh = "拉毛加"
    assert found("拉毛加") == [second.id] and found("毛吉") == []


def _executed(store: Store, call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SQL statements (with their parameters) that ``call`` runs on the store."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: object, _cursor: object, statement: str, parameters: Any,
             _context: object, _executemany: bool) -> None:
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    return seen


def _plan(store: Store, statement: str, parameters: Any) -> list[str]:
    with store.read() as session:
        return [str(r[-1]) for r in session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters)]


@pytest.mark.sqlite_file
def test_search_uses_the_index_not_a_scan(office_store: Store) -> None:
    # The plans of the statements the registry and registration actually run.
    registering = _executed(office_store, lambda: register(office_store, petition(), now=NOW))
    (lookup,) = [(sql, params) for sql, params in registering  # is the person registered?
                 if sql.startswith("SELECT") and "FROM person" in sql
                 and "id_number" in sql.partition("WHERE")[2]]
    assert "USING INDEX ix_person_id_number" in " ".join(_plan(office_store, *lookup))

    found: list[str] = []
    searching = _executed(office_store, lambda: found.extend(
        petition_ids(office_store, RegistryFilter(text="扎西"))))
    assert len(found) == 1
    (search,) = [(sql, params) for sql, params in searching if "MATCH" in sql]
    plan = _plan(office_store, *search)
    assert any("petition_fts VIRTUAL TABLE INDEX" in step for step in plan)
    # No table is read row by row: petitions and search keys are found through their keys.
    assert [step for step in plan if step.startswith("SCAN")
            and "VIRTUAL TABLE INDEX" not in step] == [], plan


def test_a_laptop_without_office_cannot_register(store: Store) -> None:
    with pytest.raises(AppError, match="does not belong to an office"):
        register(store, petition(), now=NOW)


def _clone_as_new_laptop(source: AppPaths, target: AppPaths) -> Store:
    """A field laptop set up from the office laptop's data (what a full sync package carries)."""
    target.data_dir.mkdir(parents=True)
    shutil.copy(source.store, target.store)
    with closing(sqlite3.connect(target.store)) as con:
        con.execute("DELETE FROM local_identity")
        con.commit()
    laptop = open_test_store(target)
    ensure_device(laptop, "下乡笔记本")
    with laptop.write() as session:
        from models import Device

        device = session.get(Device, laptop.device_id)
        assert device is not None
        device.office_id = session.scalar(select(Office.id).where(Office.division_code == "632624"))
    return laptop


@pytest.mark.sqlite_file
def test_two_laptops_registering_offline_never_share_a_number(paths: AppPaths,
                                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    office = open_test_store(paths)
    ensure_device(office, "12309窗口")
    set_up(office)
    office.close()
    laptop = _clone_as_new_laptop(paths, AppPaths(tmp_path / "field"))
    office = open_test_store(paths)
    assert laptop.device_id is not None and office.device_id is not None
    # The office laptop grants the field laptop a block of five; the file sync carries the grant
    # over, which here we stand in for by writing the same block on the field laptop.
    with office.write() as session:
        home = session.scalar(select(Office).where(Office.division_code == "632624"))
        assert home is not None
        block = numbering.grant_block(session, home, 2026, laptop.device_id, 5, office.device_id)
        assert (block.first, block.last) == (1, 5)
    with laptop.write() as session:
        home = session.scalar(select(Office).where(Office.division_code == "632624"))
        assert home is not None
        session.add(NumberBlock(office_id=home.id, year=2026, device_id=laptop.device_id,
                                first=1, last=5))
    with pytest.raises(AppError):
        with laptop.write() as session:
            home = session.scalar(select(Office).where(Office.division_code == "632624"))
            assert home is not None
            numbering.grant_block(session, home, 2026, laptop.device_id, 5, laptop.device_id)
    numbers: list[str] = []
    for i in range(8):  # both offline, at the same time
        numbers.append(register(office, petition(f"2026-11-2{i % 4}T09:0{i}",
                                                 persons=[tashi(id_number="")]), now=NOW).reg_no)
        numbers.append(register(laptop, petition(f"2026-11-2{i % 4}T10:0{i}",
                                                 persons=[tashi(id_number="")]), now=NOW).reg_no)
    assert len(numbers) == len(set(numbers)) == 16
    field_numbers = numbers[1::2]
    assert field_numbers[:5] == [f"达检信〔2026〕{n}号" for n in range(1, 6)]
    code = numbering.device_code(laptop.device_id)
    assert field_numbers[5:] == [f"达检信〔2026〕临{code}-{n}号" for n in range(1, 4)]
    assert numbers[0::2] == [f"达检信〔2026〕{n}号" for n in range(6, 14)]
    office.close()
    laptop.close()


def test_a_clock_set_back_below_the_laptops_own_changes_refuses_to_register(
        office_store: Store, paths: AppPaths) -> None:
    """A flat clock battery: the laptop's date falls back years; the number's year and the
    deadlines would be wrong, so it says so and registers nothing until the clock is right."""
    from app.core.store import wall_clock_ms
    from app.petitions.intake import CLOCK_SET_BACK

    register(office_store, petition())
    office_store.close()
    two_days_ago = wall_clock_ms() - 2 * 24 * 3600 * 1000
    store = open_test_store(paths, clock=lambda: two_days_ago)
    try:
        with store.read() as session:
            before = session.scalar(text("SELECT COUNT(*) FROM petition"))
        with pytest.raises(AppError) as caught:
            register(store, petition())
        assert caught.value.message == CLOCK_SET_BACK
        with store.read() as session:
            assert session.scalar(text("SELECT COUNT(*) FROM petition")) == before
    finally:
        store.close()
    # Set right (within a day of its own changes), it registers again.
    store = open_test_store(paths, clock=lambda: wall_clock_ms() - 3600 * 1000)
    try:
        assert register(store, petition()).reg_no
    finally:
        store.close()
