"""Opening the SQLite store: refuse what is not ours, back up, migrate, and hand out sessions.

One SQLite file per data dir, in WAL mode with foreign keys on. Every connection gets the functions
the capture triggers call (see ``models.sync``). A use case runs in ``store.write()`` (one
``BEGIN IMMEDIATE`` transaction, committed on success, rolled back on any error) or
``store.read()``.

A store is plain SQLite, or encrypted with SQLCipher 4 under a random 32-byte key (given as
``key``; see ``app.core.cipher`` for where it comes from). An encrypted store is opened through
SQLCipher's DB-API module with the key as the first statement of every connection, so the file,
its WAL and its backups hold nothing readable; a plain store is opened with the standard
library's ``sqlite3``, as always.
"""

from __future__ import annotations

import base64
import importlib
import logging
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.core import scratch
from app.core.errors import (
    BACKUP_BY_SERVER,
    DISK_FULL,
    AppError,
    DataFolderIsAFileError,
    DiskFullError,
    EncryptedStoreError,
    NewerStoreError,
    NoStoreError,
    NotAStoreError,
    PlainStoreError,
    StoreError,
    StoreInUseError,
    StoreNotWritableError,
    WrongKeyError,
)
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.refusals import refusal
from models import migrate as migrations
from models.search import search_text
from models.sync import hlc_bound, next_hlc

if TYPE_CHECKING:
    from app.core.file_cipher import FileCipher

log = logging.getLogger(__name__)

# Where a write transaction began: (the highest ``sync_version.seq``, the connection's
# ``total_changes``), kept in the connection's ``info`` (see ``Store.before_commit``).
VERSION_MARK = "doorstep_version_mark"
# What runs just before a ``Store.write()`` commits: given the session and the highest
# ``sync_version.seq`` before the write began, when the write changed anything.
CommitHook = Callable[["Store", Session, int], None]

# How long a connection waits for another process's lock before it reports the file in use.
BUSY_TIMEOUT_MS = 10_000
KEY_SIZE = 32
# SQLite's page cache of each connection to an encrypted store, in KiB (SQLite's default: 2,000).
ENCRYPTED_CACHE_KIB = 65_536
SQLITE_HEADER = b"SQLite format 3\x00"
# An error of either SQLite driver: the standard library's (plain stores) or SQLCipher's; and
# either wrapped by SQLAlchemy. Given by ``__getattr__`` below, which loads SQLCipher's driver
# only when first asked for: opening a plain store does not wait for it.
DB_ERRORS: tuple[type[Exception], ...]
STORE_ERRORS: tuple[type[Exception], ...]


def sqlcipher_module() -> ModuleType:
    """SQLCipher's DB-API module, imported when first needed (an encrypted store, a
    conversion): a plain store's start does not pay for it."""
    return importlib.import_module("sqlcipher3.dbapi2")


def db_errors() -> tuple[type[Exception], ...]:
    """:data:`DB_ERRORS`: SQLCipher's error class only once its driver is loaded (no
    connection can raise it before)."""
    loaded = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.Error,) if loaded is None else (sqlite3.Error, loaded.Error)


def store_errors() -> tuple[type[Exception], ...]:
    """:data:`STORE_ERRORS`, as :func:`db_errors`."""
    return (DBAPIError, *db_errors())


def __getattr__(name: str) -> Any:
    # Asked for by name from elsewhere (kept in their own constants): both drivers' errors.
    if name == "DB_ERRORS":
        return (sqlite3.Error, sqlcipher_module().Error)
    if name == "STORE_ERRORS":
        return (DBAPIError, sqlite3.Error, sqlcipher_module().Error)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

NO_STORE = N_("There is no Doorstep data in {path}. Check the --data-dir folder (or "
              "DOORSTEP_HOME).")
DATA_DIR_IS_A_FILE = N_("{path} is a file, not a folder: Doorstep keeps its data in a folder. "
                        "Check the --data-dir folder (or DOORSTEP_HOME).")
IN_USE = N_("Another Doorstep, or another program, is using the data file {path}. Close it and "
            "try again. Nothing was changed.")
NOT_WRITABLE = N_("Doorstep cannot open or write the data file {path}: the disk or the folder is "
                  "read-only, or this user may not change it. Nothing was changed.")
WRONG_KEY = N_("The passphrase does not open the data file {path}. It was left as it was.")
ENCRYPTED = N_("The data file {path} is encrypted: it opens only with a staff member's "
               "passphrase. It was left as it was.")
NOT_ENCRYPTED = N_("The data file {path} is not encrypted, so it does not open with a "
                   "passphrase. It was left as it was.")
NOT_A_STORE = N_("The file {path} is not a Doorstep data file. It was left as it was.")


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
    # Set by a log-in: the use cases then check ``staff_id``'s role (see app.core.access).
    enforced: bool = False
    clock: Callable[[], int] = wall_clock_ms
    # Connections (by id) on which the sync engine is applying received versions.
    applying: set[int] = field(default_factory=set)


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens ``path`` read-only (nothing can be written through it)."""
    return "file:" + quote(str(path)) + "?mode=ro"



def key_pragma(key: bytes) -> str:
    """The statement that keys an SQLCipher connection with the raw 32-byte ``key`` (no key
    derivation on each connection: the key is random, not a passphrase)."""
    if len(key) != KEY_SIZE:
        raise ValueError("a store key is 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_file(target: str | Path, key: bytes | None, *, uri: bool = False,
                 timeout: float = BUSY_TIMEOUT_MS / 1000) -> Any:
    """A DB-API connection to an SQLite file: the standard library's for a plain file (no
    ``key``), else SQLCipher's, keyed by its first statement. Nothing is read yet: a wrong key
    shows at the first statement that reads the file."""
    if key is None:
        return sqlite3.connect(target, uri=uri, timeout=timeout)
    pragma = key_pragma(key)
    con = sqlcipher_module().connect(str(target), uri=uri, timeout=timeout)
    try:
        con.execute(pragma)
        # Sorting and temporary tables stay in memory: nothing decrypted is spilled to a file.
        con.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        con.close()
        raise
    return con


def is_plain_sqlite(path: Path) -> bool:
    """Whether ``path`` starts as every plain SQLite file does (an encrypted one does not)."""
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def looks_encrypted(path: Path) -> bool:
    """Whether ``path``, which is not plain SQLite, looks like an SQLCipher file: whole pages
    (at least one) of what reads as random bytes. Without the key nothing else can be told
    apart from random bytes, so a file of random bytes is taken as encrypted too; a text file,
    a picture or an office document is not."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            first = f.read(4096)
    except OSError:
        return False
    # Random bytes do not compress; a text, a document or a repeated pattern does.
    return size >= 1024 and size % 512 == 0 and len(zlib.compress(first)) >= len(first)


def inspect_store(path: Path, key: bytes | None = None) -> str | None:
    """The file's schema revision, ``None`` for a new store; raise when we must not touch it.

    With ``key``, the file must be a store encrypted under it: a plain file raises
    :class:`PlainStoreError`, and a file the key does not open :class:`WrongKeyError` (an
    encrypted file is indistinguishable from random bytes but by trying the key). Without,
    a file that looks encrypted raises :class:`EncryptedStoreError`.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    if key is not None and is_plain_sqlite(path):
        log.warning("refusing %s: a key was given for a plain store", path)
        raise PlainStoreError(NOT_ENCRYPTED, path=str(path))
    try:
        with closing(connect_file(read_only_uri(path), key, uri=True)) as con:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in
                      con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except db_errors() as exc:
        problem = store_problem(exc, path)
        if problem is not None:
            log.warning("cannot inspect %s: %s", path, exc)
            raise problem from exc
        log.warning("refusing %s: %s", path, exc)
        if _error_code(exc) == sqlite3.SQLITE_NOTADB:
            if key is not None:
                raise WrongKeyError(WRONG_KEY, path=str(path)) from exc
            if not is_plain_sqlite(path) and looks_encrypted(path):
                raise EncryptedStoreError(ENCRYPTED, path=str(path)) from exc
        raise NotAStoreError(NOT_A_STORE, path=str(path)) from exc
    if app_id != migrations.APPLICATION_ID or revision is None:
        log.warning("refusing %s: application_id=%s revision=%s", path, app_id, revision)
        raise NotAStoreError(NOT_A_STORE, path=str(path))
    if revision not in migrations.known_revisions():
        log.warning("refusing %s: unknown revision %s", path, revision)
        raise NewerStoreError(N_("The data file {path} was written by a newer version of Doorstep. "
                                 "Please update Doorstep on this laptop. The file was left as it "
                                 "was."), path=str(path))
    return str(revision)


def backup_file(source: Path, backups: Path, label: str, key: bytes | None = None) -> Path:
    """A checked copy of an SQLite store file in ``backups``, encrypted under ``key`` when
    given, kept in rotation with the others of its kind (see ``app.core.backups``)."""
    from app.core import backups as backup_files  # it builds on this module

    return backup_files.write_backup(source, backups, label, key)


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


def make_engine(path: Path, ctx: ConnectionContext, key: bytes | None = None) -> Engine:
    """The engine of the store file ``path``; with ``key``, an encrypted one (SQLCipher's
    DB-API module under SQLAlchemy's pysqlite dialect)."""
    if key is None:
        engine = create_engine(f"sqlite:///{path}")
    else:
        engine = create_engine(f"sqlite:///{path}", module=sqlcipher_module())
        pragma = key_pragma(key)

        # Ahead of every other listener (the dialect's own first queries among them): nothing
        # can be read before the key is given.
        @event.listens_for(engine, "connect", insert=True)
        def _on_connect_key(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(pragma)
            # Pages are decrypted into SQLite's cache: a larger one (in memory only) spares
            # decrypting the same pages again on each lookup.
            dbapi_connection.execute(f"PRAGMA cache_size = -{int(ENCRYPTED_CACHE_KIB)}")

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
        if mode == "IMMEDIATE":
            # The log this laptop writes to may have moved on in another process (an import
            # that found its data folder restored): read it under the write lock. And where
            # the version log stands, for what runs before the commit (``Store.write``).
            row = conn.exec_driver_sql(
                "SELECT (SELECT log_id FROM local_identity),"
                " (SELECT COALESCE(MAX(seq), 0) FROM sync_version)").first()
            assert row is not None
            if ctx.device_id is not None:
                ctx.log_id = row[0]
            raw = conn.connection.dbapi_connection
            conn.info[VERSION_MARK] = (int(row[1]), raw.total_changes if raw else 0)

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: sqlite3.Connection | None, _record: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


class Store:
    """An open store. Create with :func:`open_store`."""

    def __init__(self, paths: AppPaths, engine: Engine, ctx: ConnectionContext,
                 key: bytes | None = None, server: str | None = None) -> None:
        self.paths = paths
        self.engine = engine
        self.ctx = ctx
        self._key = key
        # The PostgreSQL database of a hub (``app.core.server``), as shown to people (no
        # password); None for the SQLite file in ``paths``.
        self.server = server
        self._files: FileCipher | None = None
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=engine.execution_options(doorstep_begin="IMMEDIATE"),
                                   expire_on_commit=False)
        self._sync_write = sessionmaker(bind=engine.execution_options(
            doorstep_begin="IMMEDIATE", doorstep_foreign_keys=False), expire_on_commit=False)
        # The transaction of ``all_or_nothing`` on the thread that opened it, if any.
        self._outer = threading.local()
        # Run before every ``write()`` commits (not ``sync_write()``): what each write did is
        # recorded in the same transaction (``app.audit.trail.install``).
        self.before_commit: list[CommitHook] = []
        event.listen(self._write, "after_begin", _keep_mark)

    @property
    def device_id(self) -> str | None:
        return self.ctx.device_id

    @property
    def on_server(self) -> bool:
        """Whether the store is a PostgreSQL database (a hub), not an SQLite file."""
        return self.server is not None

    def capture(self, raw: Any, on: bool) -> None:
        """Turn the capture of new versions on or off for what is written next through the raw
        connection ``raw`` of a write transaction (off while the sync engine applies versions
        received from elsewhere)."""
        if self.server is None:
            if on:
                self.ctx.applying.discard(id(raw))
            else:
                self.ctx.applying.add(id(raw))
            return
        from models.postgres import APPLYING_SETTING

        raw.execute("SELECT set_config(%s, %s, true)", (APPLYING_SETTING, "0" if on else "1"))

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    @property
    def key(self) -> bytes | None:
        """The key the store is encrypted under (None for a plain store), for the copies a
        leader adds under a new passphrase. Never logged, shown or written in clear."""
        return self._key

    def file_cipher(self) -> FileCipher | None:
        """What seals the files kept beside an encrypted store (attachments, thumbnails) under
        a key derived from the store key (``app.core.file_cipher``); None for a plain store."""
        if self._key is None:
            return None
        if self._files is None:
            from app.core.file_cipher import FileCipher

            self._files = FileCipher(self._key)
        return self._files

    def connect_read_only(self) -> Any:
        """A DB-API connection that can only read the store file (plain or encrypted); the
        caller closes it. Its errors are one of :data:`DB_ERRORS`."""
        return connect_file(read_only_uri(self.paths.store), self._key, uri=True)

    def backup(self, label: str) -> Path:
        """A copy of the store in the backups folder, encrypted like the store."""
        if self.server is not None:
            from app.core.server import ServerBackupError

            raise ServerBackupError(BACKUP_BY_SERVER, server=self.server)
        return backup_file(self.paths.store, self.paths.backups, label, self._key)

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
        except store_errors() as exc:
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
        except store_errors() as exc:
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
                mark = self._mark(session) if self.before_commit else None
                yield session
                self._run_before_commit(session, mark)
            return
        try:
            with self._write() as session, session.begin():
                yield session
                transaction = session.get_transaction()
                # (A transaction a failed flush ended is rolled back on leaving, as ever.)
                if self.before_commit and transaction is not None and transaction.is_active:
                    session.flush()  # what is pending is written (and the transaction begun)
                    self._run_before_commit(session, self._began(session))
        except store_errors() as exc:
            self._raise_known(exc)
            raise

    @staticmethod
    def _began(session: Session) -> tuple[int, int] | None:
        """The mark ``BEGIN IMMEDIATE`` left, when the session began its transaction (a write
        that executed nothing has none)."""
        mark: tuple[int, int] | None = session.info.pop(VERSION_MARK, None)
        return mark

    @staticmethod
    def _mark(session: Session) -> tuple[int, int]:
        conn = session.connection()
        seq = conn.exec_driver_sql("SELECT COALESCE(MAX(seq), 0) FROM sync_version").scalar()
        return int(seq or 0), changes_made(conn.connection.dbapi_connection)

    def _run_before_commit(self, session: Session, mark: tuple[int, int] | None) -> None:
        if mark is None or not self.before_commit:
            return
        session.flush()
        changes = changes_made(session.connection().connection.dbapi_connection)
        if changes >= 0 and changes == mark[1]:
            return  # nothing was written
        for hook in self.before_commit:
            hook(self, session, mark[0])

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
        except store_errors() as exc:
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
        except store_errors() as exc:
            self._raise_known(exc)
            raise

    def _raise_known(self, exc: Exception) -> None:
        if self.server is not None:
            from app.core.server import server_problem

            problem = server_problem(exc, self.server)
            if problem is not None:
                log.warning("%s: %s", self.server, exc)
                raise problem from exc
        problem = store_problem(exc, self.paths.store) if self.server is None else None
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
        if self.server is not None:
            self.engine.dispose()
            return
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except store_errors() as exc:  # closing anyway: the log stays, and is
            log.warning("checkpoint on close failed: %s", exc)  # read back on the next open
        self.engine.dispose()
        if self._key is not None:
            from app.core import drafts

            drafts.use_cipher(self.paths, None)


def changes_made(raw: Any) -> int:
    """How many rows the raw connection ``raw`` has changed since it was opened (SQLite's
    ``total_changes``); -1 where the driver does not count them (PostgreSQL's)."""
    return int(getattr(raw, "total_changes", -1)) if raw is not None else 0


def _keep_mark(session: Session, _transaction: Any, connection: Any) -> None:
    session.info[VERSION_MARK] = connection.info.get(VERSION_MARK)


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


def _error_code(exc: BaseException) -> int:
    """The primary SQLite result code of an error of either driver (wrapped or not), or 0."""
    orig = getattr(exc, "orig", None) or exc
    return int(getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF


def store_problem(exc: BaseException, path: Path) -> AppError | None:
    """The known problem an SQLite error stands for (another process holds the file, the disk
    is full, the file may not be written), by its SQLite error code; None for any other."""
    orig = getattr(exc, "orig", None) or exc
    code = _error_code(exc)
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
               create: bool = True, key: bytes | None = None) -> Store:
    """Open (creating or migrating as needed) the store in ``paths.data_dir``.

    With ``create=False`` a folder without a store raises :class:`NoStoreError` and nothing is
    made, not even the folder: only the GUI (its first run), ``demo`` and ``enrol-request`` (a
    new laptop) make a store.

    With ``key`` the store is encrypted (SQLCipher), and a new one is made encrypted; without,
    plain. A file that is not a Doorstep store, was written by a newer schema, is encrypted
    when no key or another key is given, or plain when a key is given, raises a
    :class:`StoreError` and is not modified. Before any migration of an existing file, a copy is
    written to the backups folder. What a killed import or export left in the scratch folder
    (decrypted attachments, unfinished package files) is removed, and so is what a conversion
    to an encrypted store left unfinished: the files and backups beside the store still plain
    are encrypted (``app.core.cipher.finish_encryption``).
    """
    check_data_dir(paths, create)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    if key is not None:
        key_pragma(key)  # a key of the wrong size is a bug, raised before anything is touched
    revision = inspect_store(paths.store, key)
    if revision is not None:  # a Doorstep data folder: only there can anything be left over
        scratch.clean_up(paths)
    if revision is not None and key is not None:
        from app.core import cipher

        if cipher.encryption_unfinished(paths):  # a conversion ended before its files did
            cipher.finish_encryption(paths, key)
    head = migrations.head_revision()
    if revision is not None and revision != head:
        backup_file(paths.store, paths.backups, f"rev{revision}", key)

    ctx = ConnectionContext(clock=clock)
    engine = make_engine(paths.store, ctx, key)
    try:
        if revision != head:
            _migrate(engine)
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT device_id, log_id FROM local_identity").first()
            conn.rollback()
        ctx.device_id = row[0] if row else None
        ctx.log_id = row[1] if row else None
    except store_errors() as exc:
        engine.dispose()
        problem = store_problem(exc, paths.store)
        if problem is not None:
            log.warning("cannot open %s: %s", paths.store, exc)
            raise problem from exc
        raise StoreError(N_("The data file {path} could not be opened: {error}"),
                         path=str(paths.store), error=str(exc)) from exc
    store = Store(paths, engine, ctx, key)
    # Every write leaves its entries in the record of what was done, whoever opened the store.
    from app.audit import trail

    trail.install(store)
    if key is not None:  # half-typed forms are sealed like the attachments
        from app.core import drafts

        drafts.use_cipher(paths, store.file_cipher())
    return store


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
