"""Opening the SQLite store: refuse what is not ours, back up, migrate, and hand out sessions.

One SQLite file per data dir, in WAL mode with foreign keys on. Every connection gets the functions
the capture triggers call (see ``models.sync``). A use case runs in ``store.write()`` (one
``BEGIN IMMEDIATE`` transaction, committed on success, rolled back on any error) or
``store.read()``.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.core import scratch
from app.core.errors import (
    DISK_FULL,
    AppError,
    DataFolderIsAFileError,
    DiskFullError,
    NewerStoreError,
    NoStoreError,
    NotAStoreError,
    StoreError,
    StoreInUseError,
    StoreNotWritableError,
)
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.refusals import refusal
from models import migrate as migrations
from models.search import search_text
from models.sync import hlc_bound, next_hlc

log = logging.getLogger(__name__)

KEEP_BACKUPS = 10
# How long a connection waits for another process's lock before it reports the file in use.
BUSY_TIMEOUT_MS = 10_000

NO_STORE = N_("There is no Doorstep data in {path}. Check the --data-dir folder (or "
              "DOORSTEP_HOME).")
DATA_DIR_IS_A_FILE = N_("{path} is a file, not a folder: Doorstep keeps its data in a folder. "
                        "Check the --data-dir folder (or DOORSTEP_HOME).")
IN_USE = N_("Another Doorstep, or another program, is using the data file {path}. Close it and "
            "try again. Nothing was changed.")
NOT_WRITABLE = N_("Doorstep cannot open or write the data file {path}: the disk or the folder is "
                  "read-only, or this user may not change it. Nothing was changed.")


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class ConnectionContext:
    """What the trigger functions of every connection read; shared by the store's connections."""

    device_id: str | None = None
    # The log this laptop writes its versions to, when not its first (see app.sync.signed).
    log_id: str | None = None
    # The staff member using the laptop, when known: each version records who made it.
    staff_id: str | None = None
    clock: Callable[[], int] = wall_clock_ms
    # Connections (by id) on which the sync engine is applying received versions.
    applying: set[int] = field(default_factory=set)


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens ``path`` read-only (nothing can be written through it)."""
    return "file:" + quote(str(path)) + "?mode=ro"



def inspect_store(path: Path) -> str | None:
    """The file's schema revision, ``None`` for a new store; raise when we must not touch it."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True,
                                     timeout=BUSY_TIMEOUT_MS / 1000)) as con:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in
                      con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        problem = store_problem(exc, path)
        if problem is not None:
            log.warning("cannot inspect %s: %s", path, exc)
            raise problem from exc
        log.warning("refusing %s: %s", path, exc)
        raise NotAStoreError(N_("The file {path} is not a Doorstep data file. It was left as it "
                                "was."), path=str(path)) from exc
    if app_id != migrations.APPLICATION_ID or revision is None:
        log.warning("refusing %s: application_id=%s revision=%s", path, app_id, revision)
        raise NotAStoreError(N_("The file {path} is not a Doorstep data file. It was left as it "
                                "was."), path=str(path))
    if revision not in migrations.known_revisions():
        log.warning("refusing %s: unknown revision %s", path, revision)
        raise NewerStoreError(N_("The data file {path} was written by a newer version of Doorstep. "
                                 "Please update Doorstep on this laptop. The file was left as it "
                                 "was."), path=str(path))
    return str(revision)


def backup_file(source: Path, backups: Path, label: str) -> Path:
    """Copy an SQLite file with the backup API (consistent even with a WAL beside it)."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups / f"doorstep-{stamp}-{label}.sqlite3"
    with closing(sqlite3.connect(read_only_uri(source), uri=True)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    old = sorted(backups.glob("doorstep-*.sqlite3"))
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink()
    log.info("backed up %s to %s", source, target)
    return target


def _register(dbapi_connection: sqlite3.Connection, ctx: ConnectionContext) -> None:
    key = id(dbapi_connection)

    def device() -> str:
        if ctx.device_id is None:
            raise RuntimeError("this store has no device identity yet")
        return ctx.log_id or ctx.device_id

    def hlc(max_hlc: int | None) -> int:
        return next_hlc(ctx.clock(), max_hlc)

    dbapi_connection.create_function("doorstep_capture", 0, lambda: key not in ctx.applying)
    dbapi_connection.create_function("doorstep_device", 0, device)
    dbapi_connection.create_function("doorstep_staff", 0, lambda: ctx.staff_id or None)
    dbapi_connection.create_function("doorstep_hlc", 1, hlc)
    dbapi_connection.create_function("doorstep_hlc_bound", 0, lambda: hlc_bound(ctx.clock()))
    dbapi_connection.create_function("doorstep_search_text", 1, search_text, deterministic=True)
    # A BLOB value as a signed batch carries it (app.sync.signed): base64 text to bytes.
    dbapi_connection.create_function("doorstep_unb64", 1, _unb64, deterministic=True)


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def make_engine(path: Path, ctx: ConnectionContext) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Transactions are begun explicitly below (pysqlite's own handling is bypassed).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        # The sync engine's staging tables (tens of MB for 100,000 versions) stay in memory.
        dbapi_connection.execute("PRAGMA temp_store = MEMORY")
        _register(dbapi_connection, ctx)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("doorstep_foreign_keys") is False:
            # Only outside a transaction does SQLite take this; turned on again at checkin.
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        mode = options.get("doorstep_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
        if mode == "IMMEDIATE" and ctx.device_id is not None:
            # The log this laptop writes to may have moved on in another process (an import
            # that found its data folder restored): read it under the write lock.
            row = conn.exec_driver_sql("SELECT log_id FROM local_identity").first()
            ctx.log_id = row[0] if row is not None else None

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: sqlite3.Connection | None, _record: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


class Store:
    """An open store. Create with :func:`open_store`."""

    def __init__(self, paths: AppPaths, engine: Engine, ctx: ConnectionContext) -> None:
        self.paths = paths
        self.engine = engine
        self.ctx = ctx
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=engine.execution_options(doorstep_begin="IMMEDIATE"),
                                   expire_on_commit=False)
        self._sync_write = sessionmaker(bind=engine.execution_options(
            doorstep_begin="IMMEDIATE", doorstep_foreign_keys=False), expire_on_commit=False)
        # The transaction of ``all_or_nothing`` on the thread that opened it, if any.
        self._outer = threading.local()

    @property
    def device_id(self) -> str | None:
        return self.ctx.device_id

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Several use cases as one transaction (the demo generator filling a store): every
        ``write()``, ``sync_write()`` and ``read()`` on this thread inside the block runs in it,
        each write in a savepoint of its own; it is committed when the block ends and rolled
        back whole when anything in it raises."""
        if getattr(self._outer, "session", None) is not None:
            raise RuntimeError("all_or_nothing() does not nest")
        try:
            with self._write() as session, session.begin():
                self._outer.session = session
                try:
                    yield
                finally:
                    self._outer.session = None
        except (DBAPIError, sqlite3.Error) as exc:
            self._raise_known(exc)
            raise

    @contextmanager
    def _inside_outer(self, session: Session, savepoint: bool) -> Iterator[Session]:
        # What an earlier use case loaded, or wrote with plain SQL, is read afresh.
        session.expire_all()
        if not savepoint:
            yield session
            return
        try:
            with session.begin_nested():
                yield session
        except (DBAPIError, sqlite3.Error) as exc:
            self._raise_known(exc)
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for one user action: all of it is saved, or none of it.

        A locked, full or read-only data file raises its own :class:`AppError`.
        """
        outer = getattr(self._outer, "session", None)
        if outer is not None:
            with self._inside_outer(outer, savepoint=True) as session:
                yield session
            return
        try:
            with self._write() as session, session.begin():
                yield session
        except (DBAPIError, sqlite3.Error) as exc:
            self._raise_known(exc)
            raise

    @contextmanager
    def sync_write(self) -> Iterator[Session]:
        """Like ``write``, for the sync engine applying what other laptops wrote: foreign keys
        are not enforced, since what one laptop refers to may be kept apart on another (a record
        a revoked laptop created after its cut-off, one branch of a forked log)."""
        outer = getattr(self._outer, "session", None)
        if outer is not None:  # foreign keys stay on: they cannot change inside a transaction
            with self._inside_outer(outer, savepoint=True) as session:
                yield session
            return
        try:
            with self._sync_write() as session, session.begin():
                yield session
        except (DBAPIError, sqlite3.Error) as exc:
            self._raise_known(exc)
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        outer = getattr(self._outer, "session", None)
        if outer is not None:
            with self._inside_outer(outer, savepoint=False) as session:
                yield session
            return
        try:
            with self._read() as session, session.begin():
                yield session
        except (DBAPIError, sqlite3.Error) as exc:
            self._raise_known(exc)
            raise

    def _raise_known(self, exc: DBAPIError | sqlite3.Error) -> None:
        problem: AppError | None = store_problem(exc, self.paths.store)
        if problem is not None:
            log.warning("%s: %s", self.paths.store, exc)
            raise problem from exc
        problem = refusal(exc)
        if problem is not None:
            log.info("refused by the store's guards: %s", problem)
            raise problem from exc

    def close(self) -> None:
        """Write the log back into the data file and close every connection: the store is one
        file again (no -wal beside it to lose on a copy to USB or a restore)."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except (DBAPIError, sqlite3.Error) as exc:  # closing anyway: the log stays, and is
            log.warning("checkpoint on close failed: %s", exc)  # read back on the next open
        self.engine.dispose()


def has_store(paths: AppPaths) -> bool:
    """Whether ``paths.data_dir`` holds a store file (not necessarily a good one)."""
    try:
        return paths.store.is_file() and paths.store.stat().st_size > 0
    except OSError:
        return False


def check_data_dir(paths: AppPaths, create: bool) -> None:
    """Raise unless a store can be opened in ``paths.data_dir``: it must be a folder, and hold
    a store unless ``create``. Nothing is made or changed."""
    found = next((p for p in (paths.data_dir, *paths.data_dir.parents) if p.exists()), None)
    if found is not None and not found.is_dir():
        raise DataFolderIsAFileError(DATA_DIR_IS_A_FILE, path=str(found))
    if not create and not has_store(paths):
        raise NoStoreError(NO_STORE, path=str(paths.data_dir))


def store_problem(exc: BaseException, path: Path) -> AppError | None:
    """The known problem an SQLite error stands for (another process holds the file, the disk
    is full, the file may not be written), by its SQLite error code; None for any other."""
    orig = getattr(exc, "orig", None) or exc
    code = (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(orig)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "database is locked" in text:
        return StoreInUseError(IN_USE, path=str(path))
    if code == sqlite3.SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(DISK_FULL, path=str(path))
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM) \
            or "readonly database" in text or "unable to open database file" in text:
        return StoreNotWritableError(NOT_WRITABLE, path=str(path))
    return None


def open_store(paths: AppPaths, clock: Callable[[], int] = wall_clock_ms, *,
               create: bool = True) -> Store:
    """Open (creating or migrating as needed) the store in ``paths.data_dir``.

    With ``create=False`` a folder without a store raises :class:`NoStoreError` and nothing is
    made, not even the folder: only the GUI (its first run), ``demo`` and ``enrol-request`` (a
    new laptop) make a store.

    A file that is not a Doorstep store, or was written by a newer schema, raises a
    :class:`StoreError` and is not modified. Before any migration of an existing file, a copy is
    written to the backups folder. What a killed import or export left in the scratch folder
    (decrypted attachments, unfinished package files) is removed.
    """
    check_data_dir(paths, create)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    revision = inspect_store(paths.store)
    if revision is not None:  # a Doorstep data folder: only there can anything be left over
        scratch.clean_up(paths)
    head = migrations.head_revision()
    if revision is not None and revision != head:
        backup_file(paths.store, paths.backups, f"rev{revision}")

    ctx = ConnectionContext(clock=clock)
    engine = make_engine(paths.store, ctx)
    try:
        if revision != head:
            _migrate(engine)
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT device_id, log_id FROM local_identity").first()
            conn.rollback()
        ctx.device_id = row[0] if row else None
        ctx.log_id = row[1] if row else None
    except (DBAPIError, sqlite3.Error) as exc:
        engine.dispose()
        problem = store_problem(exc, paths.store)
        if problem is not None:
            log.warning("cannot open %s: %s", paths.store, exc)
            raise problem from exc
        raise StoreError(N_("The data file {path} could not be opened: {error}"),
                         path=str(paths.store), error=str(exc)) from exc
    return Store(paths, engine, ctx)


def _migrate(engine: Engine) -> None:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        # Table rebuilds in migrations need foreign keys off; it cannot change inside a transaction.
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                # References the sync engine left dangling (see Store.sync_write) are not the
                # migration's doing; only new ones are.
                before = len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()) \
                    if migrations.current_revision(conn) is not None else 0
                migrations.upgrade(conn)
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if len(problems) > before:
                    raise RuntimeError(f"migration broke foreign keys: {problems[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
    log.info("store migrated to %s", migrations.head_revision())
