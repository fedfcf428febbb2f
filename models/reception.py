"""Leaders' reception days (检察长接访 / 院领导接访): the days a leader of the office receives
petitioners in person, who came on each, and the office's monthly targets.

Each is a synced record. Days are ISO dates and times ``HH:MM`` (local).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class ReceptionDay(SyncedRecord, Base):
    """A day a leader of the office receives petitioners (接访日)."""

    __tablename__ = "reception_day"
    __table_args__ = (Index("ix_reception_day_office", "office_id", "day"),
                      Index("ix_reception_day_leader", "leader_id", "day"))

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    leader_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), nullable=False)
    day: Mapped[str] = mapped_column(String(10), nullable=False)
    start_time: Mapped[str] = mapped_column(String(5), nullable=False)
    end_time: Mapped[str] = mapped_column(String(5), nullable=False)
    place: Mapped[str] = mapped_column(String(100), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                      server_default=text("''"))
    # scheduled | held | cancelled (with its reason)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="scheduled",
                                        server_default=text("'scheduled'"))
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                               server_default=text("''"))


class ReceptionVisit(SyncedRecord, Base):
    """One person who came on a reception day: who (a person of the store, or a name), about
    what, the petition registered there if one was, and whether it was the first time a leader
    received the matter (院领导首次接待)."""

    __tablename__ = "reception_visit"
    __table_args__ = (Index("ix_reception_visit_day", "day_id"),
                      Index("ix_reception_visit_petition", "petition_id"))

    day_id: Mapped[str] = mapped_column(ForeignKey("reception_day.id"), nullable=False)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    # The name as said, when the person is not in the store (or as well).
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="",
                                      server_default=text("''"))
    matter: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                        server_default=text("''"))
    petition_id: Mapped[str | None] = mapped_column(ForeignKey("petition.id"))
    first_reception: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                  server_default=text("0"))


class ReceptionTarget(SyncedRecord, Base):
    """The office's monthly targets: how many days the chief procurator, and each other leader,
    receive petitioners each month (by default 2 and 1). One per office, its id derived from
    the office's (``app.ledger.reception``), so that two laptops setting it agree."""

    __tablename__ = "reception_target"
    __table_args__ = (Index("ix_reception_target_office", "office_id"),)

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    chief_days: Mapped[int] = mapped_column(Integer, nullable=False, default=2,
                                            server_default=text("2"))
    leader_days: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                             server_default=text("1"))
