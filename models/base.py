"""Declarative base and the columns every synced record carries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, LargeBinary, MetaData, String, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from uuid6 import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Columns that the capture triggers stamp on each write. They are derived from the version log
# (see models.sync) and are never versioned themselves.
STAMP_COLUMNS = ("created_at", "updated_at", "last_device", "hlc")


# A hybrid-logical-clock value (milliseconds << 16, about 2**57 today): SQLite's INTEGER holds
# it, PostgreSQL's needs BIGINT.
HLC_TYPE = Integer().with_variant(BigInteger(), "postgresql")
# A version's value (``sync_version.value``): on SQLite a column without type affinity, which
# keeps each value's own storage class as it was written; on PostgreSQL the JSON value a
# package carries (``models.postgres``).
VERSION_VALUE_TYPE = LargeBinary().with_variant(JSONB(), "postgresql")


# A text column's length is the most a form lets a clerk type; SQLite never enforces it, and
# laptops hold longer values in places (a stamp with its time zone, 25 characters, in a column
# declared 16 or 19 long). A hub holds what every laptop holds: on PostgreSQL a text column has
# no length either (``VARCHAR``), and nothing a laptop wrote is refused there for its length.
@compiles(String, "postgresql")
def _string_postgresql(element: String, compiler: Any, **kw: Any) -> str:
    return "VARCHAR" if element.collation is None else f'VARCHAR COLLATE "{element.collation}"'


class utc_now_stamp(FunctionElement[str]):  # noqa: N801 - a SQL function, named as one
    """The time now in UTC as the stamps are written (``2026-12-07T02:30:00.123Z``): a
    column's server default on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True


@compiles(utc_now_stamp, "sqlite")
def _utc_now_sqlite(element: utc_now_stamp, compiler: SQLCompiler, **kw: Any) -> str:
    return "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"


@compiles(utc_now_stamp, "postgresql")
def _utc_now_postgresql(element: utc_now_stamp, compiler: SQLCompiler, **kw: Any) -> str:
    return """(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))"""


def new_id() -> str:
    """A new primary key: a UUIDv7 in its canonical text form (time-ordered, globally unique)."""
    return str(uuid7())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SyncedRecord:
    """Mixin for every record that travels between laptops.

    The capture triggers (models.sync) write one immutable version per changed field and stamp the
    row's created/updated time, last writing device and hybrid-logical-clock version. Application
    code never sets the stamp columns and never deletes a row: it sets ``deleted``.
    """

    __synced__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                          server_default=false())
    # Stamped by the capture triggers; NULL only in the instant between INSERT and its trigger.
    created_at: Mapped[str | None] = mapped_column(String(24))
    updated_at: Mapped[str | None] = mapped_column(String(24))
    last_device: Mapped[str | None] = mapped_column(String(36))
    hlc: Mapped[int | None] = mapped_column(HLC_TYPE)
