"""Files written whole or not at all: the one way Doorstep writes a file.

A file is written beside its target, to ``.NAME.XXXXXXXX.part`` in the same folder, flushed and
synced to the disk, renamed over the target, and then the folder itself is synced where the
system allows it (not on Windows), so that the rename survives a power cut or a USB stick pulled
out. A reader sees the previous file or the new one, never half of one; whatever goes wrong, the
``.part`` file is removed and the previous file stays as it was.

A disk problem is raised as the product's own error (``app.core.errors``): a full disk, a
read-only disk, a protected file or folder, a folder that does not exist, a folder where the file
should be.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from app.core.errors import write_problem

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """``data`` as the whole content of ``path``."""
    with atomic_file(path) as out:
        out.write(data)


@contextmanager
def atomic_file(path: str | os.PathLike[str], *,
                on_part: Callable[[Path], None] | None = None) -> Iterator[BinaryIO]:
    """A binary handle whose content becomes ``path`` when the block ends without an error.

    ``on_part`` is told the ``.part`` file's name before anything is written to it (a sync
    export notes it, for the next start to remove if this process is killed). An error in the
    block is raised as it was, except an ``OSError`` of writing (one naming no other file),
    which becomes the product's message about ``path``.
    """
    target = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART_SUFFIX,
                                    dir=target.parent)
    except OSError as error:
        raise _problem(error, target) from error
    part = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            if on_part is not None:
                on_part(part)
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
    except BaseException as error:
        try:
            part.unlink(missing_ok=True)
        except OSError as left:
            log.warning("could not remove %s: %s", part, left)
        if isinstance(error, OSError) and (error.filename is None
                                           or str(error.filename) in (name, str(target))):
            raise _problem(error, target) from error
        raise
    sync_folder(target.parent)


def replace_durably(source: Path, target: Path) -> None:
    """Move ``source`` (already synced, in the same file system) over ``target``, and make the
    move itself durable."""
    os.replace(source, target)
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the system allows it: Windows cannot open a
    folder, and some file systems refuse to sync one (the file itself is synced already)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as error:
        log.debug("cannot open %s to sync it: %s", folder, error)
        return
    try:
        os.fsync(fd)
    except OSError as error:
        log.debug("cannot sync the folder %s: %s", folder, error)
    finally:
        os.close(fd)


def _problem(error: OSError, target: Path) -> Exception:
    log.warning("could not write %s: %s", target, error)
    return write_problem(error, target)
