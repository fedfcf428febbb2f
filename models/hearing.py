"""Procuratorial hearings (检察听证) and the roster of invited hearing officers (听证员)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class HearingOfficer(SyncedRecord, Base):
    """An invited hearing officer on the office's roster."""

    __tablename__ = "hearing_officer"

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    name_bo: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # deputy 人大代表 | cppcc 政协委员 | supervisor 人民监督员 | lawyer 律师 | community | other
    role: Mapped[str] = mapped_column(String(12), nullable=False)
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    township: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Hearing(SyncedRecord, Base):
    __tablename__ = "hearing"
    __table_args__ = (Index("ix_hearing_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # public|simplified|doorstep
    held_at: Mapped[str] = mapped_column(String(16), nullable=False)  # local ISO date-time
    township: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    village: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    herding_group: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    host_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    interpreter: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # settled 息诉罢访 | conciliated 和解 | continues 继续办理 | other
    outcome: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    outcome_note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class HearingParticipant(SyncedRecord, Base):
    """A procurator, hearing officer or party taking part; exactly one of the ids is set."""

    __tablename__ = "hearing_participant"
    __table_args__ = (Index("ix_hearing_participant_hearing", "hearing_id"),)

    hearing_id: Mapped[str] = mapped_column(ForeignKey("hearing.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # procurator|officer|party
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    officer_id: Mapped[str | None] = mapped_column(ForeignKey("hearing_officer.id"))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class HearingStatement(SyncedRecord, Base):
    """What one participant said, in order (the minutes)."""

    __tablename__ = "hearing_statement"
    __table_args__ = (Index("ix_hearing_statement_hearing", "hearing_id"),)

    hearing_id: Mapped[str] = mapped_column(ForeignKey("hearing.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    participant_id: Mapped[str] = mapped_column(ForeignKey("hearing_participant.id"),
                                                nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class OfficerOpinion(SyncedRecord, Base):
    """One hearing officer's opinion after deliberation (评议意见)."""

    __tablename__ = "officer_opinion"
    __table_args__ = (Index("ix_officer_opinion_hearing", "hearing_id"),)

    hearing_id: Mapped[str] = mapped_column(ForeignKey("hearing.id"), nullable=False)
    officer_id: Mapped[str] = mapped_column(ForeignKey("hearing_officer.id"), nullable=False)
    opinion: Mapped[str] = mapped_column(Text, nullable=False)
