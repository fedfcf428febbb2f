"""Writing the record of what was done (留痕), and checking that nobody altered it.

Every action leaves an entry (``models.audit.AuditEntry``) in the chain of the log this laptop
writes its versions to: entry ``seq`` names the hash of entry ``seq - 1`` and its own hash covers
its fields and that one, so an entry changed, removed or slipped in afterwards breaks the chain
from there on. Entries are synced records: they travel as versions in the batches each laptop
signs, and every laptop can check every laptop's chain (:func:`verify`).

What a ``store.write()`` changed is recorded by itself, just before it commits (:func:`install`
puts :func:`_record_writes` among the store's ``before_commit``): one entry per record created,
changed, deleted or restored, naming the fields changed; a judicial aid decision also as what it
decided. Versions received from other laptops (``sync_write``) are not this laptop's actions:
an import is one ``imported`` entry. Actions that change nothing (logging in, printing, viewing
a record) are recorded explicitly: :func:`record` (its own transaction) or :func:`record_in`
(inside the caller's).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.core import sqltext
from app.core.i18n import N_, _
from app.core.labels import Vocabulary
from app.core.store import ConnectionContext, Store
from models import AuditEntry, Base, Device, SyncLog

log = logging.getLogger(__name__)


class Action(Vocabulary):
    """What an entry records."""

    CREATED = "created", N_("Created")
    CHANGED = "changed", N_("Changed")
    DELETED = "deleted", N_("Deleted")
    RESTORED = "restored", N_("Restored")
    APPROVED = "approved", N_("Approved")
    REDUCED = "reduced", N_("Approved a reduced amount")
    REFUSED = "refused", N_("Refused")
    PRINTED = "printed", N_("Printed")
    EXPORTED = "exported", N_("Exported")
    IMPORTED = "imported", N_("Imported")
    LOGGED_IN = "logged_in", N_("Logged in")
    FAILED_LOG_IN = "failed_log_in", N_("Failed log-in")
    LOGGED_OUT = "logged_out", N_("Logged out")
    LOCKED = "locked", N_("Locked")
    VIEWED = "viewed", N_("Viewed")


# Records whose changes are not actions of their own: the trail itself, a petition's history
# feed (it repeats what the change it accompanies did), and blocks of registration numbers.
UNRECORDED_TABLES = ("audit_entry", "activity", "number_block")
# A decision on judicial aid is recorded as what it decided, on the case.
_DECISIONS = {"approved": Action.APPROVED, "reduced": Action.REDUCED,
              "refused": Action.REFUSED}
_HASH_CONTEXT = b"doorstep audit v1\x00"
# The columns an entry's hash covers, in order (``id`` first, ``prev_hash`` last).
HASHED = ("id", "log_id", "seq", "at", "staff_id", "action", "tbl", "row_id", "person_id",
          "detail", "prev_hash")


def canonical_detail(detail: dict[str, Any] | None) -> str:
    """An entry's detail as stored: JSON with sorted keys, no spaces, UTF-8 as it is."""
    return json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(values: Sequence[Any]) -> str:
    """SHA-256 (hex) of an entry's ``HASHED`` values, in that order."""
    data = json.dumps([("" if v is None else v) for v in values], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(_HASH_CONTEXT + data.encode("utf-8")).hexdigest()


def _at(ctx: ConnectionContext) -> str:
    moment = datetime.fromtimestamp(ctx.clock() / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class _Pending:
    action: str
    tbl: str = ""
    row_id: str = ""
    person_id: str = ""
    detail: str = "{}"


def _append(session: Session, ctx: ConnectionContext, pending: Sequence[_Pending]) -> int:
    """Add ``pending`` to the chain of this laptop's log, in order; returns the last ``seq``
    (0 when the store has no identity yet: nothing can be recorded before it has one). Inside
    the caller's write transaction: ``BEGIN IMMEDIATE`` holds the write lock, so two writers
    never build on the same entry."""
    log_id = ctx.log_id or ctx.device_id
    if log_id is None or not pending:
        return 0
    from models import new_id

    last = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                           .where(AuditEntry.log_id == log_id)
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (int(last[0]), str(last[1])) if last is not None else (0, "")
    at = _at(ctx)
    staff = ctx.staff_id or ""
    rows = []
    for item in pending:
        seq += 1
        values = (new_id(), log_id, seq, at, staff, item.action, item.tbl, item.row_id,
                  item.person_id, item.detail, prev)
        prev = entry_hash(values)
        rows.append({**dict(zip(HASHED, values, strict=True)), "hash": prev})
    session.execute(insert(AuditEntry), rows)
    return seq


def record_in(session: Session, ctx: ConnectionContext, action: str, *, tbl: str = "",
              row_id: str = "", person_id: str = "",
              detail: dict[str, Any] | None = None) -> int:
    """Record ``action`` in the caller's write transaction; returns the entry's number."""
    if not Action.has(action):
        raise ValueError(f"unknown audit action {action!r}")
    return _append(session, ctx, [_Pending(action, tbl, row_id, person_id,
                                           canonical_detail(detail))])


def record_reading(session: Session, ctx: ConnectionContext, *, tbl: str, row_id: str = "",
                   detail: dict[str, Any] | None = None) -> int:
    """Record a reading of sensitive records (``Action.VIEWED``) in the caller's write
    transaction, unless the same staff member already read the same thing (same records, same
    detail) on this laptop today: a list read again on every refresh (Today) is recorded once a
    day, and again whenever what it shows changes. Returns the entry's number, or 0 when none
    was written."""
    log_id = ctx.log_id or ctx.device_id
    canonical = canonical_detail(detail)
    midnight = datetime.combine(datetime.fromtimestamp(ctx.clock() / 1000).date(), time())
    since = midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if log_id is not None and session.scalar(select(AuditEntry.seq).where(
            AuditEntry.tbl == tbl, AuditEntry.row_id == row_id, AuditEntry.log_id == log_id,
            AuditEntry.action == Action.VIEWED, AuditEntry.staff_id == (ctx.staff_id or ""),
            AuditEntry.detail == canonical, AuditEntry.at >= since).limit(1)) is not None:
        return 0
    return record_in(session, ctx, Action.VIEWED, tbl=tbl, row_id=row_id, detail=detail)


def record(store: Store, action: str, *, tbl: str = "", row_id: str = "", person_id: str = "",
           detail: dict[str, Any] | None = None) -> int:
    """Record ``action`` in a transaction of its own (logging in, printing, viewing)."""
    with store.write() as session:
        return record_in(session, store.ctx, action, tbl=tbl, row_id=row_id,
                         person_id=person_id, detail=detail)


def printed(store: Store, paper: str, *, tbl: str = "", row_id: str = "", title: str = "",
            saved_as: str = "") -> int:
    """A paper went to a printer or into a PDF file (a preview is not a print)."""
    detail: dict[str, Any] = {"paper": paper}
    if title:
        detail["title"] = title
    if saved_as:
        detail["file"] = saved_as
    return record(store, Action.PRINTED, tbl=tbl, row_id=row_id, detail=detail)


def exported(store: Store, what: str, *, file: str = "", count: int | None = None,
             **more: Any) -> int:
    """Records (a list, a table, statistics) were written to a file: ``what`` says which (a
    code, see ``app.audit.reading.EXPORTS``), ``more`` anything else worth keeping."""
    detail: dict[str, Any] = {"what": what, **more}
    if file:
        detail["file"] = file
    if count is not None:
        detail["count"] = count
    return record(store, Action.EXPORTED, detail=detail)


def viewed_person(store: Store, person_id: str) -> int:
    """A person's full record was opened (a key petitioner's above all)."""
    return record(store, Action.VIEWED, tbl="person", row_id=person_id, person_id=person_id)


# -- What each write did, recorded before it commits ------------------------------------------
def _written_sql(dialect: str) -> str:
    deleted = sqltext.from_version(dialect, "value", "integer")
    created = sqltext.as_flag(dialect, "parents = '[]'")
    return (
        f"SELECT tbl, row_id, MAX({created}),"
        " MAX(CASE WHEN field = 'deleted' AND parents <> '[]'"
        f" THEN 1 + {sqltext.as_flag(dialect, deleted + ' = 1')} ELSE 0 END),"
        f" {sqltext.json_list(dialect, 'field', distinct=True)}"
        " FROM sync_version WHERE seq > :since AND device_id = doorstep_device()"
        f" AND tbl NOT IN ({', '.join(repr(t) for t in UNRECORDED_TABLES)})"
        " GROUP BY tbl, row_id ORDER BY MIN(seq)")


def _record_writes(store: Store, session: Session, since: int) -> None:
    """One entry per record this transaction's versions touched (a ``before_commit`` hook)."""
    if store.ctx.device_id is None:
        return
    written = session.execute(text(_written_sql(sqltext.dialect_of(session))),
                              {"since": since}).all()
    if not written:
        return
    by_table: dict[str, list[str]] = {}
    for tbl, row_id, *_rest in written:
        by_table.setdefault(str(tbl), []).append(str(row_id))
    persons: dict[tuple[str, str], str] = {}
    decisions: dict[str, tuple[str, str, int]] = {}
    for tbl, ids in by_table.items():
        table = Base.metadata.tables.get(tbl)
        if table is None:
            continue
        if tbl == "person":
            persons.update({(tbl, i): i for i in ids})
        elif "person_id" in table.c:
            for row_id, person_id in session.execute(
                    select(table.c.id, table.c.person_id).where(table.c.id.in_(ids))):
                persons[(tbl, str(row_id))] = str(person_id or "")
        if tbl == "aid_decision":
            for row_id, case_id, decision, amount in session.execute(
                    select(table.c.id, table.c.aid_case_id, table.c.decision,
                           table.c.amount_fen).where(table.c.id.in_(ids))):
                decisions[str(row_id)] = (str(case_id), str(decision), int(amount))
    pending = []
    for tbl, row_id, created, deleted, fields in written:
        tbl, row_id = str(tbl), str(row_id)
        person_id = persons.get((tbl, row_id), "")
        if tbl == "aid_decision" and created and row_id in decisions \
                and decisions[row_id][1] in _DECISIONS:
            case_id, decision, amount = decisions[row_id]
            pending.append(_Pending(_DECISIONS[decision], "aid_case", case_id, "",
                                    canonical_detail({"amount_fen": amount})))
            continue
        if created:
            pending.append(_Pending(Action.CREATED, tbl, row_id, person_id))
        elif deleted:
            pending.append(_Pending(Action.DELETED if deleted == 2 else Action.RESTORED,
                                    tbl, row_id, person_id))
        else:
            changed = sorted(f for f in json.loads(fields) if f != "deleted")
            pending.append(_Pending(Action.CHANGED, tbl, row_id, person_id,
                                    canonical_detail({"fields": changed})))
    _append(session, store.ctx, pending)


def install(store: Store) -> None:
    """Record what every ``store.write()`` of ``store`` changes (once per store)."""
    if _record_writes not in store.before_commit:
        store.before_commit.append(_record_writes)


# -- Verification --------------------------------------------------------------------------------
ALTERED = N_("The record of what was done on laptop {laptop} was altered after entry {n}.")
ALTERED_FROM_START = N_("The record of what was done on laptop {laptop} was altered from its "
                        "first entry on.")


@dataclass(frozen=True)
class Alteration:
    """A log whose chain of entries does not hold from ``after + 1`` on."""

    log_id: str
    laptop: str  # the laptop's name (its id when the store does not know it)
    after: int  # the last entry that still holds (0: none)

    def message(self) -> str:
        if self.after <= 0:
            return _(ALTERED_FROM_START).format(laptop=self.laptop)
        return _(ALTERED).format(laptop=self.laptop, n=self.after)


def _unlike_versions_sql(dialect: str) -> str:
    """An entry whose row differs from the versions that made it (edited in the file,
    bypassing the version log), or with no versions at all (slipped in), in each log: the
    lowest such number."""
    table = AuditEntry.__table__
    columns = ("deleted", *HASHED[1:], "hash")
    if dialect == sqltext.POSTGRESQL:
        # One look at each entry's heads (by the index), every field compared with its column:
        # PostgreSQL would otherwise hash the whole version log once for each field.
        wanted = " ".join(
            f"WHEN '{c}' THEN " + sqltext.to_version(dialect, f"a.{c}",
                                                     sqltext.column_kind(table.c[c]))
            for c in columns)
        return (
            "SELECT a.log_id, MIN(a.seq) FROM audit_entry a, LATERAL ("
            "SELECT COUNT(DISTINCT h.field) AS same FROM sync_head h JOIN sync_version v"
            " ON v.device_id = h.device_id AND v.counter = h.counter"
            " WHERE h.tbl = 'audit_entry' AND h.row_id = a.id"
            f" AND v.value IS NOT DISTINCT FROM (CASE h.field {wanted} END)) AS m"
            f" WHERE m.same < {len(columns)} GROUP BY a.log_id")
    return (
        "SELECT a.log_id, MIN(a.seq) FROM audit_entry a WHERE "
        + " OR ".join(
            "NOT EXISTS (SELECT 1 FROM sync_head h JOIN sync_version v"
            " ON v.device_id = h.device_id AND v.counter = h.counter"
            f" WHERE h.tbl = 'audit_entry' AND h.row_id = a.id AND h.field = '{c}'"
            # (compared as a version holds it: no cast of another field's value can fail)
            " AND " + sqltext.same(dialect, "v.value", sqltext.to_version(
                dialect, f"a.{c}", sqltext.column_kind(table.c[c]))) + ")"
            for c in columns)
        + " GROUP BY a.log_id")


def _removed_sql(dialect: str) -> str:
    """Entries whose versions are held but whose row is gone (removed in the file)."""
    log_id = sqltext.from_version(dialect, "l.value")
    return (
        f"SELECT {log_id}, MIN({sqltext.from_version(dialect, 's.value', 'integer')})"
        " FROM sync_version s JOIN sync_version l"
        " ON l.tbl = 'audit_entry' AND l.row_id = s.row_id AND l.field = 'log_id'"
        " WHERE s.tbl = 'audit_entry' AND s.field = 'seq'"
        " AND NOT EXISTS (SELECT 1 FROM audit_entry a WHERE a.id = s.row_id)"
        f" GROUP BY {log_id}")


def _first_break(rows: Iterable[Sequence[Any]]) -> int | None:
    """The number of the first entry of one log's chain (ordered by seq) that does not hold,
    or None when all of them do."""
    expected, prev = 1, ""
    for row in rows:
        values, deleted, stored = row[:len(HASHED)], row[len(HASHED)], row[len(HASHED) + 1]
        seq = int(values[2])
        if seq != expected or values[-1] != prev or deleted \
                or entry_hash(values) != stored:
            return min(seq, expected)
        expected, prev = seq + 1, str(stored)
    return None


def laptop_names(session: Session) -> dict[str, str]:
    """Each log's laptop, by name: a laptop's first log has its id; later ones are in
    ``sync_log``."""
    names = {str(i): str(n) for i, n in session.execute(select(Device.id, Device.name))}
    logs = {str(lg): names.get(str(d), str(d))
            for lg, d in session.execute(select(SyncLog.log_id, SyncLog.device_id))}
    return {**names, **logs}


def verify_in(session: Session) -> list[Alteration]:
    """Every log's chain checked (see :func:`verify`), inside the caller's transaction."""
    broken: dict[str, int] = {}

    def note(log_id: str, seq: int) -> None:
        broken[log_id] = min(broken.get(log_id, seq), seq)

    columns = ", ".join([*HASHED, "deleted", "hash"])
    current: str | None = None
    chain: list[Sequence[Any]] = []

    def check() -> None:
        if current is not None:
            found = _first_break(chain)
            if found is not None:
                note(current, found)

    dialect = sqltext.dialect_of(session)
    for row in session.execute(text(
            f"SELECT {columns} FROM audit_entry ORDER BY {sqltext.ordered(dialect, 'log_id')},"
            f" seq, {sqltext.ordered(dialect, 'id')}")):
        if row[1] != current:
            check()
            current, chain = str(row[1]), []
        chain.append(tuple(row))
    check()
    for log_id, seq in session.execute(text(_unlike_versions_sql(dialect))):
        note(str(log_id), int(seq))
    for log_id, seq in session.execute(text(_removed_sql(dialect))):
        note(str(log_id), int(seq))
    if not broken:
        return []
    names = laptop_names(session)
    found = [Alteration(lg, names.get(lg, lg), seq - 1) for lg, seq in broken.items()]
    for alteration in found:
        log.warning("audit log %s altered after entry %d", alteration.log_id, alteration.after)
    return sorted(found, key=lambda a: (a.laptop, a.log_id))


def verify(store: Store) -> list[Alteration]:
    """Check the record of what was done of every laptop this store holds: numbered from 1
    without a gap, each entry naming the previous one's hash, each hash what the entry's
    fields make, each entry as the versions that carried it wrote it. The first entry that
    does not hold, for each log that has one; an empty list when all is as written."""
    with store.read() as session:
        return verify_in(session)


__all__ = [
    "Action",
    "Alteration",
    "canonical_detail",
    "entry_hash",
    "exported",
    "install",
    "printed",
    "record",
    "record_in",
    "verify",
    "verify_in",
    "viewed_person",
]
