"""Moments as the store keeps them, and as people read them.

A moment (when a history line was written, an aid decision made, an attachment added) is stored
as UTC with its offset, like every other stamp: ``2026-12-06T09:03:00+00:00``. Laptops in
different time zones, or whose zone setting changes, then agree on the order of events. It is
shown in the laptop's local time. Values written before this rule are naive and were local time
when written: they are read as local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, case, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def utc_stamp(moment: datetime | None = None) -> str:
    """``moment`` (now by default; a naive one is local time) as stored."""
    moment = moment if moment is not None else datetime.now(UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def local_time(stamp: str) -> datetime:
    """A stored moment in local time (naive); a naive stored value is local time already."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)


def local_iso(stamp: str, timespec: str = "seconds") -> str:
    """A stored moment as a naive local ISO string (what ``app`` hands to ``ui``); an empty
    value stays empty."""
    return local_time(stamp).isoformat(timespec=timespec) if stamp else stamp


def local_day(stamp: str) -> date:
    return local_time(stamp).date()


# SQL: the local day of a stored moment, for periods and filters (SQLite's 'localtime' is the
# same zone as Python's; a value with an offset is converted, a naive one is local already).
# On PostgreSQL the session's time zone is Python's local one (``app.core.server``).
_HAS_OFFSET = ("({col} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR {col} GLOB '*Z')")
LOCAL_DAY_SQL = (f"(CASE WHEN {_HAS_OFFSET} THEN date({{col}}, 'localtime')"
                 " ELSE substr({col}, 1, 10) END)")
LOCAL_DAY_POSTGRESQL = ("(CASE WHEN {col} ~ '([+-][0-9][0-9]:[0-9][0-9]|Z)$'"
                        " THEN to_char(({col})::timestamptz, 'YYYY-MM-DD')"
                        " ELSE substr({col}, 1, 10) END)")


def local_day_sql(dialect: str, col: str) -> str:
    """The local day of the stored moment ``col`` (an SQL expression), as ``YYYY-MM-DD``."""
    return (LOCAL_DAY_POSTGRESQL if dialect == "postgresql" else LOCAL_DAY_SQL).format(col=col)


class _LocalDay(FunctionElement[str]):
    type = String()
    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.on_sqlite = case(
            (or_(column.op("GLOB")("*[+-][0-9][0-9]:[0-9][0-9]"), column.op("GLOB")("*Z")),
             func.date(column, "localtime")), else_=func.substr(column, 1, 10))


@compiles(_LocalDay)
def _local_day_sqlite(element: _LocalDay, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.on_sqlite, **kw))


@compiles(_LocalDay, "postgresql")
def _local_day_postgresql(element: _LocalDay, compiler: Any, **kw: Any) -> str:
    # Constants in the text, not parameters: the same expression in a SELECT and its GROUP BY.
    return local_day_sql("postgresql", str(compiler.process(next(iter(element.clauses)), **kw)))


def local_day_of(column: Any) -> ColumnElement[str]:
    """The local day of a stored moment, for a SQLAlchemy column (``local_day_sql``)."""
    return _LocalDay(column)
