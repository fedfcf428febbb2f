"""Applying versions from other laptops: the store's tables as a function of the version set.

A version is (device, counter, hlc, table, row, field, value, parents). Importing is a set union
keyed by (device, counter), so the order packages arrive in and importing one twice change
nothing. For each field touched, its heads are the versions no other version of that field names
as a parent; two heads are a conflict (found from the parent links, never from clocks). The
field's value is the head with the highest (HLC, device id). A row's stamp columns are derived
from its versions the way the capture triggers write them: ``hlc``, ``last_device`` and
``updated_at`` from its version with the highest (HLC, device), ``created_at`` from the highest
of its versions without parents (the ones its insert wrote).

Everything is set-wise SQL over a staging table, inside one write transaction with capture off.
Fields and tables this laptop does not know (written by a newer Doorstep) keep their versions,
which travel on, and are left out of the tables.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table
from sqlalchemy.orm import Session

from app.core import access, sqltext
from app.core.access import Permission
from app.core.sqltext import POSTGRESQL
from app.core.store import Store
from models import Base
from models.sync import (
    HLC_FUTURE_MARGIN_MS,
    HLC_LOGICAL_BITS,
    field_ids,
    synced_tables,
)


class VersionRow(NamedTuple):
    """A row of ``sync_version`` as it travels: its columns in order, without ``seq`` (the
    local arrival order, which never leaves the store)."""

    device_id: str  # the log the version was written to (a laptop's first log is its id)
    counter: int
    hlc: int
    tbl: str
    row_id: str
    field: str
    value: Any
    parents: str  # a JSON array of "device_id:counter", sorted: the heads the writer had seen
    staff_id: str | None


class LogRow(NamedTuple):
    """A version within its log (the log names the device): a row of a signed batch, in the
    order the batch's canonical JSON holds them."""

    counter: int
    hlc: int
    tbl: str
    row_id: str
    field: str
    value: Any
    parents: str
    staff_id: str | None

    def in_log(self, log_id: str) -> VersionRow:
        return VersionRow(log_id, *self)


_COLUMNS = ", ".join(VersionRow._fields)
LOG_COLUMNS = ", ".join(LogRow._fields)
# Positions in a batch's JSON rows (parsed as they are, without a tuple per row).
_COUNTER, _VALUE = LogRow._fields.index("counter"), LogRow._fields.index("value")
_STAFF, _VERSION_VALUE = VersionRow._fields.index("staff_id"), VersionRow._fields.index("value")


def _disagree(dialect: str) -> str:
    """Heads that agree on the value (the same record created on two laptops, the same
    correction made twice) are not a conflict for a person; the next edit of the field merges
    them."""
    return f"HAVING COUNT(*) > 1 AND COUNT(DISTINCT {sqltext.value_key(dialect, 'v.value')}) > 1"


@dataclass(frozen=True)
class ApplyResult:
    received: int  # versions in the package
    new: int  # versions this store did not have
    duplicates: int
    rows_created: int
    rows_updated: int
    conflicts: int  # fields left with more than one head among those touched
    # Laptops whose new versions are stamped beyond this laptop's clock bound, and by how many
    # milliseconds their newest stamp is ahead of this laptop's wall clock (their clocks are
    # wrong; their stamps are kept but not adopted, see models.sync.doorstep_hlc_bound).
    clocks_ahead: tuple[tuple[str, int], ...] = ()


def _raw(session_connection: Connection) -> Any:
    raw = session_connection.connection.dbapi_connection
    assert raw is not None
    return sqltext.raw_connection(raw)


def raw_connection(session: Session) -> Any:
    """The session's raw connection (for set-wise SQL inside its transaction): SQLite's, or a
    hub's as :class:`app.core.sqltext.ServerConnection`."""
    return _raw(session.connection())


@contextmanager
def capture_off(store: Store, session: Session) -> Iterator[Any]:
    """The session's raw connection, with capture off while the block runs: what is written
    through it is what other laptops wrote (or a re-issue of it), not a new edit."""
    raw = _raw(session.connection())
    store.capture(sqltext.dbapi(raw), False)
    try:
        yield raw
    finally:
        _capture_again(store, raw)


@contextmanager
def capture_on(store: Store, raw: Any) -> Iterator[None]:
    """Inside ``capture_off``: what is written in the block is this laptop's own change (e.g.
    values it derives from what it received), captured as a new version."""
    store.capture(sqltext.dbapi(raw), True)
    try:
        yield
    finally:
        _capture_again(store, raw, on=False)


def vector(store: Store) -> dict[str, int]:
    """The highest counter held from each device (versions of a device arrive in order)."""
    with store.read() as session:
        return {device: int(counter) for device, counter in session.connection().exec_driver_sql(
            "SELECT device_id, MAX(counter) FROM sync_version GROUP BY device_id")}


def versions_after(store: Store, known: dict[str, int],
                   batch: int = 10_000) -> Iterator[list[VersionRow]]:
    """Every version the holder of ``known`` lacks, in batches, in a stable order."""
    with store.read() as session:
        raw = _raw(session.connection())
        if sqltext.raw_dialect(raw) == POSTGRESQL:
            yield from _versions_after_on_server(raw, known, batch)
            return
        raw.execute("CREATE TEMP TABLE IF NOT EXISTS known_vector"
                    " (device_id TEXT PRIMARY KEY, counter INTEGER) WITHOUT ROWID")
        raw.execute("DELETE FROM known_vector")
        raw.executemany("INSERT INTO known_vector VALUES (?, ?)", known.items())
        cursor = raw.execute(
            f"SELECT {', '.join('v.' + c for c in _COLUMNS.split(', '))} FROM sync_version v"
            " LEFT JOIN known_vector k ON k.device_id = v.device_id"
            " WHERE v.counter > COALESCE(k.counter, 0) ORDER BY v.device_id, v.counter")
        while rows := cursor.fetchmany(batch):
            yield [VersionRow(*r) for r in rows]
        raw.execute("DELETE FROM known_vector")


def _versions_after_on_server(raw: Any, known: dict[str, int],
                              batch: int) -> Iterator[list[VersionRow]]:
    """``versions_after`` on a hub: read through a server-side cursor, values from jsonb."""
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS known_vector"
                " (device_id TEXT PRIMARY KEY, counter INTEGER) ON COMMIT DROP")
    raw.execute("DELETE FROM known_vector")
    raw.executemany("INSERT INTO known_vector VALUES (?, ?)", known.items())
    value = _VERSION_VALUE
    with raw.cursor("versions_after") as cursor:
        cursor.execute(
            f"SELECT {', '.join('v.' + c for c in _COLUMNS.split(', '))} FROM sync_version v"
            " LEFT JOIN known_vector k ON k.device_id = v.device_id"
            ' WHERE v.counter > COALESCE(k.counter, 0) ORDER BY v.device_id COLLATE "C",'
            " v.counter")
        while rows := cursor.fetchmany(batch):
            yield [VersionRow._make((*r[:value], sqltext.version_result(r[value]),
                                     *r[value + 1:])) for r in rows]


def apply(store: Store, versions: Iterable[Sequence[Any]]) -> ApplyResult:
    """Add ``versions`` to the store and bring its tables up to date, in one transaction."""
    with store.write() as session:
        return apply_in(store, session, versions)


def apply_in(store: Store, session: Session, versions: Iterable[Sequence[Any]]) -> ApplyResult:
    """``apply`` inside a write transaction the caller holds (with its other writes)."""
    raw = _raw(session.connection())
    store.capture(sqltext.dbapi(raw), False)
    try:
        return _apply(raw, versions)
    finally:
        _capture_again(store, raw)


def _capture_again(store: Store, raw: Any, on: bool = True) -> None:
    """Capture back as it was at the end of a block (not on a hub whose transaction failed:
    its setting goes with the transaction, and the server takes no statement before the
    rollback)."""
    dbapi = sqltext.dbapi(raw)
    if sqltext.raw_dialect(raw) == POSTGRESQL and dbapi.info.transaction_status.name == "INERROR":
        return
    store.capture(dbapi, on)


def _apply(raw: Any, versions: Iterable[Sequence[Any]]) -> ApplyResult:
    stage(raw, versions)
    return apply_staged(raw)


# PostgreSQL's spelling of the temporary tables (typed; gone with the transaction).
_DDL = {
    "touched": ("CREATE TEMP TABLE touched (tbl TEXT, row_id TEXT, field TEXT,"
                " PRIMARY KEY (tbl, row_id, field)) WITHOUT ROWID",
                "CREATE TEMP TABLE touched (tbl TEXT, row_id TEXT, field TEXT,"
                " PRIMARY KEY (tbl, row_id, field)) ON COMMIT DROP"),
    "stage_version": (
        "CREATE TEMP TABLE stage_version (device_id TEXT, counter INTEGER, hlc INTEGER,"
        " tbl TEXT, row_id TEXT, field TEXT, value, parents TEXT, staff_id TEXT,"
        " batch INTEGER NOT NULL DEFAULT 0)",
        "CREATE TEMP TABLE stage_version (device_id TEXT, counter INTEGER, hlc BIGINT,"
        " tbl TEXT, row_id TEXT, field TEXT, value JSONB, parents TEXT, staff_id TEXT,"
        " batch INTEGER NOT NULL DEFAULT 0) ON COMMIT DROP"),
    "other_version": (
        "CREATE TEMP TABLE other_version (device_id TEXT, counter INTEGER, hlc INTEGER,"
        " tbl TEXT, row_id TEXT, field TEXT, value, parents TEXT, staff_id TEXT,"
        " PRIMARY KEY (device_id, counter))",
        "CREATE TEMP TABLE other_version (device_id TEXT, counter INTEGER, hlc BIGINT,"
        " tbl TEXT, row_id TEXT, field TEXT, value JSONB, parents TEXT, staff_id TEXT,"
        " PRIMARY KEY (device_id, counter)) ON COMMIT DROP"),
    "stage_new": ("CREATE TEMP TABLE stage_new (device_id TEXT, counter INTEGER,"
                  " PRIMARY KEY (device_id, counter)) WITHOUT ROWID",
                  "CREATE TEMP TABLE stage_new (device_id TEXT, counter INTEGER,"
                  " PRIMARY KEY (device_id, counter)) ON COMMIT DROP"),
    "gone": ("CREATE TEMP TABLE gone (device_id TEXT, counter INTEGER,"
             " PRIMARY KEY (device_id, counter)) WITHOUT ROWID",
             "CREATE TEMP TABLE gone (device_id TEXT, counter INTEGER,"
             " PRIMARY KEY (device_id, counter)) ON COMMIT DROP"),
    "named": ("CREATE TEMP TABLE named (tbl TEXT, row_id TEXT, field TEXT,"
              " version TEXT, PRIMARY KEY (tbl, row_id, field, version)) WITHOUT ROWID",
              "CREATE TEMP TABLE named (tbl TEXT, row_id TEXT, field TEXT,"
              " version TEXT, PRIMARY KEY (tbl, row_id, field, version)) ON COMMIT DROP"),
    "winner": ("CREATE TEMP TABLE winner (tbl TEXT, row_id TEXT, field TEXT,"
               " value, PRIMARY KEY (tbl, row_id, field)) WITHOUT ROWID",
               "CREATE TEMP TABLE winner (tbl TEXT, row_id TEXT, field TEXT,"
               " value JSONB, PRIMARY KEY (tbl, row_id, field)) ON COMMIT DROP"),
    "touched_rows": ("CREATE TEMP TABLE touched_rows (row_id TEXT PRIMARY KEY) WITHOUT ROWID",
                     "CREATE TEMP TABLE touched_rows (row_id TEXT PRIMARY KEY) ON COMMIT DROP"),
}


def _fresh(raw: Any, name: str) -> None:
    """A temporary table, empty: dropped and made again (far quicker than deleting 100,000
    rows from it)."""
    dialect = sqltext.raw_dialect(raw)
    raw.execute(sqltext.drop_temp(dialect, name))
    raw.execute(_DDL[name][dialect == POSTGRESQL])


def _server(raw: Any) -> bool:
    return sqltext.raw_dialect(raw) == POSTGRESQL


def _insert_ignoring(raw: Any, statement: str) -> Any:
    return raw.execute(sqltext.insert_ignoring(sqltext.raw_dialect(raw), statement))


def _copy_in(raw: Any, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
    """Rows into a hub's temporary table by COPY (a version's value as jsonb)."""
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _on_server(version: Sequence[Any]) -> tuple[Any, ...]:
    """A version's row as a hub's staging table takes it."""
    at = _VERSION_VALUE
    return (*version[:at], sqltext.version_param(POSTGRESQL, version[at]), *version[at + 1:])


def stage(raw: Any, versions: Iterable[Sequence[Any]], batch: int = 0) -> None:
    """Put ``versions`` in the staging table (emptied first when ``batch`` is 0), tagged with
    ``batch`` so that a caller can take a whole batch back out before ``apply_staged``."""
    if batch == 0:
        _fresh(raw, "stage_version")
    # Versions from before 0009 carry no staff member.
    rows = ((*v, batch) if len(v) > _STAFF else (*v, None, batch) for v in versions)
    if _server(raw):
        _copy_in(raw, "stage_version", f"{_COLUMNS}, batch", map(_on_server, rows))
        return
    raw.executemany(f"INSERT INTO stage_version ({_COLUMNS}, batch)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def stage_rows(raw: Any, log_id: str, rows: bytes, batch: int, upto: int | None = None) -> int:
    """Stage a signed batch's rows from its canonical JSON, those up to ``upto`` when given;
    returns how many. Each row is ``[counter, hlc, tbl, row_id, field, value, parents,
    staff_id]``; a BLOB value travels as ``{"b64": ...}``. Raises ValueError or
    ``sqlite3.Error`` when the rows are not of that shape."""
    parsed = json.loads(rows)
    if not isinstance(parsed, list):
        raise ValueError("a batch's rows are a list")
    if _server(raw):
        return _stage_rows_on_server(raw, log_id, parsed, batch, upto)
    if b'{"b64":' in rows:
        parsed = [[*r[:_VALUE], base64.b64decode(r[_VALUE]["b64"]), *r[_VALUE + 1:]]
                  if isinstance(r, list) and len(r) > _VALUE and isinstance(r[_VALUE], dict)
                  else r for r in parsed]
    if upto is not None:
        parsed = [r for r in parsed if isinstance(r, list) and r and r[_COUNTER] <= upto]
    # The log and the batch number as literals, so that the parsed rows bind as they are.
    quoted = "'" + log_id.replace("'", "''") + "'"
    raw.executemany(f"INSERT INTO stage_version ({_COLUMNS}, batch)"
                    f" VALUES ({quoted}, ?, ?, ?, ?, ?, ?, ?, ?, {int(batch)})", parsed)
    return len(parsed)


_ROW_TYPES = (int, int, str, str, str, None, str, (str, type(None)))


def _stage_rows_on_server(raw: Any, log_id: str, parsed: list[Any], batch: int,
                          upto: int | None) -> int:
    """``stage_rows`` on a hub: each row checked in Python first (a statement that fails
    would end PostgreSQL's transaction, where SQLite's goes on), then copied in. A value is
    what the JSON holds (``{"b64": ...}`` stays so: that is how jsonb holds bytes)."""
    checked = []
    for r in parsed:
        if not isinstance(r, list) or len(r) != len(_ROW_TYPES) or isinstance(r[_COUNTER], bool):
            raise ValueError("a batch's row is not a version")
        for item, kind in zip(r, _ROW_TYPES, strict=True):
            if kind is not None and not isinstance(item, kind):
                raise ValueError("a batch's row is not a version")
        value = r[_VALUE]
        if isinstance(value, dict):
            if list(value) != ["b64"] or not isinstance(value["b64"], str):
                raise ValueError("a version's value is not a value")
            base64.b64decode(value["b64"], validate=True)
        elif isinstance(value, list):
            raise ValueError("a version's value is not a value")
        if upto is None or r[_COUNTER] <= upto:
            checked.append((log_id, *r[:_VALUE], sqltext.version_param(POSTGRESQL, value),
                            *r[_VALUE + 1:], batch))
    raw.execute("SAVEPOINT stage_rows")
    try:
        _copy_in(raw, "stage_version", f"{_COLUMNS}, batch", checked)
    except Exception as exc:
        if not sqltext.is_server_error(exc):
            raise
        raw.execute("ROLLBACK TO SAVEPOINT stage_rows")
        raise ValueError(f"a batch's rows do not fit: {exc}") from exc
    raw.execute("RELEASE SAVEPOINT stage_rows")
    return len(checked)


def stage_other(raw: Any, versions: Iterable[Sequence[Any]]) -> None:
    """Versions to compare with the store's (``diverging(raw, "other_version")``), never
    applied: a fork's evidence, changes to re-issue."""
    _fresh(raw, "other_version")
    if _server(raw):
        versions = [_on_server(v) for v in versions]
    raw.executemany(sqltext.insert_ignoring(
        sqltext.raw_dialect(raw), f"INTO other_version ({_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), versions)


def diverging(raw: Any, staged: str = "stage_version") -> dict[str, int]:
    """Logs of which a staged version differs from the version this store holds under the
    same (log, counter): the lowest such counter of each. Two versions with one id are a fork
    of that log (see app.sync.signed); the engine itself never applies them."""
    different = DIFFERENT if not _server(raw) else _DIFFERENT_ON_SERVER
    return {str(log): int(counter) for log, counter in raw.execute(
        f"SELECT s.device_id, MIN(s.counter) FROM {staged} s JOIN sync_version v"
        " ON v.device_id = s.device_id AND v.counter = s.counter"
        f" WHERE {different.format(a='s', b='v')} GROUP BY s.device_id")}


# Two versions with the same id but not the same content.
DIFFERENT = ("({a}.hlc IS NOT {b}.hlc OR {a}.tbl IS NOT {b}.tbl OR {a}.row_id IS NOT {b}.row_id"
              " OR {a}.field IS NOT {b}.field OR quote({a}.value) IS NOT quote({b}.value)"
              " OR {a}.parents IS NOT {b}.parents OR {a}.staff_id IS NOT {b}.staff_id)")
_DIFFERENT_ON_SERVER = (
    "({a}.hlc IS DISTINCT FROM {b}.hlc OR {a}.tbl IS DISTINCT FROM {b}.tbl"
    " OR {a}.row_id IS DISTINCT FROM {b}.row_id OR {a}.field IS DISTINCT FROM {b}.field"
    " OR {a}.value::text IS DISTINCT FROM {b}.value::text"
    " OR {a}.parents IS DISTINCT FROM {b}.parents OR {a}.staff_id IS DISTINCT FROM {b}.staff_id)")


def unstage_batch(raw: Any, batch: int) -> None:
    raw.execute("DELETE FROM stage_version WHERE batch = ?", (batch,))


def apply_staged(raw: Any) -> ApplyResult:
    """Add the staged versions to the store and bring its tables up to date."""
    server = _server(raw)
    if not server:  # a hub's sync_write() leaves foreign keys unchecked (app.core.server)
        raw.execute("PRAGMA defer_foreign_keys = ON")
    received = raw.execute("SELECT COUNT(*) FROM stage_version").fetchone()[0]
    _fresh(raw, "stage_new")
    _insert_ignoring(
        raw, "INTO stage_new SELECT s.device_id, s.counter FROM stage_version s"
        " WHERE NOT EXISTS (SELECT 1 FROM sync_version v WHERE v.device_id = s.device_id"
        " AND v.counter = s.counter)")
    new = raw.execute("SELECT COUNT(*) FROM stage_new").fetchone()[0]
    # The unique (device, counter) index drops a version repeated within the package.
    _insert_ignoring(
        raw, f"INTO sync_version ({_COLUMNS}) SELECT {_COLUMNS}"
        " FROM stage_version JOIN stage_new USING (device_id, counter)"
        + (" ORDER BY device_id, counter" if server else ""))
    ahead = tuple((str(device), int(newest)) for device, newest in raw.execute(
        "SELECT s.device_id, (MAX(s.hlc) >> ?) - (doorstep_hlc_bound() >> ?) + ?"
        " FROM stage_version s JOIN stage_new USING (device_id, counter)"
        " GROUP BY s.device_id HAVING MAX(s.hlc) > doorstep_hlc_bound() ORDER BY s.device_id",
        (HLC_LOGICAL_BITS, HLC_LOGICAL_BITS, HLC_FUTURE_MARGIN_MS)))
    _touched_fields(raw)
    conflicts = _recompute_heads(raw)
    created, updated = _write_tables(raw)
    _fresh(raw, "stage_version")
    raw.execute(sqltext.drop_temp(sqltext.raw_dialect(raw), "stage_new"))
    return ApplyResult(received, new, received - new, created, updated, conflicts, ahead)


@dataclass(frozen=True)
class Withdrawn:
    versions: int  # taken out of effect
    rows_removed: int  # records none of whose creating versions remain
    rows_updated: int  # fields that now show another value


def withdraw(raw: Any, versions: Iterable[tuple[str, int]]) -> Withdrawn:
    """Take the versions ``(log, counter)`` out of effect: the tables become what the remaining
    versions make of them (a record whose creating versions all went is removed). The caller
    keeps them apart first; inside its transaction, with capture off."""
    dialect = sqltext.raw_dialect(raw)
    _fresh(raw, "gone")
    raw.executemany(sqltext.insert_ignoring(dialect, "INTO gone VALUES (?, ?)"), versions)
    _fresh(raw, "touched")
    _insert_ignoring(raw, "INTO touched SELECT v.tbl, v.row_id, v.field"
                     " FROM gone g JOIN sync_version v USING (device_id, counter)")
    count = raw.execute("DELETE FROM sync_version WHERE (device_id, counter) IN"
                        " (SELECT device_id, counter FROM gone)").rowcount
    raw.execute("DELETE FROM gone")
    if count <= 0:
        return Withdrawn(0, 0, 0)
    if dialect != POSTGRESQL:
        raw.execute("PRAGMA defer_foreign_keys = ON")
    _recompute_heads(raw)
    removed = 0
    for table in synced_tables(Base.metadata.tables.values()):
        t = '"' + table.name + '"'
        removed += max(raw.execute(
            f"DELETE FROM {t} WHERE id IN (SELECT row_id FROM touched WHERE tbl = ?)"
            " AND NOT EXISTS (SELECT 1 FROM sync_version v WHERE v.tbl = ? AND v.row_id = "
            f"{t}.id AND v.parents = '[]')", (table.name, table.name)).rowcount, 0)
    _created, updated = _write_tables(raw)
    return Withdrawn(count, removed, updated)


def _touched_fields(raw: Any) -> None:
    _fresh(raw, "touched")
    _insert_ignoring(raw, "INTO touched SELECT s.tbl, s.row_id, s.field"
                     " FROM stage_version s JOIN stage_new USING (device_id, counter)")


def _recompute_heads(raw: Any) -> int:
    """Heads of every touched field from the parent links; returns how many are in conflict."""
    dialect = sqltext.raw_dialect(raw)
    raw.execute("DELETE FROM sync_head WHERE (tbl, row_id, field) IN"
                " (SELECT tbl, row_id, field FROM touched)")
    # Every (field, version) named as a parent by a version of the same field.
    _fresh(raw, "named")
    _insert_ignoring(
        raw, "INTO named SELECT w.tbl, w.row_id, w.field, p.value"
        " FROM touched t JOIN sync_version w"
        " ON w.tbl = t.tbl AND w.row_id = t.row_id AND w.field = t.field,"
        f" {sqltext.parent_ids(dialect, 'w.parents', 'p')} WHERE w.parents <> '[]'")
    raw.execute(
        "INSERT INTO sync_head (tbl, row_id, field, device_id, counter)"
        " SELECT v.tbl, v.row_id, v.field, v.device_id, v.counter"
        " FROM touched t JOIN sync_version v"
        " ON v.tbl = t.tbl AND v.row_id = t.row_id AND v.field = t.field"
        " WHERE NOT EXISTS (SELECT 1 FROM named n WHERE n.tbl = v.tbl AND n.row_id = v.row_id"
        " AND n.field = v.field AND n.version = v.device_id || ':' || v.counter)")
    raw.execute("DELETE FROM named")
    _heads_around_cycles(raw)
    disagree = _disagree(dialect)
    # Fields with more than one head first (from the heads alone), then their values.
    fields = int(raw.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM (SELECT h.tbl, h.row_id, h.field"
        " FROM touched t JOIN sync_head h USING (tbl, row_id, field)"
        " GROUP BY h.tbl, h.row_id, h.field HAVING COUNT(*) > 1) m"
        " JOIN sync_head h USING (tbl, row_id, field)"
        " JOIN sync_version v ON v.device_id = h.device_id AND v.counter = h.counter"
        f" GROUP BY h.tbl, h.row_id, h.field {disagree}) AS c").fetchone()[0])
    # A record deleted on one laptop while edited on another is a conflict too (one per row,
    # unless its deleted flag itself is already counted above), as ``conflicts`` lists it.
    deletes = int(raw.execute(
        f"SELECT COUNT(*) FROM ({_delete_versus_edit(dialect)}) d"
        " WHERE EXISTS (SELECT 1 FROM touched t WHERE t.tbl = d.tbl AND t.row_id = d.row_id)"
        " AND NOT EXISTS (SELECT 1 FROM sync_head h JOIN sync_version v"
        " ON v.device_id = h.device_id AND v.counter = h.counter"
        " WHERE h.tbl = d.tbl AND h.row_id = d.row_id AND h.field = 'deleted'"
        f" GROUP BY h.tbl, h.row_id, h.field {disagree})").fetchone()[0])
    return fields + deletes


def _heads_around_cycles(raw: Any) -> None:
    """Parent links can form a cycle when a version id was used twice (a forked log, a store
    tampered with): a version names "L:7" as it knew it, and the other "L:7" names that version.
    Then "named by no version" leaves neither as a head, and stores would disagree. So a
    version is superseded only by a version outside its own cycle (strongly connected
    component); without cycles this is the rule above. A cycle needs a link back in time (a
    parent whose clock is not below its child's), so only fields with such a link are
    recomputed here, and there are none in a store whose ids were never reused and whose
    laptops' clocks are right."""
    dialect = sqltext.raw_dialect(raw)
    log_of, counter_of = sqltext.id_parts(dialect, "p.value")
    suspects = raw.execute(
        "SELECT DISTINCT w.tbl, w.row_id, w.field FROM touched t JOIN sync_version w"
        " ON w.tbl = t.tbl AND w.row_id = t.row_id AND w.field = t.field,"
        f" {sqltext.parent_ids(dialect, 'w.parents', 'p')} JOIN sync_version v"
        f" ON v.device_id = {log_of} AND v.counter = {counter_of}"
        " WHERE w.parents <> '[]' AND v.tbl = w.tbl AND v.row_id = w.row_id"
        " AND v.field = w.field AND v.hlc >= w.hlc").fetchall()
    for tbl, row_id, field in suspects:
        versions = {f"{d}:{c}": (str(d), int(c), json.loads(p)) for d, c, p in raw.execute(
            "SELECT device_id, counter, parents FROM sync_version"
            " WHERE tbl = ? AND row_id = ? AND field = ?", (tbl, row_id, field))}
        edges = {v: [p for p in parents if p in versions]
                 for v, (_d, _c, parents) in versions.items()}
        component = strong_components(edges)
        superseded = {p for v, parents in edges.items() for p in parents
                      if component[p] != component[v]}
        raw.execute("DELETE FROM sync_head WHERE tbl = ? AND row_id = ? AND field = ?",
                    (tbl, row_id, field))
        raw.executemany("INSERT INTO sync_head (tbl, row_id, field, device_id, counter)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [(tbl, row_id, field, d, c) for v, (d, c, _p) in sorted(versions.items())
                         if v not in superseded])


def strong_components(edges: dict[str, list[str]]) -> dict[str, int]:
    """Tarjan's strongly connected components, iteratively: node -> component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    component: dict[str, int] = {}
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break
    return component


def _write_tables(raw: Any) -> tuple[int, int]:
    """Write each touched field's winning value and each touched row's stamps."""
    dialect = sqltext.raw_dialect(raw)
    _fresh(raw, "winner")
    if dialect != POSTGRESQL:
        # The head with the highest (HLC, device) of each field: with a single max() in an
        # aggregate, SQLite takes the bare columns from the row that has it. The groups come
        # in index order, so nothing is sorted.
        raw.execute(
            "INSERT INTO winner SELECT tbl, row_id, field, value FROM ("
            " SELECT h.tbl, h.row_id, h.field, v.value,"
            "  max(printf('%020d', v.hlc) || v.device_id)"
            " FROM touched t JOIN sync_head h USING (tbl, row_id, field)"
            " JOIN sync_version v ON v.device_id = h.device_id AND v.counter = h.counter"
            " GROUP BY h.tbl, h.row_id, h.field)")
    else:
        raw.execute(
            "INSERT INTO winner SELECT DISTINCT ON (h.tbl, h.row_id, h.field)"
            " h.tbl, h.row_id, h.field, v.value"
            " FROM touched t JOIN sync_head h USING (tbl, row_id, field)"
            " JOIN sync_version v ON v.device_id = h.device_id AND v.counter = h.counter"
            ' ORDER BY h.tbl, h.row_id, h.field, v.hlc DESC, v.device_id COLLATE "C" DESC')
    created = updated = 0
    for table in _in_writing_order(dialect):
        ids = field_ids(table)  # column -> field id
        _fresh(raw, "touched_rows")
        if raw.execute("INSERT INTO touched_rows SELECT DISTINCT row_id FROM touched"
                       " WHERE tbl = ?", (table.name,)).rowcount <= 0:
            continue
        quoted = {c: '"' + c.replace('"', '""') + '"' for c in ids}
        # The winning value as the column holds it (on a hub, from the version's jsonb).
        value = {c: sqltext.from_version(dialect, "w.value", sqltext.column_kind(table.c[c]))
                 for c in ids}
        t = '"' + table.name + '"'
        # Rows new to this store: inserted whole from their winning values.
        columns = ", ".join(quoted[c] for c in ids)
        values = ", ".join(
            f"(SELECT {value[c]} FROM winner w WHERE w.tbl = '{table.name}'"
            f" AND w.row_id = r.row_id AND w.field = '{ids[c]}')" for c in ids)
        # Only a record whose creating versions are here: edits of a record created by versions
        # kept apart (see ``withdraw``) wait for them.
        created += max(raw.execute(
            f"INSERT INTO {t} (id, {columns}) SELECT r.row_id, {values}"
            f" FROM touched_rows r WHERE r.row_id NOT IN (SELECT id FROM {t})"
            " AND EXISTS (SELECT 1 FROM sync_version c WHERE c.tbl = ? AND c.row_id = r.row_id"
            " AND c.parents = '[]')", (table.name,)).rowcount, 0)
        for column, field in ids.items():
            # (compared as a version holds it: no cast of another field's value can fail)
            unchanged = sqltext.same(dialect, "w.value", sqltext.to_version(
                dialect, f"{t}.{quoted[column]}", sqltext.column_kind(table.c[column])))
            cursor = raw.execute(
                f"UPDATE {t} SET {quoted[column]} = {value[column]} FROM winner w"
                f" WHERE w.tbl = ? AND w.field = ? AND w.row_id = {t}.id"
                f" AND NOT ({unchanged})", (table.name, field))
            updated += cursor.rowcount if cursor.rowcount > 0 else 0
        _stamp_rows(raw, table.name)
    return created, updated


def _in_writing_order(dialect: str) -> list[Table]:
    """The synced tables in the order their rows are written: by name on SQLite (whose
    foreign keys wait for the commit), a table before those that refer to it on a hub
    (PostgreSQL checks a foreign key at once where ``store.write()`` applies versions)."""
    tables = synced_tables(Base.metadata.tables.values())
    if dialect != POSTGRESQL:
        return tables
    synced = set(tables)
    return [t for t in Base.metadata.sorted_tables if t in synced]


def _stamp_rows(raw: Any, table: str) -> None:
    dialect = sqltext.raw_dialect(raw)
    t = '"' + table + '"'
    device_order = sqltext.ordered(dialect, "v.device_id")
    latest = ("(SELECT v.{col} FROM sync_version v WHERE v.tbl = ? AND v.row_id = " + t + ".id"
              " ORDER BY v.hlc DESC, " + device_order + " DESC LIMIT 1)")
    first = ("(SELECT MAX(v.hlc) FROM sync_version v WHERE v.tbl = ? AND v.row_id = " + t
             + ".id AND v.parents = '[]')")
    hlc, device = latest.format(col="hlc"), latest.format(col="device_id")
    raw.execute(
        f"UPDATE {t} SET hlc = {hlc}, last_device = {device},"
        f" updated_at = {sqltext.hlc_time(dialect, hlc)},"
        f" created_at = {sqltext.hlc_time(dialect, first)}"
        " WHERE id IN (SELECT row_id FROM touched_rows)", (table, table, table, table))


@dataclass(frozen=True)
class Candidate:
    device_id: str  # the log the version is in
    counter: int
    hlc: int
    value: Any
    winner: bool
    staff_id: str | None = None  # who made the change, when the laptop knew
    laptop_id: str = ""  # the laptop that wrote it (the log's owner)


@dataclass(frozen=True)
class Conflict:
    tbl: str
    row_id: str
    field: str
    candidates: list[Candidate]
    base: Any  # the value both started from (their nearest common parent), if known
    has_base: bool
    # A delete made without knowing of an edit (or the other way round): the candidates are
    # "deleted" (1) and "kept, with the edit of ``edited_field``" (0).
    edited_field: str = ""


def conflicts(store: Store) -> list[Conflict]:
    """Every field with more than one head, in a stable order."""
    with store.read() as session:
        raw = _raw(session.connection())
        dialect = sqltext.raw_dialect(raw)
        keys = raw.execute(
            "SELECT h.tbl, h.row_id, h.field FROM sync_head h JOIN sync_version v"
            " ON v.device_id = h.device_id AND v.counter = h.counter"
            f" GROUP BY h.tbl, h.row_id, h.field {_disagree(dialect)}"
            " ORDER BY h.tbl, h.row_id, h.field").fetchall()
        owners = {str(lg): str(d) for lg, d in raw.execute(
            "SELECT log_id, device_id FROM sync_log")}
        result = []
        for tbl, row_id, field in keys:
            heads = raw.execute(
                "SELECT v.device_id, v.counter, v.hlc, v.value, v.parents, v.staff_id"
                " FROM sync_head h"
                " JOIN sync_version v ON v.device_id = h.device_id AND v.counter = h.counter"
                " WHERE h.tbl = ? AND h.row_id = ? AND h.field = ?"
                f" ORDER BY v.hlc DESC, {sqltext.ordered(dialect, 'v.device_id')} DESC",
                (tbl, row_id, field)).fetchall()
            candidates = [Candidate(d, c, h, sqltext.version_result(v), i == 0, staff,
                                    owners.get(d, d))
                          for i, (d, c, h, v, _p, staff) in enumerate(heads)]
            base, has_base = _common_base(raw, tbl, row_id, field,
                                          [parents for _d, _c, _h, _v, parents, _s in heads])
            result.append(Conflict(tbl, row_id, field, candidates, base, has_base))
        in_conflict = {(c.tbl, c.row_id) for c in result if c.field == "deleted"}
        for (tbl, row_id, d_dev, d_cnt, d_hlc, d_staff, edited, e_dev, e_cnt, e_hlc,
             e_staff) in raw.execute(_delete_versus_edit(dialect)).fetchall():
            if (tbl, row_id) in in_conflict:
                continue
            in_conflict.add((tbl, row_id))
            result.append(Conflict(tbl, row_id, "deleted", [
                Candidate(d_dev, d_cnt, d_hlc, 1, True, d_staff, owners.get(d_dev, d_dev)),
                Candidate(e_dev, e_cnt, e_hlc, 0, False, e_staff, owners.get(e_dev, e_dev))],
                0, True, edited))
        result.sort(key=lambda c: (c.tbl, c.row_id, c.field))
        return result


# Rows deleted by a version that had not seen an edit of one of their fields, which in turn had
# not seen the delete: the first such edit of each row (by field, then version), stable.
_DELETE_VERSUS_EDIT = """
SELECT tbl, row_id, d_dev, d_cnt, d_hlc, d_staff, field, e_dev, e_cnt, e_hlc, e_staff FROM (
 SELECT d.tbl, d.row_id, dv.device_id AS d_dev, dv.counter AS d_cnt, dv.hlc AS d_hlc,
        dv.staff_id AS d_staff, v.field, v.device_id AS e_dev, v.counter AS e_cnt,
        v.hlc AS e_hlc, v.staff_id AS e_staff,
        ROW_NUMBER() OVER (PARTITION BY d.tbl, d.row_id
                           ORDER BY v.field, v.device_id, v.counter) AS n
 FROM sync_head d
 JOIN sync_version dv ON dv.device_id = d.device_id AND dv.counter = d.counter
 JOIN sync_head h ON h.tbl = d.tbl AND h.row_id = d.row_id AND h.field <> 'deleted'
 JOIN sync_version v ON v.device_id = h.device_id AND v.counter = h.counter
 WHERE d.field = 'deleted' AND dv.value = 1
   AND NOT EXISTS (SELECT 1 FROM json_each(dv.parents) p
                   WHERE p.value = v.device_id || ':' || v.counter)
   AND NOT EXISTS (SELECT 1 FROM json_each(v.parents) p
                   WHERE p.value = dv.device_id || ':' || dv.counter)
) WHERE n = 1 ORDER BY tbl, row_id
"""
_DELETE_VERSUS_EDIT_ON_SERVER = """
SELECT tbl, row_id, d_dev, d_cnt, d_hlc, d_staff, field, e_dev, e_cnt, e_hlc, e_staff FROM (
 SELECT d.tbl, d.row_id, dv.device_id AS d_dev, dv.counter AS d_cnt, dv.hlc AS d_hlc,
        dv.staff_id AS d_staff, v.field, v.device_id AS e_dev, v.counter AS e_cnt,
        v.hlc AS e_hlc, v.staff_id AS e_staff,
        ROW_NUMBER() OVER (PARTITION BY d.tbl, d.row_id
                           ORDER BY v.field COLLATE "C", v.device_id COLLATE "C",
                                    v.counter) AS n
 FROM sync_head d
 JOIN sync_version dv ON dv.device_id = d.device_id AND dv.counter = d.counter
 JOIN sync_head h ON h.tbl = d.tbl AND h.row_id = d.row_id AND h.field <> 'deleted'
 JOIN sync_version v ON v.device_id = h.device_id AND v.counter = h.counter
 WHERE d.field = 'deleted' AND dv.value = '1'::jsonb
   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(dv.parents::jsonb) AS p(value)
                   WHERE p.value = v.device_id || ':' || v.counter)
   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(v.parents::jsonb) AS p(value)
                   WHERE p.value = dv.device_id || ':' || dv.counter)
) AS first_edit WHERE n = 1 ORDER BY tbl COLLATE "C", row_id COLLATE "C"
"""


def _delete_versus_edit(dialect: str) -> str:
    return _DELETE_VERSUS_EDIT if dialect != POSTGRESQL else _DELETE_VERSUS_EDIT_ON_SERVER


def _common_base(raw: Any, tbl: str, row_id: str, field: str,
                 parents: list[str]) -> tuple[Any, bool]:
    """The value of the nearest version every head descends from."""
    history = {f"{d}:{c}": (json.loads(p), h, sqltext.version_result(v))
               for d, c, p, h, v in raw.execute(
        "SELECT device_id, counter, parents, hlc, value FROM sync_version"
        " WHERE tbl = ? AND row_id = ? AND field = ?", (tbl, row_id, field))}

    def ancestors(start: list[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(start)
        while stack:
            key = stack.pop()
            if key in seen or key not in history:
                continue
            seen.add(key)
            stack.extend(history[key][0])
        return seen

    common: set[str] | None = None
    for p in parents:
        found = ancestors(json.loads(p))
        common = found if common is None else common & found
    if not common:
        return None, False
    best = max(common, key=lambda k: (history[k][1], k))
    return history[best][2], True


def resolve(store: Store, tbl: str, row_id: str, field: str, value: Any) -> None:
    """A person's choice for a field in conflict: a new version whose parents are all the
    field's heads, written by this laptop. It syncs like any edit."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.RESOLVE_CONFLICTS)
        raw = _raw(session.connection())
        dialect = sqltext.raw_dialect(raw)
        # As the capture triggers name them: the field's heads and the deleted flag's; for the
        # deleted flag, every head of the row.
        heads = sorted(f"{d}:{c}" for d, c in raw.execute(
            "SELECT device_id, counter FROM sync_head WHERE tbl = ? AND row_id = ?"
            " AND (? = 'deleted' OR field IN (?, 'deleted'))", (tbl, row_id, field, field)))
        device, counter, hlc = raw.execute(
            "SELECT doorstep_device(), (SELECT COALESCE(MAX(counter), 0) + 1 FROM sync_version"
            f" WHERE device_id = doorstep_device()), doorstep_hlc({sqltext.adopted_hlc(dialect)})"
            ).fetchone()
        store.capture(sqltext.dbapi(raw), False)
        try:
            _apply(raw, [VersionRow(device, counter, hlc, tbl, row_id, field, value,
                                    json.dumps(heads), store.ctx.staff_id or None)])
        finally:
            _capture_again(store, raw)
