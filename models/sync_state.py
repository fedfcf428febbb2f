"""What this laptop knows about syncing, kept on this laptop only (never synced): its keys
(wrapped under the passphrase), the office's signed roster, what each other laptop is known to
hold, and the history of packages sent and received."""

from __future__ import annotations

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class SyncSecret(Base):
    """Wrapped private keys: ``device`` (this laptop's) and, on the office master laptop,
    ``office`` (the key that signs the roster)."""

    __tablename__ = "sync_secret"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    blob: Mapped[str] = mapped_column(Text, nullable=False)  # JSON from app.sync.crypto


class SyncRoster(Base):
    """The newest signed roster of the office's laptops this laptop has seen."""

    __tablename__ = "sync_roster"

    office_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_public_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    signed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class SyncPeer(Base):
    """What another laptop is known to hold (its version vector, from its last package)."""

    __tablename__ = "sync_peer"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    vector: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    updated_at: Mapped[str] = mapped_column(String(24), nullable=False)


class SyncPackage(Base):
    """A package file sent or received."""

    __tablename__ = "sync_package"
    __table_args__ = (Index("ix_sync_package_sender", "sender_id", "sequence"),)

    package_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8), nullable=False)  # sent | received
    sender_id: Mapped[str] = mapped_column(String(36), nullable=False)
    # The sender's running number of its packages, to notice one never imported.
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[str] = mapped_column(String(24), nullable=False)
    handled_at: Mapped[str] = mapped_column(String(24), nullable=False)
    file_name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    full: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    versions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    attachments: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # For received packages: JSON of what arrived (new, duplicates, conflicts, gaps).
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class PersonPairReview(SyncedRecord, Base):
    """A pair of persons found alike after a merge of laptops' data, judged by a person to be
    two different people (so the pair is not offered again, on any laptop)."""

    __tablename__ = "person_pair_review"
    __table_args__ = (Index("ix_person_pair_review_pair", "person_a", "person_b"),)

    person_a: Mapped[str] = mapped_column(String(36), nullable=False)  # the smaller id
    person_b: Mapped[str] = mapped_column(String(36), nullable=False)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)  # different
    decided_by: Mapped[str | None] = mapped_column(String(36))
