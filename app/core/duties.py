"""Who on an office's staff may take on which duty: handle a petition, lead it, take part in a
hearing for the office, decide on judicial aid, receive petitioners on a reception day.

The screens offer only the staff ``eligible_staff`` lists; the use cases refuse anyone else
(``check_staff``): a staff member unknown here, deleted, no longer active, of another office,
or whose role does not allow the duty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import ValidationError
from app.core.i18n import N_
from app.core.labels import StaffRole
from app.core.store import Store
from models import Staff

HANDLE, LEAD, HEARING, DECIDE_AID = "handle", "lead", "hearing", "decide_aid"
RECEIVE = "receive"
# The roles each duty is open to.
DUTY_ROLES: dict[str, frozenset[str]] = {
    # The handling procurator of a petition (承办检察官).
    HANDLE: frozenset({StaffRole.PROCURATOR, StaffRole.HEAD, StaffRole.DEPUTY, StaffRole.CHIEF}),
    # The leader in charge of a petition (包案领导).
    LEAD: frozenset({StaffRole.CHIEF, StaffRole.DEPUTY, StaffRole.HEAD}),
    # Hosting a hearing, or taking part in it for the office.
    HEARING: frozenset(StaffRole) - {StaffRole.ADMIN},
    # Deciding on judicial aid, and setting the amount above which only the chief may approve.
    DECIDE_AID: frozenset({StaffRole.CHIEF, StaffRole.DEPUTY}),
    # Receiving petitioners on a reception day (院领导接访): the office's leadership (班子成员),
    # the chief and the deputies (a member of the leadership without the title is kept as a
    # deputy); department heads are not of it.
    RECEIVE: frozenset({StaffRole.CHIEF, StaffRole.DEPUTY}),
}
NOT_ELIGIBLE = {
    HANDLE: N_("The handling procurator must be a procurator, a department head, a deputy chief "
               "procurator or the chief procurator on this office's staff."),
    LEAD: N_("The leader in charge must be the chief procurator, a deputy chief procurator or a "
             "department head on this office's staff."),
    HEARING: N_("Whoever hosts a hearing or takes part in it for the office must be on the "
                "staff of the petition's office."),
    DECIDE_AID: N_("Only the chief procurator or a deputy chief procurator of this office can "
                   "decide on judicial aid."),
    RECEIVE: N_("Reception days are held by the chief procurator or a deputy chief procurator "
                "of this office."),
}


@dataclass(frozen=True)
class StaffChoice:
    staff_id: str
    name_zh: str
    name_bo: str
    role: str


def may(role: str, duty: str) -> bool:
    """Whether a staff member with this role may take on this duty."""
    return role in DUTY_ROLES[duty]


def _eligible(staff: Staff | None, office_id: str, duty: str) -> bool:
    return (staff is not None and not staff.deleted and staff.active
            and staff.office_id == office_id and may(staff.role, duty))


def eligible_in(session: Session, office_id: str, duty: str,
                keep: Iterable[str] = ()) -> list[Staff]:
    """The office's staff who may take on ``duty``, by role and name; those in ``keep`` (already
    chosen for it, e.g. on a hearing recorded before) stay even if no longer eligible, as long
    as they are on this office's books."""
    kept = set(keep)
    rows = session.scalars(select(Staff).where(Staff.office_id == office_id,
                                               Staff.deleted.is_(False))
                           .order_by(Staff.role, Staff.name_zh))
    return [s for s in rows if _eligible(s, office_id, duty) or s.id in kept]


def eligible_staff(store: Store, office_id: str, duty: str,
                   keep: Iterable[str] = ()) -> list[StaffChoice]:
    """The staff a screen offers for ``duty`` in the office (see ``eligible_in``)."""
    with store.read() as session:
        return [StaffChoice(s.id, s.name_zh, s.name_bo, s.role)
                for s in eligible_in(session, office_id, duty, keep)]


def check_staff(session: Session, office_id: str, duty: str, staff_id: str, field: str,
                keep: Iterable[str] = ()) -> str | None:
    """The staff id when it names someone eligible for ``duty`` in the office (or kept, see
    ``eligible_in``); None when none is chosen; else a ``ValidationError`` about ``field``."""
    if not staff_id:
        return None
    staff = session.get(Staff, staff_id)
    if _eligible(staff, office_id, duty) or (
            staff_id in set(keep) and staff is not None and not staff.deleted
            and staff.office_id == office_id):
        return staff_id
    raise ValidationError(NOT_ELIGIBLE[duty], field=field)
