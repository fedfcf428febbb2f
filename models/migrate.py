"""Running the Alembic migrations on a connection, and reading a store's revision.

Opening a store that is already at the head revision needs neither Alembic nor its scripts:
the revisions are known from the scripts' file names (each revision id is its file's
four-digit prefix, ``0013_void_petition.py`` is ``0013``; a test holds Alembic's own reading
to it). Alembic is imported only to migrate.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
APPLICATION_ID = 0x44535450  # "DSTP", set by revision 0001
_SCRIPT_NAME = re.compile(r"^(\d{4})_\w+\.py$")


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this Doorstep knows, from the migration scripts' names."""
    return frozenset(m.group(1) for p in (MIGRATIONS_DIR / "versions").iterdir()
                     if (m := _SCRIPT_NAME.match(p.name)))


def head_revision() -> str:
    """The newest revision (revisions are numbered in order, one after another)."""
    return max(known_revisions())


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on ``connection`` (the caller commits)."""
    from alembic import command

    command.upgrade(_config(connection), revision)


def sqlite_only(*work: str | Callable[[Connection], object]) -> None:
    """Run, in the migration under way, what only the SQLite store has yet; skip it elsewhere.

    The one place the migrations ask which database they build: the same revisions make the
    laptop's SQLite file and the prefecture hub's PostgreSQL database (issue 18), tables,
    columns and indexes alike. What is SQLite's own passes through here: each item is a
    statement or a function of the connection, such as the sync capture triggers
    (``models.sync``), the guards of the version log, of the aid money ledgers
    (``models.aid``) and of the audit trail (``models.audit``), the FTS5 search index
    (``models.search``) and the file's ``application_id``. On PostgreSQL none of it runs
    yet: the next step ports the triggers and guards to PL/pgSQL and the search to pg_trgm.
    """
    from alembic import op

    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for item in work:
        if isinstance(item, str):
            op.execute(item)
        else:
            item(connection)
