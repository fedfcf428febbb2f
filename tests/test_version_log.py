"""Every insert, update and delete of a synced record leaves one immutable version per field: on a
laptop's SQLite store by its triggers, on a hub's PostgreSQL one by its PL/pgSQL functions."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import insert, select, text, update

from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from models import Office, Person
from models.sync import hlc_wall_ms
from tests.stores import open_test_store

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _versions(store: Store, where: str = "1 = 1", **params: object) -> list[dict[str, object]]:
    with store.read() as session:
        rows = session.execute(text(f"SELECT * FROM sync_version WHERE {where} ORDER BY seq"),
                               params).mappings().all()
    return [dict(r) for r in rows]


def _add_person(store: Store, **fields: object) -> str:
    with store.write() as session:
        person = Person(**{"name_zh": "扎西", "name_bo": "བཀྲ་ཤིས", **fields})
        session.add(person)
        session.flush()
        return person.id


def test_insert_writes_one_version_per_field_and_stamps_the_row(store: Store) -> None:
    person_id = _add_person(store, phone="13900000000")
    assert UUID.match(person_id)
    versions = _versions(store, "tbl = 'person' AND row_id = :r", r=person_id)
    fields = {v["field"]: v for v in versions}
    assert set(fields) == {"deleted", "name_bo", "name_zh", "sex", "ethnicity", "id_number",
                           "phone", "county", "township", "village", "herding_group",
                           "preferred_language", "needs_interpreter"}
    assert fields["phone"]["value"] == "13900000000"
    assert fields["name_bo"]["value"] == "བཀྲ་ཤིས"
    assert all(v["device_id"] == store.device_id and v["parents"] == "[]" for v in versions)
    counters = [v["counter"] for v in _versions(store, "device_id = :d", d=store.device_id)]
    assert counters == list(range(1, len(counters) + 1)), "per-device counters have no gaps"
    hlcs = [v["hlc"] for v in versions]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    with store.read() as session:
        row = session.execute(text("SELECT created_at, updated_at, last_device, hlc FROM person"
                                   " WHERE id = :i"), {"i": person_id}).one()
    assert row.last_device == store.device_id
    assert row.hlc == max(hlcs)
    assert row.created_at.endswith("Z") and row.created_at <= row.updated_at


def test_orm_update_writes_only_changed_fields_with_their_parent(store: Store) -> None:
    person_id = _add_person(store)
    first = {v["field"]: v for v in _versions(store, "row_id = :r", r=person_id)}
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.phone = "13811112222"
        person.name_zh = "扎西"  # unchanged: no version
    changed = _versions(store, "row_id = :r AND seq > :s", r=person_id,
                        s=max(int(v["seq"]) for v in first.values()))  # type: ignore[call-overload]
    assert [(v["field"], v["value"]) for v in changed] == [("phone", "13811112222")]
    # Its parents: the field's head, and the head of the row's deleted flag (so that an edit
    # and a delete made apart show up as a conflict).
    parents = sorted(f"{first[f]['device_id']}:{first[f]['counter']}" for f in ("phone", "deleted"))
    assert json.loads(str(changed[0]["parents"])) == parents
    with store.read() as session:
        heads = session.execute(text("SELECT counter FROM sync_head WHERE row_id = :r AND"
                                     " field = 'phone'"), {"r": person_id}).scalars().all()
    assert heads == [changed[0]["counter"]]


def test_bulk_core_update_and_raw_sql_are_captured(store: Store) -> None:
    ids = [_add_person(store, county="达日县") for _ in range(5)]
    with store.write() as session:
        session.execute(update(Person).where(Person.county == "达日县").values(township="吉迈镇"))
    with store.write() as session:
        session.execute(text("UPDATE person SET village = '查干村' WHERE id = :i"), {"i": ids[0]})
    township = [v for v in _versions(store, "field = 'township'") if v["value"] == "吉迈镇"]
    assert sorted(str(v["row_id"]) for v in township) == sorted(ids)
    assert [v["row_id"] for v in _versions(store, "field = 'village'")
            if v["value"] == "查干村"] == [ids[0]]


def test_core_bulk_insert_is_captured(store: Store) -> None:
    with store.write() as session:
        session.execute(insert(Office), [
            {"id": f"00000000-0000-7000-8000-00000000000{i}", "division_code": f"63262{i}",
             "level": "county", "name_zh": f"县院{i}", "name_bo": "", "short_zh": "检"}
            for i in range(3)])
    assert len(_versions(store, "tbl = 'office' AND field = 'name_zh'")) == 3


def test_delete_is_a_tombstone_version_and_hard_delete_is_refused(store: Store) -> None:
    person_id = _add_person(store)
    with pytest.raises(Exception, match="tombstone"), store.write() as session:
        session.execute(text("DELETE FROM person WHERE id = :i"), {"i": person_id})
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.deleted = True
    tomb = _versions(store, "row_id = :r AND field = 'deleted'", r=person_id)
    assert [v["value"] for v in tomb] == [0, 1]
    with store.read() as session:
        assert session.scalar(select(Person.deleted).where(Person.id == person_id)) is True


def test_versions_are_immutable_and_ids_fixed(store: Store) -> None:
    person_id = _add_person(store)
    with pytest.raises(Exception, match="immutable"), store.write() as session:
        session.execute(text("UPDATE sync_version SET field = 'x'"))
    with pytest.raises(Exception, match="never removed"), store.write() as session:
        session.execute(text("DELETE FROM sync_version"))
    with pytest.raises(Exception, match="never changes"), store.write() as session:
        session.execute(text("UPDATE person SET id = 'other' WHERE id = :i"), {"i": person_id})


def test_failed_action_leaves_neither_row_nor_version(store: Store) -> None:
    before = len(_versions(store))
    with pytest.raises(RuntimeError), store.write() as session:
        session.add(Person(name_zh="卓玛"))
        session.flush()
        raise RuntimeError("power cut")
    assert len(_versions(store)) == before
    with store.read() as session:
        assert session.scalar(select(Person).where(Person.name_zh == "卓玛")) is None


def test_hlc_never_goes_backwards_when_the_wall_clock_does(paths: AppPaths) -> None:
    now = [2_000_000_000_000]
    store = open_test_store(paths, clock=lambda: now[0])
    ensure_device(store, "laptop")
    person_id = _add_person(store)
    now[0] -= 10 * 365 * 24 * 3600 * 1000  # the laptop's clock is set back ten years
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.phone = "13900000001"
    hlcs = [int(v["hlc"]) for v in _versions(store)]  # type: ignore[call-overload]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    assert hlc_wall_ms(hlcs[-1]) == 2_000_000_000_000
    store.close()


def test_clock_is_monotonic_across_two_open_stores(paths: AppPaths) -> None:
    """Two processes (here: two engines) on one file never reuse a counter or an HLC."""
    first = open_test_store(paths, clock=lambda: 1_000)
    ensure_device(first, "laptop")
    second = open_test_store(paths, clock=lambda: 500)
    for i in range(3):
        _add_person(first, phone=f"1{i}")
        _add_person(second, phone=f"2{i}")
    versions = _versions(first)
    assert len({(v["device_id"], v["counter"]) for v in versions}) == len(versions)
    hlcs = [v["hlc"] for v in versions]
    assert hlcs == sorted(hlcs)  # type: ignore[type-var]
    first.close()
    second.close()


def test_writing_without_a_device_identity_is_refused(paths: AppPaths) -> None:
    store = open_test_store(paths)
    # (SQLite says a function of the connection raised; PostgreSQL gives the function's words)
    with pytest.raises(Exception, match=r"user-defined function raised|no device identity"), \
            store.write() as session:
        session.add(Person(name_zh="扎西"))
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM person")).scalar() == 0
    store.close()
