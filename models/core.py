"""Offices, devices, staff and persons: the records every other part of Doorstep refers to."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedRecord, utc_now_stamp


class Office(SyncedRecord, Base):
    """A procuratorate: the prefecture office (州院) or a county office (县院)."""

    __tablename__ = "office"

    # Administrative division code (GB/T 2260), e.g. 632624 for 达日县.
    division_code: Mapped[str] = mapped_column(String(6), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)  # "prefecture" | "county"
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_bo: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Short form used in document numbers, e.g. 达检 in 达检信〔2026〕37号.
    short_zh: Mapped[str] = mapped_column(String(10), nullable=False)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("office.id"))
    # The device that grants blocks of registration numbers (the county office's master laptop).
    numbering_device_id: Mapped[str | None] = mapped_column(String(36))
    # Deadline rule: "calendar" days or "working" days on the PRC holiday calendar.
    deadline_unit: Mapped[str] = mapped_column(String(8), nullable=False, default="calendar")
    reply_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    answer_months: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    # Which petitions a leader must take in charge (包案), the denominator of 包案率:
    # "repeat_key" (repeat petitions and red or yellow key petitioners'), "accepted" (every
    # petition taken into case handling) or "key" (red or yellow key petitioners' only).
    charge_scope: Mapped[str] = mapped_column(String(12), nullable=False, default="repeat_key",
                                              server_default=text("'repeat_key'"))


class Device(SyncedRecord, Base):
    """A laptop (or other installation) that writes to the store."""

    __tablename__ = "device"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    office_id: Mapped[str | None] = mapped_column(ForeignKey("office.id"))


class Staff(SyncedRecord, Base):
    """A member of an office: clerk, procurator or leader."""

    __tablename__ = "staff"

    office_id: Mapped[str] = mapped_column(ForeignKey("office.id"), nullable=False, index=True)
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_bo: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # "chief" 检察长 | "deputy" 副检察长 | "head" 部门负责人 | "procurator" 检察官 | "clerk" 书记员
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Person(SyncedRecord, Base):
    """A natural person: a petitioner, a party, an aided person.

    Names are stored normalised (NFC, spaces collapsed, no trailing tsheg or shad) so that exact
    lookups by name find the same person however the name was typed.
    """

    __tablename__ = "person"
    # Each column the People list sorts by, with the tie-break and the filter it adds, so a
    # page deep in 150,000 persons is read from the index alone (migration 0014).
    __table_args__ = (
        Index("ix_person_id_number", "id_number", "id", "deleted"),
        Index("ix_person_phone", "phone", "id", "deleted"),
        Index("ix_person_name_zh", "name_zh", "id", "deleted"),
        Index("ix_person_name_bo", "name_bo", "id", "deleted"),
        Index("ix_person_county", "county", "id", "deleted"),
    )

    name_bo: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    sex: Mapped[str] = mapped_column(String(1), nullable=False, default="")  # "M" | "F" | ""
    # GB/T 3304 nationality code, e.g. "04" 藏族, "01" 汉族.
    ethnicity: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    id_number: Mapped[str] = mapped_column(String(18), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    county: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    township: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    village: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    herding_group: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    preferred_language: Mapped[str] = mapped_column(String(2), nullable=False, default="zh")
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class LocalIdentity(Base):
    """Which device this installation is. Exactly one row; never synced."""

    __tablename__ = "local_identity"
    __table_args__ = (CheckConstraint("slot = 1", name="single_row"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    # The log this laptop writes its versions to, when not its first (migration 0012).
    log_id: Mapped[str | None] = mapped_column(String(36))
    # After its data folder was found restored from an older copy: JSON {log: counter}, how much
    # of its earlier logs others hold. Until this laptop holds as much, it does not know which
    # registration numbers it already used, and gives provisional ones (app.petitions.numbering).
    behind: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(
        String(24), nullable=False,
        server_default=utc_now_stamp())
