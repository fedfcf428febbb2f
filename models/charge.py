"""A leader in charge (领导包案): a leader of the office takes personal charge of a petition or
of a key petitioner's matter until it is resolved, with a plan and a deadline; the chief
procurator alone moves the deadline (an extension asked for and approved); progress is noted
as it goes; the charge closes with its result.

Each is a synced record. Dates are ISO days.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class LeaderCharge(SyncedRecord, Base):
    """A leader's charge of one petition or one key petitioner's matter (exactly one of
    ``petition_id`` and ``entry_id``)."""

    __tablename__ = "leader_charge"
    __table_args__ = (Index("ix_leader_charge_office", "office_id", "status"),
                      Index("ix_leader_charge_leader", "leader_id", "status"),
                      Index("ix_leader_charge_petition", "petition_id"),
                      Index("ix_leader_charge_entry", "entry_id"))

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    petition_id: Mapped[str | None] = mapped_column(ForeignKey("petition.id"))
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("key_petitioner.id"))
    leader_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), nullable=False)
    # What the leader will do (包案方案), and by when; the deadline moves only by an approved
    # extension.
    plan: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                      server_default=text("''"))
    deadline: Mapped[str] = mapped_column(String(10), nullable=False)
    taken_on: Mapped[str] = mapped_column(String(10), nullable=False)
    # open | closed
    status: Mapped[str] = mapped_column(String(6), nullable=False, default="open",
                                        server_default=text("'open'"))
    closed_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                           server_default=text("''"))
    # resolved | partly | not_resolved | passed_to_judicial (移送司法程序); "" while open
    result: Mapped[str] = mapped_column(String(20), nullable=False, default="",
                                        server_default=text("''"))
    closing_note: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                              server_default=text("''"))


class ChargeExtension(SyncedRecord, Base):
    """A new deadline asked for a charge, and the chief procurator's decision on it."""

    __tablename__ = "charge_extension"
    __table_args__ = (Index("ix_charge_extension_charge", "charge_id"),)

    charge_id: Mapped[str] = mapped_column(ForeignKey("leader_charge.id"), nullable=False)
    asked_deadline: Mapped[str] = mapped_column(String(10), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    requested_on: Mapped[str] = mapped_column(String(10), nullable=False)
    # pending | approved | refused
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="pending",
                                        server_default=text("'pending'"))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    decided_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                            server_default=text("''"))
    decision_note: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                               server_default=text("''"))


class ChargeNote(SyncedRecord, Base):
    """Progress on a charge (进展情况): the day, what was done, by whom."""

    __tablename__ = "charge_note"
    __table_args__ = (Index("ix_charge_note_charge", "charge_id", "day"),)

    charge_id: Mapped[str] = mapped_column(ForeignKey("leader_charge.id"), nullable=False)
    day: Mapped[str] = mapped_column(String(10), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
