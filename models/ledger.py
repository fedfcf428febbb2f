"""The key-petitioner ledger (重点信访人员台账): who is in it and why, what they do now and what
is done for them, their risk level (三色预警) by the office's own rules, and every change of it.

Each is a synced record; an entry hangs off a person of the office. Dates are ISO days; a
moment (a change of level) is a stored UTC stamp (``app.core.stamps``).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord


class KeyPetitioner(SyncedRecord, Base):
    """A person's entry in the office's ledger of key petitioners."""

    __tablename__ = "key_petitioner"
    __table_args__ = (Index("ix_key_petitioner_office", "office_id", "status"),
                      Index("ix_key_petitioner_person", "person_id"))

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False)
    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    # Why the person entered the ledger, and the day.
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    entered_on: Mapped[str] = mapped_column(String(10), nullable=False)
    # in_ledger | stable | relapsed (反弹) | left (出账, with its reason and day)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="in_ledger",
                                        server_default=text("'in_ledger'"))
    left_reason: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                             server_default=text("''"))
    left_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                         server_default=text("''"))
    # The current situation (目前状况) and what the person asks for (诉求).
    situation: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                           server_default=text("''"))
    demands: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                         server_default=text("''"))
    # The staff member responsible (专办人) and the leader in charge (包案领导).
    responsible_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    leader_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    # red | yellow | green | "" (none set yet); the day a person last set or confirmed it.
    level: Mapped[str] = mapped_column(String(6), nullable=False, default="",
                                       server_default=text("''"))
    level_confirmed_on: Mapped[str] = mapped_column(String(10), nullable=False, default="",
                                                    server_default=text("''"))


class LedgerMovement(SyncedRecord, Base):
    """A recent movement of a key petitioner (近期动向), of a kind the risk rules may read."""

    __tablename__ = "ledger_movement"
    __table_args__ = (Index("ix_ledger_movement_entry", "entry_id", "day"),)

    entry_id: Mapped[str] = mapped_column(ForeignKey("key_petitioner.id"), nullable=False)
    day: Mapped[str] = mapped_column(String(10), nullable=False)
    # threatened_extreme_act | organised_group_visit | went_to_province | went_to_beijing |
    # announced_going_up | refused_reply | petitioned_again | stable | other
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                      server_default=text("''"))


class LedgerMeasure(SyncedRecord, Base):
    """A measure taken for a key petitioner: who, when, what, with what result."""

    __tablename__ = "ledger_measure"
    __table_args__ = (Index("ix_ledger_measure_entry", "entry_id", "day"),)

    entry_id: Mapped[str] = mapped_column(ForeignKey("key_petitioner.id"), nullable=False)
    # education (教育转化) | assistance (帮扶解困) | counselling (心理疏导) | other
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    day: Mapped[str] = mapped_column(String(10), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                             server_default=text("''"))
    result: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                        server_default=text("''"))


class RiskRule(SyncedRecord, Base):
    """One of the office's criteria for a risk colour: no public rule defines them.

    ``code`` names what the rule reads (``app.ledger.rules``); ``months`` is its window (or,
    for the green rule, how long the person must have been stable) and ``min_count`` how many
    records it takes. Rules Doorstep proposed are marked until the office edits them.
    """

    __tablename__ = "risk_rule"
    __table_args__ = (Index("ix_risk_rule_office", "office_id"),)

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False)
    level: Mapped[str] = mapped_column(String(6), nullable=False)  # red | yellow | green
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False, default=12)
    min_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    proposed_by_doorstep: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                      server_default=text("''"))


class LevelChange(SyncedRecord, Base):
    """A key petitioner's level set, confirmed or overridden: from what, to what, what Doorstep
    proposed and which rules fired, why, by whom, when."""

    __tablename__ = "level_change"
    __table_args__ = (Index("ix_level_change_entry", "entry_id"),)

    entry_id: Mapped[str] = mapped_column(ForeignKey("key_petitioner.id"), nullable=False)
    from_level: Mapped[str] = mapped_column(String(6), nullable=False, default="",
                                            server_default=text("''"))
    to_level: Mapped[str] = mapped_column(String(6), nullable=False)
    proposed_level: Mapped[str] = mapped_column(String(6), nullable=False, default="",
                                                server_default=text("''"))
    # JSON array of the codes of the rules that fired.
    fired: Mapped[str] = mapped_column(Text, nullable=False, default="[]",
                                       server_default=text("'[]'"))
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                        server_default=text("''"))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[str] = mapped_column(String(32), nullable=False)
