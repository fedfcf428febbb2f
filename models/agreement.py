"""Settle-and-withdraw agreements (息诉罢访协议书) and attached scans or photos."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class Agreement(SyncedRecord, Base):
    """The agreement's text as it will be printed, per case, in both scripts.

    The sections are drafted from the office's templates and may be edited before printing.
    """

    __tablename__ = "agreement"
    __table_args__ = (Index("ix_agreement_hearing", "hearing_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    hearing_id: Mapped[str] = mapped_column(ForeignKey("hearing.id"), nullable=False)
    # drafted | printed | signed | withdrawn
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="drafted")
    signed_on: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    agreed_on: Mapped[str] = mapped_column(String(10), nullable=False)
    place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    bilingual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    matter_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    matter_bo: Mapped[str] = mapped_column(Text, nullable=False, default="")
    office_terms_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    office_terms_bo: Mapped[str] = mapped_column(Text, nullable=False, default="")
    petitioner_terms_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    petitioner_terms_bo: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closing_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closing_bo: Mapped[str] = mapped_column(Text, nullable=False, default="")
