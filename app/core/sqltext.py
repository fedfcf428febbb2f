"""The few pieces of SQL that differ between a laptop's SQLite store and a hub's PostgreSQL one
(issue 18), for the use cases that write SQL by hand: each takes the dialect's name
(``dialect_of``) and gives that database's spelling.

A version's value (``sync_version.value``) is the one real difference: on SQLite the value as
the row held it; on PostgreSQL its JSON (``models.postgres``), a boolean as 0 or 1.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def dialect_of(session_or_connection: Any) -> str:
    """The dialect's name of a session, a connection or an engine."""
    bind = session_or_connection.get_bind() if hasattr(session_or_connection, "get_bind") \
        else session_or_connection
    return str(bind.dialect.name)


def from_version(dialect: str, value: str, kind: str = "text") -> str:
    """A version's value (the SQL expression ``value``) as a column of ``kind`` holds it:
    ``text``, ``integer`` or ``boolean``."""
    if dialect != POSTGRESQL:
        return value
    if kind == "integer":
        return f"(({value}) #>> '{{}}')::bigint"
    if kind == "boolean":
        return f"((({value}) #>> '{{}}')::integer <> 0)"
    return f"(({value}) #>> '{{}}')"


def to_version(dialect: str, column: str, kind: str = "text") -> str:
    """A column's value (the SQL expression ``column``) as a version holds it."""
    if dialect != POSTGRESQL:
        return column
    if kind == "boolean":
        return f"to_jsonb(({column})::integer)"
    return f"to_jsonb({column})"


def same(dialect: str, a: str, b: str) -> str:
    """``a`` and ``b`` are equal, two NULLs included."""
    return f"{a} IS {b}" if dialect != POSTGRESQL else f"{a} IS NOT DISTINCT FROM {b}"


def json_list(dialect: str, expression: str, distinct: bool = False) -> str:
    """An aggregate: the values of ``expression`` as a JSON array (text)."""
    inner = ("DISTINCT " if distinct else "") + expression
    if dialect != POSTGRESQL:
        return f"json_group_array({inner})"
    return f"COALESCE(json_agg({inner})::text, '[]')"


def as_flag(dialect: str, condition: str) -> str:
    """A condition as 1 or 0, for MAX() and SUM() over rows."""
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def live(dialect: str, deleted: str = "deleted") -> str:
    """A record's deleted flag (the column ``deleted``) is not set."""
    return f"{deleted} = 0" if dialect != POSTGRESQL else f"NOT {deleted}"


def ordered(dialect: str, expression: str) -> str:
    """A text expression as an ORDER BY (or max, DISTINCT ON) term that sorts by code point,
    as SQLite's BINARY collation does: whatever the PostgreSQL database's own collation, a
    canonical list (a batch's rows, a version's parents) comes out in one order everywhere."""
    return expression if dialect != POSTGRESQL else f'{expression} COLLATE "C"'


def insert_ignoring(dialect: str, statement: str) -> str:
    """``INSERT`` + ``statement`` (``INTO t (...) VALUES/SELECT ...``), a row whose key is
    already there skipped."""
    if dialect != POSTGRESQL:
        return f"INSERT OR IGNORE {statement}"
    return f"INSERT {statement} ON CONFLICT DO NOTHING"


def drop_temp(dialect: str, name: str) -> str:
    return f"DROP TABLE IF EXISTS {'pg_temp' if dialect == POSTGRESQL else 'temp'}.{name}"


def parent_ids(dialect: str, parents: str, alias: str) -> str:
    """A FROM item: each id (``device:counter``) a JSON list of parents names, as the text
    column ``{alias}.value``."""
    if dialect != POSTGRESQL:
        return f"json_each({parents}) {alias}"
    return f"jsonb_array_elements_text(({parents})::jsonb) AS {alias}(value)"


def id_parts(dialect: str, version_id: str) -> tuple[str, str]:
    """The log (text) and the counter (integer) of a version id ``device:counter``."""
    if dialect != POSTGRESQL:
        return (f"substr({version_id}, 1, instr({version_id}, ':') - 1)",
                f"CAST(substr({version_id}, instr({version_id}, ':') + 1) AS INTEGER)")
    return (f"split_part({version_id}, ':', 1)",
            f"CAST(split_part({version_id}, ':', 2) AS INTEGER)")


def value_key(dialect: str, value: str) -> str:
    """A version's value as text that tells apart what the store tells apart (an integer from
    the same digits as text, NULL from everything), for counting distinct values."""
    if dialect != POSTGRESQL:
        return f"quote({value})"
    return f"COALESCE(({value})::text, '')"


def column_kind(column: Any) -> str:
    """The kind ``from_version`` and ``to_version`` take for a model's column."""
    from sqlalchemy import Boolean, Integer

    if isinstance(column.type, Boolean):
        return "boolean"
    if isinstance(column.type, Integer):
        return "integer"
    return "text"


def hlc_time(dialect: str, hlc: str) -> str:
    """The stamp (``2026-12-07T02:30:00.123Z``) of an HLC value, as the capture writes it."""
    from models.sync import HLC_LOGICAL_BITS

    if dialect != POSTGRESQL:
        return (f"strftime('%Y-%m-%dT%H:%M:%fZ', ({hlc} >> {HLC_LOGICAL_BITS}) / 1000.0,"
                " 'unixepoch')")
    from models.postgres import hlc_time_sql

    return hlc_time_sql(hlc)


def adopted_hlc(dialect: str) -> str:
    """The highest HLC this store adopts (``models.sync.MAX_ADOPTED_HLC_SQL``)."""
    from models.sync import MAX_ADOPTED_HLC_SQL

    if dialect != POSTGRESQL:
        return MAX_ADOPTED_HLC_SQL
    return ("GREATEST(COALESCE((SELECT MAX(hlc) FROM sync_version"
            " WHERE hlc <= doorstep_hlc_bound()), 0),"
            " COALESCE((SELECT hlc FROM sync_version WHERE device_id = doorstep_device()"
            " ORDER BY counter DESC LIMIT 1), 0))")


# --- A version's value between Python and the store ----------------------------------------------

def version_param(dialect: str, value: Any) -> Any:
    """A Python value (as a package's JSON gives it, or bytes) bound where a version's value
    goes: as it is on SQLite; on PostgreSQL as jsonb, bytes as ``{"b64": ...}`` (as a batch
    carries them), a bool as 0 or 1."""
    if dialect != POSTGRESQL or value is None:
        return value
    from psycopg.types.json import Jsonb

    if isinstance(value, (bytes, bytearray, memoryview)):
        value = {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    elif isinstance(value, bool):
        value = int(value)
    return Jsonb(value)


def version_result(value: Any) -> Any:
    """A version's value as read from either store, as the Python value SQLite gives: the
    jsonb of PostgreSQL comes back as int, float, str or None already; bytes come back from
    their ``{"b64": ...}``."""
    if isinstance(value, dict) and isinstance(value.get("b64"), str):
        return base64.b64decode(value["b64"])
    return value


# --- The raw connection --------------------------------------------------------------------------

class ServerConnection:
    """A hub's raw DB-API connection (psycopg) as the sync engine uses an SQLite one: its
    ``execute`` and ``executemany`` take statements with ``?`` placeholders, the DB-API's
    "qmark" style of sqlite3, passed to psycopg in its own "format" style (``%s``, a literal
    ``%`` doubled). That is the only thing done to a statement: every other difference between
    the two databases is written out for each by the caller (``dialect`` below)."""

    dialect = POSTGRESQL

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        if params is None:
            return self.connection.execute(sql)
        return self.connection.execute(_format_style(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        cursor = self.connection.cursor()
        cursor.executemany(_format_style(sql), rows)
        return cursor

    def cursor(self, name: str = "") -> Any:
        return self.connection.cursor(name=name) if name else self.connection.cursor()


def _format_style(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def raw_connection(dbapi_connection: Any) -> Any:
    """The raw connection the sync engine works on: SQLite's as it is, a hub's wrapped in
    :class:`ServerConnection`."""
    if isinstance(dbapi_connection, ServerConnection) \
            or not type(dbapi_connection).__module__.startswith("psycopg"):
        return dbapi_connection
    return ServerConnection(dbapi_connection)


def dbapi(raw: Any) -> Any:
    """The DB-API connection under what :func:`raw_connection` gave."""
    return raw.connection if isinstance(raw, ServerConnection) else raw


def raw_dialect(raw: Any) -> str:
    """The dialect's name of a raw connection from :func:`raw_connection`."""
    return POSTGRESQL if isinstance(raw, ServerConnection) else SQLITE


def is_server_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an error of the PostgreSQL driver (raised through a raw connection)."""
    return any(t.__module__.startswith("psycopg") and t.__name__ == "Error"
               for t in type(exc).__mro__)
