"""Pairs of persons judged different after a merge of laptops' data."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class PersonPairReview(SyncedRecord, Base):
    """A pair of persons found alike after a merge of laptops' data, judged by a person to be
    two different people (so the pair is not offered again, on any laptop)."""

    __tablename__ = "person_pair_review"
    __table_args__ = (Index("ix_person_pair_review_pair", "person_a", "person_b"),)

    person_a: Mapped[str] = mapped_column(String(36), nullable=False)  # the smaller id
    person_b: Mapped[str] = mapped_column(String(36), nullable=False)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)  # different
    decided_by: Mapped[str | None] = mapped_column(String(36))
