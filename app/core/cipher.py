"""The store encrypted at rest: converting a plain store in place.

The store is encrypted with SQLCipher 4 under a random 32-byte key, whose copies, one per staff
member's passphrase, ``app.core.keyring`` keeps. Converting a plain store in place
(``encrypt_store``) goes: a verified plain backup, an encrypted copy beside the store
(``sqlcipher_export``), verified, then renamed over the store. Its docstring says why a crash
at any point leaves one whole store. Then what else in the data
folder holds the store's contents in the clear is encrypted too (``finish_encryption``): the
attachments and thumbnails (``app.core.file_cipher``) and every plain backup, the conversion's
own among them; a crash there is finished by the next ``open_store`` with the key.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import closing
from pathlib import Path
from typing import Any

from app.core import drafts
from app.core.errors import (
    AppError,
    EncryptionFailedError,
    NoStoreError,
    StoreInUseError,
    write_problem,
)
from app.core.file_cipher import FileCipher, seal_in_place
from app.core.files import PART_SUFFIX, sync_folder
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.store import (
    BUSY_TIMEOUT_MS,
    DB_ERRORS,
    IN_USE,
    NO_STORE,
    backup_file,
    connect_file,
    inspect_store,
    is_plain_sqlite,
    key_pragma,
    sqlcipher_module,
    store_problem,
)
from models import migrate as migrations

log = logging.getLogger(__name__)

# How long the conversion waits for another program to let go of the store.
WAIT_FOR_OTHERS_S = BUSY_TIMEOUT_MS / 1000
# Where the encrypted copy is made, beside the store, before it is renamed over it.
ENCRYPTING_SUFFIX = ".encrypting"
# Written before the encrypted store takes the plain one's place, removed once the files and
# backups beside it are encrypted too: while it is there, opening with the key finishes that.
FILES_PENDING = "encrypting-files"
# The label of the backup made before a conversion (encrypted too once the conversion is done).
BEFORE_ENCRYPTION = "before-encryption"

NOT_VERIFIED = N_("The encrypted copy of the data file {path} did not check out, so the data "
                  "file was left as it was, not encrypted. The reason is in the log.")
BACKUP_NOT_VERIFIED = N_("The backup of the data file {path} did not check out, so the data "
                         "file was left as it was, not encrypted. The reason is in the log.")

# --- converting a plain store --------------------------------------------------------------------

def encrypt_store(paths: AppPaths, key: bytes) -> Path:
    """Encrypt the plain store in ``paths`` in place under ``key``, then the attachments,
    thumbnails and backups beside it (``finish_encryption``); return the backup of the store
    as it was before, encrypted too.

    1. The plain store is checkpointed (its WAL emptied into it) and copied to the backups
       folder; the copy must open and pass ``integrity_check`` at the same schema revision.
    2. ``sqlcipher_export`` writes an encrypted copy to ``doorstep.sqlite3.encrypting`` beside
       the store, which is flushed to disk and checked: it opens with the key, passes
       ``integrity_check``, is at the same revision and has as many rows in every table.
    3. The plain store's empty WAL files are removed and the copy is renamed over the store
       (``os.replace``, atomic within a folder), and the folder is synced.

    Why a crash leaves one whole store, never none: until the rename in 3 the store file is
    the plain store, untouched but for the checkpoint (which SQLite makes crash-safe); a
    leftover ``.encrypting`` file is only ever a copy, removed by the next attempt. Removing
    the WAL files in 3 loses nothing: the checkpoint emptied the WAL, which is checked, and no
    connection is open. The rename replaces the whole file at once, so after it the store file
    is the encrypted copy, already synced to disk and verified. The backup made in 1 is a
    further, verified copy of the plain store. Just before the rename, the marker
    ``encrypting-files`` is written: if the process ends before ``finish_encryption`` is
    done, the next ``open_store`` with the key finishes it (meanwhile each file is either
    plain or encrypted, and read either way).

    A full disk, a read-only disk or folder, or another program holding the store each raise
    their own error, with the plain store as it was and the partial copy removed. The store
    must not be open (the log-in converts it before opening it).
    """
    store = paths.store
    if not store.is_file() or store.stat().st_size == 0:
        raise NoStoreError(NO_STORE, path=str(paths.data_dir))
    key_pragma(key)  # a key of the wrong size is a bug: raised before anything is touched
    revision = inspect_store(store)  # a plain Doorstep store, else its own error
    if revision is None:
        raise NoStoreError(NO_STORE, path=str(paths.data_dir))
    target = store.with_name(store.name + ENCRYPTING_SUFFIX)
    try:
        _checkpoint(store)
        plain = _contents(store, None)
        if plain is None or plain[0] != revision:
            raise EncryptionFailedError(NOT_VERIFIED, path=str(store))
        counts = plain[1]
        before = _settled(store)
        backup = _verified_backup(store, paths, revision, counts)
        target.unlink(missing_ok=True)
        _export(store, target, key)
        _verify(store, target, key, revision, counts)
        if _settled(store) != before:  # someone wrote to the plain store meanwhile
            raise StoreInUseError(IN_USE, path=str(store))
        for extra in ("-wal", "-shm"):
            store.with_name(store.name + extra).unlink(missing_ok=True)
        _mark_files_pending(paths)
        os.replace(target, store)
    except BaseException as error:
        try:
            target.unlink(missing_ok=True)
            target.with_name(target.name + "-journal").unlink(missing_ok=True)
            if is_plain_sqlite(store):  # not renamed: nothing beside it to encrypt
                (paths.data_dir / FILES_PENDING).unlink(missing_ok=True)
        except OSError as left:
            log.warning("could not remove %s: %s", target, left)
        known = _known(error, store)
        if known is error:
            raise
        raise known from error
    sync_folder(store.parent)
    log.info("store %s encrypted; sealing the files and backups beside it", store)
    finish_encryption(paths, key)
    return backup


def _mark_files_pending(paths: AppPaths) -> None:
    """The marker of ``finish_encryption`` still to do, on disk before the store is renamed."""
    with (paths.data_dir / FILES_PENDING).open("wb") as f:
        os.fsync(f.fileno())
    sync_folder(paths.data_dir)


def _known(error: BaseException, store: Path) -> BaseException:
    """The product's error for what went wrong, or ``error`` itself."""
    if isinstance(error, AppError):
        return error
    if isinstance(error, DB_ERRORS):
        problem = store_problem(error, store)
        if problem is not None:
            return problem
        log.warning("encrypting %s failed: %s", store, error)
        return EncryptionFailedError(NOT_VERIFIED, path=str(store))
    if isinstance(error, OSError):
        return write_problem(error, error.filename or store)
    return error


def _checkpoint(store: Path) -> None:
    """Write the WAL back into the store file; refuse if anyone else has the store open."""
    with closing(connect_file(store, None, timeout=WAIT_FOR_OTHERS_S)) as con:
        con.isolation_level = None
        busy, _frames, _done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise StoreInUseError(IN_USE, path=str(store))


def _settled(store: Path) -> tuple[int, int, int]:
    """What must not change while the store is converted: its size and time, and its WAL's
    size (none, or empty, once checkpointed)."""
    wal = store.with_name(store.name + "-wal")
    stat = store.stat()
    wal_size = wal.stat().st_size if wal.exists() else 0
    if wal_size:
        raise StoreInUseError(IN_USE, path=str(store))
    return stat.st_size, stat.st_mtime_ns, wal_size


def _verified_backup(store: Path, paths: AppPaths, revision: str, counts: dict[str, int]
                     ) -> Path:
    backup = backup_file(store, paths.backups, BEFORE_ENCRYPTION)
    if _contents(backup, None) != (revision, counts):
        log.warning("backup %s of %s did not check out", backup, store)
        raise EncryptionFailedError(BACKUP_NOT_VERIFIED, path=str(store))
    return backup


def _export(store: Path, target: Path, key: bytes) -> None:
    """An encrypted copy of ``store`` as ``target``, synced to disk."""
    # SQLCipher's driver with no key: the plain store.
    con = sqlcipher_module().connect(str(store), isolation_level=None)
    try:
        con.execute("PRAGMA temp_store = MEMORY")
        con.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(target),))
        # One snapshot, and no other writer meanwhile.
        con.execute("BEGIN IMMEDIATE")
        con.execute("SELECT sqlcipher_export('encrypted')")
        # sqlcipher_export copies schema and rows, not the header's numbers.
        for pragma in ("application_id", "user_version"):
            value = int(con.execute(f"PRAGMA main.{pragma}").fetchone()[0])
            con.execute(f"PRAGMA encrypted.{pragma} = {value}")
        con.execute("COMMIT")
        con.execute("DETACH DATABASE encrypted")
    finally:
        con.close()
    with target.open("rb+") as f:
        os.fsync(f.fileno())


def _row_counts(con: Any) -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for name in names}


def _contents(path: Path, key: bytes | None) -> tuple[str, dict[str, int]] | None:
    """The schema revision and the rows in each table of the Doorstep store ``path``, if it
    opens (with ``key``) and passes ``integrity_check``; else None, the reason logged.

    Opened for writing though nothing is written: the last connection to close removes the
    WAL files beside it, which a read-only one would leave."""
    try:
        with closing(connect_file(path, key)) as con:
            integrity = con.execute("PRAGMA integrity_check").fetchall()
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = _row_counts(con)
    except DB_ERRORS as error:
        log.warning("%s cannot be read: %s", path, error)
        return None
    if integrity != [("ok",)] or app_id != migrations.APPLICATION_ID or row is None:
        log.warning("%s: integrity %s, application_id %s, revision %s", path, integrity[:3],
                    app_id, row)
        return None
    return str(row[0]), counts


def _verify(store: Path, target: Path, key: bytes, revision: str,
            counts: dict[str, int]) -> None:
    """Raise unless ``target`` opens with ``key``, is whole, and holds what ``store`` held:
    the same schema revision and as many rows in every table."""
    found = _contents(target, key)
    if found != (revision, counts):
        if found is not None:
            log.warning("encrypted copy %s: revision %s (not %s), rows differ in %s", target,
                        found[0], revision, sorted(n for n in counts.keys() | found[1].keys()
                                                   if counts.get(n) != found[1].get(n)))
        raise EncryptionFailedError(NOT_VERIFIED, path=str(store))


# --- what else holds the store's contents: files, backups --------------------------------------

def encryption_unfinished(paths: AppPaths) -> bool:
    """Whether a conversion ended before the files and backups beside the store were
    encrypted (see ``finish_encryption``)."""
    return (paths.data_dir / FILES_PENDING).exists()


def finish_encryption(paths: AppPaths, key: bytes) -> None:
    """After the store itself is encrypted under ``key``: encrypt the attachments and their
    thumbnails (``seal_plain_files``), the drafts of forms, and every plain backup
    (``encrypt_plain_backups``), then remove the ``encrypting-files`` marker. Each file is
    replaced whole (a crash leaves it plain or encrypted, never half of each, and both are
    read), so this can be run again until it ends."""
    files = seal_plain_files(paths, key)
    files += drafts.seal_plain_drafts(paths, FileCipher(key))  # forms half typed
    backups = encrypt_plain_backups(paths, key)
    (paths.data_dir / FILES_PENDING).unlink(missing_ok=True)
    sync_folder(paths.data_dir)
    log.info("encryption finished: %d files and %d backups encrypted", files, backups)


_ATTACHMENT_NAME = re.compile(r"[0-9a-f]{64}")
_THUMBNAIL_NAME = re.compile(r"[0-9a-f]{64}-[0-9]+\.png")


def _sealable(paths: AppPaths) -> list[tuple[Path, str]]:
    """The attachments and thumbnails (each file and the name it is sealed under)."""
    found: list[tuple[Path, str]] = []
    for folder, pattern in ((paths.attachments, _ATTACHMENT_NAME),
                            (paths.data_dir / "thumbnails", _THUMBNAIL_NAME)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and pattern.fullmatch(path.name):
                found.append((path, path.name))
            elif path.is_file() and path.name.startswith(".") \
                    and path.name.endswith(PART_SUFFIX):
                # What a killed write left: part of a file, in the clear.
                path.unlink()
    return found


def seal_plain_files(paths: AppPaths, key: bytes) -> int:
    """Encrypt, in place and each atomically, the attachments and thumbnails still plain
    (their names stay: an attachment's is the SHA-256 of its plain content); return how many."""
    cipher = FileCipher(key)
    sealed = 0
    for path, name in _sealable(paths):
        try:
            sealed += seal_in_place(path, name, cipher)
        except OSError as error:
            raise write_problem(error, path) from error
    return sealed


def encrypt_plain_backups(paths: AppPaths, key: bytes) -> int:
    """Encrypt, under ``key``, every plain SQLite file in the backups folder (the conversion's
    own backup, and those made before it, as a migration's ``rev…``); return how many.

    Each is exported (``sqlcipher_export``) to a copy beside it, which must open with the key,
    pass ``integrity_check`` and hold as many rows in every table; only then is it renamed over
    the plain file (keeping its name, so the backups stay in their order). A plain file is
    removed by that rename, not overwritten first: on an SSD or a journalling file system,
    overwriting does not reliably reach the blocks that held it, so it would add nothing but
    wear. A backup that does not open is left as it is, and said in the log."""
    if not paths.backups.is_dir():
        return 0
    encrypted = 0
    for backup in sorted(paths.backups.glob("*.sqlite3")):
        if not is_plain_sqlite(backup):
            continue
        found = _contents(backup, None)
        if found is None:
            log.warning("backup %s is not a whole store: left as it is, not encrypted", backup)
            continue
        target = backup.with_name(backup.name + ENCRYPTING_SUFFIX)
        try:
            target.unlink(missing_ok=True)
            _export(backup, target, key)
            if _contents(target, key) != found:
                raise EncryptionFailedError(NOT_VERIFIED, path=str(backup))
            os.replace(target, backup)
        except BaseException as error:
            target.unlink(missing_ok=True)
            target.with_name(target.name + "-journal").unlink(missing_ok=True)
            known = _known(error, backup)
            if known is error:
                raise
            raise known from error
        for extra in ("-wal", "-shm", "-journal"):
            backup.with_name(backup.name + extra).unlink(missing_ok=True)
        encrypted += 1
        log.info("backup %s encrypted", backup.name)
    sync_folder(paths.backups)
    return encrypted
