"""The store an app-layer test works on: a laptop's SQLite file, or a hub's PostgreSQL database.

With ``DOORSTEP_TEST_STORE=postgresql`` (and ``DOORSTEP_TEST_PG`` naming the server, as
``./dev test`` sets it) the tests' stores are hub stores (``app.core.server.open_server_store``),
each a database of its own on that server, made from one migrated template and dropped after
the test; without it they are SQLite files, as on a laptop. Tests open, copy and drop their
stores through :func:`open_test_store`, :func:`copy_test_store` and :func:`drop_test_store`,
which hide the difference: a data folder stands for its database on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from app.core.paths import AppPaths
from app.core.store import Store, open_store, wall_clock_ms

# What the tests' stores are: "sqlite" (the default) or "postgresql".
STORE_VARIABLE = "DOORSTEP_TEST_STORE"
# The PostgreSQL server ``./dev test`` starts: its database's URL.
POSTGRES_URL_VARIABLE = "DOORSTEP_TEST_PG"

ON_POSTGRESQL = os.environ.get(STORE_VARIABLE, "sqlite").strip().lower() == "postgresql"

_databases: dict[Path, str] = {}  # a data folder → the database standing for its store
_server: dict[str, Engine] = {}
_TEMPLATE = f"doorstep_test_template_{os.getpid()}"


def server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE, "")
    if not url:
        raise RuntimeError(f"{STORE_VARIABLE}=postgresql needs {POSTGRES_URL_VARIABLE}: the "
                           "URL of a PostgreSQL server's database (./dev test sets it)")
    return url


def _admin() -> Engine:
    if "admin" not in _server:
        _server["admin"] = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    return _server["admin"]


def database_url(name: str) -> str:
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def _create(name: str, template: str | None = None) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'
                          + (f' TEMPLATE "{template}"' if template else "")))


def _drop(name: str) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _template() -> str:
    """A database migrated to the head revision, with no device yet: every new store is a copy
    of it (a copy takes a tenth of a second, the migrations a second)."""
    if "template" not in _server:
        from app.core.server import open_server_store

        _create(_TEMPLATE)
        store = open_server_store(database_url(_TEMPLATE), AppPaths(
            Path(os.environ.get("TMPDIR", "/tmp")) / _TEMPLATE), create=True)
        store.close()
        _server["template"] = _admin()
    return _TEMPLATE


def _new_database(template: str | None) -> str:
    name = f"doorstep_test_{uuid.uuid4().hex[:12]}"
    _create(name, template)
    return name


def open_test_store(paths: AppPaths, clock: Callable[[], int] = wall_clock_ms, *,
                    create: bool = True, key: bytes | None = None) -> Store:
    """``open_store`` for the store in ``paths``: its SQLite file, or on PostgreSQL the database
    standing for that folder (a new one the first time, when ``create``)."""
    if not ON_POSTGRESQL:
        return open_store(paths, clock, create=create, key=key)
    from app.core.server import open_server_store

    assert key is None, "an encrypted store is an SQLite file's (mark the test sqlite_file)"
    folder = paths.data_dir.resolve()
    name = _databases.get(folder)
    if name is None:
        name = _databases[folder] = _new_database(_template() if create else None)
    return open_server_store(database_url(name), paths, clock, create=create)


def copy_test_store(source: Path, target: Path) -> None:
    """Copy the data folder ``source`` (a closed store) to ``target``, with its database."""
    shutil.copytree(source, target)
    if ON_POSTGRESQL:
        _databases[target.resolve()] = _new_database(_databases[source.resolve()])


def drop_test_store(folder: Path) -> None:
    """Drop the database standing for the data folder ``folder``, if any (its store closed)."""
    name = _databases.pop(folder.resolve(), None)
    if name is not None:
        _drop(name)


def made_stores() -> set[Path]:
    """The data folders whose databases exist now."""
    return set(_databases)


def drop_test_stores_but(kept: set[Path]) -> None:
    """Drop the databases made since :func:`made_stores` gave ``kept``."""
    for folder in set(_databases) - kept:
        drop_test_store(folder)


def drop_every_test_store() -> None:
    """At the end of the run: every database the tests made, the template too."""
    if not _server:
        return
    for folder in list(_databases):
        drop_test_store(folder)
    if "template" in _server:
        _drop(_TEMPLATE)
    _server.pop("admin").dispose()
    _server.clear()
