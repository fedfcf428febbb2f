"""Scans and photos kept with a record (a signed agreement, a hearing, a payment receipt)."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class Attachment(SyncedRecord, Base):
    """A scan or photo attached to a hearing or an agreement. The file itself lives in the data
    folder under its SHA-256, so the same file attached twice is stored once."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_id"),)

    owner_kind: Mapped[str] = mapped_column(String(10), nullable=False)  # hearing | agreement
    owner_id: Mapped[str] = mapped_column(String(36), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    media_type: Mapped[str] = mapped_column(String(40), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    added_at: Mapped[str] = mapped_column(String(16), nullable=False)
    caption: Mapped[str] = mapped_column(String(200), nullable=False, default="")
