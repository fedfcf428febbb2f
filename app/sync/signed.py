"""Author-signed version logs: what makes a version trustworthy whoever carried it.

Each laptop writes its versions to its own append-only *log* (the ``device_id`` column of a
version names it; a laptop's first log has the laptop's id). When it exports, the laptop signs
the versions it has not signed yet as one *batch*: a run of consecutive counters, its rows in a
canonical encoding, their SHA-256 and one Ed25519 signature by the laptop's key over the log,
the range and that hash (the way Secure Scuttlebutt feeds and Hypercore logs are signed by their
author, not by whoever forwards them). Relays forward batches unchanged; a receiver checks each
batch against the author's key in the office roster, whoever's package carried it. So:

* **Versions claiming another laptop's log** fail the check: they are refused and kept apart
  (``forged``, naming the laptop whose package carried them), and the real laptop's versions
  with those counters still arrive.
* **A revoked laptop** has a cut-off in the signed roster: for each of its logs, the last counter
  the office accepts. Versions past it are refused from any relay, and a laptop that learns of
  the revocation takes those it had applied back out of effect (kept apart: ``revoked``).
* **Two different versions with one (log, counter)** are a *fork* of that log: a laptop whose data
  folder was restored from an older copy, or copied to another machine, writing again under
  counters it had already used. It is never applied silently. Each laptop keeps the branch it
  had and keeps the other apart (``fork``); the office master, on finding a fork, decides: its
  decision, signed with the office key, lists the batches that stay (the ones the master holds)
  and closes the log after them. Every laptop follows the decision when it arrives. Batches kept
  apart for a fork travel in every package, so that they reach the laptop that owns the log: it
  writes those changes again in a fresh log of its own (*re-issues* them), so nothing is lost.
* **A restored laptop** moves to a fresh log (a new *incarnation*, announced by a statement its
  key signs) as soon as it learns that others hold more of its log than it does (the package's
  acknowledgement says so), or that its log forked; its later versions then travel normally.

The office master also signs, with the office key, versions no author can sign any more: those
every laptop held before signed logs existed (``local`` batches, migration 0012), and those of a
revoked laptop up to its cut-off.

Everything here runs inside the caller's transaction, on the raw SQLite connection, with capture
off (``app.sync.engine``); plain values in and out.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core import sqltext
from app.core.store import DB_ERRORS
from app.sync import engine
from app.sync.crypto import (
    MAX_ID,
    DeviceKeys,
    MalformedError,
    OfficeKey,
    Roster,
    RosterDevice,
    b64,
    canonical_json,
    parse_json,
    read_bytes,
    read_int,
    read_object,
    read_text,
    verify_signature,
)
from app.sync.engine import LOG_COLUMNS, LogRow, VersionRow

log = logging.getLogger(__name__)

AUTHOR, OFFICE, LOCAL = "author", "office", "local"
FORWARDED = (AUTHOR, OFFICE)
FORK, REVOKED, FORGED, UNVERIFIED = "fork", "revoked", "forged", "unverified"

_BATCH_CONTEXT = b"doorstep batch v1\x00"
_LOG_CONTEXT = b"doorstep log v1\x00"
_LOG_ID_CONTEXT = b"doorstep log id v1\x00"
_DECISION_CONTEXT = b"doorstep fork decision v1\x00"


class BundleError(Exception):
    """A package's signed-log sections cannot be read (the package is signed, so its sender's
    software wrote them wrong); the caller refuses the package."""


# --- plain data ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Batch:
    """Versions ``first``..``last`` of ``log_id``: the SHA-256 of their canonical rows, signed."""

    log_id: str
    first: int
    last: int
    rows_sha: str
    signer: str
    signature: bytes = field(repr=False)

    def header(self) -> bytes:
        return canonical_json({"first": self.first, "last": self.last, "log": self.log_id,
                               "rows": self.rows_sha, "signer": self.signer})

    @property
    def key(self) -> tuple[str, int, int, str]:
        return self.log_id, self.first, self.last, self.rows_sha


@dataclass(frozen=True)
class LogStatement:
    """A laptop's later log, bound to it by its signature."""

    log_id: str
    device_id: str
    incarnation: int
    statement: bytes
    signature: bytes = field(repr=False)


@dataclass(frozen=True)
class Decision:
    """The office master's decision on a forked log: these batches stay; nothing after
    ``closed_at`` is taken."""

    log_id: str
    counter: int  # where the master found the fork
    closed_at: int
    kept: frozenset[tuple[int, int, str]]  # (first, last, rows_sha)
    statement: bytes
    signature: bytes = field(repr=False)


@dataclass
class Bundle:
    """What a package carries of the signed logs."""

    batches: list[tuple[Batch, bytes]] = field(default_factory=list)  # with their rows
    apart: list[tuple[Batch, bytes]] = field(default_factory=list)  # forks' evidence
    logs: list[LogStatement] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def versions(self) -> int:
        return sum(b.last - b.first + 1 for b, _rows in self.batches)


@dataclass
class Received:
    """What importing a bundle did, beyond the engine's own counts."""

    applied: engine.ApplyResult
    withdrawn: int = 0  # versions taken back out of effect here
    rows_removed: int = 0
    forged: dict[str, int] = field(default_factory=dict)  # claimed laptop -> versions refused
    revoked: dict[str, int] = field(default_factory=dict)  # laptop -> versions past its cut-off
    forks: dict[str, int] = field(default_factory=dict)  # log -> counter, found in this import
    decided: list[str] = field(default_factory=list)  # logs the office decided on here
    reissued: int = 0
    new_log: str | None = None  # this laptop moved to a fresh log
    unverified: int = 0  # versions written here under another laptop's log, kept apart


@dataclass(frozen=True)
class Trust:
    """Who may sign what: the office's roster and key, and which laptop owns each later log."""

    roster: Roster
    office_pub: bytes
    me: str
    logs: dict[str, str] = field(default_factory=dict)

    def owner(self, log_id: str) -> str:
        return self.logs.get(log_id, log_id)

    def author(self, log_id: str) -> RosterDevice | None:
        return self.roster.find(self.owner(log_id))


# --- encoding ------------------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return base64.b64decode(value["b64"])
    return value


def canonical_rows(rows: Iterable[LogRow]) -> bytes:
    """The bytes a batch's signature covers: its rows, in counter order, as compact JSON."""
    return json.dumps([[r.counter, r.hlc, r.tbl, r.row_id, r.field, _encode(r.value), r.parents,
                        r.staff_id] for r in rows],
                      ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def rows_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_rows(data: bytes, first: int, last: int) -> list[LogRow]:
    try:
        rows = json.loads(data)
        if not isinstance(rows, list) or len(rows) != last - first + 1:
            raise BundleError("rows do not match the batch")
        parsed = []
        for expected, r in enumerate(rows, start=first):
            if not isinstance(r, list) or len(r) != len(LogRow._fields):
                raise BundleError("rows out of order")
            counter, hlc, tbl, row_id, fld, value, parents, staff_id = r
            if counter != expected:
                raise BundleError("rows out of order")
            parsed.append(LogRow(counter, hlc, tbl, row_id, fld, _decode(value), parents,
                                 staff_id))
        return parsed
    except (ValueError, TypeError, KeyError) as exc:
        raise BundleError("rows cannot be read") from exc


def derive_log_id(device_id: str, incarnation: int, nonce: str) -> str:
    digest = hashlib.sha256(_LOG_ID_CONTEXT + canonical_json(
        [device_id, incarnation, nonce])).digest()
    return str(uuid.UUID(bytes=digest[:16]))


# --- signing -------------------------------------------------------------------------------------

def sign_batch(log_id: str, first: int, last: int, data: bytes,
               key: DeviceKeys | OfficeKey) -> Batch:
    signer = OFFICE if isinstance(key, OfficeKey) else AUTHOR
    unsigned = Batch(log_id, first, last, rows_sha(data), signer, b"")
    return Batch(log_id, first, last, unsigned.rows_sha, signer,
                 key.sign(_BATCH_CONTEXT + unsigned.header()))


def batch_problem(batch: Batch, data: bytes, trust: Trust) -> str | None:
    """Why ``batch`` cannot be taken (its signer, signature or rows), or None."""
    if batch.signer == AUTHOR:
        author = trust.author(batch.log_id)
        if author is None:
            return "its author is not enrolled in the office"
        key = author.sign_pub
    elif batch.signer == OFFICE:
        key = trust.office_pub
    else:
        return f"unknown signer {batch.signer!r}"
    if batch.first < 1 or batch.last < batch.first:
        return "empty range"
    if not verify_signature(key, batch.signature, _BATCH_CONTEXT + batch.header()):
        return "the signature does not verify"
    if rows_sha(data) != batch.rows_sha:
        return "its rows are not the ones signed"
    return None


def make_log_statement(keys: DeviceKeys, incarnation: int) -> LogStatement:
    nonce = os.urandom(16).hex()
    log_id = derive_log_id(keys.device_id, incarnation, nonce)
    statement = canonical_json({"device": keys.device_id, "incarnation": incarnation,
                                "log": log_id, "nonce": nonce})
    return LogStatement(log_id, keys.device_id, incarnation, statement,
                        keys.sign(_LOG_CONTEXT + statement))


def read_log_statement(statement: bytes, signature: bytes, roster: Roster) -> LogStatement | None:
    try:
        doc = parse_json(statement)
        device_id, log_id = read_text(doc, "device", MAX_ID), read_text(doc, "log", MAX_ID)
        incarnation, nonce = read_int(doc, "incarnation"), read_text(doc, "nonce", 64)
    except MalformedError:
        return None
    device = roster.find(device_id)
    if device is None or incarnation < 2 \
            or derive_log_id(device_id, incarnation, nonce) != log_id \
            or not verify_signature(device.sign_pub, signature, _LOG_CONTEXT + statement):
        return None
    return LogStatement(log_id, device_id, incarnation, statement, signature)


def make_decision(office_key: OfficeKey, log_id: str, counter: int, closed_at: int,
                  kept: Iterable[tuple[int, int, str]]) -> Decision:
    ordered = sorted(set(kept))
    statement = canonical_json({"closed_at": closed_at, "counter": counter,
                                "kept": [list(k) for k in ordered], "log": log_id,
                                "office": office_key.office_id,
                                "decided_at": datetime.now(UTC).isoformat(timespec="seconds")})
    return Decision(log_id, counter, closed_at, frozenset(ordered), statement,
                    office_key.sign(_DECISION_CONTEXT + statement))


def read_decision(statement: bytes, signature: bytes, office_pub: bytes,
                  office_id: str) -> Decision | None:
    if not verify_signature(office_pub, signature, _DECISION_CONTEXT + statement):
        return None
    try:
        doc = parse_json(statement)
        if read_text(doc, "office", MAX_ID) != office_id:
            return None
        listed = doc.get("kept")
        if not isinstance(listed, list):
            raise MalformedError
        kept = frozenset((int(k[0]), int(k[1]), str(k[2])) for k in listed
                         if isinstance(k, list) and len(k) == 3)
        return Decision(read_text(doc, "log", MAX_ID), read_int(doc, "counter"),
                        read_int(doc, "closed_at"), kept, statement, signature)
    except (MalformedError, ValueError, TypeError):
        return None


# --- package sections ----------------------------------------------------------------------------

def to_sections(bundle: Bundle) -> dict[str, bytes]:
    """The bundle as package sections: ``signed`` (the batch headers, statements and
    decisions) and one section of rows per batch."""
    sections: dict[str, bytes] = {}

    def heads(pairs: list[tuple[Batch, bytes]], prefix: str) -> list[dict[str, Any]]:
        out = []
        for n, (batch, data) in enumerate(pairs):
            name = f"{prefix}/{n}"
            sections[name] = data
            out.append({"log": batch.log_id, "first": batch.first, "last": batch.last,
                        "rows": batch.rows_sha, "signer": batch.signer,
                        "signature": b64(batch.signature), "section": name})
        return out

    index = {
        "batches": heads(bundle.batches, "batch"),
        "apart": heads(bundle.apart, "apart"),
        "logs": [{"statement": b64(s.statement), "signature": b64(s.signature)}
                 for s in bundle.logs],
        "decisions": [{"statement": b64(d.statement), "signature": b64(d.signature)}
                      for d in bundle.decisions],
    }
    return {"signed": canonical_json(index), **sections}


@dataclass
class RawBundle:
    """The sections as read, before any signature is checked."""

    batches: list[tuple[Batch, bytes]]
    apart: list[tuple[Batch, bytes]]
    logs: list[tuple[bytes, bytes]]
    decisions: list[tuple[bytes, bytes]]


def from_sections(sections: dict[str, bytes]) -> RawBundle:
    try:
        index = parse_json(sections["signed"])

        def batches(key: str) -> list[tuple[Batch, bytes]]:
            entries = index.get(key)
            if not isinstance(entries, list):
                raise MalformedError
            out = []
            for entry in map(read_object, entries):
                batch = Batch(read_text(entry, "log", MAX_ID), read_int(entry, "first"),
                              read_int(entry, "last"), read_text(entry, "rows", 64),
                              read_text(entry, "signer", 8), read_bytes(entry, "signature"))
                out.append((batch, sections[read_text(entry, "section", 64)]))
            return out

        def signed(key: str) -> list[tuple[bytes, bytes]]:
            entries = index.get(key)
            if not isinstance(entries, list):
                raise MalformedError
            return [(read_bytes(e, "statement"), read_bytes(e, "signature"))
                    for e in map(read_object, entries)]

        return RawBundle(batches("batches"), batches("apart"), signed("logs"),
                         signed("decisions"))
    except (MalformedError, KeyError) as exc:
        raise BundleError("the signed-log sections cannot be read") from exc


# --- reading the store ---------------------------------------------------------------------------

def trust_for(raw: Any, roster: Roster, office_pub: bytes, me: str) -> Trust:
    logs = {str(log_id): str(device) for log_id, device in raw.execute(
        "SELECT log_id, device_id FROM sync_log")}
    return Trust(roster, office_pub, me, logs)


def logs_of(raw: Any, device_id: str) -> list[str]:
    """Every log of a laptop: its first (its own id) and those it moved to."""
    return [device_id] + [str(r[0]) for r in raw.execute(
        "SELECT log_id FROM sync_log WHERE device_id = ? ORDER BY incarnation", (device_id,))]


def current_log(raw: Any) -> tuple[str, str]:
    """(this laptop's device id, the log it writes to)."""
    device_id, log_id = raw.execute("SELECT device_id, log_id FROM local_identity").fetchone()
    return str(device_id), str(log_id or device_id)


def _batches(raw: Any, log_id: str, signers: Sequence[str]) -> list[Batch]:
    marks = ", ".join("?" for _ in signers)
    return [Batch(log_id, int(f), int(la), str(sha), str(signer), bytes(sig))
            for f, la, sha, signer, sig in raw.execute(
                "SELECT first_counter, last_counter, rows_sha, signer, signature FROM sync_batch"
                f" WHERE log_id = ? AND signer IN ({marks}) ORDER BY first_counter, last_counter",
                (log_id, *signers))]


def _rows(raw: Any, log_id: str, first: int, last: int) -> list[LogRow]:
    return [LogRow._make(r) for r in raw.execute(
        f"SELECT {LOG_COLUMNS} FROM sync_version WHERE device_id = ?"
        " AND counter BETWEEN ? AND ? ORDER BY counter", (log_id, first, last))]


def _runs(counters: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted counters."""
    runs: list[tuple[int, int]] = []
    for c in counters:
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


def _uncovered(raw: Any, log_id: str, signers: Sequence[str]) -> list[tuple[int, int]]:
    """Runs of this log's versions in effect that no batch by ``signers`` covers."""
    runs: list[tuple[int, int]] = []
    start = 1
    for first, last in _merged((b.first, b.last) for b in _batches(raw, log_id, signers)):
        if first > start:
            runs += _runs(_in_effect(raw, log_id, start, first - 1))
        start = max(start, last + 1)
    return runs + _runs(_in_effect(raw, log_id, start))


def vector(raw: Any) -> dict[str, int]:
    return {str(d): int(c) for d, c in raw.execute(
        "SELECT device_id, MAX(counter) FROM sync_version GROUP BY device_id")}


# --- export --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signed:
    batches: int
    unverified: int  # versions under another laptop's log that nobody signed: kept apart


def sign_pending(raw: Any, keys: DeviceKeys,
                 office_key: Callable[[], OfficeKey] | None = None) -> Signed:
    """Sign this laptop's versions not signed yet, one batch per run; on the office master, sign
    with the office key what no author will sign (versions held on trust from before signed
    logs, a revoked laptop's up to its cut-off). Versions under another laptop's log that
    nobody signed and that were not held on trust were not written by Doorstep: they are kept
    apart. Capture off."""
    made = 0
    mine = set(logs_of(raw, keys.device_id))
    for log_id in sorted(mine):
        for first, last in _uncovered(raw, log_id, FORWARDED):
            _store_batch(raw, sign_batch(log_id, first, last,
                                         canonical_rows(_rows(raw, log_id, first, last)), keys))
            made += 1
    unverified = sweep_unverified(raw, mine)
    if office_key is not None:
        vouch = [(log_id, first, last) for log_id in sorted(set(vector(raw)) - mine)
                 for first, last in _uncovered(raw, log_id, FORWARDED)]
        for log_id, first, last in vouch:
            _store_batch(raw, sign_batch(log_id, first, last, canonical_rows(
                _rows(raw, log_id, first, last)), office_key()))
            made += 1
    return Signed(made, unverified)


def sweep_unverified(raw: Any, mine: set[str]) -> int:
    """Versions under another laptop's log that no batch holds, not even on trust: written on
    this laptop under another's name (never by Doorstep). They are kept apart and leave the
    tables; returns how many."""
    unverified = [(log_id, c) for log_id in sorted(set(vector(raw)) - mine)
                  for first, last in _uncovered(raw, log_id, (*FORWARDED, LOCAL))
                  for c in range(first, last + 1)]
    if unverified:
        log.warning("%d versions under other laptops' logs that nobody signed: kept apart",
                    len(unverified))
        _keep_apart_in_effect(raw, unverified, UNVERIFIED, "")
        engine.withdraw(raw, unverified)
    return len(unverified)


def _store_batch(raw: Any, batch: Batch) -> None:
    raw.execute(sqltext.insert_ignoring(
        sqltext.raw_dialect(raw), "INTO sync_batch (log_id, first_counter, last_counter,"
        " rows_sha, signer, signature) VALUES (?, ?, ?, ?, ?, ?)"),
                (batch.log_id, batch.first, batch.last, batch.rows_sha, batch.signer,
                 batch.signature))


def outgoing(raw: Any, known: dict[str, int]) -> Bundle:
    """Everything the holder of ``known`` may lack, as whole signed batches (a batch that
    starts below what it holds is sent whole: the duplicates change nothing), with every later
    log's statement, the office's fork decisions and the evidence of forks."""
    bundle = Bundle()
    for log_id, top in sorted(vector(raw).items()):
        at = known.get(log_id, 0) + 1
        if at > top:
            continue
        batches = _batches(raw, log_id, FORWARDED)
        while at <= top:
            # The batch holding ``at`` that reaches furthest; the author's before the office's.
            holding = [b for b in batches if b.first <= at <= b.last]
            if not holding:
                break  # held on trust only: the office master signs it when it exports
            chosen = max(holding, key=lambda b: (b.last, b.signer == AUTHOR))
            data = canonical_rows(_rows(raw, log_id, chosen.first, chosen.last))
            if rows_sha(data) != chosen.rows_sha:
                log.error("batch %s %d-%d no longer matches its versions", log_id,
                          chosen.first, chosen.last)
                break
            bundle.batches.append((chosen, data))
            at = chosen.last + 1
    bundle.apart = [(Batch(str(lg), int(f), int(la), str(sha), str(signer), bytes(sig)),
                     bytes(rows)) for lg, f, la, sha, signer, sig, rows in raw.execute(
        "SELECT log_id, first_counter, last_counter, rows_sha, signer, signature, rows"
        " FROM sync_apart WHERE reason = ? AND signer IN (?, ?)"
        " ORDER BY log_id, first_counter, rows_sha", (FORK, AUTHOR, OFFICE))]
    # A fork this laptop found and the office has not decided yet: the branch it holds goes
    # too, whatever the others are known to hold, so that the office master sees both.
    sent = {b.key for b, _data in bundle.batches}
    for log_id, counter in raw.execute(
            "SELECT log_id, counter FROM sync_fork WHERE decision IS NULL").fetchall():
        for batch in _batches(raw, str(log_id), FORWARDED):
            if batch.last >= int(counter) and batch.key not in sent:
                data = canonical_rows(_rows(raw, batch.log_id, batch.first, batch.last))
                if rows_sha(data) == batch.rows_sha:
                    bundle.batches.append((batch, data))
    bundle.logs = [LogStatement(str(lg), str(d), int(n), bytes(st), bytes(sig))
                   for lg, d, n, st, sig in raw.execute(
                       "SELECT log_id, device_id, incarnation, statement, signature"
                       " FROM sync_log ORDER BY device_id, incarnation")]
    bundle.decisions = [Decision(str(lg), 0, 0, frozenset(), bytes(st), bytes(sig))
                        for lg, st, sig in raw.execute(
                            "SELECT log_id, decision, signature FROM sync_fork"
                            " WHERE decision IS NOT NULL ORDER BY log_id")]
    return bundle


# --- import --------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _keep_apart(raw: Any, batch: Batch, data: bytes, reason: str, sender: str) -> None:
    raw.execute(sqltext.insert_ignoring(
        sqltext.raw_dialect(raw), "INTO sync_apart (log_id, first_counter, last_counter,"
        " rows_sha, signer, signature, rows, reason, sender_id, noted_at, reissued)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"),
                (batch.log_id, batch.first, batch.last, batch.rows_sha, batch.signer,
                 batch.signature, data, reason, sender, _now()))


def _keep_apart_in_effect(raw: Any, versions: Sequence[tuple[str, int]], reason: str,
                          sender: str) -> None:
    """Before versions in effect are withdrawn: keep them apart with the batches holding them
    (whole, as signed; the batch leaves ``sync_batch``), or as a run of their own when no
    signed batch holds them. What a moved batch also held and stays in effect is then held on
    trust (``local``) until the office master signs it again."""
    by_log: dict[str, set[int]] = {}
    for log_id, counter in versions:
        by_log.setdefault(log_id, set()).add(counter)
    for log_id, counters in by_log.items():
        loose = set(counters)
        for batch in _batches(raw, log_id, (AUTHOR, OFFICE, LOCAL)):
            inside = {c for c in counters if batch.first <= c <= batch.last}
            if not inside:
                continue
            loose -= inside
            raw.execute("DELETE FROM sync_batch WHERE log_id = ? AND first_counter = ?"
                        " AND last_counter = ? AND rows_sha = ?", batch.key)
            if batch.signer == LOCAL:
                loose |= inside
            else:
                _keep_apart(raw, batch, canonical_rows(
                    _rows(raw, log_id, batch.first, batch.last)), reason, sender)
            staying = [c for c in range(batch.first, batch.last + 1) if c not in counters]
            for first, last in _runs(staying):
                _store_batch(raw, Batch(log_id, first, last, "", LOCAL, b""))
        for first, last in _runs(sorted(loose)):
            data = canonical_rows(r for r in _rows(raw, log_id, first, last))
            _keep_apart(raw, Batch(log_id, first, last, rows_sha(data), LOCAL, b""), data,
                        reason, sender)


def _in_effect(raw: Any, log_id: str, low: int, high: int | None = None) -> list[int]:
    return [int(c) for (c,) in raw.execute(
        "SELECT counter FROM sync_version WHERE device_id = ? AND counter >= ?"
        + (" AND counter <= ?" if high is not None else "") + " ORDER BY counter",
        (log_id, low, high) if high is not None else (log_id, low))]


def _held_batch(raw: Any, batch: Batch) -> bool:
    return raw.execute("SELECT 1 FROM sync_batch WHERE log_id = ? AND first_counter = ?"
                       " AND last_counter = ? AND rows_sha = ?", batch.key).fetchone() is not None


def _diverges(raw: Any, batch: Batch, rows: list[LogRow]) -> int | None:
    """The first counter at which ``rows`` differ from the versions held in effect."""
    engine.stage_other(raw, [r.in_log(batch.log_id) for r in rows])
    return engine.diverging(raw, "other_version").get(batch.log_id)


def _decisions(raw: Any) -> dict[str, Decision]:
    """The office's decisions this laptop holds (each checked when it arrived)."""
    found = {}
    for st, sig in raw.execute(
            "SELECT decision, signature FROM sync_fork WHERE decision IS NOT NULL"):
        doc = json.loads(st)
        found[str(doc["log"])] = Decision(
            str(doc["log"]), int(doc["counter"]), int(doc["closed_at"]),
            frozenset((int(k[0]), int(k[1]), str(k[2])) for k in doc["kept"]),
            bytes(st), bytes(sig))
    return found


def _note_fork(raw: Any, log_id: str, counter: int) -> bool:
    """Record that ``log_id`` forked at ``counter``; True when this is news."""
    row = raw.execute("SELECT counter FROM sync_fork WHERE log_id = ?", (log_id,)).fetchone()
    if row is None:
        raw.execute("INSERT INTO sync_fork (log_id, counter, noted_at) VALUES (?, ?, ?)",
                    (log_id, counter, _now()))
        return True
    if counter < int(row[0]):
        raw.execute("UPDATE sync_fork SET counter = ? WHERE log_id = ?", (counter, log_id))
    return False


def receive(raw: Any, raw_bundle: RawBundle, trust: Trust, *, sender_id: str,
            ack: dict[str, int], keys: DeviceKeys,
            office_key: Callable[[], OfficeKey] | None = None) -> Received:
    """Check every batch against its author's key, route each (applied, or kept apart as
    forged, revoked or a fork's other branch), follow the office's decisions, apply, and let
    this laptop re-issue what of its own logs is kept apart. Inside the caller's transaction,
    capture off. ``office_key`` is given on the office master only."""
    result = Received(engine.ApplyResult(0, 0, 0, 0, 0, 0))
    me = trust.me
    _take_log_statements(raw, raw_bundle, trust, sender_id)
    result.unverified = sweep_unverified(raw, set(logs_of(raw, me)))
    _take_decisions(raw, raw_bundle, trust, sender_id)
    decisions = _decisions(raw)
    noted = {str(lg): int(c) for lg, c in raw.execute(
        "SELECT log_id, counter FROM sync_fork WHERE decision IS NULL")}

    # Each batch: checked, cut at a revoked author's cut-off, staged under its number.
    engine.stage(raw, [])
    staged: dict[int, tuple[Batch, bytes]] = {}
    to_apart: list[tuple[Batch, bytes, str]] = []
    trusted_runs: list[tuple[str, int, int]] = []
    unstored: set[int] = set()
    number = 0
    for batch, data in raw_bundle.batches:
        number += 1
        problem = batch_problem(batch, data, trust)
        author = trust.author(batch.log_id)
        cutoff = author.cutoff(batch.log_id) if author is not None else None
        cut = batch.signer == AUTHOR and cutoff is not None and batch.last > cutoff
        if problem is None:
            problem = _stage_batch(raw, batch, data, number, cutoff if cut else None)
        if problem is not None:
            log.warning("batch %s %d-%d from %s refused: %s", batch.log_id, batch.first,
                        batch.last, sender_id, problem)
            to_apart.append((batch, data, FORGED))
            owner = trust.owner(batch.log_id)
            result.forged[owner] = result.forged.get(owner, 0) + batch.last - batch.first + 1
            continue
        if cut:
            assert author is not None and cutoff is not None
            to_apart.append((batch, data, REVOKED))
            past = batch.last - max(cutoff, batch.first - 1)
            result.revoked[author.device_id] = result.revoked.get(author.device_id, 0) + past
            if cutoff < batch.first:
                continue
            # What stays is held on trust: the batch as signed is not.
            trusted_runs.append((batch.log_id, batch.first, cutoff))
            unstored.add(number)
        staged[number] = (batch, data)

    # Forks: a staged version that differs from the one held under the same id.
    withdraw: dict[tuple[str, int], str] = {}
    for log_id, counter in engine.diverging(raw).items():
        if log_id in decisions:
            continue
        if _note_fork(raw, log_id, counter):
            result.forks[log_id] = counter
        if trust.owner(log_id) == me and log_id not in noted:
            # Another branch of this laptop's own log, the first time: this laptop yields,
            # takes the branch the others hold, and re-issues its own changes (below). From
            # then on it keeps what it took, like any laptop, until the office decides.
            for c in _in_effect(raw, log_id, counter):
                withdraw[(log_id, c)] = FORK
            noted[log_id] = -1
        else:
            noted[log_id] = min(noted.get(log_id, counter), counter)
    for n, (batch, data) in list(staged.items()):
        decision = decisions.get(batch.log_id)
        if decision is not None:
            keep = (batch.first, batch.last, batch.rows_sha) in decision.kept
        else:
            # A forked log, undecided: this laptop keeps the branch it had (or, the first
            # time its own log forks, the one it yields to: marked -1).
            keep = batch.log_id not in noted or noted[batch.log_id] == -1 \
                or batch.last < noted[batch.log_id] or _held_batch(raw, batch)
        if not keep:
            engine.unstage_batch(raw, n)
            del staged[n]
            to_apart.append((batch, data, FORK))

    # Evidence of forks: kept apart here too (it travels on to the log's owner); compared with
    # what this laptop holds once the package is applied (below).
    evidence: list[tuple[Batch, list[LogRow]]] = []
    for batch, data in raw_bundle.apart:
        if _held_batch(raw, batch) or _apart_exists(raw, batch) \
                or batch_problem(batch, data, trust) is not None:
            continue
        try:
            rows = parse_rows(data, batch.first, batch.last)
        except BundleError:
            continue
        _keep_apart(raw, batch, data, FORK, sender_id)
        if batch.log_id not in decisions:
            evidence.append((batch, rows))

    # The office's decisions: what is not kept goes apart, what is kept and was apart returns.
    for log_id, decision in decisions.items():
        restoring = _kept_but_apart(raw, decision)
        kept_here = [b for b in _batches(raw, log_id, (AUTHOR, OFFICE, LOCAL))
                     if (b.first, b.last, b.rows_sha) in decision.kept]
        covered = _merged((b.first, b.last) for b in kept_here)
        for c in _in_effect(raw, log_id, 1):
            if c > decision.closed_at or not _inside(covered, c):
                withdraw.setdefault((log_id, c), FORK)
        for batch, data in restoring:
            number += 1
            engine.stage(raw, [r.in_log(batch.log_id)
                               for r in parse_rows(data, batch.first, batch.last)],
                         batch=number)
            staged[number] = (batch, data)

    # A revoked laptop: what it wrote past its cut-off leaves the tables here too.
    for device in trust.roster.devices:
        if not device.revoked or device.cutoffs is None:
            continue
        for log_id in logs_of(raw, device.device_id):
            for c in _in_effect(raw, log_id, (device.cutoff(log_id) or 0) + 1):
                withdraw[(log_id, c)] = REVOKED
                result.revoked[device.device_id] = result.revoked.get(device.device_id, 0) + 1

    if withdraw:
        for reason in (FORK, REVOKED):
            chosen = [v for v, why in withdraw.items() if why == reason]
            if chosen:
                _keep_apart_in_effect(raw, chosen, reason, sender_id)
        # Withdrawn and staged alike (the same branch, say) comes straight back in.
        gone = engine.withdraw(raw, list(withdraw))
        result.withdrawn, result.rows_removed = gone.versions, gone.rows_removed
    result.applied = engine.apply_staged(raw)
    for n, (batch, _data) in staged.items():
        if n not in unstored:
            _store_batch(raw, batch)
        raw.execute("DELETE FROM sync_apart WHERE log_id = ? AND first_counter = ?"
                    " AND last_counter = ? AND rows_sha = ? AND reason = ?", (*batch.key, FORK))
    for log_id, first, last in trusted_runs:
        _store_batch(raw, Batch(log_id, first, last, "", LOCAL, b""))
    for batch, data, reason in to_apart:
        _keep_apart(raw, batch, data, reason, sender_id)
    # A fork found between the evidence and what this laptop now holds.
    for batch, rows in evidence:
        at = _diverges(raw, batch, rows)
        if at is not None and _note_fork(raw, batch.log_id, at):
            result.forks[batch.log_id] = at

    if office_key is not None:
        result.decided = _decide(raw, office_key)
    seen = dict(ack)
    for batch, _data in (*raw_bundle.batches, *raw_bundle.apart):
        seen[batch.log_id] = max(seen.get(batch.log_id, 0), batch.last)
    # A version elsewhere that names, as its parent, a counter of this laptop's log that this
    # laptop has not written: that id was used already (a restored copy, or a laptop that wrote
    # under this one's log). Writing it again would make an id mean two things.
    _device, current = current_log(raw)
    prefix = current + ":"
    for batch, data in raw_bundle.batches:
        if prefix.encode() in data:
            for row in parse_rows(data, batch.first, batch.last):
                for parent in json.loads(row.parents) if prefix in row.parents else ():
                    if parent.startswith(prefix):
                        counter = int(parent[len(prefix):])
                        seen[current] = max(seen.get(current, 0), counter)
    result.new_log, result.reissued = _own_logs(raw, trust, keys, seen)
    return result


# What staging a batch's rows may raise when they are not what its signature says they are.
_UNREADABLE_ROWS: tuple[type[Exception], ...] = (*DB_ERRORS, UnicodeDecodeError, ValueError)


def _stage_batch(raw: Any, batch: Batch, data: bytes, number: int,
                 upto: int | None) -> str | None:
    """Stage a checked batch's rows (those up to ``upto`` when given); what is wrong with
    them, or None. Its signature covers them, so rows of another shape are its author's
    software at fault, and the batch is refused like a forged one."""
    try:
        engine.stage_rows(raw, batch.log_id, data, number, upto)
    except _UNREADABLE_ROWS:
        engine.unstage_batch(raw, number)
        return "its rows cannot be read"
    last = batch.last if upto is None else min(batch.last, upto)
    expected = max(last - batch.first + 1, 0)
    count, distinct, low, high = raw.execute(
        "SELECT COUNT(*), COUNT(DISTINCT counter), MIN(counter), MAX(counter)"
        " FROM stage_version WHERE batch = ?", (number,)).fetchone()
    if (count, distinct) != (expected, expected) \
            or (expected and (low, high) != (batch.first, last)):
        engine.unstage_batch(raw, number)
        return "its rows are not the ones its range says"
    return None


def _take_log_statements(raw: Any, raw_bundle: RawBundle, trust: Trust, sender: str) -> None:
    for statement, signature in raw_bundle.logs:
        found = read_log_statement(statement, signature, trust.roster)
        if found is None:
            log.warning("a log statement from %s did not verify", sender)
            continue
        raw.execute(sqltext.insert_ignoring(
            sqltext.raw_dialect(raw), "INTO sync_log (log_id, device_id, incarnation,"
            " statement, signature) VALUES (?, ?, ?, ?, ?)"),
                    (found.log_id, found.device_id, found.incarnation, statement, signature))
        trust.logs.setdefault(found.log_id, found.device_id)


def _take_decisions(raw: Any, raw_bundle: RawBundle, trust: Trust, sender: str) -> None:
    for statement, signature in raw_bundle.decisions:
        decision = read_decision(statement, signature, trust.office_pub, trust.roster.office_id)
        if decision is None:
            log.warning("a fork decision from %s did not verify", sender)
            continue
        # The first decision on a log stands.
        raw.execute("INSERT INTO sync_fork (log_id, counter, noted_at, decision, signature)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (log_id) DO UPDATE SET"
                    " decision = excluded.decision, signature = excluded.signature"
                    " WHERE sync_fork.decision IS NULL",
                    (decision.log_id, decision.counter, _now(), statement, signature))


def _decide(raw: Any, office_key: Callable[[], OfficeKey]) -> list[str]:
    """On the office master: a decision on every fork it found. The batches it holds stay
    (what it holds on trust it signs first, so that they can be listed)."""
    decided = []
    for log_id, counter in raw.execute(
            "SELECT log_id, counter FROM sync_fork WHERE decision IS NULL"
            " ORDER BY log_id").fetchall():
        key = office_key()
        for first, last in _uncovered(raw, log_id, FORWARDED):
            _store_batch(raw, sign_batch(log_id, first, last, canonical_rows(
                _rows(raw, log_id, first, last)), key))
        held = _batches(raw, log_id, FORWARDED)
        top = max((b.last for b in held), default=0)
        decision = make_decision(key, str(log_id), int(counter), top,
                                 [(b.first, b.last, b.rows_sha) for b in held])
        raw.execute("UPDATE sync_fork SET decision = ?, signature = ? WHERE log_id = ?",
                    (decision.statement, decision.signature, log_id))
        decided.append(str(log_id))
    return decided


def _own_logs(raw: Any, trust: Trust, keys: DeviceKeys,
              seen: dict[str, int]) -> tuple[str | None, int]:
    """A fresh log when the one this laptop writes to forked, or others hold more of it than
    it does (its data folder was restored from an older copy); then its changes kept apart are
    written again there. ``seen``: how far others hold each log (their acknowledgement, the
    batches they sent). Returns (the fresh log or None, changes re-issued)."""
    device_id, current = current_log(raw)
    fresh = None
    held = vector(raw)
    forked = raw.execute("SELECT 1 FROM sync_fork WHERE log_id = ?", (current,)).fetchone()
    apart = raw.execute("SELECT 1 FROM sync_apart WHERE log_id = ? AND reason = ? LIMIT 1",
                        (current, FORK)).fetchone()
    if forked is not None or apart is not None or seen.get(current, 0) > held.get(current, 0):
        fresh = current = new_incarnation(raw, keys)
    # How much of its earlier logs this laptop still lacks (app.petitions.numbering waits for it).
    found = raw.execute("SELECT behind FROM local_identity").fetchone()[0]
    behind = {str(k): int(v) for k, v in json.loads(found or "{}").items()}
    closed = {lg: d.closed_at for lg, d in _decisions(raw).items()}
    for log_id in logs_of(raw, device_id):
        if log_id != current:
            target = max(behind.get(log_id, 0), seen.get(log_id, 0))
            behind[log_id] = min(target, closed.get(log_id, target))
    behind = {lg: n for lg, n in behind.items() if n > held.get(lg, 0)}
    raw.execute("UPDATE local_identity SET behind = ?",
                (json.dumps(behind, sort_keys=True) if behind else None,))
    return fresh, _reissue(raw, trust, device_id, current)


def _merged(runs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(runs):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _inside(merged: list[tuple[int, int]], counter: int) -> bool:
    at = bisect.bisect_right(merged, (counter, float("inf"))) - 1
    return at >= 0 and merged[at][0] <= counter <= merged[at][1]


def _apart_exists(raw: Any, batch: Batch) -> bool:
    return raw.execute("SELECT 1 FROM sync_apart WHERE log_id = ? AND first_counter = ?"
                       " AND last_counter = ? AND rows_sha = ?", batch.key).fetchone() is not None


def _kept_but_apart(raw: Any, decision: Decision) -> list[tuple[Batch, bytes]]:
    return [(Batch(decision.log_id, int(f), int(la), str(sha), str(signer), bytes(sig)),
             bytes(rows))
            for f, la, sha, signer, sig, rows in raw.execute(
                "SELECT first_counter, last_counter, rows_sha, signer, signature, rows"
                " FROM sync_apart WHERE log_id = ? AND reason = ?", (decision.log_id, FORK))
            if (int(f), int(la), str(sha)) in decision.kept]


def new_incarnation(raw: Any, keys: DeviceKeys) -> str:
    """Move this laptop to a fresh log, bound to it by its key; returns the log id. The capture
    triggers write to it from the next write transaction on (``app.core.store`` reads it then)."""
    top = raw.execute("SELECT MAX(incarnation) FROM sync_log WHERE device_id = ?",
                      (keys.device_id,)).fetchone()[0]
    statement = make_log_statement(keys, int(top or 1) + 1)
    raw.execute("INSERT INTO sync_log (log_id, device_id, incarnation, statement, signature)"
                " VALUES (?, ?, ?, ?, ?)", (statement.log_id, statement.device_id,
                                            statement.incarnation, statement.statement,
                                            statement.signature))
    raw.execute("UPDATE local_identity SET log_id = ?", (statement.log_id,))
    log.warning("this laptop moves to a fresh log %s (incarnation %d)", statement.log_id,
                statement.incarnation)
    return statement.log_id


def _reissue(raw: Any, trust: Trust, device_id: str, current: str) -> int:
    """Write again, in ``current``, the changes of this laptop's logs that are kept apart for a
    fork and are not in effect as they are: same clock, values and parents. A parent that is
    itself re-issued is named by its new id (within its batch; across batches when only one
    version with that id is being re-issued, since two branches share the ids)."""
    pending = [(str(lg), int(f), int(la), str(sha), bytes(rows)) for lg, f, la, sha, rows in
               raw.execute("SELECT log_id, first_counter, last_counter, rows_sha, rows"
                           " FROM sync_apart WHERE reason = ? AND reissued = 0"
                           " ORDER BY log_id, first_counter, rows_sha", (FORK,))
               if trust.owner(str(lg)) == device_id]
    if not pending:
        return 0

    def key(log_id: str, row: LogRow) -> tuple[str, int, str]:
        return log_id, row.counter, json.dumps(row, default=repr, ensure_ascii=False)

    # Each distinct version once, in (log, counter) order, with the batch it came from.
    candidates: dict[tuple[str, int, str], tuple[int, LogRow]] = {}
    for n, (log_id, first, last, _sha, data) in enumerate(pending):
        for row in parse_rows(data, first, last):
            candidates.setdefault(key(log_id, row), (n, row))
    # Already in effect as they are, or written again by an earlier import.
    in_effect = set()
    for log_id, old in sorted({(lg, c) for lg, c, _j in candidates}):
        held = raw.execute(f"SELECT {LOG_COLUMNS} FROM sync_version WHERE device_id = ?"
                           " AND counter = ?", (log_id, old)).fetchone()
        if held is not None:
            in_effect.add(key(log_id, LogRow._make(held)))
    done = {key(log_id, row) for log_id, first, last, data in (
        (str(lg), int(f), int(la), bytes(rows)) for lg, f, la, rows in raw.execute(
            "SELECT log_id, first_counter, last_counter, rows FROM sync_apart"
            " WHERE reason = ? AND reissued = 1", (FORK,)) if trust.owner(str(lg)) == device_id)
        for row in parse_rows(data, first, last)}
    shared: dict[tuple[str, int], int] = {}
    for log_id, old, _j in candidates:
        shared[(log_id, old)] = shared.get((log_id, old), 0) + 1
    counter = int(raw.execute("SELECT COALESCE(MAX(counter), 0) FROM sync_version"
                              " WHERE device_id = ?", (current,)).fetchone()[0])
    renamed: dict[tuple[int, str], str] = {}  # (batch, "log:counter") -> new id
    out = []
    for (log_id, old, content), (n, row) in sorted(candidates.items()):
        if (log_id, old, content) in in_effect or log_id == current \
                or (log_id, old, content) in done:
            continue
        counter += 1
        renamed[(n, f"{log_id}:{old}")] = f"{current}:{counter}"
        if shared[(log_id, old)] == 1:
            renamed[(-1, f"{log_id}:{old}")] = f"{current}:{counter}"

        def new_name(parent: str, batch: int = n) -> str:
            return renamed.get((batch, parent)) or renamed.get((-1, parent)) or parent

        parents = json.dumps(sorted(new_name(p) for p in json.loads(row.parents)),
                             separators=(",", ":"))
        out.append(row._replace(counter=counter, parents=parents).in_log(current))
    out = _provisional_numbers(raw, out, device_id)
    raw.executemany("UPDATE sync_apart SET reissued = 1 WHERE reason = ? AND log_id = ?"
                    " AND first_counter = ? AND last_counter = ? AND rows_sha = ?",
                    [(FORK, *p[:4]) for p in pending])
    if out:
        engine.stage(raw, out)
        engine.apply_staged(raw)
        log.warning("re-issued %d changes kept apart in the fresh log %s", len(out), current)
    return len(out)


def _provisional_numbers(raw: Any, out: list[VersionRow],
                         device_id: str) -> list[VersionRow]:
    """A re-issued registration takes a provisional number: the number it had was drawn from
    a block while this laptop did not know what it had drawn already (another branch of its
    log may hold the same number)."""
    from app.petitions import numbering
    fields = {(r.row_id, r.field): r.value for r in out if r.tbl == "petition"}
    numbered = sorted({row for row, fld in fields if fld in ("reg_seq", "reg_no")})
    if not numbered:
        return out
    given: dict[str, str] = {}
    issued: dict[str, int] = {}
    for row_id in numbered:
        held = raw.execute("SELECT office_id, reg_year FROM petition WHERE id = ?",
                           (row_id,)).fetchone()
        office_id = fields.get((row_id, "office_id"), held[0] if held else None)
        year = fields.get((row_id, "reg_year"), held[1] if held else None)
        short = raw.execute("SELECT short_zh FROM office WHERE id = ?", (office_id,)).fetchone()
        if short is None or year is None:
            continue
        prefix = numbering.provisional_prefix(str(short[0]), int(year), device_id)
        if prefix not in issued:
            # The prefix as a literal: the raw connection of either driver takes it as it is.
            literal = "'" + prefix.replace("'", "''") + "'"
            issued[prefix] = int(raw.execute(numbering.provisional_used_sql(
                sqltext.raw_dialect(raw), literal)).fetchone()[0])
        issued[prefix] += 1
        given[row_id] = f"{prefix}{issued[prefix]}号"
    renumbered = []
    for r in out:
        if r.tbl == "petition" and r.row_id in given and r.field == "reg_seq":
            r = r._replace(value=None)
        elif r.tbl == "petition" and r.row_id in given and r.field == "reg_no":
            r = r._replace(value=given[r.row_id])
        renumbered.append(r)
    return renumbered
