"""Scratch files of imports and exports, in one folder (``AppPaths.scratch``) that every start
empties.

A package's decrypted versions and roster are only ever held in memory. Its attachments (kept
in the clear in the attachments folder anyway) are streamed into a workspace here and moved into
place; an export notes here the ``.part`` file it is writing beside its target. Each operation
has its own workspace, ``KIND-XXXXXXXX/``, and holds a lock on ``KIND-XXXXXXXX.lock`` beside it
while it runs. The system drops the lock when the process ends, however it ends, so
:func:`clean_up` (called by ``open_store``) can tell a workspace a killed process left from one
another running Doorstep is using: it removes the first kind, with the ``.part`` file its
marker names, and leaves the second alone.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from app.core.paths import AppPaths

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
PART_MARKER = "part.json"
# Names tempfile.mkdtemp and mkstemp give: a workspace (Workspace.create), the scratch folder
# of an import before there was one scratch folder, and nothing else, is ever removed.
_WORKSPACE = re.compile(r"[a-z]+-[a-z0-9_]{8}")
_OLD_IMPORT = re.compile(r"import-[a-z0-9_]{8}")
# The file ``container.seal_to`` writes beside ``NAME`` (``app.core.files.atomic_file``):
# tempfile.mkstemp(".NAME.", ".part").
_PART = r"[a-z0-9_]{8}\.part"

# For tests that kill an import or an export at a known point. Inert unless PAUSE_ENV is set.
PAUSE_ENV = "DOORSTEP_TEST_PAUSE_AT"
READY_ENV = "DOORSTEP_TEST_READY_FILE"


def pause_for_tests(point: str) -> None:
    """When ``$DOORSTEP_TEST_PAUSE_AT`` is ``point``, write ``$DOORSTEP_TEST_READY_FILE`` and
    wait (five minutes at most) for the test to kill this process.

    The points: ``import-decrypted`` (the package checked, its attachments in the scratch
    folder), ``import-applying`` (inside the import's transaction), ``export-writing`` (the
    ``.part`` file made and noted).
    """
    if os.environ.get(PAUSE_ENV) != point:
        return
    Path(os.environ[READY_ENV]).write_text(point, encoding="utf-8")
    time.sleep(300)


class Workspace:
    """One import's or export's folder in the scratch folder, locked while in use.

    Make with :meth:`create`; :meth:`close` (or leaving a ``with`` block) removes it.
    """

    def __init__(self, paths: AppPaths, lock: Path, handle: BinaryIO) -> None:
        self.paths = paths
        self.folder = _folder_of(lock)
        self._lock, self._handle = lock, handle
        self.folder.mkdir(exist_ok=True)

    @classmethod
    def create(cls, paths: AppPaths, kind: str) -> Workspace:
        for _attempt in range(10):
            paths.scratch.mkdir(parents=True, exist_ok=True)
            try:
                fd, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=LOCK_SUFFIX,
                                            dir=paths.scratch)
            except FileNotFoundError:  # another Doorstep removed the empty folder just then
                continue
            handle = os.fdopen(fd, "rb")
            # Another Doorstep's clean_up may have taken and removed it before we locked it.
            if _try_lock(handle) and _still_at(handle, Path(name)):
                try:
                    return cls(paths, Path(name), handle)
                except BaseException:
                    _release(handle)
                    Path(name).unlink(missing_ok=True)
                    raise
            handle.close()
        raise OSError(f"could not make a workspace in {paths.scratch}")

    def note_part(self, part: Path) -> None:
        """Name the ``.part`` file an export is writing, for the next start to remove if this
        process is killed."""
        (self.folder / PART_MARKER).write_text(json.dumps({"part": str(part)}), encoding="utf-8")
        pause_for_tests("export-writing")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        _release(self._handle)
        with suppress(OSError):
            self._lock.unlink()
        with suppress(OSError):
            self.paths.scratch.rmdir()  # unless another workspace is in it

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def clean_up(paths: AppPaths) -> None:
    """Remove what killed imports and exports left: their workspaces (decrypted attachments),
    the ``.part`` files they named, and the ``import-*`` folders of earlier versions.

    Whatever a running Doorstep is using is left alone.
    """
    with suppress(OSError):
        for old in paths.data_dir.iterdir():
            if _OLD_IMPORT.fullmatch(old.name) and old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
                log.info("removed the leftover scratch folder %s", old)
    if not paths.scratch.is_dir():
        return
    for lock in sorted(paths.scratch.glob("*" + LOCK_SUFFIX)):
        if not _WORKSPACE.fullmatch(lock.name.removesuffix(LOCK_SUFFIX)):
            continue
        try:
            handle = lock.open("rb")
        except OSError:
            continue
        try:
            if not _try_lock(handle):
                continue  # a running Doorstep's
            folder = _folder_of(lock)
            _remove_part(_noted_part(folder))
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed the leftover workspace %s", folder)
        finally:
            _release(handle)
        with suppress(OSError):
            lock.unlink()
    with suppress(OSError):
        for entry in list(paths.scratch.iterdir()):
            # A workspace without its lock (its removal was cut short): nobody is using it.
            if _WORKSPACE.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink() \
                    and not entry.with_name(entry.name + LOCK_SUFFIX).exists():
                shutil.rmtree(entry, ignore_errors=True)
        paths.scratch.rmdir()


def remove_stale_parts(paths: AppPaths, target: Path) -> None:
    """Remove the ``.part`` files killed exports to ``target`` left beside it (an export that
    is running, in another Doorstep, keeps its own)."""
    pattern = re.compile(re.escape(f".{target.name}.") + _PART)
    in_use = {part.resolve() for part in _parts_in_use(paths)}
    with suppress(OSError):
        for entry in target.parent.iterdir():
            if pattern.fullmatch(entry.name) and entry.resolve() not in in_use:
                _remove_part(entry)


def _parts_in_use(paths: AppPaths) -> list[Path]:
    found = []
    with suppress(OSError):
        for lock in paths.scratch.glob("*" + LOCK_SUFFIX):
            part = _noted_part(_folder_of(lock))
            if part is not None and _in_use(lock):
                found.append(part)
    return found


def _in_use(lock: Path) -> bool:
    try:
        handle = lock.open("rb")
    except OSError:
        return False
    free = _try_lock(handle)
    _release(handle)
    return not free


def _folder_of(lock: Path) -> Path:
    return lock.with_name(lock.name.removesuffix(LOCK_SUFFIX))


def _noted_part(folder: Path) -> Path | None:
    try:
        noted = json.loads((folder / PART_MARKER).read_text(encoding="utf-8"))["part"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Path(noted) if isinstance(noted, str) else None


def _remove_part(part: Path | None) -> None:
    """Only a file whose name is one ``seal_to`` gives its ``.part`` files is ever removed."""
    if part is None or not re.fullmatch(r"\..+\." + _PART, part.name):
        return
    with suppress(OSError):
        if part.is_file() and not part.is_symlink():
            part.unlink()
            log.info("removed the unfinished package %s", part)


def _try_lock(handle: BinaryIO) -> bool:
    try:
        if sys.platform == "win32":
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _release(handle: BinaryIO) -> None:
    """Unlock (when locked) and close."""
    with suppress(OSError):
        if sys.platform == "win32":
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    handle.close()


def _still_at(handle: BinaryIO, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), path.stat())
    except OSError:
        return False
