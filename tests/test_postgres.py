"""The store's models and migrations on PostgreSQL, the prefecture hub's database (issue 18).

These run against the throw-away server ``./dev test`` starts (``DOORSTEP_TEST_PG``), each on
a new empty database of its own; pytest run without it skips them.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection

from app.core.store import Store
from models import Base
from models import migrate as migrations

pytestmark = pytest.mark.postgres

# The SQLite store's own tables, made in raw SQL by the migrations and not models: the FTS5
# search index (with FTS5's shadow tables) and its key table. The hub's search is the next step.
SQLITE_ONLY_TABLES = ("petition_fts", "petition_search_key")


def _schema(conn: Connection) -> dict[str, Any]:
    """Every table with its columns (type family, length, nullable), primary key, foreign keys
    and indexes, as SQLAlchemy reads them back from the database."""
    found = inspect(conn)
    schema: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        if table.startswith(SQLITE_ONLY_TABLES):
            continue
        schema[table] = {
            "columns": [(c["name"], c["type"]._type_affinity.__name__,
                         getattr(c["type"], "length", None), c["nullable"])
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
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_only_sqlite_gets_the_triggers_and_the_full_text_index_for_now(postgres_url: str) -> None:
    """What is still SQLite's own (models.migrate.sqlite_only) leaves PostgreSQL untouched: no
    trigger, no function, no search table. The next step ports them to PL/pgSQL."""
    from sqlalchemy import text

    engine = _migrated(postgres_url)
    try:
        with engine.connect() as conn:
            triggers = conn.execute(text(
                "SELECT count(*) FROM information_schema.triggers")).scalar_one()
            functions = conn.execute(text(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = 'public'")).scalar_one()
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert (triggers, functions) == (0, 0)
    assert not {t for t in tables if t.startswith(SQLITE_ONLY_TABLES)}


def test_a_version_stamped_now_fits_on_postgresql(postgres_url: str) -> None:
    """An HLC (milliseconds << 16) is beyond 32 bits: the version log, the records' stamps
    and the peers' acknowledgements hold it whole."""
    import time

    from sqlalchemy import text

    from models.sync import next_hlc

    hlc = next_hlc(int(time.time() * 1000), None)
    assert hlc > 2**56
    engine = _migrated(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO sync_version (device_id, counter, hlc, tbl, row_id, field, value)"
                " VALUES ('d', 1, :hlc, 'office', 'o', 'name_zh', :value)"),
                {"hlc": hlc, "value": "达日县人民检察院".encode()})
            conn.execute(text(
                "INSERT INTO office (id, division_code, level, name_zh, name_bo, short_zh, hlc)"
                " VALUES ('o', '632626', 'county', '达日县人民检察院', '', '达检', :hlc)"),
                {"hlc": hlc})
            conn.execute(text("INSERT INTO sync_peer (device_id, vector, updated_at, ack_hlc)"
                              " VALUES ('d', '{}', '', :hlc)"), {"hlc": hlc})
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT v.hlc, o.hlc, p.ack_hlc, o.deleted FROM sync_version v, office o,"
                " sync_peer p")).one() == (hlc, hlc, hlc, False)
    finally:
        engine.dispose()
