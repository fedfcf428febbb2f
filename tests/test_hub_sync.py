"""The sync engine, the signed logs and packages on the prefecture hub's PostgreSQL store
(issue 18): what laptops' SQLite stores send makes the same tables and the same version log
there, conflicts read the same, and what the hub sends back rebuilds a laptop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.dump import dump, dump_json
from app.core.errors import AppError
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.server import open_server_store
from app.core.store import Store, open_store
from app.sync import engine, service
from models import Person
from tests.helpers import DARLAG, petition, register, shared_dump
from tests.test_sync_engine import office_laptops, send

pytestmark = pytest.mark.postgres

PASS = "demo-passphrase"
@pytest.fixture
def hub(postgres_url: str, tmp_path: Path) -> Iterator[Store]:
    store = open_server_store(postgres_url, AppPaths(tmp_path / "hub"), create=True)
    ensure_device(store, "州院")
    yield store
    store.close()


def version_log(store: Store, without: str | None = None) -> list[tuple[Any, ...]]:
    """Every version as it travels (no local arrival order), in one order."""
    rows = [tuple(r) for batch in engine.versions_after(store, {}) for r in batch
            if r.device_id != without]
    return sorted(rows, key=lambda r: (r[0], r[1]))


def tables(store: Store, without: str | None) -> dict[str, list[dict[str, Any]]]:
    """The dump without one store's own device row and record of what was done there."""
    found = dump(store)
    found["device"] = [row for row in found["device"] if row["id"] != without]
    found["audit_entry"] = [row for row in found["audit_entry"] if row["log_id"] != without]
    return found


def _rename(store: Store, person_id: str, name: str) -> None:
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.name_zh = name


def _registered_on_both(a: Store, b: Store) -> str:
    """A petition registered on ``a`` and sent to ``b``: its petitioner's id."""
    register(a, petition())
    send(a, b)
    with a.read() as session:
        return str(session.query(Person.id).scalar())


def test_a_laptops_versions_make_the_same_tables_and_log_on_the_hub(
        tmp_path: Path, hub: Store) -> None:
    a, b = office_laptops(tmp_path, "ab")
    person_id = _registered_on_both(a, b)
    _rename(b, person_id, "扎西才让乙")
    send(b, a)
    first = send(a, hub)
    assert first.new > 50 and first.rows_created >= 5
    assert tables(hub, hub.device_id) == tables(a, None)
    assert version_log(hub, hub.device_id) == version_log(a)
    again = send(a, hub)
    assert again.new == 0 and again.rows_updated == 0 and again.rows_created == 0
    assert tables(hub, hub.device_id) == tables(a, None)
    for store in (a, b):
        store.close()


def test_the_hubs_table_exports_are_the_laptops_byte_for_byte(
        tmp_path: Path, hub: Store) -> None:
    """The same records exported from a laptop's SQLite file and from the hub's PostgreSQL:
    the same files (masks, yuan, flags as 0/1, names in party order), masked and in full."""
    from app.statistics import tables as exports

    a, b = office_laptops(tmp_path, "ab")
    person_id = _registered_on_both(a, b)
    register(a, petition("2026-11-22T10:00"))
    _rename(b, person_id, "扎西才让乙")
    send(b, a)
    send(a, hub)
    for unmask in (False, True):
        written = {}
        for name, store in (("laptop", a), ("hub", hub)):
            folder = tmp_path / f"{name}-{unmask}"
            folder.mkdir()
            assert exports.export_all(store, folder, unmask=unmask)["petitions"] == 2
            written[name] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        assert written["hub"] == written["laptop"]
        assert (b"632624198503120012" in written["hub"]["persons.csv"]) == unmask
    for store in (a, b):
        store.close()


def test_a_conflict_between_two_laptops_reads_the_same_on_the_hub_and_resolves_there(
        tmp_path: Path, hub: Store) -> None:
    a, b = office_laptops(tmp_path, "ab")
    person_id = _registered_on_both(a, b)
    _rename(a, person_id, "扎西才让甲")
    _rename(b, person_id, "扎西才让乙")
    send(b, a)
    send(a, hub)
    on_laptop, on_hub = engine.conflicts(a), engine.conflicts(hub)
    assert len(on_hub) == 1 and on_hub == on_laptop
    assert {c.value for c in on_hub[0].candidates} == {"扎西才让甲", "扎西才让乙"}
    assert on_hub[0].base == "扎西才让" and on_hub[0].has_base
    engine.resolve(hub, "person", person_id, "name_zh", "扎西才让")
    assert engine.conflicts(hub) == []
    # The choice travels back as any edit does: the laptop takes it, and has no conflict left.
    send(hub, a)
    assert engine.conflicts(a) == []
    assert tables(a, hub.device_id) == tables(hub, hub.device_id)
    for store in (a, b):
        store.close()


def test_what_the_hub_holds_rebuilds_a_fresh_laptop(tmp_path: Path, hub: Store) -> None:
    a, b = office_laptops(tmp_path, "ab")
    register(a, petition())
    register(b, petition())
    send(b, a)
    send(a, hub)
    fresh = open_store(AppPaths(tmp_path / "fresh"))
    ensure_device(fresh, "fresh laptop")
    rows = [r for batch in engine.versions_after(hub, {}, batch=50) for r in batch]
    assert [json.loads(r.parents) for r in rows] == [
        sorted(json.loads(r.parents)) for r in rows]
    engine.apply(fresh, rows)
    assert tables(fresh, fresh.device_id) == tables(hub, None)
    assert version_log(fresh, fresh.device_id) == version_log(hub)
    for store in (a, b, fresh):
        store.close()


def row_counts(store: Store) -> dict[str, int]:
    """Rows of the version log and of every table, as PostgreSQL holds them."""
    with store.read() as session:
        conn = session.connection()
        names = [str(n) for (n,) in conn.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() ORDER BY table_name")]
        return {name: int(conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"').scalar() or 0)
                for name in names}


def test_packages_go_from_an_enrolled_laptop_to_the_hub_and_back(
        tmp_path: Path, hub: Store) -> None:
    master = open_store(AppPaths(tmp_path / "master"))
    from app.core.identity import set_up_device

    set_up_device(master, "县院主机", DARLAG)
    service.set_up_office(master, PASS)
    register(master, petition())
    request = service.enrolment_request(hub, PASS, DARLAG, "州院")
    service.accept_grant(hub, service.enrol(master, request, PASS), PASS)
    first = service.export(master, tmp_path / "first.dsp", PASS, full=True)
    arrived = service.import_package(hub, first.path, PASS)
    assert arrived.new == first.versions and arrived.gaps == [] and arrived.altered == ()
    for table in ("petition", "person", "petition_party", "office"):
        assert dump(hub)[table] == dump(master)[table]

    # A damaged package and one from a laptop of another office: refused, PostgreSQL as it was.
    register(master, petition())
    package = service.export(master, tmp_path / "second.dsp", PASS).path
    before, tables_before = row_counts(hub), dump_json(hub)
    data = package.read_bytes()
    damaged = tmp_path / "damaged.dsp"
    damaged.write_bytes(data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x40])
                        + data[len(data) // 2 + 1:])
    with pytest.raises(AppError):
        service.import_package(hub, damaged, PASS)
    other = open_store(AppPaths(tmp_path / "other"))
    set_up_device(other, "他县", "632626")
    service.set_up_office(other, PASS)
    register(other, petition())
    stranger = service.export(other, tmp_path / "other.dsp", PASS, full=True).path
    with pytest.raises(AppError):
        service.import_package(hub, stranger, PASS)
    assert row_counts(hub) == before and dump_json(hub) == tables_before

    second = service.import_package(hub, package, PASS)
    assert second.new > 0 and dump(hub)["petition"] == dump(master)["petition"]
    # The hub exports what the laptop lacks (its own changes: a conflict resolved there).
    with hub.read() as session:
        person_id = session.query(Person.id).order_by(Person.id).first()
    assert person_id is not None
    _rename(hub, person_id[0], "扎西才让丙")
    back = service.export(hub, tmp_path / "back.dsp", PASS)
    got = service.import_package(master, back.path, PASS)
    assert got.new > 0 and got.sender_name == "州院"
    again = service.export(master, tmp_path / "again.dsp", PASS)
    service.import_package(hub, again.path, PASS)
    assert shared_dump(hub) == shared_dump(master)
    assert service.import_package(hub, again.path, PASS).already_imported
    # Every batch the hub forwards is the bytes its author signed (rows read back from jsonb,
    # in code point order): a full package from the hub carries every version it holds.
    held = row_counts(hub)["sync_version"]  # (the export's own record comes after)
    everything = service.export(hub, tmp_path / "full.dsp", PASS, full=True)
    assert everything.versions == held
    for store in (master, other):
        store.close()
