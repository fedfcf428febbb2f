"""Copies of the store in the backups folder: written whole and checked, kept in rotation.

Every backup is written the same way (``write_backup``): SQLite's backup API copies the store
(a consistent snapshot, WAL included) to a ``.part`` file in the backups folder, under the
store's key when the store is encrypted (so a backup holds nothing readable either); the copy
is checked (it opens with the key, passes ``quick_check``, is a Doorstep store at the store's
schema revision), synced to disk and renamed to its final name, and the folder is synced. A
full or read-only disk raises the product's own message, the ``.part`` file is removed, and the
store is never touched.

A backup's name says when and why it was made: ``doorstep-20261120T093000123456Z-daily.sqlite3``
(UTC). Each kind is kept in rotation: the newest ``KEEP[kind]`` of it stay, older ones are
removed once a new one is written. Kinds: the first backup of each day (``daily``), one before
every sync import (``import``), one before every migration (``rev0012``, the revision it was
made at), one asked for (``manual``), one before a restore (``before-restore``, so a restore
can be undone); any other label (``plain``, the copy made before a store is encrypted) keeps
``KEEP_OTHER``.

The use cases built on this (backing up to a USB stick, restoring) are in ``app.backups``.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import (
    DISK_FULL,
    FOLDER_MISSING,
    AppError,
    DiskFullError,
    FileProblemError,
    FolderMissingError,
    ReadOnlyDiskError,
    write_problem,
)
from app.core.files import sync_folder
from app.core.i18n import N_
from app.core.store import DB_ERRORS, _error_code, connect_file, read_only_uri
from models import migrate as migrations

if TYPE_CHECKING:
    from app.core.paths import AppPaths
    from app.core.store import Store

log = logging.getLogger(__name__)

DAILY, IMPORT, MIGRATION, MANUAL, BEFORE_RESTORE = (
    "daily", "import", "migration", "manual", "before-restore")
# How many of each kind stay; older ones are removed when a new one is written.
KEEP = {DAILY: 7, IMPORT: 3, MIGRATION: 3, MANUAL: 5, BEFORE_RESTORE: 3}
KEEP_OTHER = 10
PREFIX, SUFFIX = "doorstep-", ".sqlite3"
PART_SUFFIX = ".part"
_NAME = re.compile(r"^doorstep-(\d{8}T\d{12}Z)-([A-Za-z0-9_-]+)\.sqlite3$")
_STAMP = "%Y%m%dT%H%M%S%fZ"
# What reading a damaged file may raise: SQLite's errors, or text that is not UTF-8.
UNREADABLE: tuple[type[Exception], ...] = (*DB_ERRORS, UnicodeDecodeError, ValueError)

# L10N: the kinds of backup, in the list of backups.
KIND_LABELS = {
    DAILY: N_("Daily"),
    IMPORT: N_("Before a sync import"),
    MIGRATION: N_("Before an update of the data file"),
    MANUAL: N_("Made by hand"),
    BEFORE_RESTORE: N_("Before a restore"),
}
OTHER_KIND_LABEL = N_("Other")

NOT_WRITTEN = N_("The backup could not be written to {folder}: the disk or the folder is "
                 "read-only, or this user may not write there. The data file was not changed.")
NOT_VERIFIED = N_("The backup written to {path} did not check out, so it was removed. The data "
                  "file was not changed. The reason is in the log.")


class BackupError(AppError):
    """A backup could not be written or used; the store was not changed."""


@dataclass(frozen=True)
class BackupEntry:
    """A backup in the backups folder."""

    path: Path
    taken_at: datetime  # aware, UTC
    label: str
    size: int

    @property
    def kind(self) -> str:
        return kind_of(self.label)


def kind_of(label: str) -> str:
    """The rotation kind of a backup's label: ``rev0012`` is a migration's."""
    if re.fullmatch(r"rev[0-9A-Za-z_]+", label):
        return MIGRATION
    return label


def kind_label(kind: str) -> str:
    """The msgid naming a kind of backup (translated where shown)."""
    return KIND_LABELS.get(kind, OTHER_KIND_LABEL)


def parse_name(path: Path) -> tuple[datetime, str] | None:
    """(when, label) of a backup file's name, or None for any other file."""
    found = _NAME.match(path.name)
    if found is None:
        return None
    try:
        when = datetime.strptime(found.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return when, found.group(2)


def list_backups(backups: Path) -> list[BackupEntry]:
    """The backups in the folder ``backups``, newest first (none when it does not exist)."""
    found = []
    try:
        names = list(backups.iterdir())
    except OSError:
        return []
    for path in names:
        parsed = parse_name(path)
        if parsed is None:
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        found.append(BackupEntry(path, parsed[0], parsed[1], size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def rotate(backups: Path, label: str) -> list[Path]:
    """Remove the backups of ``label``'s kind beyond the newest ``KEEP[kind]``; the removed."""
    kind = kind_of(label)
    keep = KEEP.get(kind, KEEP_OTHER)
    same = [b for b in list_backups(backups) if b.kind == kind]
    removed = []
    for stale in same[keep:]:
        try:
            stale.path.unlink()
            removed.append(stale.path)
        except OSError as error:
            log.warning("could not remove the old backup %s: %s", stale.path, error)
    return removed


def _new_name(backups: Path, label: str, now: datetime | None) -> Path:
    when = (now or datetime.now(UTC)).astimezone(UTC)
    target = backups / f"{PREFIX}{when.strftime(_STAMP)}-{label}{SUFFIX}"
    while target.exists():  # two in one microsecond (a fake clock in a test)
        when = when.replace(microsecond=(when.microsecond + 1) % 1_000_000)
        target = backups / f"{PREFIX}{when.strftime(_STAMP)}-{label}{SUFFIX}"
    return target


def _remove_part(part: Path) -> None:
    for extra in ("", "-wal", "-shm", "-journal"):
        try:
            part.with_name(part.name + extra).unlink(missing_ok=True)
        except OSError as left:
            log.warning("could not remove %s: %s", part, left)


def copy_problem(error: BaseException, target: Path) -> BaseException:
    """The product's message for what went wrong writing a copy to ``target`` (a full disk,
    a read-only or missing folder), or ``error`` itself."""
    if isinstance(error, AppError):
        return error
    if isinstance(error, OSError):
        if not target.parent.exists():
            return FolderMissingError(FOLDER_MISSING, folder=str(target.parent))
        return write_problem(error, target)
    if isinstance(error, DB_ERRORS):
        code = _error_code(error)
        text = str(error)
        if code == sqlite3.SQLITE_FULL or "disk is full" in text:
            return DiskFullError(DISK_FULL, path=str(target))
        if not target.parent.exists():
            return FolderMissingError(FOLDER_MISSING, folder=str(target.parent))
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM,
                    sqlite3.SQLITE_IOERR) or "readonly" in text:
            return ReadOnlyDiskError(NOT_WRITTEN, folder=str(target.parent))
    return error


def store_revision(con: Any) -> str | None:
    """The schema revision of an open Doorstep store, or None when it is not one."""
    if con.execute("PRAGMA application_id").fetchone()[0] != migrations.APPLICATION_ID:
        return None
    row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def check_copy(path: Path, key: bytes | None, *, full: bool = False) -> str | None:
    """The schema revision of the Doorstep store ``path`` if it opens with ``key`` and passes
    SQLite's check (``quick_check``, or the slower ``integrity_check`` with ``full``); else
    None, the reason logged. Opened for writing though nothing is written: the last connection
    to close removes the WAL files it made beside the file."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        with closing(connect_file(path, key)) as con:
            found = con.execute(f"PRAGMA {pragma}").fetchall()
            revision = store_revision(con)
    except UNREADABLE as error:
        log.warning("%s cannot be read: %s", path, error)
        return None
    if found != [("ok",)] or revision is None:
        log.warning("%s: %s %s, revision %s", path, pragma, found[:3], revision)
        return None
    return revision


def write_backup(source: Path, backups: Path, label: str, key: bytes | None = None, *,
                 now: datetime | None = None) -> Path:
    """A checked copy of the store file ``source`` in the folder ``backups`` (made if need be),
    encrypted under ``key`` when given (the store's); older ones of its kind are removed."""
    try:
        backups.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise copy_problem(error, backups / "x") from error
    target = _new_name(backups, label, now)
    part = target.with_name(target.name + PART_SUFFIX)
    try:
        with closing(connect_file(read_only_uri(source), key, uri=True)) as src, \
                closing(connect_file(part, key)) as dst:
            revision = store_revision(src)
            src.backup(dst)
        if revision is None or check_copy(part, key) != revision:
            log.warning("backup %s of %s (revision %s) did not check out", part, source,
                        revision)
            raise BackupError(NOT_VERIFIED, path=str(target))
        with part.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(part, target)
    except BaseException as error:
        _remove_part(part)
        known = copy_problem(error, target)
        if known is error:
            raise
        log.warning("backup to %s failed: %s", target, error)
        raise known from error
    sync_folder(backups)
    rotate(backups, label)
    log.info("backed up %s to %s", source, target)
    return target


def back_up(store: Store, label: str) -> Path:
    """A backup of the open store, encrypted like it."""
    return write_backup(store.paths.store, store.paths.backups, label, store._key)


# --- the daily backup ----------------------------------------------------------------------------

def daily_backup_due(paths: AppPaths, today: date | None = None) -> bool:
    """Whether today has no daily backup yet (by the names in the backups folder: cheap)."""
    today = today or date.today()
    for entry in list_backups(paths.backups):
        if entry.kind == DAILY and entry.taken_at.astimezone().date() >= today:
            return False
    return True


def back_up_daily(store: Store, today: date | None = None) -> Path | None:
    """Today's daily backup, when there is none yet; None when there is. Meant to run on the
    worker once the window is up (and at each new day); a problem raises its message. A hub's
    database is backed up on its server (``app.core.server``): None."""
    if store.on_server or not daily_backup_due(store.paths, today):
        return None
    return back_up(store, DAILY)


def is_backup_problem(error: BaseException) -> bool:
    """Whether ``error`` is one of the messages a backup raises (for callers that go on)."""
    return isinstance(error, (BackupError, FileProblemError))
