"""The few pieces of SQL that differ between a laptop's SQLite store and a hub's PostgreSQL one
(issue 18), for the use cases that write SQL by hand: each takes the dialect's name
(``dialect_of``) and gives that database's spelling.

A version's value (``sync_version.value``) is the one real difference: on SQLite the value as
the row held it; on PostgreSQL its JSON (``models.postgres``), a boolean as 0 or 1.
"""

from __future__ import annotations

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
