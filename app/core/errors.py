"""Errors that ``app`` raises for a person to read. ``ui`` shows them; the CLI prints them."""

from __future__ import annotations

import errno
import functools
import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from app.core.i18n import N_, _

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


class AppError(Exception):
    """A known problem, with a message translated when shown (not when raised).

    ``message`` is an untranslated msgid marked with ``N_``; ``params`` fill its ``{names}``.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def translated(self) -> str:
        text = _(self.message)
        return text.format(**self.params) if self.params else text


class StoreError(AppError):
    """The data file cannot be used; it has been left exactly as it was."""


class NotAStoreError(StoreError):
    pass


class NewerStoreError(StoreError):
    pass


class ValidationError(AppError):
    """Bad input from a person; ``field`` names the input it concerns, when there is one."""

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field


class InvalidInputError(AppError):
    """Several fields are wrong at once; each problem names its field."""

    def __init__(self, problems: list[ValidationError]) -> None:
        super().__init__(N_("Please correct the marked fields."))
        self.problems = problems


ENTER_DAY = N_("Please enter the date.")
NO_SUCH_DAY = N_("This date does not exist.")
FUTURE_DAY = N_("The date cannot be in the future.")


def check_day(value: str, field: str, problems: list[ValidationError],
              not_after: date | None = None, required: bool = True) -> str:
    """A day typed or chosen (ISO, 2026-12-01), as the store keeps it; "" when it is missing
    (a problem unless not ``required``) or no such day. A day after ``not_after`` (today, for
    what has happened) is a problem too. Problems go in ``problems``, named by ``field``."""
    text = value.strip()
    if not text:
        if required:
            problems.append(ValidationError(ENTER_DAY, field=field))
        return ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(ValidationError(NO_SUCH_DAY, field=field))
        return ""
    if not_after is not None and day > not_after:
        problems.append(ValidationError(FUTURE_DAY, field=field))
    return day.isoformat()


def raise_problems(problems: list[ValidationError]) -> None:
    """Refuse the input when anything in it was wrong: every problem at once."""
    if problems:
        raise InvalidInputError(problems)


class NoStoreError(StoreError):
    """The data folder holds no store, and this command may not make one."""


class DataFolderIsAFileError(StoreError):
    pass


class StoreInUseError(StoreError):
    """Another process holds the data file's lock (after the busy timeout)."""


class StoreNotWritableError(StoreError):
    """SQLite may not open or write the data file (read-only disk or folder, permissions)."""


class WrongKeyError(StoreError):
    """The key given does not open the (encrypted) data file."""


class EncryptedStoreError(StoreError):
    """The data file is encrypted and no key was given."""


class PlainStoreError(StoreError):
    """A key was given, but the data file is not encrypted."""


class EncryptionFailedError(StoreError):
    """The encrypted copy of a plain store did not check out; the plain store stays."""


class FileProblemError(AppError):
    """A file or folder cannot be used; nothing was changed because of it."""


class MissingFileError(FileProblemError):
    pass


class FolderMissingError(MissingFileError):
    """The folder a file is to be written in does not exist."""


class FolderNotFileError(FileProblemError):
    pass


class DiskFullError(FileProblemError):
    pass


class ReadOnlyDiskError(FileProblemError):
    pass


class NotWrittenError(FileProblemError):
    """A file could not be written for a reason that has no message of its own."""


class NotAllowedError(FileProblemError):
    pass


class PackageFileMissingError(MissingFileError):
    pass


class PackageIsAFolderError(FolderNotFileError):
    pass


class RefusedError(AppError):
    """The database's own guards refused a change (see ``app.core.refusals``); nothing of the
    transaction was saved."""

    def __init__(self, message: str, guard: str) -> None:
        super().__init__(message)
        self.guard = guard


class PackageNotAppliedError(AppError):
    """A package passed every check but its versions could not be written; all rolled back."""


# A prefecture hub's database (app.core.server) is backed up by its server, never copied.
BACKUP_BY_SERVER = N_("A hub's database is backed up on its server, with PostgreSQL's own "
                      "tools (pg_dump), not copied by Doorstep. {server} was left as it was.")
DISK_FULL = N_("The disk is full: {path} could not be written. Free some space on that disk and "
               "try again. Nothing was changed.")
READ_ONLY_DISK = N_("{path} is on a disk that cannot be written to (a locked USB stick?). "
                    "Nothing was changed.")
NOT_ALLOWED = N_("Doorstep is not allowed to use {path}: the file or folder is protected. "
                 "Nothing was changed.")
MISSING_FILE = N_("There is no file or folder {path}.")
FOLDER_NOT_FILE = N_("{path} is a folder, not a file.")
FOLDER_MISSING = N_("The folder {folder} does not exist.")
NOT_WRITTEN = N_("The file {path} could not be written: {error}")


def disk_problem(error: OSError, path: str | os.PathLike[str]) -> FileProblemError | None:
    """The disk problem ``error`` stands for (full, read-only, protected), about ``path``."""
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFullError(DISK_FULL, path=str(path))
    if error.errno == errno.EROFS:
        return ReadOnlyDiskError(READ_ONLY_DISK, path=str(path))
    if error.errno in (errno.EACCES, errno.EPERM):
        return NotAllowedError(NOT_ALLOWED, path=str(path))
    return None


def file_problem(error: OSError, path: str | os.PathLike[str] | None = None
                 ) -> FileProblemError | None:
    """The known problem ``error`` stands for, about ``path`` (else the file it names), or None
    for one that has no message of its own."""
    where = path if path is not None else (error.filename or "")
    found = disk_problem(error, where)
    if found is not None:
        return found
    if error.errno == errno.ENOENT:
        return MissingFileError(MISSING_FILE, path=str(where))
    if error.errno == errno.EISDIR:
        return FolderNotFileError(FOLDER_NOT_FILE, path=str(where))
    return None


def write_problem(error: OSError, path: str | os.PathLike[str]) -> FileProblemError:
    """The problem ``error`` stands for in writing the file ``path``."""
    found = disk_problem(error, path)
    if found is not None:
        return found
    if error.errno == errno.ENOENT:
        return FolderMissingError(FOLDER_MISSING, folder=str(Path(path).parent))
    if error.errno == errno.EISDIR:
        return FolderNotFileError(FOLDER_NOT_FILE, path=str(path))
    return NotWrittenError(NOT_WRITTEN, path=str(path), error=error.strerror or str(error))


def disk_problems(where: Callable[..., str | os.PathLike[str]]
                  ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a use case: a full, read-only or protected disk raises its own message.

    ``where(error, *args, **kwargs)`` names the file or folder to mention.
    """
    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except OSError as error:
                found = disk_problem(error, where(error, *args, **kwargs))
                if found is None:
                    raise
                log.warning("%s failed: %s", function.__name__, error)
                raise found from error
        return wrapper
    return decorate
