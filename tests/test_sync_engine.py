"""The sync engine: importing is a set union of versions; any order, twice or once, gives the
same tables; conflicts come from parent links, never from clocks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.dump import dump, dump_json
from app.core.identity import ensure_device, set_up_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store, wall_clock_ms
from app.persons.records import PersonInput
from app.sync import engine
from models import Person
from tests.helpers import AFTER_EVERY_TEST_DATE, DARLAG, petition, register

YEAR_MS = 365 * 24 * 3600 * 1000


def office_laptops(tmp_path: Path, names: str = "abc") -> list[Store]:
    """The first laptop sets the office up (and numbers its petitions); the others join it
    from its data, as enrolled laptops do."""
    stores = []
    for name in names:
        store = open_store(AppPaths(tmp_path / name))
        if stores:
            ensure_device(store, f"laptop {name}")
            send(stores[0], store)
        set_up_device(store, f"laptop {name}", DARLAG)
        stores.append(store)
    return stores


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[list[Store]]:
    stores = office_laptops(tmp_path)
    yield stores
    for store in stores:
        store.close()


def send(source: Store, target: Store) -> engine.ApplyResult:
    """Everything ``target`` lacks from ``source`` (as a package would carry it)."""
    rows = [row for batch in engine.versions_after(source, engine.vector(target))
            for row in batch]
    return engine.apply(target, rows)


def everyone_meets(stores: list[Store]) -> None:
    for _ in range(2):
        for a, b in itertools.permutations(stores, 2):
            send(a, b)


def _rename(store: Store, person_id: str, name: str) -> None:
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.name_zh = name


def test_import_rebuilds_the_tables_and_twice_changes_nothing(laptops: list[Store]) -> None:
    a, b, _c = laptops
    done = register(a, petition())
    first = send(a, b)
    assert first.new > 50 and first.rows_created >= 5 and first.duplicates == 0
    send(b, a)
    assert dump_json(a) == dump_json(b)
    again = send(a, b)
    assert again.new == 0
    rows = [r for batch in engine.versions_after(a, {}) for r in batch]
    repeat = engine.apply(b, rows)
    assert repeat.new == 0 and repeat.duplicates == repeat.received
    assert dump_json(a) == dump_json(b)
    assert done.reg_no in dump_json(b)


@pytest.mark.slow
def test_any_order_gives_the_same_store(tmp_path: Path) -> None:
    writers = office_laptops(tmp_path)
    a, b, c = writers
    register(a, petition())
    send(a, b)
    with a.read() as session:
        person_id = session.query(Person.id).scalar()
    _rename(a, person_id, "扎西才让甲")
    _rename(b, person_id, "扎西才让乙")
    register(c, petition(persons=[PersonInput(name_zh="卓玛", name_bo="སྒྲོལ་མ", sex="F",
                                              ethnicity="04")]))
    packages = {name: [r for batch in engine.versions_after(s, {}) for r in batch]
                for name, s in zip("abc", writers, strict=True)}
    results = []
    for order in itertools.permutations("abc"):
        target = open_store(AppPaths(tmp_path / f"t{''.join(order)}"))
        ensure_device(target, "reader")
        for name in order:
            engine.apply(target, packages[name])
        # The reader's own device row is the only difference between the readers.
        results.append(engine_tables(target))
        assert len(engine.conflicts(target)) == 1
        target.close()
    assert all(r == results[0] for r in results)
    for store in writers:
        store.close()


def engine_tables(store: Store) -> dict[str, list[dict[str, object]]]:
    """The dump without the reader's own device row and the record of its own actions (the
    things the readers differ in)."""
    tables = dump(store)
    tables["device"] = [row for row in tables["device"] if row["id"] != store.device_id]
    tables["audit_entry"] = [row for row in tables["audit_entry"]
                             if row["log_id"] != store.device_id]
    return tables


def test_concurrent_edits_are_a_conflict_that_a_person_resolves(laptops: list[Store]) -> None:
    a, b, c = laptops
    register(a, petition())
    everyone_meets(laptops)
    with a.read() as session:
        person_id = session.query(Person.id).scalar()
    _rename(a, person_id, "扎西")
    _rename(b, person_id, "扎西才让（更正）")
    everyone_meets(laptops)
    found = [engine.conflicts(s) for s in laptops]
    assert found[0] == found[1] == found[2]
    (conflict,) = found[0]
    assert (conflict.tbl, conflict.field) == ("person", "name_zh")
    assert {x.value for x in conflict.candidates} == {"扎西", "扎西才让（更正）"}
    assert conflict.has_base and conflict.base == "扎西才让"
    winner = next(x for x in conflict.candidates if x.winner)
    with c.read() as session:
        person = session.get(Person, person_id)
        assert person is not None and person.name_zh == winner.value
    engine.resolve(c, "person", person_id, "name_zh", "扎西才让")
    everyone_meets(laptops)
    assert all(engine.conflicts(s) == [] for s in laptops)
    assert dump_json(a) == dump_json(b) == dump_json(c)
    with a.read() as session:
        person = session.get(Person, person_id)
        assert person is not None and person.name_zh == "扎西才让"


def test_a_clock_wrong_by_years_neither_hides_a_conflict_nor_wins_later(tmp_path: Path) -> None:
    normal = open_store(AppPaths(tmp_path / "normal"))
    set_up_device(normal, "normal", DARLAG)
    ahead = open_store(AppPaths(tmp_path / "ahead"), clock=lambda: wall_clock_ms() + 5 * YEAR_MS)
    ensure_device(ahead, "ahead")
    send(normal, ahead)
    set_up_device(ahead, "ahead", DARLAG)
    register(normal, petition())
    send(normal, ahead)
    send(ahead, normal)
    with normal.read() as session:
        person_id = session.query(Person.id).scalar()
    _rename(ahead, person_id, "未来的名字")
    _rename(normal, person_id, "现在的名字")
    send(ahead, normal)
    send(normal, ahead)
    assert len(engine.conflicts(normal)) == 1 and len(engine.conflicts(ahead)) == 1
    # An edit made after seeing the other's wins, whatever the clocks say.
    engine.resolve(normal, "person", person_id, "name_zh", "现在的名字")
    send(normal, ahead)
    _rename(normal, person_id, "最后的名字")
    send(normal, ahead)
    with ahead.read() as session:
        person = session.get(Person, person_id)
        assert person is not None and person.name_zh == "最后的名字"
    assert engine.conflicts(ahead) == []
    ahead.close()
    normal.close()


def test_registration_numbers_never_collide_after_a_merge(laptops: list[Store]) -> None:
    from datetime import datetime

    from app.petitions import numbering
    from models import Office, Petition

    a, b, c = laptops
    year = datetime.now().year
    with a.write() as session:  # the master grants the field laptop b a block of numbers
        office = session.query(Office).filter(Office.division_code == DARLAG).one()
        assert b.device_id is not None
        numbering.grant_block(session, office, year, b.device_id, numbering.FIELD_BLOCK,
                              office.numbering_device_id or "")
    send(a, b)
    numbers = []
    for store in (a, b, c, a, b, c):  # all offline at once; c has no block: provisional numbers
        numbers.append(register(store, petition()).reg_no)
    everyone_meets(laptops)
    with a.read() as session:
        stored = [n for (n,) in session.query(Petition.reg_no)]
    assert sorted(stored) == sorted(numbers) and len(set(numbers)) == 6
    assert sum("临" in n for n in numbers) == 2  # c's two, marked with c's code
    assert dump_json(a) == dump_json(b) == dump_json(c)


def test_fields_and_tables_of_a_newer_doorstep_are_kept_and_passed_on(
        laptops: list[Store]) -> None:
    import json

    a, b, c = laptops
    register(a, petition())
    send(a, b)
    with a.read() as session:
        person_id = session.query(Person.id).scalar()
    newer = [("f" * 8 + "-newer-laptop", 1, 1 << 60, "person", person_id, "nickname_v9",
              "小扎西", "[]"),
             ("f" * 8 + "-newer-laptop", 2, (1 << 60) + 1, "grazing_permit", "row-1", "area",
              12.5, "[]")]
    stamps = ("hlc", "updated_at", "last_device", "created_at")

    def known(store: Store) -> list[dict[str, object]]:
        return [{k: v for k, v in row.items() if k not in stamps}
                for table in dump(store).values() for row in table]

    before = known(b)
    result = engine.apply(b, newer)
    # Nothing this laptop knows changed (the row's stamp follows its newest version, as on the
    # newer laptop).
    assert result.new == 2 and known(b) == before
    passed_on = send(b, c)
    assert passed_on.new >= 2
    with c.read() as session:
        kept = session.connection().exec_driver_sql(
            "SELECT field, value FROM sync_version WHERE device_id LIKE 'ffffffff-newer%'"
            " ORDER BY counter").all()
    assert [tuple(r) for r in kept] == [("nickname_v9", "小扎西"), ("area", 12.5)]
    assert json.loads("[]") == []


def test_an_edit_made_while_another_laptop_deleted_the_record_is_a_conflict(
        laptops: list[Store]) -> None:
    a, b, c = laptops
    register(a, petition())
    everyone_meets(laptops)
    with a.read() as session:
        person_id = session.query(Person.id).scalar()
    with a.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.deleted = True
    with b.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.phone = "13909750000"
    # The import that brings the delete to the laptop that edited says there is a conflict.
    assert send(a, b).conflicts == 1
    everyone_meets(laptops)
    found = [engine.conflicts(s) for s in laptops]
    assert found[0] == found[1] == found[2]
    (conflict,) = found[0]
    assert (conflict.field, conflict.edited_field) == ("deleted", "phone")
    assert [c.value for c in conflict.candidates] == [1, 0]
    # The person at the window knows the herder is real: keep the record, with the new phone.
    engine.resolve(c, "person", person_id, "deleted", 0)
    everyone_meets(laptops)
    assert all(engine.conflicts(s) == [] for s in laptops)
    with a.read() as session:
        person = session.get(Person, person_id)
        assert person is not None and not person.deleted and person.phone == "13909750000"
    # An edit made after seeing a delete is no conflict; nor is a delete after seeing an edit.
    with a.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.deleted = True
    everyone_meets(laptops)
    with b.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.phone = "13909751111"
    everyone_meets(laptops)
    assert all(engine.conflicts(s) == [] for s in laptops)
    assert dump_json(a) == dump_json(b) == dump_json(c)


def test_aid_paid_on_two_offline_laptops_above_its_approval_is_flagged(
        laptops: list[Store]) -> None:
    from datetime import date, datetime, time

    from app.aid import cases as aid
    from app.aid.cases import AidProposal, PaymentInput
    from app.petitions.detail import petition_detail
    from tests.helpers import add_leaders

    a, b, _c = laptops
    from app.core.identity import this_device

    info = this_device(a)
    assert info is not None and info.office_id is not None
    chief = add_leaders(a, info.office_id)[0]
    from models import Staff

    with a.write() as session:
        staff = session.get(Staff, chief)
        assert staff is not None
        staff.role = "chief"
    _deputy, procurator = add_leaders(a, info.office_id)
    done = register(a, petition())
    person = petition_detail(a, done.id).parties[0].person_id
    today = max(AFTER_EVERY_TEST_DATE.date(), date.today())
    case = aid.propose(a, AidProposal(done.id, [person], "poor", "困难", "1000", "符合条件"),
                       procurator, today=today)
    aid.decide(a, case, "approved", chief, now=datetime.combine(today, time(10)))
    everyone_meets(laptops)
    for store in (a, b):  # each laptop pays 600 while offline: each is within the approval
        aid.pay(store, PaymentInput(case, "600", today.isoformat(), "扎西才让"), procurator,
                today=today)
    everyone_meets(laptops)
    flagged = aid.overpaid_cases(b)
    assert [(f.approved_fen, f.paid_fen) for f in flagged] == [(100_000, 120_000)]
    payment = aid.aid_case_detail(b, case).payments[-1].id
    aid.reverse(b, payment, "两台电脑重复发放", procurator, today=today)
    everyone_meets(laptops)
    assert aid.overpaid_cases(a) == [] and dump_json(a) == dump_json(b)


def test_a_conflict_shows_who_made_each_change(laptops: list[Store]) -> None:
    a, b, c = laptops
    register(a, petition())
    everyone_meets(laptops)
    with a.read() as session:
        person_id = session.query(Person.id).scalar()
    a.ctx.staff_id, b.ctx.staff_id = "staff-at-the-window", "staff-in-the-field"
    _rename(a, person_id, "扎西")
    _rename(b, person_id, "扎西才让（更正）")
    everyone_meets(laptops)
    (conflict,) = engine.conflicts(c)
    assert {(x.value, x.staff_id) for x in conflict.candidates} == {
        ("扎西", "staff-at-the-window"), ("扎西才让（更正）", "staff-in-the-field")}
    c.ctx.staff_id = "leader"
    engine.resolve(c, "person", person_id, "name_zh", "扎西才让（更正）")
    with c.read() as session:
        who = session.connection().exec_driver_sql(
            "SELECT staff_id FROM sync_version WHERE row_id = ? AND field = 'name_zh'"
            " ORDER BY seq DESC LIMIT 1", (person_id,)).scalar()
    assert who == "leader"


def test_a_clock_years_ahead_does_not_spread_to_other_laptops(tmp_path: Path) -> None:
    from models.sync import HLC_FUTURE_MARGIN_MS, hlc_wall_ms

    normal, relay = office_laptops(tmp_path, "nr")
    ahead = open_store(AppPaths(tmp_path / "ahead"), clock=lambda: wall_clock_ms() + 5 * YEAR_MS)
    try:
        ensure_device(ahead, "ahead")
        send(normal, ahead)
        set_up_device(ahead, "ahead", DARLAG)
        register(ahead, petition())  # stamped five years ahead
        arrived = send(ahead, normal)
        # The import says which laptop's clock is off, and by about how much.
        assert [device for device, _ms in arrived.clocks_ahead] == [ahead.device_id]
        assert abs(arrived.clocks_ahead[0][1] - 5 * YEAR_MS) < 60_000
        send(normal, relay)

        def newest_own(store: Store) -> int:
            with store.read() as session:
                return int(session.connection().exec_driver_sql(
                    "SELECT hlc FROM sync_version WHERE device_id = ? ORDER BY counter DESC"
                    " LIMIT 1", (store.device_id,)).scalar_one())

        with normal.read() as session:
            person_id = session.query(Person.id).scalar()
        _rename(normal, person_id, "现在的名字")
        _rename(relay, person_id, "中转的名字")
        now = wall_clock_ms()
        for store in (normal, relay):
            stamped = hlc_wall_ms(newest_own(store))
            assert abs(stamped - now) < HLC_FUTURE_MARGIN_MS, store.device_id
        # The laptop that is ahead keeps its own clock (its stamps stay monotonic).
        _rename(ahead, person_id, "未来的名字")
        assert hlc_wall_ms(newest_own(ahead)) > now + 4 * YEAR_MS
        # Its versions still travel and still count: every laptop ends with the same tables.
        everyone_meets([normal, relay, ahead])
        assert dump_json(normal) == dump_json(relay) == dump_json(ahead)
    finally:
        for store in (normal, relay, ahead):
            store.close()


def test_a_void_and_a_correction_made_on_one_laptop_show_on_another(
        laptops: list[Store]) -> None:
    """The void's columns (migration 0013) are versioned like the rest: laptop B sees the
    petition voided, with its reason, and out of Today; a correction travels as well."""
    from datetime import date

    from app.petitions import editing
    from app.petitions.detail import petition_detail
    from app.petitions.today import today_list

    a, b, _c = laptops
    wrong = register(a, petition("2026-11-10T09:30"))
    kept = register(a, petition("2026-11-10T10:30"))
    send(a, b)
    editing.void_petition(a, wrong.id, "重复登记")
    form = editing.petition_edit(a, kept.id)
    form.summary = "草场承包纠纷（更正）"
    editing.edit_petition(a, kept.id, form, now=AFTER_EVERY_TEST_DATE)
    send(a, b)
    there = petition_detail(b, wrong.id)
    assert (there.voided, there.void_reason, there.row.reg_no, there.row.status) == \
        (True, "重复登记", wrong.reg_no, "void")
    assert [h.action for h in there.history] == ["registered", "voided"]
    assert {i.petition_id for i in today_list(b, date(2026, 11, 24)).items} == {kept.id}
    assert petition_detail(b, kept.id).row.summary == "草场承包纠纷（更正）"
    send(b, a)
    assert dump_json(a) == dump_json(b)


def test_a_void_received_before_the_upgrade_takes_effect_with_it(laptops: list[Store]) -> None:
    """Laptop B keeps the versions of a void it imported while its tables had no void columns
    (it ran an older Doorstep); migration 0013 gives the new columns those values."""
    from sqlalchemy import text

    from app.petitions import editing
    from app.petitions.detail import petition_detail
    from app.sync.engine import capture_off
    from models.sync import adopt_stored_values

    a, b, _c = laptops
    wrong = register(a, petition("2026-11-10T09:30"))
    editing.void_petition(a, wrong.id, "重复登记")
    send(a, b)
    # As B had it: the versions stored, the columns empty (nothing versioned anew).
    with b.sync_write() as session, capture_off(b, session):
        session.execute(text("UPDATE petition SET voided_at = '', void_reason = '',"
                             " voided_by = NULL WHERE id = :id"), {"id": wrong.id})
    assert not petition_detail(b, wrong.id).voided
    with b.sync_write() as session, capture_off(b, session):
        assert adopt_stored_values(session.connection(), "petition",
                                   ("voided_at", "void_reason", "voided_by")) == 3
    there = petition_detail(b, wrong.id)
    assert (there.voided, there.void_reason) == (True, "重复登记")
    send(b, a)
    assert dump_json(a) == dump_json(b)
