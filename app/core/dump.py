"""Every live synced record as canonical JSON, for comparing two stores byte for byte."""

from __future__ import annotations

import base64
import json
from typing import Any

from app.core import access, sqltext
from app.core.access import Permission
from app.core.store import Store
from models import Base
from models.sync import synced_tables


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, bool):  # a hub's boolean column: as SQLite keeps it
        return int(value)
    return value


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Tables as keys; live records (not tombstoned) sorted by id (code point order); values as
    SQLite stores them (a hub's booleans as 0 and 1), so that a laptop's dump and a hub's
    compare."""
    result: dict[str, list[dict[str, Any]]] = {}
    with store.read() as session:
        access.require(session, store.ctx, Permission.EXPORT_TABLES)  # all of it, in full:
        access.require(session, store.ctx, Permission.SEE_IDENTIFIERS)  # a leader's act
        conn = session.connection()
        dialect = sqltext.dialect_of(conn)
        for table in synced_tables(Base.metadata.tables.values()):
            cursor = conn.exec_driver_sql(
                f'SELECT * FROM "{table.name}" WHERE {sqltext.live(dialect)}'
                f" ORDER BY {sqltext.ordered(dialect, 'id')}")
            names = list(cursor.keys())
            result[table.name] = [{k: _plain(v) for k, v in zip(names, row, strict=True)}
                                  for row in cursor]
    return result


def dump_json(store: Store) -> str:
    return json.dumps(dump(store), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
