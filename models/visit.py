"""Return visits (回访) to petitioners and aided persons, and hand-overs to social assistance."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class ReturnVisit(SyncedRecord, Base):
    """A return visit (回访) to a petitioner or an aided person: scheduled, then done."""

    __tablename__ = "return_visit"
    __table_args__ = (Index("ix_return_visit_petition", "petition_id"),
                      Index("ix_return_visit_due", "done_on", "scheduled_on"))

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    aid_case_id: Mapped[str | None] = mapped_column(ForeignKey("aid_case.id"))
    method: Mapped[str] = mapped_column(String(10), nullable=False)  # phone|on_site|online|meeting
    scheduled_on: Mapped[str] = mapped_column(String(10), nullable=False)
    done_on: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    visitor_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    findings: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # satisfied | basically | dissatisfied | unknown ("" while scheduled)
    satisfaction: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    still_in_need: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Handover(SyncedRecord, Base):
    """A hand-over to social assistance (转介社会救助) opened by a visit that found the person
    still in need, followed until it is closed."""

    __tablename__ = "handover"
    __table_args__ = (Index("ix_handover_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    return_visit_id: Mapped[str] = mapped_column(ForeignKey("return_visit.id"), nullable=False)
    body: Mapped[str] = mapped_column(String(100), nullable=False)
    handed_on: Mapped[str] = mapped_column(String(10), nullable=False)
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closed_on: Mapped[str] = mapped_column(String(10), nullable=False, default="")
