"""Opening, creating, migrating and refusing store files."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from app.core.errors import NewerStoreError, NotAStoreError
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import ConnectionContext, _register, open_store
from models import Base
from models import migrate as migrations
from models.aid import LEDGER_GUARD_DDL
from models.audit import AUDIT_GUARD_DDL
from models.search import search_trigger_ddl
from models.sync import capture_trigger_ddl, field_ids, synced_tables


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_store_is_migrated_to_head_in_wal_mode_with_foreign_keys(paths: AppPaths) -> None:
    store = open_store(paths)
    try:
        with store.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                == migrations.head_revision()
            assert session.execute(text("PRAGMA application_id")).scalar() \
                == migrations.APPLICATION_ID
    finally:
        store.close()
    assert paths.store.exists()
    assert not list(paths.backups.glob("*.sqlite3")), "nothing to back up for a new store"


def test_foreign_keys_are_enforced(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="FOREIGN KEY"), store.write() as session:
        session.execute(text("INSERT INTO staff (id, office_id, name_zh, name_bo, role, phone,"
                             " active) VALUES ('s1', 'no-such-office', 'Zhang', '', 'clerk',"
                             " '', 1)"))


def _migrate_to(paths: AppPaths, revision: str) -> None:
    """An old store: the schema at ``revision`` only, as an older Doorstep left it."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = ConnectionContext(device_id="00000000-0000-7000-8000-000000000001")
    engine = create_engine(f"sqlite:///{paths.store}")
    event.listen(engine, "connect", lambda conn, _rec: _register(conn, ctx))
    with engine.begin() as conn:
        migrations.upgrade(conn, revision)
    engine.dispose()


def test_upgrade_from_previous_revision_keeps_data_and_backs_up(paths: AppPaths) -> None:
    _migrate_to(paths, "0001")
    with closing(sqlite3.connect(paths.store)) as con:
        con.create_function("doorstep_capture", 0, lambda: 1)
        con.create_function("doorstep_device", 0, lambda: "dev-old")
        con.create_function("doorstep_hlc", 1, lambda m: (m or 0) + 1)
        con.create_function("doorstep_hlc_bound", 0, lambda: 1 << 62)
        con.create_function("doorstep_staff", 0, lambda: None)
        con.execute("INSERT INTO device (id, name) VALUES ('dev-old', '旧电脑')")
        con.execute("INSERT INTO local_identity (slot, device_id) VALUES (1, 'dev-old')")
        con.execute("INSERT INTO office (id, division_code, level, name_zh, name_bo, short_zh)"
                    " VALUES ('o1', '632624', 'county', '达日县人民检察院', 'དར་ལག', '达检')")
        con.commit()
    before = _digest(paths.store)

    store = open_store(paths)
    try:
        assert store.device_id == "dev-old"
        with store.read() as session:
            assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                == migrations.head_revision()
            assert session.execute(text("SELECT name_zh, name_bo FROM office")).one() \
                == ("达日县人民检察院", "དར་ལག")
            versions = session.execute(text("SELECT count(*) FROM sync_version")).scalar()
            assert versions == 3 + 7  # device and office creations, kept
        with store.write() as session:
            session.execute(text("INSERT INTO person (id, name_bo, name_zh, sex, ethnicity,"
                                 " id_number, phone, county, township, village, herding_group,"
                                 " preferred_language, needs_interpreter) VALUES ('p1', 'བཀྲ་ཤིས',"
                                 " '扎西', 'M', '04', '', '', '达日县', '', '', '', 'bo', 1)"))
    finally:
        store.close()
    backups = list(paths.backups.glob("doorstep-*-rev0001.sqlite3"))
    assert len(backups) == 1
    with closing(sqlite3.connect(backups[0])) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert con.execute("SELECT name_zh FROM office").fetchone() == ("达日县人民检察院",)
    assert before != _digest(paths.store)


@pytest.mark.parametrize("content", [
    b"This is a letter, not a database." * 100,
    b"SQLite format 3\x00" + b"\xff" * 4000,
    bytes(range(256)) * 64,
])
def test_garbage_file_is_refused_and_left_byte_identical(paths: AppPaths, content: bytes) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.store.write_bytes(content)
    with pytest.raises(NotAStoreError) as caught:
        open_store(paths)
    assert paths.store.read_bytes() == content
    assert str(paths.store) in caught.value.translated()
    assert not list(paths.backups.glob("*"))


def test_other_sqlite_database_is_refused(paths: AppPaths) -> None:
    paths.data_dir.mkdir(parents=True)
    with closing(sqlite3.connect(paths.store)) as con:
        con.execute("CREATE TABLE contacts (name TEXT)")
        con.execute("INSERT INTO contacts VALUES ('x')")
        con.commit()
    before = _digest(paths.store)
    with pytest.raises(NotAStoreError):
        open_store(paths)
    assert _digest(paths.store) == before


def test_store_from_newer_schema_is_refused_and_left_byte_identical(paths: AppPaths) -> None:
    store = open_store(paths)
    ensure_device(store, "laptop")
    store.close()
    with closing(sqlite3.connect(paths.store)) as con:
        con.execute("UPDATE alembic_version SET version_num = '0099'")
        con.execute("PRAGMA journal_mode = DELETE")
        con.commit()
    before = _digest(paths.store)
    with pytest.raises(NewerStoreError) as caught:
        open_store(paths)
    assert _digest(paths.store) == before
    assert "newer version" in str(caught.value)
    assert not list(paths.backups.glob("*"))


def test_triggers_in_migrated_store_match_the_current_models(store) -> None:  # type: ignore[no-untyped-def]
    """A column added to a model without regenerating its triggers in a migration fails here."""
    with store.read() as session:
        found = {name: sql for name, sql in session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))}
    tables = synced_tables(Base.metadata.tables.values())
    assert {t.name for t in tables} >= {"device", "office", "person", "staff", "petition"}
    expected = list(search_trigger_ddl()) + LEDGER_GUARD_DDL + AUDIT_GUARD_DDL
    for table in tables:
        expected += capture_trigger_ddl(table.name, field_ids(table))
    for ddl in expected:
        name = ddl.split('"')[1]
        assert found.get(name) == ddl, f"trigger {name} is missing or stale"
    assert len(found) == len(expected) + 2  # and the two guards of the version log


def test_write_actions_take_the_write_lock_up_front(store) -> None:  # type: ignore[no-untyped-def]
    """BEGIN IMMEDIATE: two laptops' processes on one file wait for each other, never deadlock."""
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement))
    with store.write() as session:
        session.execute(text("SELECT 1"))
    with store.read() as session:
        session.execute(text("SELECT 1"))
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE",
                                                                "BEGIN DEFERRED"]


def test_every_guard_of_the_store_is_known_by_its_whole_text(store) -> None:  # type: ignore[no-untyped-def]
    """Each RAISE in a migrated store's triggers is in app.core.refusals, and nothing else is:
    a guard whose text changes fails here instead of showing "unexpected problem"."""
    import re

    from app.core.refusals import REFUSALS

    with store.read() as session:
        raised = {m for (sql,) in session.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
            for m in re.findall(r"RAISE\(ABORT, '([^']*)'\)", sql)}
    assert raised == set(REFUSALS)
    assert all(m.startswith("doorstep: ") for m in raised)


def test_the_revisions_read_from_the_script_names_are_alembics() -> None:
    """Opening a store at the head needs no Alembic: the revisions come from the scripts'
    names, and they are what Alembic reads from the scripts themselves."""
    script = migrations.script()
    assert migrations.known_revisions() == {r.revision for r in script.walk_revisions()}
    assert migrations.head_revision() == script.get_current_head()


def test_a_migrated_store_has_the_models_tables_columns_and_indexes(store) -> None:  # type: ignore[no-untyped-def]
    """What the migrations build is what the models say (PostgreSQL is built by the same
    migrations): no table, column or index differs. The full-text index and its key table are
    SQLite's own, made by the migrations in raw SQL, and not models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    full_text = ("petition_fts", "petition_search_key")
    left = [d for d in differences
            if not (d[0] == "remove_table" and d[1].name.startswith(full_text))]
    assert left == []
