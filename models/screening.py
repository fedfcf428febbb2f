"""The monthly screening of key petitioners (动态排查): one per office and month, a row for each
person of the ledger, signed off by the clerk who made it and the deputy chief procurator in
charge, then sent up to the prefecture, which accepts it.

The screening's id is derived from its office and month (``app.ledger.screening``), and each
row's from its screening and ledger entry: two laptops that make the same month's screening
offline make the same records, which merge when their packages meet.

The county writes ``state``, ``round`` and the signatures; the prefecture writes only the
``accepted_*`` fields: a recall and an acceptance made offline at the same time touch
different fields, so they never conflict, and the outcome is read from both (see
``app.ledger.screening``).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class Screening(SyncedRecord, Base):
    """An office's screening for one month ("YYYY-MM")."""

    __tablename__ = "screening"
    __table_args__ = (Index("ix_screening_office_month", "office_id", "month"),)

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    # The clerk who made it (制表人), and the day they signed.
    made_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    signed_by_clerk_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                                    server_default=text("''"))
    # The deputy chief procurator in charge (分管副检察长), or the chief, and the day they signed.
    deputy_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    signed_by_deputy_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                                     server_default=text("''"))
    # draft | signed (both signatures) | recalled. "Sent" is read, not stored: a signed
    # screening in a package written since (see app.ledger.screening).
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="draft",
                                       server_default=text("'draft'"))
    # How many times it was signed by both (1 the first time); the UTC stamp of the last time.
    round: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                       server_default=text("0"))
    signed_at: Mapped[str] = mapped_column(String(32), nullable=False, default="",
                                           server_default=text("''"))
    # The prefecture's acceptance: who, the day, and which signed round it accepted.
    accepted_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    accepted_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                             server_default=text("''"))
    accepted_round: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                                server_default=text("0"))


class ScreeningRow(SyncedRecord, Base):
    """One key petitioner's row in a month's screening."""

    __tablename__ = "screening_row"
    __table_args__ = (Index("ix_screening_row_screening", "screening_id"),)

    screening_id: Mapped[str] = mapped_column(ForeignKey("screening.id"), nullable=False)
    entry_id: Mapped[str] = mapped_column(ForeignKey("key_petitioner.id"), nullable=False)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False)
    # The situation this month (本月情况) and the work done this month (本月工作).
    situation: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                           server_default=text("''"))
    work: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                      server_default=text("''"))
    level: Mapped[str] = mapped_column(String(6), nullable=False, default="",
                                       server_default=text("''"))
    leader_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    deadline: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                          server_default=text("''"))
    # Whether the person's matter is resolved (化解) this month: an unresolved red person is
    # named in the report to the higher office.
    resolved: Mapped[bool] = mapped_column(nullable=False, default=False,
                                           server_default=text("0"))
