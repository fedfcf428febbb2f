"""Opening a store on a PostgreSQL server: the prefecture hub's database (issue 18).

The same models, migrations and use cases as the SQLite store of a laptop (``app.core.store``),
with the differences kept here:

- what the SQLite connection functions read from Python (the log this store writes to, the staff
  member, the clock, capture on or off) is set at the start of each transaction as settings the
  PL/pgSQL functions of ``models.postgres`` read;
- a ``store.write()`` takes the store's write lock (a transaction-level advisory lock) before
  anything else, as SQLite's ``BEGIN IMMEDIATE`` does: several clerks work at once, their writes
  one after another, each a single transaction; a ``store.read()`` sees one snapshot
  (``REPEATABLE READ``), as an SQLite read transaction does;
- the sync engine's ``store.sync_write()`` applies what other offices wrote with foreign keys
  unchecked (``session_replication_role = replica``), as SQLite's ``foreign_keys = OFF``;
- the server being unreachable, refusing the log-in, out of disk or read-only each get their own
  message; a backup is the server's (``pg_dump``), not a copied file.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from app.core.errors import AppError, DiskFullError, NewerStoreError, NoStoreError, StoreError
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.store import (
    VERSION_MARK,
    ConnectionContext,
    Store,
    wall_clock_ms,
)
from models import migrate as migrations
from models.postgres import APPLYING_SETTING, DEVICE_SETTING, NOW_SETTING, STAFF_SETTING

log = logging.getLogger(__name__)

# The store's write lock: one number for every Doorstep store (one database is one store).
WRITE_LOCK = zlib.crc32(b"doorstep store write") & 0x7FFF_FFFF
# How long a statement waits for a lock another clerk's transaction holds before it gives up.
LOCK_TIMEOUT_MS = 30_000

NOT_A_URL = N_("{server} is not a database address Doorstep can use. Give one like "
               "postgresql+psycopg://user@host/database.")
UNREACHABLE = N_("Doorstep cannot reach the database server of {server}: {error} Check that the "
                 "server is running and the address is right. Nothing was changed.")
NO_HUB = N_("The database {server} holds no Doorstep data. A prefecture makes its hub with "
            "\"python -m app hub init --db ADDRESS\".")
NOT_OURS = N_("The database {server} holds tables that are not Doorstep's. Doorstep uses a "
              "database of its own. Nothing was changed.")
NEWER = N_("The database {server} was written by a newer version of Doorstep. Please update "
           "Doorstep here. Nothing was changed.")
SERVER_BUSY = N_("The database {server} is busy with another clerk's work for too long. Try "
                 "again. Nothing was changed.")
SERVER_FULL = N_("The database server of {server} has no room left on its disk. Ask its "
                 "administrator to free some space. Nothing was changed.")
SERVER_READ_ONLY = N_("The database {server} can only be read now (a standby server, or the "
                      "server is read-only). Nothing was changed.")
NOT_PERMITTED = N_("The database {server} does not let this user do that: {error} Nothing was "
                   "changed.")
NO_TRIGRAMS = N_("The database {server} cannot search Chinese or Tibetan text: its character "
                 "type is not a UTF-8 one. Create the database with LC_CTYPE C.UTF-8 (or "
                 "another UTF-8 locale). Nothing was changed.")


class ServerError(StoreError):
    pass


class ServerBackupError(ServerError):
    pass


def shown_url(url: str) -> str:
    """The address as people see it: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def is_server_url(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (not a data folder)."""
    return url.startswith(("postgresql:", "postgresql+"))


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(getattr(orig, "sqlstate", None) or "")


def _error_text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = str(primary or orig).strip().splitlines()
    return (text[0].rstrip(".") + ".") if text else ""


def server_problem(exc: BaseException, server: str) -> AppError | None:
    """The known problem a PostgreSQL error stands for, by its SQLSTATE; None for another."""
    state = _sqlstate(exc)
    orig = getattr(exc, "orig", None) or exc
    if state.startswith("08") or (not state and type(orig).__name__ == "OperationalError"):
        return ServerError(UNREACHABLE, server=server, error=_error_text(exc))
    if state in ("55P03", "57014", "40P01", "40001"):  # lock timeout, cancelled, deadlock
        return ServerError(SERVER_BUSY, server=server)
    if state in ("53100", "53200"):  # disk full, out of memory
        return DiskFullError(SERVER_FULL, server=server)
    if state == "25006":  # read-only transaction (a standby)
        return ServerError(SERVER_READ_ONLY, server=server)
    if state.startswith("28") or state == "42501":  # log-in refused, no privilege
        return ServerError(NOT_PERMITTED, server=server, error=_error_text(exc))
    return None


def _posix_zone() -> str:
    """This computer's offset from UTC now as PostgreSQL's ``TimeZone`` reads it: a POSIX
    offset, hours west of Greenwich (``-08:00`` for China)."""
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes <= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def make_server_engine(url: str, ctx: ConnectionContext) -> Engine:
    """The engine of the PostgreSQL database at ``url``, whose transactions carry ``ctx``."""
    engine = create_engine(url, pool_pre_ping=True, isolation_level="READ COMMITTED")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}")
            # Compiling a query (JIT) costs about a second, more than any of ours runs for.
            cur.execute("SET jit = off")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        mode = options.get("doorstep_begin", "DEFERRED")
        if mode != "IMMEDIATE":
            # A read sees one snapshot, as an SQLite read transaction does.
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        else:
            # One writer at a time, as on SQLite; then where the version log stands.
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            row = conn.exec_driver_sql(
                "SELECT (SELECT log_id FROM local_identity),"
                " (SELECT COALESCE(MAX(seq), 0) FROM sync_version)").first()
            assert row is not None
            if ctx.device_id is not None:
                ctx.log_id = row[0]
            conn.info[VERSION_MARK] = (int(row[1]), -1)
        if options.get("doorstep_foreign_keys") is False:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(
            "SELECT set_config(%(d)s, %(dv)s, true), set_config(%(s)s, %(sv)s, true),"
            " set_config(%(n)s, %(nv)s, true), set_config(%(a)s, '0', true),"
            " set_config('TimeZone', %(tz)s, true)",
            # A moment's local day is this computer's, read when the transaction begins, as
            # SQLite's 'localtime' is (``app.core.stamps.local_day_sql``).
            {"tz": _posix_zone(), "d": DEVICE_SETTING, "dv": ctx.log_id or ctx.device_id or "",
             "s": STAFF_SETTING, "sv": ctx.staff_id or "",
             "n": NOW_SETTING, "nv": str(int(ctx.clock())), "a": APPLYING_SETTING})

    return engine


def _describe(engine: Engine, server: str) -> str | None:
    """The database's schema revision; None for an empty database; raise when it is not ours
    or newer than this Doorstep."""
    with engine.connect() as conn:
        tables = {str(name) for (name,) in conn.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema()")}
        revision = None
        if "alembic_version" in tables:
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        conn.rollback()
    if revision is None:
        if tables:
            raise ServerError(NOT_OURS, server=server)
        return None
    if str(revision) not in migrations.known_revisions():
        raise NewerStoreError(NEWER, server=server)
    return str(revision)


def _migrate(engine: Engine, server: str) -> None:
    """Bring the database to the head revision, in one transaction (PostgreSQL's DDL is
    transactional: a failed migration leaves nothing), under the store's write lock."""
    with engine.connect() as conn:
        ctype = conn.exec_driver_sql("SELECT current_setting('lc_ctype')").scalar()
        conn.rollback()
        if "utf" not in str(ctype).lower().replace("-", ""):
            raise ServerError(NO_TRIGRAMS, server=server)
        with conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            migrations.upgrade(conn)
    log.info("%s migrated to %s", server, migrations.head_revision())


def open_server_store(url: str, paths: AppPaths, clock: Callable[[], int] = wall_clock_ms, *,
                      create: bool = False) -> Store:
    """Open the store in the PostgreSQL database at ``url``: migrated to this Doorstep's
    revision, made from nothing when ``create`` (``hub init``). ``paths`` is the folder of
    this computer's own files beside it (settings, logs, files being exported).

    An empty database without ``create``, one that holds other tables, one written by a newer
    Doorstep, and a server that cannot be reached each raise their own :class:`StoreError`;
    nothing is changed then."""
    server = shown_url(url)
    if not is_server_url(url):
        raise ServerError(NOT_A_URL, server=server)
    ctx = ConnectionContext(clock=clock)
    try:
        engine = make_server_engine(url, ctx)
    except (ArgumentError, ImportError) as exc:
        raise ServerError(NOT_A_URL, server=server) from exc
    try:
        revision = _describe(engine, server)
        if revision is None and not create:
            raise NoStoreError(NO_HUB, server=server)
        if revision != migrations.head_revision():
            _migrate(engine, server)
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT device_id, log_id FROM local_identity").first()
            conn.rollback()
        ctx.device_id = row[0] if row else None
        ctx.log_id = row[1] if row else None
    except DBAPIError as exc:
        engine.dispose()
        problem = server_problem(exc, server)
        if problem is not None:
            log.warning("cannot open %s: %s", server, exc)
            raise problem from exc
        raise StoreError(N_("The database {server} could not be opened: {error}"),
                         server=server, error=_error_text(exc)) from exc
    except BaseException:
        engine.dispose()
        raise
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(paths, engine, ctx, server=server)
    from app.audit import trail

    trail.install(store)
    return store


# After an import that brought this many versions, the planner's statistics are refreshed.
ANALYZE_AFTER = 10_000


def refresh_statistics(store: Store, new_versions: int) -> None:
    """Refresh the planner's statistics of a hub after a large import (as after any bulk load:
    autovacuum would, a minute later; the checks right after the import would be planned for
    tables a hundredth of their size). Nothing on SQLite, nor after a small import."""
    if not store.on_server or new_versions < ANALYZE_AFTER:
        return
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()

