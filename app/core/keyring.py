"""The store key's copies, one per staff member who may log in on this laptop.

The store is encrypted under a random 32-byte key (``new_store_key``). Nobody types that key:
each staff member's passphrase unwraps a copy of it kept in ``store-keys.json`` beside the store
(scrypt, then ChaCha20-Poly1305, as the laptop's own keys are wrapped; see
``app.core.sealing``). A leaver's copy is removed without re-encrypting anything, and a leader
who has logged in adds a copy for a new passphrase or replaces a forgotten one. The file also
holds a check value of the key (a hash, from which the key cannot be found), so a copy is only
ever added for the key the other copies hold, and each account's name and role, which the
log-in screen lists before the store is open (staff names, not petitioners' data).

This module reads no database and imports no SQLAlchemy: the log-in screen uses it before the
store is opened.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import sealing
from app.core.errors import AppError, write_problem
from app.core.files import write_atomically
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.sealing import MalformedError, canonical_json, parse_json, read_object, read_text

log = logging.getLogger(__name__)

KEY_SIZE = sealing.KEY_SIZE
STORE_KEYS_FILE = "store-keys.json"
# scrypt's cost for the copies written here (tests lower it to unwrap faster).
SCRYPT_N = sealing.SCRYPT_N
_KIND = "store-key"
_FILE_KIND = "store-keys"
_CHECK_CONTEXT = b"doorstep store key check v1\x00"
MAX_NAME = 200

NOT_A_KEYS_FILE = N_("The file {path} is not Doorstep's list of passphrases, or it is damaged.")
NO_KEYS_FILE = N_("There is no list of passphrases in {path}.")
KEYS_FILE_EXISTS = N_("The list of passphrases {path} exists already.")
NO_PASSPHRASE_FOR = N_("This staff member has no passphrase for this data file.")
HAS_PASSPHRASE = N_("This staff member has a passphrase for this data file already.")
NOT_THIS_STORE_KEY = N_("This key does not open this data file.")
LAST_PASSPHRASE = N_("The last passphrase cannot be removed: nobody could open the data file "
                     "then.")


class KeyFileError(AppError):
    """The list of passphrases cannot be used, or does not allow what was asked."""


@dataclass(frozen=True)
class Account:
    """A staff member who can log in on this laptop, as the log-in screen lists them."""

    staff_id: str
    name_zh: str
    name_bo: str
    role: str


def new_store_key() -> bytes:
    """A random key for a new encrypted store (32 bytes). Never logged, never shown."""
    return os.urandom(KEY_SIZE)


def key_check(key: bytes) -> str:
    """A value that tells whether a key is the store's, and nothing about the key."""
    if len(key) != KEY_SIZE:
        raise ValueError("a store key is 32 bytes")
    return hashlib.sha256(_CHECK_CONTEXT + key).hexdigest()


def keys_file(paths: AppPaths) -> Path:
    return paths.data_dir / STORE_KEYS_FILE


def has_keys_file(paths: AppPaths) -> bool:
    return keys_file(paths).is_file()


@dataclass(frozen=True)
class _KeysFile:
    check: str
    copies: dict[str, dict[str, Any]]  # staff id -> the key sealed under their passphrase
    accounts: dict[str, dict[str, str]]  # staff id -> name_zh, name_bo, role


def _account_doc(account: Account) -> dict[str, str]:
    return {"name_zh": account.name_zh, "name_bo": account.name_bo, "role": account.role}


def create_keys_file(paths: AppPaths, key: bytes, account: Account, passphrase: str) -> None:
    """Start the list of passphrases for ``key`` with ``account``'s copy; refuse if one exists
    (it would lose the copies it holds)."""
    path = keys_file(paths)
    if path.exists():
        raise KeyFileError(KEYS_FILE_EXISTS, path=str(path))
    copy = sealing.seal(_KIND, account.staff_id, key, passphrase, n=SCRYPT_N)
    _write(path, _KeysFile(key_check(key), {account.staff_id: copy},
                           {account.staff_id: _account_doc(account)}))
    log.info("list of passphrases started in %s", path)


def add_passphrase(paths: AppPaths, key: bytes, account: Account, passphrase: str, *,
                   replace: bool = False) -> None:
    """Add ``account``'s copy of ``key`` (the key someone logged in holds); with ``replace``,
    put it in place of the copy they have (a forgotten passphrase reset)."""
    path = keys_file(paths)
    found = _read(path)
    if key_check(key) != found.check:
        raise KeyFileError(NOT_THIS_STORE_KEY)
    if account.staff_id in found.copies and not replace:
        raise KeyFileError(HAS_PASSPHRASE)
    copy = sealing.seal(_KIND, account.staff_id, key, passphrase, n=SCRYPT_N)
    _write(path, _KeysFile(found.check, found.copies | {account.staff_id: copy},
                           found.accounts | {account.staff_id: _account_doc(account)}))
    log.info("passphrase %s for staff %s", "replaced" if replace else "added", account.staff_id)


def update_account(paths: AppPaths, account: Account) -> None:
    """The name and role the log-in screen shows for an account that has a copy (after a
    change of role or name); nothing when it has none."""
    path = keys_file(paths)
    found = _read(path)
    if account.staff_id not in found.copies \
            or found.accounts.get(account.staff_id) == _account_doc(account):
        return
    _write(path, _KeysFile(found.check, found.copies,
                           found.accounts | {account.staff_id: _account_doc(account)}))


def remove_passphrase(paths: AppPaths, staff_id: str) -> None:
    """Remove ``staff_id``'s copy (a leaver): their passphrase no longer opens the store."""
    path = keys_file(paths)
    found = _read(path)
    if staff_id not in found.copies:
        raise KeyFileError(NO_PASSPHRASE_FOR)
    if len(found.copies) == 1:
        raise KeyFileError(LAST_PASSPHRASE)
    _write(path, _KeysFile(found.check,
                           {k: v for k, v in found.copies.items() if k != staff_id},
                           {k: v for k, v in found.accounts.items() if k != staff_id}))
    log.info("passphrase removed for staff %s", staff_id)


def staff_with_passphrase(paths: AppPaths) -> list[str]:
    """The staff ids whose passphrase opens the store, sorted."""
    return sorted(_read(keys_file(paths)).copies)


def accounts(paths: AppPaths) -> list[Account]:
    """Who can log in on this laptop, by name."""
    found = _read(keys_file(paths))
    listed = [Account(staff_id, doc.get("name_zh", ""), doc.get("name_bo", ""),
                      doc.get("role", ""))
              for staff_id, doc in ((s, found.accounts.get(s, {})) for s in found.copies)]
    return sorted(listed, key=lambda a: (a.name_zh or a.name_bo, a.staff_id))


def unlock(paths: AppPaths, staff_id: str, passphrase: str) -> bytes:
    """The store key, unwrapped with ``staff_id``'s passphrase; a wrong passphrase raises
    ``sealing.WRONG_PASSPHRASE``."""
    path = keys_file(paths)
    found = _read(path)
    copy = found.copies.get(staff_id)
    if copy is None:
        raise KeyFileError(NO_PASSPHRASE_FOR)
    try:
        _owner, key = sealing.unseal(_KIND, copy, passphrase, KEY_SIZE)
    except MalformedError:
        raise KeyFileError(NOT_A_KEYS_FILE, path=str(path)) from None
    if key_check(key) != found.check:  # a copy moved from another laptop's file
        raise KeyFileError(NOT_A_KEYS_FILE, path=str(path))
    return key


def _read(path: Path) -> _KeysFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(NO_KEYS_FILE, path=str(path.parent)) from None
    except OSError as error:
        raise write_problem(error, path) from error
    try:
        doc = parse_json(data)
        if doc.get("doorstep") != _FILE_KIND or doc.get("version") != 1:
            raise MalformedError
        check = read_text(doc, "key_check", 64)
        copies = read_object(doc.get("copies"))
        for staff_id, copy in copies.items():
            if read_text(read_object(copy), "id", sealing.MAX_ID) != staff_id:
                raise MalformedError
        if not copies:
            raise MalformedError
        accounts: dict[str, dict[str, str]] = {}
        for staff_id, account in read_object(doc.get("accounts", {})).items():
            fields = read_object(account)
            accounts[staff_id] = {name: _optional_text(fields, name)
                                  for name in ("name_zh", "name_bo", "role")}
    except MalformedError:
        raise KeyFileError(NOT_A_KEYS_FILE, path=str(path)) from None
    return _KeysFile(check, copies, accounts)


def _optional_text(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key, "")
    if not isinstance(value, str) or len(value) > MAX_NAME:
        raise MalformedError
    return value


def _write(path: Path, found: _KeysFile) -> None:
    write_atomically(path, canonical_json({"doorstep": _FILE_KIND, "version": 1,
                                           "key_check": found.check,
                                           "copies": found.copies,
                                           "accounts": found.accounts}) + b"\n")
