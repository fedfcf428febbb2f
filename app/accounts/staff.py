"""The office's staff and their accounts on this laptop: adding a member, changing a role,
removing a leaver, and the passphrases that open this laptop's data file.

A staff record is synced like any record (every laptop of the office knows the staff); a
passphrase belongs to one laptop (``app.core.keyring``): a procurator logs in on the laptops
where a leader or the office administrator has let them type one. Each use case is one
transaction; the list of passphrases is written inside it, so a refused or failed write of the
list leaves the record unchanged too.

Rules beyond the role's permission (``app.core.access.Permission.MANAGE_STAFF``): nobody changes
their own role or removes themselves; only a leader makes someone a leader; a forgotten
passphrase is replaced by a leader or the administrator; one's own passphrase is changed by
typing the old one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import hub_login
from app.accounts.login import check_passphrase
from app.core import access, keyring
from app.core.access import Permission
from app.core.errors import AppError, ValidationError
from app.core.i18n import N_
from app.core.keyring import Account
from app.core.labels import StaffRole, role_rank
from app.core.store import Store
from models import Device, Staff

MAX_NAME_ZH, MAX_NAME_BO, MAX_PHONE = 100, 200, 20
_LEADER_ROLES = frozenset({StaffRole.CHIEF, StaffRole.DEPUTY})

NOT_ENCRYPTED = N_("This data file is not encrypted, so it has no passphrases.")
NOT_STAFF = N_("This staff member is not on this office's staff.")
OWN_ROLE = N_("Nobody changes their own role; please ask another leader.")
OWN_REMOVAL = N_("You cannot remove yourself from the staff; please ask another leader or the "
                 "office administrator.")
LEADERS_MAKE_LEADERS = N_("Only the chief procurator or a deputy chief procurator can make "
                          "someone a leader.")
UNKNOWN_ROLE = N_("Please choose a role.")
NAME_NEEDED = N_("Please give the name in Chinese.")
NAME_TOO_LONG = N_("The name is too long (at most {n} characters).")
PHONE_TOO_LONG = N_("The phone number is too long (at most {n} characters).")
OWN_PASSPHRASE_ONLY = N_("Only a leader or the office administrator can set another staff "
                         "member's passphrase.")
LEFT_ALREADY = N_("This staff member has left the office.")


@dataclass(frozen=True)
class StaffInput:
    name_zh: str
    name_bo: str
    role: str
    phone: str = ""


@dataclass(frozen=True)
class StaffAccount:
    """A member of the laptop's office, and whether they can log in on this laptop."""

    staff_id: str
    name_zh: str
    name_bo: str
    role: str
    phone: str
    active: bool
    logs_in_here: bool


def _office_id(session: Session, store: Store) -> str:
    device = session.get(Device, store.device_id) if store.device_id else None
    if device is None or device.office_id is None:
        raise AppError(N_("Please set up this laptop's office first."))
    return device.office_id


def _member(session: Session, store: Store, staff_id: str) -> Staff:
    staff = session.get(Staff, staff_id) if staff_id else None
    if staff is None or staff.deleted or staff.office_id != _office_id(session, store):
        raise ValidationError(NOT_STAFF, field="staff")
    return staff


def _account(staff: Staff) -> Account:
    return Account(staff.id, staff.name_zh, staff.name_bo, staff.role)


def staff_accounts(store: Store) -> list[StaffAccount]:
    """The office's staff, leavers last; phones masked for roles that do not need them."""
    here = set(keyring.staff_with_passphrase(store.paths)) if store.encrypted else set()
    with store.read() as session:
        if store.on_server:
            here = hub_login.with_passphrase(session)
        office_id = _office_id(session, store)
        see = access.allowed(session, store.ctx, Permission.SEE_IDENTIFIERS)
        rows = session.scalars(select(Staff).where(Staff.office_id == office_id,
                                                   Staff.deleted.is_(False))).all()
        found = [StaffAccount(s.id, s.name_zh, s.name_bo, s.role,
                              s.phone if see else access.mask_phone(s.phone), s.active,
                              s.id in here) for s in rows]
    return sorted(found, key=lambda a: (not a.active, role_rank(a.role), a.name_zh))


def _check_input(data: StaffInput) -> StaffInput:
    problems: list[ValidationError] = []
    name_zh, name_bo, phone = data.name_zh.strip(), data.name_bo.strip(), data.phone.strip()
    if not name_zh:
        problems.append(ValidationError(NAME_NEEDED, field="name_zh"))
    elif len(name_zh) > MAX_NAME_ZH:
        problems.append(ValidationError(NAME_TOO_LONG, field="name_zh", n=MAX_NAME_ZH))
    if len(name_bo) > MAX_NAME_BO:
        problems.append(ValidationError(NAME_TOO_LONG, field="name_bo", n=MAX_NAME_BO))
    if len(phone) > MAX_PHONE:
        problems.append(ValidationError(PHONE_TOO_LONG, field="phone", n=MAX_PHONE))
    if not StaffRole.has(data.role):
        problems.append(ValidationError(UNKNOWN_ROLE, field="role"))
    if problems:
        raise problems[0]
    return StaffInput(name_zh, name_bo, data.role, phone)


def _may_give_role(session: Session, store: Store, role: str) -> None:
    """Only a leader makes a leader (an administrator cannot make anyone, themselves
    included, a chief)."""
    user = access.logged_in(session, store.ctx)
    if role in _LEADER_ROLES and user is not None and user.role not in _LEADER_ROLES:
        raise access.NotPermittedError(LEADERS_MAKE_LEADERS)


def add_staff(store: Store, data: StaffInput, passphrase: str = "", again: str = "") -> str:
    """A new member of the laptop's office; with a passphrase (typed by them, twice), they
    can log in on this laptop at once."""
    data = _check_input(data)
    if passphrase or again:
        check_passphrase(passphrase, again)
        if store.key is None and not store.on_server:
            raise AppError(NOT_ENCRYPTED)
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_STAFF)
        _may_give_role(session, store, data.role)
        staff = Staff(office_id=_office_id(session, store), name_zh=data.name_zh,
                      name_bo=data.name_bo, role=data.role, phone=data.phone)
        session.add(staff)
        session.flush()
        if passphrase and store.on_server:
            hub_login.give(session, staff.id, passphrase)
        elif passphrase and store.key is not None:
            keyring.add_passphrase(store.paths, store.key, _account(staff), passphrase)
        return staff.id


def change_staff(store: Store, staff_id: str, data: StaffInput) -> None:
    """A member's name, role or phone."""
    data = _check_input(data)
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_STAFF)
        staff = _member(session, store, staff_id)
        if data.role != staff.role:
            if store.ctx.enforced and staff_id == store.ctx.staff_id:
                raise access.NotPermittedError(OWN_ROLE)
            _may_give_role(session, store, data.role)
            if staff.role in _LEADER_ROLES:
                _may_give_role(session, store, staff.role)  # nor unmakes one
        staff.name_zh, staff.name_bo, staff.role, staff.phone = (
            data.name_zh, data.name_bo, data.role, data.phone)
        session.flush()
        if store.encrypted:
            keyring.update_account(store.paths, _account(staff))


def remove_staff(store: Store, staff_id: str) -> None:
    """A leaver: no longer active (their records keep their name), and their passphrase on
    this laptop removed. Other laptops refuse their log-in as soon as the change arrives."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_STAFF)
        staff = _member(session, store, staff_id)
        if store.ctx.enforced and staff_id == store.ctx.staff_id:
            raise access.NotPermittedError(OWN_REMOVAL)
        if not staff.active:
            raise ValidationError(LEFT_ALREADY, field="staff")
        if staff.role in _LEADER_ROLES:
            _may_give_role(session, store, staff.role)
        staff.active = False
        session.flush()
        if store.on_server:
            hub_login.remove(session, staff_id)
        elif store.encrypted and staff_id in keyring.staff_with_passphrase(store.paths):
            keyring.remove_passphrase(store.paths, staff_id)


def set_passphrase(store: Store, staff_id: str, passphrase: str, again: str) -> None:
    """Give a member a passphrase on this laptop, or replace a forgotten one (a leader or the
    administrator; the member types the new one)."""
    check_passphrase(passphrase, again)
    key = store.key
    if key is None and not store.on_server:
        raise AppError(NOT_ENCRYPTED)
    with store.write() if store.on_server else store.read() as session:
        if store.ctx.enforced and staff_id != store.ctx.staff_id \
                and not access.allowed(session, store.ctx, Permission.MANAGE_STAFF):
            raise access.NotPermittedError(OWN_PASSPHRASE_ONLY)
        access.logged_in(session, store.ctx)
        staff = _member(session, store, staff_id)
        if not staff.active:
            raise ValidationError(LEFT_ALREADY, field="staff")
        account = _account(staff)
        if store.on_server:  # the hub's list of passphrases is in its database
            hub_login.give(session, staff_id, passphrase)
            return
    assert key is not None
    keyring.add_passphrase(store.paths, key, account, passphrase,
                           replace=account.staff_id in keyring.staff_with_passphrase(store.paths))


def change_own_passphrase(store: Store, old: str, passphrase: str, again: str) -> None:
    """The logged-in member's own passphrase, the old one typed first."""
    staff_id = store.ctx.staff_id or ""
    if not store.ctx.enforced or not staff_id:
        raise access.NotPermittedError(access.NOT_LOGGED_IN)
    check_passphrase(passphrase, again)
    if store.on_server:
        hub_login.check(store, staff_id, old)  # refuses a wrong old passphrase
    else:
        keyring.unlock(store.paths, staff_id, old)  # refuses a wrong old passphrase
    set_passphrase(store, staff_id, passphrase, again)
