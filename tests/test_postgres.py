"""The store's models and migrations on PostgreSQL, the prefecture hub's database (issue 18).

These run against the throw-away server ``./dev test`` starts (``DOORSTEP_TEST_PG``), each on
a new empty database of its own; pytest run without it skips them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection

from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from models import Base, Office
from models import migrate as migrations
from models.sync import ID_NEVER_CHANGES

pytestmark = pytest.mark.postgres

# Each store's own search index, made in raw SQL by the migrations and not models: on SQLite
# the FTS5 index (with FTS5's shadow tables) and its key table, on PostgreSQL a table with a
# trigram index (models.postgres).
SEARCH_TABLES = ("petition_fts", "petition_search_key", "petition_search")


def _kind(table: str, column: dict[str, Any]) -> str:
    """A column's type family; a version's value is the one column whose type differs (SQLite
    keeps the value as the row held it, PostgreSQL its JSON: models.postgres)."""
    if (table, column["name"]) == ("sync_version", "value"):
        return "a version's value"
    return str(column["type"]._type_affinity.__name__)


def _schema(conn: Connection) -> dict[str, Any]:
    """Every table with its columns (type family, nullable), primary key, foreign keys and
    indexes, as SQLAlchemy reads them back from the database. Not a text column's length: SQLite
    never enforces it, and on PostgreSQL a text column has none (``models.base``), so a hub holds
    whatever a laptop holds."""
    found = inspect(conn)
    schema: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        if table.startswith(SEARCH_TABLES):
            continue
        schema[table] = {
            "columns": [(c["name"], _kind(table, c), c["nullable"])
                        for c in found.get_columns(table)],
            "primary key": found.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted((tuple(k["constrained_columns"]), k["referred_table"],
                                    tuple(k["referred_columns"]))
                                   for k in found.get_foreign_keys(table)),
            "indexes": sorted((str(i["name"]), tuple(map(str, i["column_names"])),
                               bool(i["unique"])) for i in found.get_indexes(table)),
        }
    return schema


def _migrated(url: str) -> Any:
    engine = create_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    return engine


def test_the_migrations_build_on_postgresql_the_tables_and_columns_of_the_sqlite_store(
        postgres_url: str, store: Store) -> None:
    engine = _migrated(postgres_url)
    try:
        with engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.head_revision()
            on_postgresql = _schema(conn)
            # No text column refuses a value for its length, but an id (made in raw SQL, always
            # 36 characters): a hub holds what laptops hold.
            assert conn.exec_driver_sql(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND character_maximum_length <> 36"
                ).all() == []
        with store.engine.connect() as conn:
            on_sqlite = _schema(conn)
    finally:
        engine.dispose()
    assert {"petition", "person", "sync_version", "sync_head", "aid_payment"} <= set(on_sqlite)
    assert list(on_postgresql) == list(on_sqlite)
    for table, described in on_sqlite.items():
        assert on_postgresql[table] == described, table


def test_a_postgresql_database_migrated_to_head_is_what_the_models_say(postgres_url: str) -> None:
    """The models and the migrations agree on PostgreSQL as they do on SQLite
    (test_store.py): no table, column, index or foreign key differs."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = _migrated(postgres_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    # The search index's table (with its trigram index) is the hub's own, as FTS5's is SQLite's.
    assert [d for d in differences if "petition_search" not in str(d)] == []
    assert differences, "the search table is found"


def _hub(url: str, tmp_path: Path, clock: Any = None) -> Store:
    from app.core.server import open_server_store

    store = open_server_store(url, AppPaths(tmp_path / "hub"), create=True,
                              **({"clock": clock} if clock else {}))
    ensure_device(store, "州院")
    return store


def _versions(store: Store, table: str) -> list[tuple[Any, ...]]:
    """A table's versions as a laptop would compare them: field, value, whether it names
    parents, and how many."""
    with store.read() as session:
        return [(field, value, json.loads(parents))
                for field, value, parents in session.execute(text(
                    "SELECT field, value, parents FROM sync_version WHERE tbl = :t"
                    " ORDER BY seq"), {"t": table})]


def _write_office(store: Store) -> str:
    with store.write() as session:
        office = Office(division_code="632626", level="county", name_zh="达日县人民检察院",
                        name_bo="དར་ལྷས་རྫོང་", short_zh="达检")
        session.add(office)
        session.flush()
        office_id = office.id
    with store.write() as session:
        found = session.get(Office, office_id)
        assert found is not None
        found.name_zh, found.deleted = "达日县检察院", True
    return office_id


def test_a_record_written_on_postgresql_gets_the_versions_and_stamps_it_gets_on_sqlite(
        postgres_url: str, store: Store, tmp_path: Path) -> None:
    """The capture trigger in PL/pgSQL writes what SQLite's triggers write: a version per
    field (a boolean as 0 or 1), with no parents when the record is made and the field's and
    the deleted flag's heads when it changes, and stamps the row from its newest version."""
    hub = _hub(postgres_url, tmp_path)
    try:
        on_sqlite, on_postgresql = _write_office(store), _write_office(hub)
        laptop, server = _versions(store, "office"), _versions(hub, "office")
        # The same versions: field, value and how many parents each names.
        assert len(laptop) > 10
        assert sorted((f, json.dumps(v), len(p)) for f, v, p in server) \
            == sorted((f, json.dumps(v), len(p)) for f, v, p in laptop)
        head = {"sqlite": store, "postgresql": hub}
        named = {}
        for name, found in (("sqlite", laptop), ("postgresql", server)):
            by_field = {(f, str(v)): p for f, v, p in found}
            assert by_field[("deleted", "0")] == []
            assert by_field[("name_zh", "达日县人民检察院")] == []
            # The rename names the first name's version and the deleted flag's; the delete
            # names every head of the record.
            named[name] = (len(by_field[("name_zh", "达日县检察院")]),
                           len(by_field[("deleted", "1")]))
        assert named["sqlite"] == named["postgresql"] == (2, len(laptop) - 2)
        for name, office_id in (("sqlite", on_sqlite), ("postgresql", on_postgresql)):
            with head[name].read() as session:
                row = session.execute(text(
                    "SELECT o.hlc, o.last_device, o.updated_at, o.created_at, o.deleted,"
                    " (SELECT MAX(hlc) FROM sync_version WHERE row_id = o.id)"
                    " FROM office o WHERE id = :id"), {"id": office_id}).one()
            assert row[0] == row[5] > 2**56, name
            assert row[1] == head[name].device_id and row[4] is not None and bool(row[4])
            assert row[2] > row[3] and row[2].endswith("Z") and len(row[2]) == 24
    finally:
        hub.close()


def test_the_guards_refuse_on_postgresql_what_they_refuse_on_sqlite(
        postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy.exc import DBAPIError

    from app.core.refusals import guard_text
    from models.sync import DELETED_BY_TOMBSTONE, VERSIONS_IMMUTABLE, VERSIONS_NEVER_REMOVED

    hub = _hub(postgres_url, tmp_path)
    try:
        office_id = _write_office(hub)
        count = "SELECT COUNT(*) FROM sync_version WHERE row_id = :id"
        with hub.read() as session:
            before = session.execute(text(count), {"id": office_id}).scalar_one()
        for statement, refused in (
                ("DELETE FROM office WHERE id = :id", DELETED_BY_TOMBSTONE),
                ("UPDATE sync_version SET value = to_jsonb(2) WHERE row_id = :id",
                 VERSIONS_IMMUTABLE),
                ("DELETE FROM sync_version WHERE row_id = :id", VERSIONS_NEVER_REMOVED),
                ("UPDATE office SET id = 'x' WHERE id = :id", ID_NEVER_CHANGES)):
            with pytest.raises(DBAPIError) as raised, hub.write() as session:
                session.execute(text(statement), {"id": office_id})
            assert guard_text(raised.value) == refused
        with hub.read() as session:
            assert session.execute(text(count), {"id": office_id}).scalar_one() == before > 10
    finally:
        hub.close()


def test_a_version_stamped_now_fits_on_postgresql(postgres_url: str) -> None:
    """An HLC (milliseconds << 16) is beyond 32 bits: the version log, the records' stamps
    and the peers' acknowledgements hold it whole."""
    import time

    from models.sync import next_hlc

    hlc = next_hlc(int(time.time() * 1000), None)
    assert hlc > 2**56
    engine = _migrated(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT set_config('doorstep.applying', '1', true)"))
            conn.execute(text(
                "INSERT INTO sync_version (device_id, counter, hlc, tbl, row_id, field, value)"
                " VALUES ('d', 1, :hlc, 'office', 'o', 'name_zh', to_jsonb(CAST(:value AS text)))"),
                {"hlc": hlc, "value": "达日县人民检察院"})
            conn.execute(text(
                "INSERT INTO office (id, division_code, level, name_zh, name_bo, short_zh, hlc)"
                " VALUES ('o', '632626', 'county', '达日县人民检察院', '', '达检', :hlc)"),
                {"hlc": hlc})
            conn.execute(text("INSERT INTO sync_peer (device_id, vector, updated_at, ack_hlc)"
                              " VALUES ('d', '{}', '', :hlc)"), {"hlc": hlc})
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT v.hlc, o.hlc, p.ack_hlc, o.deleted, v.value FROM sync_version v,"
                " office o, sync_peer p")).one() == (hlc, hlc, hlc, False, "达日县人民检察院")
    finally:
        engine.dispose()
