"""Backup use cases: back up now, back up to a USB stick, list the backups, restore one.

The backups themselves are written, checked and rotated by ``app.core.backups``; the store
makes its own before every migration, the sync import before applying a package, and the
window the first one of each day (``app.core.backups.back_up_daily``).

**Restoring** takes the store's paths and key, never an open store: the window closes the
store first and opens it again afterwards. It goes:

1. The backup is copied into a workspace of the scratch folder and checked there: it opens with
   the key, passes ``integrity_check``, is a Doorstep store of a schema this version knows (an
   older one is migrated there), and belongs to this laptop (another laptop's backup is
   restored only when asked to, after the person was told which laptop it is).
2. A fresh sync log is taken in that copy (``app.sync.signed.new_incarnation``, signed by the
   laptop's key, unwrapped from the backup with the sync passphrase): the versions this laptop
   wrote after the backup was made may have reached other laptops already, and their ids must
   never be used again for other changes. How far this laptop's logs went before the restore
   is noted as how much it is *behind* (``local_identity.behind``), so that it gives provisional
   registration numbers until it has read back what it registered since the backup.
3. The current store is backed up (``before-restore``), so the restore can be undone.
4. The prepared copy is renamed over the store (atomic within the data folder), the store's
   old WAL files removed first, and the folder synced.

Until step 4 the store is as it was; after it, the store is the whole prepared copy. What this
laptop changed after the backup is gone from it, unless other laptops hold it: the office sends
it back at the next exchange (``app.sync.signed``: the batches of the old log).

**Backing up to a USB stick** writes, into a dated folder on the stick, a checked backup, the
list of passphrases (``store-keys.json``: only passphrase-wrapped copies of the store key, which
an encrypted backup needs) and the scans and photos; the folder is a data folder that restoring
can read.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core import access, scratch
from app.core import backups as files
from app.core.backups import UNREADABLE, BackupError
from app.core.errors import (
    FOLDER_MISSING,
    MISSING_FILE,
    FolderMissingError,
    FolderNotFileError,
    MissingFileError,
    StoreInUseError,
)
from app.core.files import sync_folder
from app.core.i18n import N_
from app.core.paths import STORE_FILE, AppPaths
from app.core.progress import SILENT, Progress, check
from app.core.store import (
    IN_USE,
    Store,
    connect_file,
    has_store,
    inspect_store,
    is_plain_sqlite,
    looks_encrypted,
    open_store,
)
from app.sync import crypto, engine, signed
from app.sync.crypto import DeviceKeys
from models import migrate as migrations

log = logging.getLogger(__name__)

KEYS_FILE = "store-keys.json"  # app.core.cipher.STORE_KEYS_FILE
USB_FOLDER_PREFIX = "Doorstep-backup-"
USB_LABEL = "usb"

CHECKING = N_("Checking the backup…")
PREPARING = N_("Preparing the restored data…")
BACKING_UP = N_("Backing up the current data…")
REPLACING = N_("Replacing the data file…")
WRITING = N_("Writing the backup…")
COPYING_SCANS = N_("Copying the scans and photos…")

DAMAGED = N_("The backup {path} is damaged or incomplete, so it cannot be restored. Nothing was "
             "changed.")
NOT_A_BACKUP = N_("The file {path} is not a Doorstep backup. Nothing was changed.")
WRONG_KEY = N_("The backup {path} does not open with this laptop's key: it is a backup of "
               "another laptop's encrypted data. Nothing was changed.")
ENCRYPTED = N_("The backup {path} is encrypted, and the data on this laptop is not: it cannot "
               "be opened here. Nothing was changed.")
NOT_ENCRYPTED = N_("The backup {path} is not encrypted, and the data on this laptop is: it is "
                   "restored only by the person who looks after Doorstep. Nothing was changed.")
NEWER = N_("The backup {path} was made by a newer version of Doorstep. Please update Doorstep "
           "on this laptop first. Nothing was changed.")
OTHER_LAPTOP = N_("The backup {path} is of another laptop: {laptop} ({office}). Restoring it "
                  "makes this laptop that laptop.")
BEFORE_ENROLMENT = N_("The backup {path} was made before this laptop joined its office: it holds "
                      "no sync keys. Restoring it would cut this laptop off from the office. "
                      "Nothing was changed.")
NO_KEYS_FILE = N_("The data is encrypted, but there is no list of passphrases in {path}: the "
                  "backup could not be opened without it. Nothing was written to the USB "
                  "stick.")
NOT_A_FOLDER = N_("{path} is a file, not a folder: choose the USB stick's folder.")
RESTORED = N_("The data of {when} was restored ({kind}). What was changed on this laptop after "
              "that is gone from it, unless it reached the office or another laptop: it comes "
              "back at the next exchange with the office. The data as it was before the "
              "restore was backed up first, so this restore can be undone.")


class OtherLaptopError(BackupError):
    """The backup is of another laptop; restore it only if the person confirms."""


# --- listing and backing up ----------------------------------------------------------------------

@dataclass(frozen=True)
class BackupRow:
    """A backup as the list of backups shows it."""

    path: Path
    taken_at: datetime  # aware, UTC
    kind: str
    kind_label: str  # an N_ msgid, translated where shown
    size: int


def list_backups(paths: AppPaths) -> list[BackupRow]:
    """The backups in the data folder's backups folder, newest first."""
    return [BackupRow(b.path, b.taken_at, b.kind, files.kind_label(b.kind), b.size)
            for b in files.list_backups(paths.backups)]


def back_up_now(store: Store, progress: Progress = SILENT) -> Path:
    """A backup of the store, asked for by a person (kept in rotation with the others)."""
    progress.stage(WRITING)
    progress(0, 0)
    return files.back_up(store, files.MANUAL)


@dataclass(frozen=True)
class FolderBackup:
    """A backup written to a folder outside the data folder (a USB stick)."""

    folder: Path
    store_file: Path
    keys_file: Path | None
    scans: int


def back_up_to_folder(store: Store, folder: Path, progress: Progress = SILENT,
                      now: datetime | None = None) -> FolderBackup:
    """Everything needed to restore this laptop, in a new dated folder inside ``folder`` (a
    USB stick): a checked backup of the store (encrypted like it), the list of passphrases,
    and the scans and photos. A missing or removed stick, a full or read-only one raise their
    message; a partly written folder is removed; the store is never changed."""
    if not folder.exists():
        raise FolderMissingError(FOLDER_MISSING, folder=str(folder))
    if not folder.is_dir():
        raise FolderNotFileError(NOT_A_FOLDER, path=str(folder))
    keys_source = store.paths.data_dir / KEYS_FILE
    if store.encrypted and not keys_source.is_file():
        raise BackupError(NO_KEYS_FILE, path=str(store.paths.data_dir))
    when = (now or datetime.now(UTC)).astimezone()
    target = folder / f"{USB_FOLDER_PREFIX}{when.strftime('%Y-%m-%d-%H%M%S')}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{USB_FOLDER_PREFIX}{when.strftime('%Y-%m-%d-%H%M%S')}-{n}"
    try:
        target.mkdir()
    except OSError as error:
        raise files.copy_problem(error, target / STORE_FILE) from error
    try:
        progress.stage(WRITING)
        progress(0, 0)
        written = files.write_backup(store.paths.store, target, USB_LABEL, store._key, now=now)
        check(progress)
        if files.check_copy(written, store._key, full=True) is None:
            raise BackupError(files.NOT_VERIFIED, path=str(written))
        keys_copy = None
        if keys_source.is_file():
            keys_copy = target / KEYS_FILE
            _copy_file(keys_source, keys_copy)
        progress.stage(COPYING_SCANS)
        scans = _copy_tree(store.paths.attachments, target / "attachments", progress)
        sync_folder(target)
        sync_folder(folder)
    except BaseException as error:
        shutil.rmtree(target, ignore_errors=True)
        known = files.copy_problem(error, target / STORE_FILE)
        if known is error:
            raise
        raise known from error
    log.info("backed up to %s (%d scans)", target, scans)
    return FolderBackup(target, written, keys_copy, scans)


def _copy_file(source: Path, target: Path) -> None:
    """``source`` copied to ``target``, synced, and read back alike."""
    with source.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())
    if os.path.getsize(source) != os.path.getsize(target):
        raise BackupError(files.NOT_VERIFIED, path=str(target))


def _copy_tree(source: Path, target: Path, progress: Progress) -> int:
    if not source.is_dir():
        return 0
    found = sorted(p for p in source.rglob("*") if p.is_file())
    for done, path in enumerate(found):
        check(progress)
        progress(done, len(found))
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        _copy_file(path, copy)
    for folder in sorted({p.parent for p in found}):
        sync_folder(target / folder.relative_to(source))
    return len(found)


# --- restoring -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds, as checked."""

    path: Path
    taken_at: datetime | None  # from its name; None when renamed
    kind: str
    revision: str
    device_id: str | None
    device_name: str
    office_name_zh: str
    office_name_bo: str
    has_sync_keys: bool


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    undo: Path | None  # the backup of the data as it was before the restore
    new_log: str | None  # the fresh sync log this laptop writes to from now on
    migrated: bool  # the backup was made by an older version, and was updated

def may_restore(store: Store) -> None:
    """Refuse unless the logged-in staff member may restore a backup (a leader or the office
    administrator): the window asks this of the open store before it closes it to restore."""
    with store.read() as session:
        access.require(session, store.ctx, access.Permission.MANAGE_LAPTOPS)


def _refuse_unreadable(path: Path, key: bytes | None) -> None:
    """Raise the message for a file that is not a backup we can open with ``key``."""
    if key is None and not is_plain_sqlite(path):
        if looks_encrypted(path):
            raise BackupError(ENCRYPTED, path=str(path))
        raise BackupError(NOT_A_BACKUP, path=str(path))
    if key is not None and is_plain_sqlite(path):
        raise BackupError(NOT_ENCRYPTED, path=str(path))


def _describe(copy: Path, source: Path, key: bytes | None) -> BackupInfo:
    """Check the staged copy ``copy`` of the backup ``source`` and say what it holds."""
    _refuse_unreadable(copy, key)
    try:
        with closing(connect_file(copy, key)) as con:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except UNREADABLE as error:
        log.warning("backup %s does not open: %s", source, error)
        if key is not None and looks_encrypted(copy):
            raise BackupError(WRONG_KEY, path=str(source)) from error
        raise BackupError(DAMAGED if copy.stat().st_size else NOT_A_BACKUP,
                          path=str(source)) from error
    try:
        with closing(connect_file(copy, key)) as con:
            if con.execute("PRAGMA application_id").fetchone()[0] != migrations.APPLICATION_ID:
                raise BackupError(NOT_A_BACKUP, path=str(source))
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables or "local_identity" not in tables:
                raise BackupError(NOT_A_BACKUP, path=str(source))
            revision = files.store_revision(con)
            if revision is None:
                raise BackupError(NOT_A_BACKUP, path=str(source))
            if revision not in migrations.known_revisions():
                raise BackupError(NEWER, path=str(source))
            if con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise BackupError(DAMAGED, path=str(source))
            identity = con.execute("SELECT device_id FROM local_identity").fetchone()
            device_id = str(identity[0]) if identity else None
            found = con.execute(
                "SELECT d.name, o.name_zh, o.name_bo FROM device d LEFT JOIN office o"
                " ON o.id = d.office_id WHERE d.id = ?", (device_id,)).fetchone()
            keys = con.execute("SELECT 1 FROM sync_secret WHERE name = 'device'").fetchone()
    except UNREADABLE as error:
        log.warning("backup %s cannot be read: %s", source, error)
        raise BackupError(DAMAGED, path=str(source)) from error
    parsed = files.parse_name(source)
    return BackupInfo(source, parsed[0] if parsed else None,
                      files.kind_of(parsed[1]) if parsed else files.MANUAL, revision, device_id,
                      str(found[0] or "") if found else "", str(found[1] or "") if found else "",
                      str(found[2] or "") if found else "", keys is not None)


def _stage(source: Path, folder: Path, progress: Progress) -> Path:
    """``source`` copied as the store file of the data folder ``folder``, synced."""
    if not source.exists():
        raise MissingFileError(MISSING_FILE, path=str(source))
    if source.is_dir():
        raise FolderNotFileError(N_("{path} is a folder, not a file."), path=str(source))
    copy = folder / STORE_FILE
    total = source.stat().st_size
    with source.open("rb") as src, copy.open("wb") as dst:
        done = 0
        while block := src.read(1 << 20):
            dst.write(block)
            done += len(block)
            progress(done, total)
        dst.flush()
        os.fsync(dst.fileno())
    return copy


def describe_backup(paths: AppPaths, source: Path, key: bytes | None) -> BackupInfo:
    """Check the backup ``source`` (a copy of it, in the scratch folder) and say what it is;
    raise its message when it cannot be restored here. Nothing is changed."""
    with scratch.Workspace.create(paths, "restore") as work:
        return _describe(_stage(source, work.folder, SILENT), source, key)


@dataclass(frozen=True)
class _Current:
    device_id: str | None
    has_keys: bool
    logs: dict[str, int]  # this laptop's own logs: the highest counter it sent of each


def _current(paths: AppPaths, key: bytes | None) -> _Current | None:
    """What the store about to be replaced says of this laptop; None when it cannot be read
    (damaged: often why a backup is restored)."""
    if not has_store(paths):
        return None
    try:
        with closing(connect_file(paths.store, key)) as con:
            row = con.execute("SELECT device_id FROM local_identity").fetchone()
            if row is None:
                return _Current(None, False, {})
            device_id = str(row[0])
            keys = con.execute("SELECT 1 FROM sync_secret WHERE name = 'device'").fetchone()
            # How far it sent each of its own logs: the versions it signed, which it does only
            # as it exports them. What it wrote after its last export reached nobody and is
            # lost with the restore: nothing is waited for that will never come back.
            mine = set(signed.logs_of(con, device_id))
            sent = {str(lg): int(n) for lg, n in con.execute(
                "SELECT log_id, MAX(last_counter) FROM sync_batch WHERE signer = 'author'"
                " GROUP BY log_id")}
            return _Current(device_id, keys is not None,
                            {lg: n for lg, n in sent.items() if lg in mine})
    except UNREADABLE as error:
        log.warning("the store to be replaced cannot be read: %s", error)
        return None


def _keys_in(copy: Path, key: bytes | None, passphrase: str | None) -> DeviceKeys:
    with closing(connect_file(copy, key)) as con:
        blob = con.execute("SELECT blob FROM sync_secret WHERE name = 'device'").fetchone()
    return crypto.unwrap_private(json.loads(blob[0]), passphrase or "")


def _fresh_log(folder: Path, key: bytes | None, keys: DeviceKeys | None,
               before: _Current | None) -> tuple[str | None, bool]:
    """Open the staged copy (migrating it if it is older), move it to a fresh sync log and
    note how far this laptop's logs went before the restore. (fresh log, migrated)"""
    staged = AppPaths(folder)
    migrated = inspect_store(staged.store, key) != migrations.head_revision()
    store = open_store(staged, key=key, create=False)
    try:
        new_log = None
        if keys is not None:
            with store.sync_write() as session, engine.capture_off(store, session) as raw:
                new_log = signed.new_incarnation(raw, keys)
                _note_behind(raw, before)
            store.ctx.log_id = new_log
    finally:
        store.close()
    return new_log, migrated


def _note_behind(raw: Any, before: _Current | None) -> None:
    """How much of its earlier logs this laptop wrote before the restore and no longer holds
    (``app.petitions.numbering`` gives provisional numbers until it holds them again)."""
    if before is None or not before.logs:
        return
    found = raw.execute("SELECT behind FROM local_identity").fetchone()[0]
    behind = {str(k): int(v) for k, v in json.loads(found or "{}").items()}
    held = signed.vector(raw)
    for log_id, counter in before.logs.items():
        if counter > held.get(log_id, 0):
            behind[log_id] = max(behind.get(log_id, 0), counter)
    raw.execute("UPDATE local_identity SET behind = ?",
                (json.dumps(behind, sort_keys=True) if behind else None,))


def _back_up_current(paths: AppPaths, key: bytes | None, readable: bool) -> Path | None:
    """The store as it is, into the backups folder: checked, unless it cannot be read (then
    copied as it is, for whoever looks after Doorstep)."""
    if not has_store(paths):
        return None
    if readable:
        with closing(connect_file(paths.store, key)) as con:
            con.isolation_level = None
            busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            raise StoreInUseError(IN_USE, path=str(paths.store))
        return files.write_backup(paths.store, paths.backups, files.BEFORE_RESTORE, key)
    paths.backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = paths.backups / f"damaged-{stamp}{files.SUFFIX}"
    try:
        _copy_file(paths.store, target)
    except OSError as error:
        target.unlink(missing_ok=True)
        raise files.copy_problem(error, target) from error
    return target


def restore_backup(paths: AppPaths, source: Path, key: bytes | None,
                   passphrase: str | None = None, *, other_laptop: bool = False,
                   progress: Progress = SILENT) -> Restored:
    """Replace the store in ``paths`` (closed) by the backup ``source``, checked first, in a
    fresh sync log; see the module's docstring. ``key`` is the store key (None for a plain
    store); ``passphrase`` the sync keys' (needed when the backup holds them: a wrong one
    raises, nothing changed). Another laptop's backup raises :class:`OtherLaptopError` unless
    ``other_laptop``. Any refusal leaves the store as it was."""
    with scratch.Workspace.create(paths, "restore") as work:
        progress.stage(CHECKING)
        try:
            copy = _stage(source, work.folder, progress)
        except OSError as error:
            raise files.copy_problem(error, work.folder / STORE_FILE) from error
        info = _describe(copy, source, key)
        check(progress)
        before = _current(paths, key)
        if before is not None and before.device_id not in (None, info.device_id) \
                and not other_laptop:
            raise OtherLaptopError(OTHER_LAPTOP, path=str(source),
                                   laptop=info.device_name or str(info.device_id),
                                   office=info.office_name_zh or "-")
        if before is not None and before.has_keys and not info.has_sync_keys:
            raise BackupError(BEFORE_ENROLMENT, path=str(source))
        keys = _keys_in(copy, key, passphrase) if info.has_sync_keys else None
        check(progress)
        progress.stage(PREPARING)
        progress(0, 0)
        readable = before is not None
        if before is not None and before.device_id != info.device_id:
            before = None  # another laptop's logs say nothing of this one's
        new_log, migrated = _fresh_log(work.folder, key, keys, before)
        if files.check_copy(copy, key) is None:
            raise BackupError(DAMAGED, path=str(source))
        check(progress)
        progress.stage(BACKING_UP)
        undo = _back_up_current(paths, key, readable)
        progress.stage(REPLACING)
        try:
            for extra in ("-wal", "-shm"):
                paths.store.with_name(STORE_FILE + extra).unlink(missing_ok=True)
            os.replace(copy, paths.store)
        except OSError as error:
            raise files.copy_problem(error, paths.store) from error
        sync_folder(paths.data_dir)
    keys_file = source.parent / KEYS_FILE
    if keys_file.is_file() and not (paths.data_dir / KEYS_FILE).exists():
        shutil.copyfile(keys_file, paths.data_dir / KEYS_FILE)  # a restore onto a new laptop
    log.warning("store restored from %s (made at %s, revision %s); fresh log %s", source,
                info.taken_at, info.revision, new_log)
    return Restored(info, undo, new_log, migrated)

