"""Who may do what: the roles' permissions, checked by the use cases themselves.

A store opened by the program for a person (the window, the command line) is opened through a
log-in (``app.core.login``), which binds the staff member to the store's context
(``ConnectionContext.staff_id`` with ``enforced`` set). From then on every use case that needs a
role calls :func:`require` inside its transaction: it reads the logged-in staff member's row as
the store holds it now (a role changed or a leaver removed by another laptop counts at once) and
refuses unless their role has the permission. A use case that records an act in a named staff
member's name (an aid decision by a leader) also refuses any name but the logged-in one
(``acting``), so nobody signs for somebody else.

A store opened by code without a log-in (the tests of other features, migrations, benchmarks,
the demo builder) has nobody bound and is not restricted: such code needs the store's key, and
the key is only ever unwrapped by a staff member's passphrase. The screens hide what a role may
not do; hiding is for comfort, these checks are the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.core.i18n import N_
from app.core.labels import StaffRole
from models import Staff


class Permission(StrEnum):
    # Registering, correcting and answering petitions; persons' records; hearings, agreements,
    # visits: the office's daily work.
    DAILY_WORK = "daily_work"
    # Deciding on judicial aid (approve, refuse), and the amount above which only the chief may.
    APPROVE_AID = "approve_aid"
    # Seeing and keeping the key-petitioner ledger (重点信访人员台账).
    SEE_KEY_PETITIONERS = "see_key_petitioners"
    # Lowering a key petitioner's risk level.
    LOWER_RISK_LEVEL = "lower_risk_level"
    # Deciding between two laptops' versions of a field (a sync conflict).
    RESOLVE_CONFLICTS = "resolve_conflicts"
    # Revoking a laptop; setting up the office; enrolling laptops.
    MANAGE_LAPTOPS = "manage_laptops"
    # The office's rules: deadlines, holidays, aid rules.
    OFFICE_RULES = "office_rules"
    # Adding staff, changing a role, removing a leaver, resetting a forgotten passphrase.
    MANAGE_STAFF = "manage_staff"
    # Reading and printing the audit trail.
    READ_AUDIT = "read_audit"
    # Seeing ID numbers and phone numbers in full.
    SEE_IDENTIFIERS = "see_identifiers"
    # Exporting whole tables of the store.
    EXPORT_TABLES = "export_tables"


_LEADERS = frozenset({StaffRole.CHIEF, StaffRole.DEPUTY})
_CASEWORK = frozenset({StaffRole.CLERK, StaffRole.PROCURATOR, StaffRole.HEAD, *_LEADERS})

ROLE_PERMISSIONS: dict[Permission, frozenset[str]] = {
    Permission.DAILY_WORK: _CASEWORK,
    Permission.APPROVE_AID: _LEADERS,
    # The administrator keeps laptops and accounts; the ledger is casework.
    Permission.SEE_KEY_PETITIONERS: _CASEWORK,
    Permission.LOWER_RISK_LEVEL: _LEADERS,
    Permission.RESOLVE_CONFLICTS: _LEADERS | {StaffRole.HEAD},
    Permission.MANAGE_LAPTOPS: _LEADERS | {StaffRole.ADMIN},
    Permission.OFFICE_RULES: _LEADERS,
    Permission.MANAGE_STAFF: _LEADERS | {StaffRole.ADMIN},
    Permission.READ_AUDIT: _LEADERS | {StaffRole.ADMIN},
    # The office administrator keeps the laptops and the accounts, not the petitions.
    Permission.SEE_IDENTIFIERS: _CASEWORK,
    Permission.EXPORT_TABLES: _LEADERS | {StaffRole.ADMIN},
}

NOT_PERMITTED = {
    Permission.DAILY_WORK: N_("The office administrator keeps the laptops and the staff's "
                              "accounts; petitions are registered and handled by the office's "
                              "clerks, procurators and leaders."),
    Permission.APPROVE_AID: N_("Only the chief procurator or a deputy chief procurator can decide "
                               "on judicial aid."),
    Permission.SEE_KEY_PETITIONERS: N_("The ledger of key petitioners is kept and seen only by "
                                       "the office's clerks, procurators and leaders."),
    Permission.LOWER_RISK_LEVEL: N_("Only the chief procurator or a deputy chief procurator can "
                                    "lower a key petitioner's risk level."),
    Permission.RESOLVE_CONFLICTS: N_("Only a leader or a department head can decide between two "
                                     "laptops' versions."),
    Permission.MANAGE_LAPTOPS: N_("Only a leader or the office administrator can set up, enrol "
                                  "or revoke laptops."),
    Permission.OFFICE_RULES: N_("Only the chief procurator or a deputy chief procurator can "
                                "change the office's rules."),
    Permission.MANAGE_STAFF: N_("Only a leader or the office administrator can add staff, "
                                "change their roles or set their passphrases."),
    Permission.READ_AUDIT: N_("Only a leader or the office administrator can read the record "
                              "of what was done."),
    Permission.SEE_IDENTIFIERS: N_("ID numbers and phone numbers are shown in full only to the "
                                   "office's clerks, procurators and leaders."),
    Permission.EXPORT_TABLES: N_("Only a leader or the office administrator can export the "
                                 "store's tables."),
}
NOT_LOGGED_IN = N_("Nobody is logged in. Please log in again.")
NO_LONGER_STAFF = N_("Your account is no longer on the office's staff. Please ask a leader or "
                     "the office administrator.")
IN_ANOTHERS_NAME = N_("You are logged in as yourself; this cannot be recorded in another staff "
                      "member's name.")


class NotPermittedError(AppError):
    """The logged-in staff member's role does not allow this."""


@dataclass(frozen=True)
class User:
    """The staff member logged in on this laptop."""

    staff_id: str
    name_zh: str
    name_bo: str
    role: str
    office_id: str


def may(role: str, permission: Permission) -> bool:
    """Whether a staff member with this role has the permission (for screens to hide what is
    refused anyway)."""
    return role in ROLE_PERMISSIONS[permission]


def permissions_of(role: str) -> frozenset[Permission]:
    return frozenset(p for p, roles in ROLE_PERMISSIONS.items() if role in roles)


def _ctx(store_or_ctx: Any) -> Any:
    return getattr(store_or_ctx, "ctx", store_or_ctx)


def logged_in(session: Session, ctx: Any) -> Staff | None:
    """The logged-in staff member's row, or None when the store is not bound to a log-in
    (code's own use). Refuses a log-in whose staff member is gone or inactive."""
    ctx = _ctx(ctx)
    if not ctx.enforced:
        return None
    if not ctx.staff_id:
        raise NotPermittedError(NOT_LOGGED_IN)
    staff = session.get(Staff, ctx.staff_id)
    if staff is None or staff.deleted or not staff.active:
        raise NotPermittedError(NO_LONGER_STAFF)
    return staff


def require(session: Session, ctx: Any, permission: Permission, acting: str | None = None) -> None:
    """Refuse unless the logged-in staff member's role has ``permission``; with ``acting``,
    also unless that is who is logged in. Does nothing on a store bound to no log-in."""
    staff = logged_in(session, ctx)
    if staff is None:
        return
    if staff.role not in ROLE_PERMISSIONS[permission]:
        raise NotPermittedError(NOT_PERMITTED[permission])
    if acting is not None and acting != staff.id:
        raise NotPermittedError(IN_ANOTHERS_NAME)


def allowed(session: Session, ctx: Any, permission: Permission) -> bool:
    """Whether :func:`require` would let this through (screens and masking)."""
    try:
        require(session, ctx, permission)
    except NotPermittedError:
        return False
    return True


def _as_is(value: str) -> str:
    return value


def identifiers(session: Session, ctx: Any) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """How ID numbers and phone numbers are shown to whoever is logged in: as they are, or
    masked (``mask_id_number``, ``mask_phone``)."""
    if allowed(session, ctx, Permission.SEE_IDENTIFIERS):
        return _as_is, _as_is
    return mask_id_number, mask_phone


def mask_id_number(value: str) -> str:
    """A resident ID number as shown to roles that do not need it: the county code and the last
    four, the birth date hidden (632624198503120012 → 632624********0012)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """A phone number with its middle hidden (13909751234 → 139****1234)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
