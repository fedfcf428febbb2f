"""Session helpers every feature's use cases share: the petition a change belongs to, the trace
each change leaves in its history, the staff member behind it, the names of its parties and of
the staff."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.core.i18n import N_
from app.core.stamps import utc_stamp
from app.core.store import Store
from models import Activity, Person, Petition, PetitionParty, Staff


def existing_petition(session: Session, petition_id: str) -> Petition:
    """The petition to read, voided or not; refused with a message when it was deleted (or
    never existed)."""
    petition = session.get(Petition, petition_id)
    if petition is None or petition.deleted:
        raise AppError(N_("This petition no longer exists."))
    return petition


def live_petition(session: Session, petition_id: str) -> Petition:
    """The petition to record something on: refused with a message when it was deleted (or
    never existed), or voided: nothing more is recorded on a voided registration."""
    petition = existing_petition(session, petition_id)
    if petition.voided_at:
        raise AppError(N_("This registration was voided ({reason}): nothing more can be "
                          "recorded on it."), reason=petition.void_reason)
    return petition


def log_activity(session: Session, store: Store, petition_id: str, staff_id: str | None,
                 action: str, detail: str = "") -> None:
    """One line of a petition's history: who did what, on which laptop, when."""
    assert store.device_id is not None
    session.add(Activity(petition_id=petition_id, at=utc_stamp(),
                         staff_id=staff_id or None, device_id=store.device_id, action=action,
                         detail=detail))


def staff_or_none(session: Session, staff_id: str) -> str | None:
    """The staff id if it names a staff member still on the books, else None."""
    if not staff_id:
        return None
    staff = session.get(Staff, staff_id)
    return staff.id if staff is not None and not staff.deleted else None


def party_names(session: Session, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each petition's parties' names, Chinese and Tibetan, in their order."""
    rows = session.execute(
        select(PetitionParty.petition_id, Person.name_zh, Person.name_bo)
        .join(Person, Person.id == PetitionParty.person_id)
        .where(PetitionParty.petition_id.in_(list(ids)), PetitionParty.deleted.is_(False))
        .order_by(PetitionParty.petition_id, PetitionParty.position)).all()
    names: dict[str, tuple[list[str], list[str]]] = {}
    for pid, zh, bo in rows:
        entry = names.setdefault(pid, ([], []))
        if zh:
            entry[0].append(zh)
        if bo:
            entry[1].append(bo)
    return {pid: ("、".join(zh), "  ".join(bo)) for pid, (zh, bo) in names.items()}


def staff_names(session: Session) -> dict[str, tuple[str, str]]:
    """Every staff member's name in both scripts (Chinese, Tibetan), by id."""
    return {str(i): (str(zh), str(bo or "")) for i, zh, bo in session.execute(
        select(Staff.id, Staff.name_zh, Staff.name_bo))}
