"""Petitions (信访件) and what hangs off them: parties, replies, deadline events, history,
registration-number blocks and the office's holiday schedule."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class Petition(SyncedRecord, Base):
    __tablename__ = "petition"
    __table_args__ = (
        # One registration number per office and year, whichever laptop issued it.
        Index("uq_petition_number", "office_id", "reg_year", "reg_seq", unique=True,
              sqlite_where=text("reg_seq IS NOT NULL"),
              postgresql_where=text("reg_seq IS NOT NULL")),
        # Serves the registry's order (newest first, id breaking ties) from the index alone.
        Index("ix_petition_received", "received_at", "id", "deleted"),
        Index("ix_petition_office_received", "office_id", "received_at"),
        Index("ix_petition_reply_due", "reply_due", sqlite_where=text("reply_done_on IS NULL"),
              postgresql_where=text("reply_done_on IS NULL")),
        Index("ix_petition_answer_due", "answer_due",
              sqlite_where=text("answer_done_on IS NULL"),
              postgresql_where=text("answer_done_on IS NULL")),
    )

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    reg_year: Mapped[int] = mapped_column(Integer, nullable=False)
    # NULL while the number is provisional (a laptop that had no block of numbers left).
    reg_seq: Mapped[int | None] = mapped_column(Integer)
    reg_no: Mapped[str] = mapped_column(String(40), nullable=False)
    # letter | visit | web | phone | video | higher
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    higher_office: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    higher_ref: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    # Local date and time of receipt, ISO 8601 without zone: 2026-11-24T09:30
    received_at: Mapped[str] = mapped_column(String(16), nullable=False)
    # suggestion (建议意见类) | accusation (检举控告类) | appeal (申诉求决类)
    category: Mapped[str] = mapped_column(String(12), nullable=False)
    business_type: Mapped[str] = mapped_column(String(24), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    requests: Mapped[str] = mapped_column(Text, nullable=False, default="")
    original_case_no: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    is_group: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    head_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    is_sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_repeat: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # accept (导入程序办理) | refer (指明路径)
    jurisdiction: Mapped[str] = mapped_column(String(8), nullable=False)
    referral_body: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    referral_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    handling_procurator_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    leader_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    registered_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    # Deadlines (ISO dates), recomputed whenever a pause, extension or the rule changes.
    reply_due: Mapped[str] = mapped_column(String(10), nullable=False)
    answer_due: Mapped[str] = mapped_column(String(10), nullable=False)
    reply_done_on: Mapped[str | None] = mapped_column(String(10))
    answer_done_on: Mapped[str | None] = mapped_column(String(10))
    # Why the petition cannot be answered at all: "" (it can) | anonymous | no_contact |
    # wrong_contact. Such petitions leave the reply-rate denominators (and are counted apart).
    unanswerable: Mapped[str] = mapped_column(String(16), nullable=False, default="",
                                              server_default=text("''"))
    # "" (not resolved yet) | resolved 化解 | settled 息诉罢访 (resolved, and the petitioner
    # undertook to stop petitioning on the matter); the day it happened.
    resolution: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                            server_default=text("''"))
    resolved_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                             server_default=text("''"))
    # A wrong registration voided (作废): when (a stored moment, ``app.core.stamps``; "" while
    # it stands), why and by whom. It keeps its number, stays in the registry, and counts nowhere.
    voided_at: Mapped[str] = mapped_column(String(32), nullable=False, default="",
                                           server_default=text("''"))
    void_reason: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                             server_default=text("''"))
    voided_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))


class PetitionParty(SyncedRecord, Base):
    __tablename__ = "petition_party"
    __table_args__ = (Index("ix_petition_party_petition", "petition_id"),
                      Index("ix_petition_party_person", "person_id"))

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # petitioner | representative
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class PetitionReply(SyncedRecord, Base):
    """A reply given to the petitioner: procedural (程序性回复) or the result (办理结果答复)."""

    __tablename__ = "petition_reply"
    __table_args__ = (Index("ix_petition_reply_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # procedural | result
    replied_on: Mapped[str] = mapped_column(String(10), nullable=False)
    method: Mapped[str] = mapped_column(String(10), nullable=False)  # in_person|phone|written|sms
    content: Mapped[str] = mapped_column(Text, nullable=False)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))


class DeadlineEvent(SyncedRecord, Base):
    """A pause, resumption or extension of a petition's deadlines, with its reason."""

    __tablename__ = "deadline_event"
    __table_args__ = (Index("ix_deadline_event_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    deadline: Mapped[str] = mapped_column(String(8), nullable=False)  # reply | answer
    action: Mapped[str] = mapped_column(String(8), nullable=False)  # pause | resume | extend
    on_date: Mapped[str] = mapped_column(String(10), nullable=False)
    days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))


class Activity(SyncedRecord, Base):
    """Who did what to a petition, when (案件留痕). Append-only."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    at: Mapped[str] = mapped_column(String(19), nullable=False)  # local ISO date-time
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")


class NumberBlock(SyncedRecord, Base):
    """Registration numbers ``first``..``last`` of an office's year, reserved for one device.

    Only the office's numbering device (``office.numbering_device_id``) grants blocks, so blocks
    never overlap, and a device issues numbers only from its own blocks: numbers issued offline
    on different laptops never collide.
    """

    __tablename__ = "number_block"
    __table_args__ = (Index("ix_number_block_office_year", "office_id", "year"),)

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    first: Mapped[int] = mapped_column(Integer, nullable=False)
    last: Mapped[int] = mapped_column(Integer, nullable=False)


class HolidayOverride(SyncedRecord, Base):
    """A day of the official holiday schedule entered by the office (法定节假日 / 调休上班)."""

    __tablename__ = "holiday_override"
    __table_args__ = (Index("ix_holiday_override_day", "day"),)

    day: Mapped[str] = mapped_column(String(10), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # holiday | workday
    note: Mapped[str] = mapped_column(String(100), nullable=False, default="")
