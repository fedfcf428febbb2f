"""The version log that makes every synced table a function of immutable field versions.

Every INSERT and UPDATE of a synced record writes, in the same statement's transaction, one row in
``sync_version`` per changed field: a (device, counter) id, a hybrid-logical-clock value, the
table, the row id, the field and its new value, and the ids of the versions the writer had seen
for that field (its parents, the field's heads before the write). ``sync_head`` keeps each field's
current leaves so a new local version can name them.

The versions are written by SQLite triggers generated here from the model metadata, so no code
path can bypass them: the ORM, Core bulk statements and raw SQL all fire them. The triggers call
three functions that ``app`` registers on every connection:

``doorstep_capture()``
    1 normally; 0 while the sync engine applies versions that arrived from elsewhere.
``doorstep_device()``
    the log this installation writes to (raises when the store has no identity yet). A version's
    ``device_id`` column names its *log*: a laptop's first log has the laptop's device id; a
    laptop whose data folder was restored from an older copy moves to a fresh log (see
    ``app.sync.signed``), so that it never writes two different versions under one id.
``doorstep_hlc(max_hlc)``
    the next HLC: ``max(wall_clock_ms << 16, max_hlc + 1)``. It receives the store's highest HLC
    that is not beyond ``doorstep_hlc_bound()``, read inside the write transaction, so clocks stay
    monotonic across processes and restarts and run ahead of every version received from laptops
    whose clocks are right.
``doorstep_hlc_bound()``
    the highest HLC this laptop adopts: its wall clock plus a margin (``HLC_FUTURE_MARGIN_MS``).
    A version stamped further ahead (a laptop whose clock is years wrong) is kept and synced like
    any other, but its clock does not spread into this laptop's stamps. Conflicts are decided by
    parent links, never by clocks, so nothing depends on adopting it.

Physical DELETE of a synced row, changing its id, and any change to a written version are refused
by triggers: deletion is a tombstone (the ``deleted`` field), and the log is append-only. Only the
sync engine, with capture off, takes versions back out of effect (those of a revoked laptop past
its cut-off, or of a forked log); they are kept apart with their signed batch (``sync_apart``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import HLC_TYPE, STAMP_COLUMNS, VERSION_VALUE_TYPE, Base

# Bits of an HLC value below the millisecond wall clock: a logical counter.
HLC_LOGICAL_BITS = 16
# A clock further ahead of this laptop's than this is wrong, not just unsynchronised: a day.
HLC_FUTURE_MARGIN_MS = 24 * 3600 * 1000
# What the guards of synced tables and of the version log say when they refuse (a bug, never a
# person's doing: ``app.core.refusals`` knows them as such).
DELETED_BY_TOMBSTONE = "doorstep: synced records are deleted by tombstone"
ID_NEVER_CHANGES = "doorstep: a record id never changes"
VERSIONS_IMMUTABLE = "doorstep: versions are immutable"
VERSIONS_NEVER_REMOVED = "doorstep: versions are never removed"
# The highest HLC the next local version may build on: the highest within the bound (see
# ``doorstep_hlc_bound``), or this laptop's own latest, so that its own stamps never go back
# when its wall clock does. Both are read through an index.
MAX_ADOPTED_HLC_SQL = (
    "max(COALESCE((SELECT MAX(hlc) FROM sync_version WHERE hlc <= doorstep_hlc_bound()), 0),"
    " COALESCE((SELECT hlc FROM sync_version WHERE device_id = doorstep_device()"
    " ORDER BY counter DESC LIMIT 1), 0))")

class SyncVersion(Base):
    __tablename__ = "sync_version"
    __table_args__ = (
        Index("uq_sync_version_device_counter", "device_id", "counter", unique=True),
        Index("ix_sync_version_hlc", "hlc"),
        Index("ix_sync_version_row", "tbl", "row_id", "field"),
    )

    # Local arrival order; never leaves this store.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    counter: Mapped[int] = mapped_column(Integer, nullable=False)
    hlc: Mapped[int] = mapped_column(HLC_TYPE, nullable=False)
    tbl: Mapped[str] = mapped_column(String(64), nullable=False)
    row_id: Mapped[str] = mapped_column(String(36), nullable=False)
    field: Mapped[str] = mapped_column(String(64), nullable=False)
    # Declared without a type affinity (see migration 0001) so SQLite keeps each value's own
    # storage class: INTEGER, REAL, TEXT, BLOB or NULL, exactly as it was written to the row;
    # on PostgreSQL, the value as JSON (see models.postgres).
    value: Mapped[Any] = mapped_column(VERSION_VALUE_TYPE, nullable=True)
    # JSON array of "device_id:counter" strings, sorted: the field's heads the writer had seen.
    parents: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    # The staff member who made the change, when the laptop knew (migration 0009).
    staff_id: Mapped[str | None] = mapped_column(String(36))

class SyncHead(Base):
    """The current leaf version(s) of each field; more than one means a conflict."""

    __tablename__ = "sync_head"
    __table_args__ = ({"sqlite_with_rowid": False},)

    tbl: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, primary_key=True)

def record_columns_v1() -> list[Column[Any]]:
    """The columns every synced table starts with, as migrations create them.

    Frozen: migrations call this, so it never changes. A change to these columns is a new
    function (``record_columns_v2``) and a migration that moves the tables to it.
    """
    return [
        Column("id", String(36), primary_key=True),
        Column("deleted", Boolean(), nullable=False, server_default=false()),
        Column("created_at", String(24)),
        Column("updated_at", String(24)),
        Column("last_device", String(36)),
        Column("hlc", HLC_TYPE),
    ]


def synced_tables(metadata_tables: Iterable[Table]) -> list[Table]:
    """The tables whose records travel between laptops, in a stable order."""
    return sorted((t for t in metadata_tables if "last_device" in t.c and "hlc" in t.c),
                  key=lambda t: t.name)

def field_ids(table: Table) -> dict[str, str]:
    """Column name -> stable field id, for every versioned column of a synced table.

    The field id is the column's name when it was created; a later rename keeps the old id through
    ``info={"field_id": ...}`` so versions from laptops on older schemas still apply.
    """
    return {c.name: str(c.info.get("field_id", c.name)) for c in table.columns
            if c.name != "id" and c.name not in STAMP_COLUMNS}

def quote_name(name: str) -> str:
    """A table's or column's name as SQL writes it (in double quotes)."""
    return '"' + name.replace('"', '""') + '"'

def quote_text(value: str) -> str:
    """A text as an SQL literal (in single quotes)."""
    return "'" + value.replace("'", "''") + "'"

def _stamp(table: str, created: bool) -> str:
    """UPDATE the row's stamp columns from the version just inserted (last_insert_rowid())."""
    hlc_time = ("strftime('%Y-%m-%dT%H:%M:%fZ',"
                f" (v.hlc >> {HLC_LOGICAL_BITS}) / 1000.0, 'unixepoch')")
    sets = ["hlc = v.hlc", "last_device = v.device_id", f"updated_at = {hlc_time}"]
    if created:
        sets.append(f"created_at = {hlc_time}")
    return (f"UPDATE {quote_name(table)} SET " + ", ".join(sets)
            + " FROM (SELECT hlc, device_id FROM sync_version WHERE seq = last_insert_rowid()) AS v"
            + " WHERE id = NEW.id;")

def _version_insert(table: str, field: str, column: str, with_parents: bool) -> str:
    # A version names the heads its writer had seen: of its own field, and of the row's
    # ``deleted`` flag; a delete (or restore) names the heads of every field of the row. So an
    # edit made without knowing of a delete, or a delete made without knowing of an edit, is
    # seen from the parent links as concurrent with it: a conflict for a person to decide.
    which = "" if field == "deleted" else f" AND field IN ({quote_text(field)}, 'deleted')"
    parents = (
        "(SELECT json_group_array(p) FROM (SELECT device_id || ':' || counter AS p FROM sync_head"
        f" WHERE tbl = {quote_text(table)} AND row_id = NEW.id{which} ORDER BY p))"
        if with_parents else "'[]'")
    return (
        "INSERT INTO sync_version (device_id, counter, hlc, tbl, row_id, field, value, parents,"
        " staff_id) VALUES (doorstep_device(),"
        " (SELECT COALESCE(MAX(counter), 0) + 1 FROM sync_version"
        " WHERE device_id = doorstep_device()),"
        f" doorstep_hlc({MAX_ADOPTED_HLC_SQL}),"
        f" {quote_text(table)}, NEW.id, {quote_text(field)}, NEW.{quote_name(column)}, {parents},"
        " doorstep_staff());")

def capture_trigger_ddl(table: str, fields: Mapping[str, str] | Sequence[str]) -> list[str]:
    """CREATE TRIGGER statements that version every write to ``table``.

    ``fields`` maps column names to field ids (a plain sequence means id = name). Migrations call
    this with the columns frozen at that revision; a test checks that the triggers in a migrated
    store equal what the current metadata generates.
    """
    mapping = dict(sorted((dict(fields) if isinstance(fields, Mapping)
                           else {f: f for f in fields}).items()))
    t = quote_name(table)
    ddl: list[str] = []

    insert_body = []
    for column, field in mapping.items():
        insert_body.append(_version_insert(table, field, column, with_parents=False))
    insert_body.append(_stamp(table, created=True))
    insert_body.append(
        "INSERT INTO sync_head (tbl, row_id, field, device_id, counter)"
        " SELECT tbl, row_id, field, device_id, counter FROM sync_version"
        f" WHERE tbl = {quote_text(table)} AND row_id = NEW.id;")
    ddl.append(f"CREATE TRIGGER {quote_name(table + '__capture_insert')} AFTER INSERT ON {t}"
               " WHEN doorstep_capture() BEGIN\n  " + "\n  ".join(insert_body) + "\nEND")

    for column, field in mapping.items():
        body = [
            _version_insert(table, field, column, with_parents=True),
            _stamp(table, created=False),
            f"DELETE FROM sync_head WHERE tbl = {quote_text(table)} AND row_id = NEW.id"
            f" AND field = {quote_text(field)};",
            "INSERT INTO sync_head (tbl, row_id, field, device_id, counter)"
            " SELECT tbl, row_id, field, device_id, counter FROM sync_version"
            " WHERE seq = last_insert_rowid();",
        ]
        ddl.append(
            f"CREATE TRIGGER {quote_name(table + '__capture__' + column)}"
            f" AFTER UPDATE OF {quote_name(column)} ON {t} WHEN doorstep_capture()"
            f" AND OLD.{quote_name(column)} IS NOT NEW.{quote_name(column)} BEGIN\n  "
            + "\n  ".join(body) + "\nEND")

    # Only the sync engine (capture off) removes a row: one whose every creating version was
    # taken back out of effect (a revoked laptop's, a forked log's); see app.sync.engine.
    ddl.append(f"CREATE TRIGGER {quote_name(table + '__no_delete')} BEFORE DELETE ON {t}"
               " WHEN doorstep_capture() BEGIN"
               f" SELECT RAISE(ABORT, '{DELETED_BY_TOMBSTONE}'); END")
    ddl.append(f"CREATE TRIGGER {quote_name(table + '__fixed_id')} BEFORE UPDATE OF id ON {t}"
               " WHEN OLD.id IS NOT NEW.id BEGIN"
               f" SELECT RAISE(ABORT, '{ID_NEVER_CHANGES}'); END")
    return ddl

def regenerate_capture_triggers(conn: Any) -> None:
    """Drop and recreate the capture triggers of every synced table in a store, from the
    table's columns as they are in the file (for migrations that change the triggers)."""
    tables = [name for (name,) in conn.execute(text(
        "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
        " AND name LIKE '%\\_\\_capture\\_insert' ESCAPE '\\' ORDER BY tbl_name"))]
    for table in tables:
        columns = [row[1] for row in conn.execute(text(f'PRAGMA table_info("{table}")'))]
        fields = [c for c in columns if c != "id" and c not in STAMP_COLUMNS]
        for ddl in [*drop_capture_triggers_ddl(table, fields),
                    *capture_trigger_ddl(table, fields)]:
            conn.execute(text(ddl))

def adopt_stored_values(conn: Any, table: str, columns: Iterable[str]) -> int:
    """Give columns a migration just added the values other laptops already wrote to them.

    A laptop a version behind keeps every version it imports, also of fields its tables do not
    have yet (a void made on a laptop ahead of it), but cannot show them. Once the migration
    adds the column, each row takes its field's winning head (highest HLC, then device id), as
    an import would have. Call it before the capture triggers know the column, so that nothing
    is versioned again. Returns how many values were set."""
    t = quote_name(table)
    done = 0
    for column in columns:
        winner = ("SELECT v.value FROM sync_head h JOIN sync_version v"
                  " ON v.device_id = h.device_id AND v.counter = h.counter"
                  f" WHERE h.tbl = :tbl AND h.row_id = {t}.id AND h.field = :field"
                  " ORDER BY v.hlc DESC, v.device_id DESC LIMIT 1")
        result = conn.execute(text(
            f"UPDATE {t} SET {quote_name(column)} = ({winner})"
            " WHERE EXISTS (SELECT 1 FROM sync_head h"
            f" WHERE h.tbl = :tbl AND h.row_id = {t}.id AND h.field = :field)"),
            {"tbl": table, "field": column})
        done += max(result.rowcount, 0)
    return done


def capture_trigger_names(table: str, columns: Iterable[str]) -> list[str]:
    names = [f"{table}__capture_insert", f"{table}__no_delete", f"{table}__fixed_id"]
    names += [f"{table}__capture__{c}" for c in columns]
    return names

def drop_capture_triggers_ddl(table: str, columns: Iterable[str]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {quote_name(n)}"
            for n in capture_trigger_names(table, columns)]

# As revision 0001 created them (frozen: that migration uses them).
LOG_GUARD_DDL_V1 = [
    "CREATE TRIGGER sync_version__immutable BEFORE UPDATE ON sync_version BEGIN"
    " SELECT RAISE(ABORT, 'doorstep: versions are immutable'); END",
    "CREATE TRIGGER sync_version__append_only BEFORE DELETE ON sync_version BEGIN"
    " SELECT RAISE(ABORT, 'doorstep: versions are never removed'); END",
]
# Since revision 0012: a version is never changed; only the sync engine (capture off) takes one
# out of effect, and then it is kept, with the batch its author signed, in ``sync_apart``.
LOG_GUARD_DDL = [
    LOG_GUARD_DDL_V1[0],
    "CREATE TRIGGER sync_version__append_only BEFORE DELETE ON sync_version"
    " WHEN doorstep_capture() BEGIN"
    f" SELECT RAISE(ABORT, '{VERSIONS_NEVER_REMOVED}'); END",
]

def hlc_wall_ms(hlc: int) -> int:
    return hlc >> HLC_LOGICAL_BITS

def next_hlc(wall_ms: int, max_hlc: int | None) -> int:
    """The HLC rule: ahead of the wall clock and of every HLC the store has adopted."""
    return max(wall_ms << HLC_LOGICAL_BITS, (max_hlc or 0) + 1)


def hlc_bound(wall_ms: int) -> int:
    """The highest HLC a laptop whose wall clock reads ``wall_ms`` adopts."""
    return ((wall_ms + HLC_FUTURE_MARGIN_MS) << HLC_LOGICAL_BITS) | ((1 << HLC_LOGICAL_BITS) - 1)

__all__ = [
    "HLC_FUTURE_MARGIN_MS",
    "HLC_LOGICAL_BITS",
    "LOG_GUARD_DDL",
    "LOG_GUARD_DDL_V1",
    "MAX_ADOPTED_HLC_SQL",
    "SyncHead",
    "SyncVersion",
    "capture_trigger_ddl",
    "drop_capture_triggers_ddl",
    "field_ids",
    "hlc_bound",
    "hlc_wall_ms",
    "next_hlc",
    "quote_name",
    "quote_text",
    "synced_tables",
]

