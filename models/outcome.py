"""What the office's figures count beyond registration and deadlines: how a petition was
resolved, procuratorial conciliation and mediation, support to sue (wage recovery for migrant
workers), escalation upwards, people who helped resolve it and leads passed to other bodies.

Each is a synced record hanging off its petition. Money is integer fen.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class Conciliation(SyncedRecord, Base):
    """Procuratorial conciliation (检察和解) or mediation (调解) that concluded a dispute."""

    __tablename__ = "conciliation"
    __table_args__ = (Index("ix_conciliation_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # conciliation | mediation
    concluded_on: Mapped[str] = mapped_column(String(10), nullable=False)
    # Confirmed by a court (司法确认), and when.
    court_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    confirmed_on: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class LawsuitSupport(SyncedRecord, Base):
    """Support to sue (支持起诉), most often migrant workers' unpaid wages (农民工讨薪)."""

    __tablename__ = "lawsuit_support"
    __table_args__ = (Index("ix_lawsuit_support_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    is_wage_claim: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    workers: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    recovered_fen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Resolved together with the labour inspectorate (协助劳动监察部门解决).
    with_labour_inspectorate: Mapped[bool] = mapped_column(Boolean, nullable=False,
                                                           default=False)
    concluded_on: Mapped[str] = mapped_column(String(10), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Escalation(SyncedRecord, Base):
    """The petitioner took the matter upwards (信访上行), or petitioned outside the rules at the
    province or in Beijing (非正常赴省进京访)."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # upward | abnormal
    level: Mapped[str] = mapped_column(String(12), nullable=False)  # prefecture|province|beijing
    on_date: Mapped[str] = mapped_column(String(10), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ResolutionHelper(SyncedRecord, Base):
    """Someone from outside who took part in resolving the petition: a lawyer (律师参与化解), a
    psychologist (心理咨询师), or another."""

    __tablename__ = "resolution_helper"
    __table_args__ = (Index("ix_resolution_helper_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(12), nullable=False)  # lawyer|psychologist|other
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    on_date: Mapped[str] = mapped_column(String(10), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class LeadTransfer(SyncedRecord, Base):
    """A lead found in the petition passed to another body (移送线索)."""

    __tablename__ = "lead_transfer"
    __table_args__ = (Index("ix_lead_transfer_petition", "petition_id"),)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petition.id"), nullable=False)
    body: Mapped[str] = mapped_column(String(100), nullable=False)
    on_date: Mapped[str] = mapped_column(String(10), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
