"""The record of what was done (留痕): one entry per action, hash-chained per log.

Each laptop appends entries to the chain of the log it writes its versions to (``log_id``, what
``doorstep_device()`` returns): ``seq`` counts 1, 2, 3… within the log, ``prev_hash`` is the
previous entry's ``hash``, and ``hash`` covers the entry's own fields and ``prev_hash`` (see
``app.audit.trail``). Entries are synced records like any other, so they travel as versions in
the batches each laptop signs; once written, an entry is never changed or removed: the guards
below refuse it for every local write (the sync engine, applying what other laptops wrote,
writes with capture off).

``(log_id, seq)`` is indexed, not unique: a laptop restored from an older copy may write a
second entry under a number its first branch used before it learns of it (its log then forks,
see ``app.sync.signed``); the sync must still be able to apply both branches' records, and the
verification reports the chain as altered there.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class AuditEntry(SyncedRecord, Base):
    """One action: who, when, on which laptop, on which record, and what."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_log", "log_id", "seq"),
        Index("ix_audit_entry_record", "tbl", "row_id"),
        Index("ix_audit_entry_person", "person_id"),
    )

    log_id: Mapped[str] = mapped_column(String(36), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[str] = mapped_column(String(24), nullable=False)  # UTC, ISO 8601 with ms
    staff_id: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    tbl: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    row_id: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    person_id: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


# Every column an entry's hash covers, or that says whether it stands (``deleted``).
ENTRY_COLUMNS = ["deleted", "log_id", "seq", "at", "staff_id", "action", "tbl", "row_id",
                 "person_id", "detail", "prev_hash", "hash"]
# What the guards say when they refuse (a bug or tampering, never a person's doing).
AUDIT_NEVER_CHANGED = "doorstep: audit entries are never changed"
# The capture triggers stamp a new entry (hlc, times, last device) by an UPDATE: only the
# entry's own columns are guarded.
AUDIT_GUARD_DDL = [
    "CREATE TRIGGER \"audit_entry__never_changed\" BEFORE UPDATE ON \"audit_entry\""
    " WHEN doorstep_capture() AND ("
    + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ["id", *ENTRY_COLUMNS])
    + f") BEGIN SELECT RAISE(ABORT, '{AUDIT_NEVER_CHANGED}'); END",
    "CREATE TRIGGER \"audit_entry__never_removed\" BEFORE DELETE ON \"audit_entry\""
    f" WHEN doorstep_capture() BEGIN SELECT RAISE(ABORT, '{AUDIT_NEVER_CHANGED}'); END",
]
