"""What a prefecture hub (issue 18) keeps for its staff's log-in: on a laptop the list of
passphrases is a file beside the store (``app.core.keyring``); on a hub, used by clerks at
several computers at once, it is this table in the hub's database. Never synced."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class HubLogin(Base):
    """A staff member's log-in passphrase on the hub: a random token sealed under it
    (``app.core.sealing``), which only the right passphrase unseals."""

    __tablename__ = "hub_login"

    staff_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sealed: Mapped[str] = mapped_column(Text, nullable=False)  # JSON from app.core.sealing
    changed_at: Mapped[str] = mapped_column(String(24), nullable=False)
