"""Logging in: which state the laptop's data file is in, unlocking it with a staff member's
passphrase, and the first log-in on a new laptop or on a data file not yet encrypted.

The data file is in one of three states, told from the file's first bytes without opening it
(``store_state``):

``NEW``
    no data file yet: the first start. Whoever installs the laptop (the office administrator, or
    a leader) names the laptop, chooses its office and creates their own account with a
    passphrase (``first_start``); the data file is created encrypted.
``PLAIN``
    a data file of an earlier Doorstep, not encrypted: a leader or the office administrator on
    its staff chooses a passphrase, and the file is encrypted in place, a verified backup made
    first (``encrypt_at_log_in``).
``ENCRYPTED``
    the usual state: a staff member with a copy of the key on this laptop logs in (``unlock``).

A list of passphrases left beside a data file it does not belong to (one whose making was cut
short by a power cut) is kept aside under another name, never deleted: encrypted backups may
need it.

Wrong passphrases are noted in a small file (staff id and time, nothing else) and written to
the record of what was done at the next log-in, when the data file is open; after
``MAX_FAILURES`` wrong passphrases in ``FAILURE_WINDOW`` the log-in waits ``PAUSE``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from app.core import keyring
from app.core.errors import AppError, ValidationError, write_problem
from app.core.files import write_atomically
from app.core.i18n import N_
from app.core.keyring import Account
from app.core.labels import StaffRole
from app.core.paths import AppPaths
from app.core.sealing import WRONG_PASSPHRASE

if TYPE_CHECKING:
    from app.core.access import User
    from app.core.store import Store

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
FAILURES_FILE = "failed-log-ins.json"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)
PAUSE = timedelta(minutes=1)
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 200
# Who may create the first account of a laptop, or encrypt an earlier data file.
FIRST_ROLES = (StaffRole.ADMIN, StaffRole.CHIEF, StaffRole.DEPUTY)

CHOOSE_ACCOUNT = N_("Please choose who you are.")
SHORT_PASSPHRASE = N_("The passphrase must have at least {n} characters.")
LONG_PASSPHRASE = N_("The passphrase is too long (at most {n} characters).")
PASSPHRASES_DIFFER = N_("The two passphrases are not the same.")
TOO_MANY_FAILURES = N_("Too many wrong passphrases. Please wait a minute and try again.")
NAME_NEEDED = N_("Please give your name in Chinese.")
FIRST_ROLE = N_("The first account of a laptop is the office administrator's or a leader's.")
NOT_A_LEADER_HERE = N_("Only a leader or the office administrator on this data file's staff can "
                       "encrypt it.")


class StoreState(StrEnum):
    NEW = "new"
    PLAIN = "plain"
    ENCRYPTED = "encrypted"


@dataclass(frozen=True)
class NewAccount:
    """The first account of a laptop, as typed on the first-start screen."""

    name_zh: str
    name_bo: str
    role: str
    passphrase: str
    again: str


def store_state(paths: AppPaths) -> StoreState:
    """The data file's state, from its first bytes and the list of passphrases beside it (it
    is not opened)."""
    try:
        with paths.store.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return StoreState.NEW
    except IsADirectoryError:
        return StoreState.ENCRYPTED  # opening it says what is wrong
    except OSError as error:
        raise write_problem(error, paths.store) from error
    if not head:
        return StoreState.NEW  # an empty file, as a first start cut short leaves
    if head != SQLITE_HEADER and keyring.has_keys_file(paths):
        return StoreState.ENCRYPTED
    # A plain data file; or a file no passphrase of this laptop opens, which opening as a
    # plain one tells for what it is (not a data file; encrypted, with no list of passphrases).
    return StoreState.PLAIN


def check_passphrase(passphrase: str, again: str | None = None) -> None:
    """A new passphrase: long enough, and typed the same twice."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(SHORT_PASSPHRASE, field="passphrase", n=MIN_PASSPHRASE)
    if len(passphrase) > MAX_PASSPHRASE:
        raise ValidationError(LONG_PASSPHRASE, field="passphrase", n=MAX_PASSPHRASE)
    if again is not None and again != passphrase:
        raise ValidationError(PASSPHRASES_DIFFER, field="again")


# --- the usual log-in -------------------------------------------------------------------------

def accounts(paths: AppPaths) -> list[Account]:
    """Who can log in on this laptop."""
    return keyring.accounts(paths)


def unlock(paths: AppPaths, staff_id: str, passphrase: str,
           now: datetime | None = None,
           hub: Callable[[str, str], None] | None = None) -> bytes:
    """The store key, for ``staff_id``'s passphrase. A wrong passphrase is noted (see the
    module's docstring) and refused; so is any passphrase after too many wrong ones.

    On a prefecture hub, ``hub`` checks the passphrase (``app.accounts.hub_login.check``)
    and there is no key: the empty key is returned."""
    now = now or datetime.now(UTC)
    if not staff_id:
        raise ValidationError(CHOOSE_ACCOUNT, field="staff")
    failures = _failures(paths)
    recent = [f for f in failures if now - _when(f) < FAILURE_WINDOW]
    if len(recent) >= MAX_FAILURES and now - max(map(_when, recent)) < PAUSE:
        raise ValidationError(TOO_MANY_FAILURES, field="passphrase")
    try:
        if hub is not None:
            hub(staff_id, passphrase)
            return b""
        return keyring.unlock(paths, staff_id, passphrase)
    except ValidationError as error:
        if error.message == WRONG_PASSPHRASE:
            _note_failure(paths, failures, staff_id, now)
        raise


def begin(store: Store, staff_id: str) -> User:
    """Bind the logged-in staff member to the open store: from here on the use cases check
    their role (``app.core.access``). Refuses, and binds nobody, when the store does not hold
    them as active staff any more (removed on another laptop since). The log-in goes to the
    record of what was done, with the wrong passphrases noted since the last one."""
    from app.audit.trail import Action, record_in
    from app.core import access

    store.ctx.staff_id = staff_id
    store.ctx.enforced = True
    failures = pending_failures(store.paths)
    try:
        with store.write() as session:
            staff = access.logged_in(session, store.ctx)
            assert staff is not None
            user = access.User(staff.id, staff.name_zh, staff.name_bo, staff.role,
                               staff.office_id)
            for who, at in failures:
                record_in(session, store.ctx, Action.FAILED_LOG_IN, tbl="staff", row_id=who,
                          detail={"at": at})
            record_in(session, store.ctx, Action.LOGGED_IN, tbl="staff", row_id=staff.id)
    except BaseException:
        store.ctx.staff_id = None
        raise
    if failures:
        clear_failures(store.paths)
    if store.encrypted:
        keyring.update_account(store.paths, Account(user.staff_id, user.name_zh, user.name_bo,
                                                    user.role))
    log.info("staff %s logged in", staff_id)
    return user


def note(store: Store, action: str) -> None:
    """The window locked (``locked``), a wrong passphrase typed to unlock it
    (``failed_log_in``), a log-out (``logged_out``): for the record of what was done."""
    from app.audit.trail import Action, record

    if not Action.has(action):
        raise ValueError(action)
    record(store, action, tbl="staff", row_id=store.ctx.staff_id or "")


def pending_failures(paths: AppPaths) -> list[tuple[str, str]]:
    """The wrong passphrases noted since they were last written to the record: (staff id,
    UTC time)."""
    return [(str(f.get("staff_id", "")), str(f.get("at", ""))) for f in _failures(paths)]


def clear_failures(paths: AppPaths) -> None:
    """After they are written to the record of what was done."""
    try:
        _failures_file(paths).unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not remove %s: %s", _failures_file(paths), error)


def _failures_file(paths: AppPaths) -> Path:
    return paths.data_dir / FAILURES_FILE


def _failures(paths: AppPaths) -> list[dict[str, str]]:
    try:
        doc = json.loads(_failures_file(paths).read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:  # damaged: started again, said in the log
        log.warning("list of wrong passphrases unreadable: %s", error)
        return []
    if not isinstance(doc, list):
        return []
    return [f for f in doc if isinstance(f, dict) and _valid_time(f.get("at"))][-1000:]


def _valid_time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _when(failure: dict[str, str]) -> datetime:
    when = datetime.fromisoformat(failure["at"])
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _note_failure(paths: AppPaths, failures: list[dict[str, str]], staff_id: str,
                  now: datetime) -> None:
    noted = [*failures, {"staff_id": staff_id[:100], "at": now.isoformat(timespec="seconds")}]
    try:
        write_atomically(_failures_file(paths),
                         json.dumps(noted[-1000:], ensure_ascii=False).encode("utf-8"))
    except AppError as error:  # a full disk must not hide the refusal itself
        log.warning("wrong passphrase not noted: %s", error)
    log.warning("wrong passphrase for staff %s", staff_id)


# --- the first log-in -------------------------------------------------------------------------

def _check_new_account(account: NewAccount) -> None:
    problems: list[ValidationError] = []
    if not account.name_zh.strip():
        problems.append(ValidationError(NAME_NEEDED, field="name_zh"))
    if account.role not in FIRST_ROLES:
        problems.append(ValidationError(FIRST_ROLE, field="role"))
    try:
        check_passphrase(account.passphrase, account.again)
    except ValidationError as error:
        problems.append(error)
    if problems:
        raise problems[0]


def _set_aside_keys_file(paths: AppPaths) -> None:
    """A list of passphrases beside no data file, or beside a plain one, belongs to nothing
    here (a first start or an encryption cut short): kept aside, never deleted."""
    path = keyring.keys_file(paths)
    if path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = path.with_name(f"{path.name}.unused-{stamp}")
        try:
            os.replace(path, aside)
        except OSError as error:
            raise write_problem(error, path) from error
        log.warning("list of passphrases %s set aside as %s", path, aside)


def first_start(paths: AppPaths, device_name: str, division_code: str,
                account: NewAccount) -> tuple[bytes, str]:
    """A new laptop: its data file created encrypted under a new key, the laptop named and
    attached to its office, and the first account with its passphrase. Returns the key and
    the account's staff id.

    The data file is made in a folder beside the store and renamed into place last, after the
    list of passphrases: a power cut before that leaves no data file (the next start is a first
    start again), never a data file nobody can open."""
    from app.core.identity import set_up_device
    from app.core.store import open_store

    _check_new_account(account)
    if store_state(paths) is not StoreState.NEW:
        raise AppError(N_("This laptop has a data file already."))
    _set_aside_keys_file(paths)
    making = AppPaths(paths.data_dir / ".first-start")
    shutil.rmtree(making.data_dir, ignore_errors=True)  # a first start cut short
    key = keyring.new_store_key()
    store = open_store(making, create=True, key=key)
    try:
        set_up_device(store, device_name, division_code)
        staff_id = add_first_staff(store, account)
    finally:
        store.close()
    keyring.create_keys_file(making, key, Account(staff_id, account.name_zh.strip(),
                                                  account.name_bo.strip(), account.role),
                             account.passphrase)
    try:
        os.replace(keyring.keys_file(making), keyring.keys_file(paths))
        os.replace(making.store, paths.store)
    except OSError as error:
        raise write_problem(error, paths.store) from error
    shutil.rmtree(making.data_dir, ignore_errors=True)
    log.info("first start: data file created encrypted, account %s", staff_id)
    return key, staff_id


def add_first_staff(store: Store, account: NewAccount) -> str:
    """The first account's staff record, in the laptop's office."""
    from app.core.identity import this_device
    from models import Staff

    device = this_device(store)
    if device is None or device.office_id is None:
        raise AppError(N_("Please set up this laptop's office first."))
    with store.write() as session:
        staff = Staff(office_id=device.office_id, name_zh=account.name_zh.strip(),
                      name_bo=account.name_bo.strip(), role=account.role)
        session.add(staff)
        session.flush()
        return staff.id


def plain_store_leaders(paths: AppPaths) -> list[Account]:
    """The leaders and administrators on an unencrypted data file's staff: who may encrypt
    it."""
    from sqlalchemy import select

    from app.core.store import open_store
    from models import Staff

    store = open_store(paths)
    try:
        with store.read() as session:
            rows = session.scalars(select(Staff).where(
                Staff.deleted.is_(False), Staff.active.is_(True),
                Staff.role.in_([str(r) for r in FIRST_ROLES])).order_by(Staff.name_zh)).all()
            return [Account(s.id, s.name_zh, s.name_bo, s.role) for s in rows]
    finally:
        store.close()


def encrypt_with_new_account(paths: AppPaths, account: NewAccount) -> tuple[bytes, str]:
    """An earlier, plain data file with no leader or administrator on its staff: the first
    account is added to it, then it is encrypted for them. Returns the key and the staff id."""
    from app.core.store import open_store

    _check_new_account(account)
    if plain_store_leaders(paths):
        raise ValidationError(CHOOSE_ACCOUNT, field="staff")
    store = open_store(paths)
    try:
        staff_id = add_first_staff(store, account)
    finally:
        store.close()
    return encrypt_at_log_in(paths, staff_id, account.passphrase, account.again), staff_id


def encrypt_at_log_in(paths: AppPaths, staff_id: str, passphrase: str,
                      again: str) -> bytes:
    """Encrypt an earlier, plain data file for the leader or administrator ``staff_id``, who
    chose ``passphrase``; return the key. The list of passphrases is written first, then the
    file is encrypted (``app.core.cipher.encrypt_store``, a verified backup first): a power cut
    between the two leaves the plain file and a list set aside at the next start."""
    from app.core.cipher import encrypt_store

    check_passphrase(passphrase, again)
    chosen = {a.staff_id: a for a in plain_store_leaders(paths)}.get(staff_id)
    if chosen is None:
        raise ValidationError(NOT_A_LEADER_HERE, field="staff")
    _set_aside_keys_file(paths)
    key = keyring.new_store_key()
    keyring.create_keys_file(paths, key, chosen, passphrase)
    try:
        encrypt_store(paths, key)
    except BaseException:
        _set_aside_keys_file(paths)  # the file stays plain: the list belongs to nothing
        raise
    log.info("data file encrypted at the log-in of staff %s", staff_id)
    return key
