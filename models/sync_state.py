"""What this laptop knows about syncing, kept on this laptop only (never synced): its keys
(wrapped under the passphrase), the office's signed roster, what each other laptop is known to
hold, and the history of packages sent and received."""

from __future__ import annotations

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import HLC_TYPE, Base


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
    """What another laptop is known to hold (its version vector, from its newest package)."""

    __tablename__ = "sync_peer"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    vector: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    updated_at: Mapped[str] = mapped_column(String(24), nullable=False)
    # The sender's clock when it wrote the package the vector came from (migration 0012): a
    # newer package replaces the vector (it may have shrunk: versions taken out of effect), an
    # older one, replayed, changes nothing.
    ack_hlc: Mapped[int] = mapped_column(HLC_TYPE, nullable=False, default=0)


class SyncLog(Base):
    """A laptop's log other than its first (whose id is the laptop's device id): a laptop whose
    data folder was restored from an older copy writes its new versions to a fresh log. The
    statement, signed by the laptop's key, binds the log to the laptop (migration 0012)."""

    __tablename__ = "sync_log"

    log_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    incarnation: Mapped[int] = mapped_column(Integer, nullable=False)
    statement: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class SyncBatch(Base):
    """A run of consecutive versions of one log, as its author (or the office) signed it; the
    versions are those in ``sync_version``. Relays forward batches unchanged, and a receiver
    checks the signature whoever carried them (migration 0012).

    ``signer`` is ``author`` (the laptop that writes the log), ``office`` (the office key, for
    versions whose author cannot sign them any more: those held before signed logs, and those of
    a revoked laptop up to its cut-off) or ``local``: versions this laptop took on trust before
    signed logs; it does not forward them (the office master signs them when it exports).
    """

    __tablename__ = "sync_batch"

    log_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    first_counter: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_counter: Mapped[int] = mapped_column(Integer, primary_key=True)
    rows_sha: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex; "" for local
    signer: Mapped[str] = mapped_column(String(8), nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class SyncApart(Base):
    """A batch of versions kept apart: never applied, or taken back out of effect, and kept for a
    person to review (migration 0012). ``reason``:

    ``fork``      two different versions of one log with the same counter (a laptop restored from
                  an older copy of its data folder, or copied): the branch not kept. Forwarded
                  in packages, so that the laptop that owns the log can re-issue these changes.
    ``revoked``   written by a revoked laptop after the cut-off the office set.
    ``forged``    claimed to come from a laptop that did not sign them; ``sender_id`` is the
                  laptop whose package carried them.
    ``unverified`` written on this laptop under another laptop's log (never by Doorstep).
    """

    __tablename__ = "sync_apart"

    log_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    first_counter: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_counter: Mapped[int] = mapped_column(Integer, primary_key=True)
    rows_sha: Mapped[str] = mapped_column(String(64), primary_key=True)
    signer: Mapped[str] = mapped_column(String(8), nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    rows: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # canonical JSON, as signed
    reason: Mapped[str] = mapped_column(String(10), nullable=False)
    sender_id: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    noted_at: Mapped[str] = mapped_column(String(24), nullable=False)
    # Set once the laptop that owns the log has written these changes again in its own log.
    reissued: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SyncFork(Base):
    """A log found forked (migration 0012): from ``counter`` on, this laptop holds one branch
    and has seen another. Until the office master decides, each laptop keeps what it had; the
    master's decision (signed with the office key) says which batches of the log stay, up to
    ``closed_at``, and every laptop follows it."""

    __tablename__ = "sync_fork"

    log_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, nullable=False)
    noted_at: Mapped[str] = mapped_column(String(24), nullable=False)
    decision: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)


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
