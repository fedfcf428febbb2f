"""State judicial aid (国家司法救助): cases, leaders' decisions, payments, return visits (回访) and
hand-overs to social assistance.

Money is integer fen everywhere. Decisions and payments are ledgers: rows are added, never
changed; a wrong payment is corrected by a reversing row (negative amount naming the row it
reverses). The database refuses a payment that would take the total paid above the approved
amount (triggers in migration 0006).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class AidPolicy(SyncedRecord, Base):
    """An office's rule for who may approve how much."""

    __tablename__ = "aid_policy"

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    # Amounts above this need the chief procurator (检察长).
    chief_threshold_fen: Mapped[int] = mapped_column(Integer, nullable=False)


class AidCase(SyncedRecord, Base):
    __tablename__ = "aid_case"
    __table_args__ = (Index("ix_aid_case_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    # minor | poor | disabled | student | victim_family | other
    eligibility: Mapped[str] = mapped_column(String(16), nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)
    proposed_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    proposed_by: Mapped[str] = mapped_column(ForeignKey("staff.id"), nullable=False)
    proposed_on: Mapped[str] = mapped_column(String(10), nullable=False)
    # proposed | approved | reduced | refused: the latest decision (kept in aid_decision).
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="proposed")
    # What may be paid: the approved (or reduced) amount; 0 until a leader approves.
    approved_fen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class AidPerson(SyncedRecord, Base):
    """A person aided by the case."""

    __tablename__ = "aid_person"
    __table_args__ = (Index("ix_aid_person_case", "aid_case_id"),)

    aid_case_id: Mapped[str] = mapped_column(ForeignKey("aid_case.id"), nullable=False)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class AidDecision(SyncedRecord, Base):
    """A leader's decision on a case: who decided what and when (append-only)."""

    __tablename__ = "aid_decision"
    __table_args__ = (Index("ix_aid_decision_case", "aid_case_id"),)

    aid_case_id: Mapped[str] = mapped_column(ForeignKey("aid_case.id"), nullable=False)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)  # approved|reduced|refused
    amount_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by: Mapped[str] = mapped_column(ForeignKey("staff.id"), nullable=False)
    decided_at: Mapped[str] = mapped_column(String(16), nullable=False)


class AidPayment(SyncedRecord, Base):
    """Money paid out on an approved case, or a reversing entry (negative, ``reverses_id``)."""

    __tablename__ = "aid_payment"
    __table_args__ = (Index("ix_aid_payment_case", "aid_case_id"),)

    aid_case_id: Mapped[str] = mapped_column(ForeignKey("aid_case.id"), nullable=False)
    amount_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    paid_on: Mapped[str] = mapped_column(String(10), nullable=False)
    payee_name: Mapped[str] = mapped_column(String(100), nullable=False)
    # self | guardian | relative | other
    payee_relation: Mapped[str] = mapped_column(String(10), nullable=False)
    payee_id_number: Mapped[str] = mapped_column(String(18), nullable=False, default="")
    method: Mapped[str] = mapped_column(String(10), nullable=False)  # cash | bank
    bank_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    account_no: Mapped[str] = mapped_column(String(34), nullable=False, default="")
    paid_by: Mapped[str] = mapped_column(ForeignKey("staff.id"), nullable=False)
    reverses_id: Mapped[str | None] = mapped_column(ForeignKey("aid_payment.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


def _unchanged(columns: list[str]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


PAYMENT_COLUMNS = ["deleted", "aid_case_id", "amount_fen", "paid_on", "payee_name",
                    "payee_relation", "payee_id_number", "method", "bank_name", "account_no",
                    "paid_by", "reverses_id", "note"]
DECISION_COLUMNS = ["deleted", "aid_case_id", "decision", "amount_fen", "reason", "decided_by",
                     "decided_at"]

# The money rules, kept by the database itself for every local write (``doorstep_capture()``;
# versions applied by the file sync are checked by the sync, which reports a case paid above
# its approval from two laptops as a conflict for a person to resolve).
# What each guard says when it refuses (``app.core.refusals`` turns each into its message).
ZERO_PAYMENT = "doorstep: an amount of zero is not a payment"
PAID_ABOVE_APPROVED = "doorstep: total paid would exceed the approved amount"
REVERSAL_NOT_ONE_PAYMENT = "doorstep: a reversal undoes exactly one payment of its case, once"
PAYMENTS_APPEND_ONLY = "doorstep: payments are append-only; correct one with a reversing entry"
DECISIONS_APPEND_ONLY = "doorstep: decisions are append-only"
APPROVED_BELOW_PAID = "doorstep: the approved amount cannot fall below what was paid"
LEDGER_GUARD_DDL = [
    "CREATE TRIGGER \"aid_payment__within_approved\" BEFORE INSERT ON \"aid_payment\""
    " WHEN doorstep_capture() BEGIN"
    f" SELECT RAISE(ABORT, '{ZERO_PAYMENT}')"
    " WHERE NEW.amount_fen = 0;"
    f" SELECT RAISE(ABORT, '{PAID_ABOVE_APPROVED}')"
    " WHERE NEW.amount_fen > 0 AND (NEW.reverses_id IS NOT NULL"
    " OR (SELECT COALESCE(SUM(amount_fen), 0) FROM aid_payment"
    " WHERE aid_case_id = NEW.aid_case_id AND deleted = 0) + NEW.amount_fen"
    " > (SELECT approved_fen FROM aid_case WHERE id = NEW.aid_case_id));"
    f" SELECT RAISE(ABORT, '{REVERSAL_NOT_ONE_PAYMENT}')"
    " WHERE NEW.amount_fen < 0 AND (NOT EXISTS (SELECT 1 FROM aid_payment AS p"
    " WHERE p.id = NEW.reverses_id AND p.aid_case_id = NEW.aid_case_id"
    " AND p.amount_fen = -NEW.amount_fen AND p.reverses_id IS NULL AND p.deleted = 0)"
    " OR EXISTS (SELECT 1 FROM aid_payment WHERE reverses_id = NEW.reverses_id));"
    " END",
    "CREATE TRIGGER \"aid_payment__append_only\" BEFORE UPDATE ON \"aid_payment\""
    f" WHEN doorstep_capture() AND ({_unchanged(PAYMENT_COLUMNS)}) BEGIN"
    f" SELECT RAISE(ABORT, '{PAYMENTS_APPEND_ONLY}'); END",
    "CREATE TRIGGER \"aid_decision__append_only\" BEFORE UPDATE ON \"aid_decision\""
    f" WHEN doorstep_capture() AND ({_unchanged(DECISION_COLUMNS)}) BEGIN"
    f" SELECT RAISE(ABORT, '{DECISIONS_APPEND_ONLY}'); END",
    "CREATE TRIGGER \"aid_case__approved_covers_paid\" BEFORE UPDATE OF approved_fen"
    " ON \"aid_case\" WHEN doorstep_capture() BEGIN"
    f" SELECT RAISE(ABORT, '{APPROVED_BELOW_PAID}')"
    " WHERE NEW.approved_fen < (SELECT COALESCE(SUM(amount_fen), 0) FROM aid_payment"
    " WHERE aid_case_id = NEW.id AND deleted = 0); END",
]
