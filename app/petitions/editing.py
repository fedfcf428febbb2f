"""Correcting a registered petition, voiding a wrong registration, handing a case to another
procurator.

Each is a change like any other: the capture triggers version every field it writes, and the
petition's history names what changed (``edited``: the fields, as codes that ``history``
reads in words; ``voided``: the reason; ``transferred``: from whom to whom, and why).

A void is final: the registration keeps its number (a number is never issued twice), stays in
the registry marked void with its reason, and leaves Today, the statistics and the papers;
nothing more is recorded on it (``app.core.records.live_petition`` refuses). A registration
voided by mistake is registered again under a new number.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import access, duties
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.formatting import format_iso_date
from app.core.i18n import N_
from app.core.labels import Vocabulary
from app.core.records import live_petition, log_activity, staff_or_none
from app.core.stamps import utc_stamp
from app.core.store import Store
from app.persons.records import PersonInput
from app.petitions.intake import PetitionInput, _recompute, parse_received, validate
from models import (
    DeadlineEvent,
    LeaderCharge,
    Person,
    Petition,
    PetitionParty,
    PetitionReply,
    Staff,
)

MAX_REASON = 2000
# How a transfer's detail separates its parts (names may hold spaces; a reason, anything).
SEPARATOR = "\t"
IN_CHARGE = N_("A leader has taken charge of this petition (包案): close that charge before "
               "naming another leader in charge.")


class PetitionField(Vocabulary):
    """What a correction may change, as the history names it."""

    CHANNEL = "channel", N_("Channel")
    HIGHER_OFFICE = "higher_office", N_("Office that handed it down")
    HIGHER_REF = "higher_ref", N_("Its reference number")
    RECEIVED_AT = "received_at", N_("Received")
    CATEGORY = "category", N_("Category")
    BUSINESS_TYPE = "business_type", N_("Business type")
    SUMMARY = "summary", N_("Summary")
    REQUESTS = "requests", N_("Requests")
    ORIGINAL_CASE_NO = "original_case_no", N_("Original case number")
    IS_GROUP = "is_group", N_("Group visit")
    HEAD_COUNT = "head_count", N_("Number of people")
    IS_SENSITIVE = "is_sensitive", N_("Sensitive")
    IS_REPEAT = "is_repeat", N_("Repeat petition")
    JURISDICTION = "jurisdiction", N_("Jurisdiction")
    REFERRAL_BODY = "referral_body", N_("Referred to")
    REFERRAL_NOTE = "referral_note", N_("Referral note")
    LEADER_ID = "leader_id", N_("Leader in charge")


@dataclass
class PetitionEdit:
    """A registered petition's own fields as the clerk corrects them (its parties are corrected
    one by one, ``app.persons.editing``; its procurator by a transfer)."""

    channel: str = "visit"
    higher_office: str = ""
    higher_ref: str = ""
    received_at: str = ""  # ISO local date-time, 2026-11-24T09:30
    category: str = ""
    business_type: str = ""
    summary: str = ""
    requests: str = ""
    original_case_no: str = ""
    is_group: bool = False
    head_count: int = 1
    is_sensitive: bool = False
    is_repeat: bool = False
    jurisdiction: str = "accept"
    referral_body: str = ""
    referral_note: str = ""
    leader_id: str = ""


@dataclass(frozen=True)
class Edited:
    """What a correction changed (field codes, in the form's order) and the due dates after."""

    changed: list[str]
    reply_due: str
    answer_due: str


def _values(petition: Petition) -> PetitionEdit:
    values: dict[str, Any] = {f.name: getattr(petition, f.name) for f in fields(PetitionEdit)}
    values["leader_id"] = petition.leader_id or ""
    return PetitionEdit(**values)


def petition_edit(store: Store, petition_id: str) -> PetitionEdit:
    """The petition's fields as they stand, to correct (refused for a voided petition)."""
    with store.read() as session:
        return _values(live_petition(session, petition_id))


def staff_choices(store: Store, petition_id: str, duty: str) -> list[duties.StaffChoice]:
    """Whom a screen offers for the petition's leader (``duties.LEAD``, the leader it has
    staying on offer) or for a transfer (``duties.HANDLE``, everyone eligible but the
    procurator who has the case)."""
    with store.read() as session:
        petition = live_petition(session, petition_id)
        if duty == duties.LEAD:
            keep = [petition.leader_id] if petition.leader_id else []
            found = duties.eligible_in(session, petition.office_id, duty, keep)
        else:
            found = [s for s in duties.eligible_in(session, petition.office_id, duty)
                     if s.id != petition.handling_procurator_id]
        return [duties.StaffChoice(s.id, s.name_zh, s.name_bo, s.role) for s in found]


def _parties(session: Session, petition_id: str) -> list[PersonInput]:
    """The petition's parties as registration validates them: for a group's representative."""
    return [PersonInput(name_zh=person.name_zh, name_bo=person.name_bo, role=role)
            for role, person in session.execute(
                select(PetitionParty.role, Person)
                .join(Person, Person.id == PetitionParty.person_id)
                .where(PetitionParty.petition_id == petition_id,
                       PetitionParty.deleted.is_(False))).all()]


def _cleaned(data: PetitionEdit, parties: int) -> dict[str, object]:
    """The values as registration stores them."""
    received = parse_received(data.received_at)
    assert received is not None
    refer = data.jurisdiction == "refer"
    return {
        "channel": data.channel,
        "higher_office": data.higher_office.strip(),
        "higher_ref": data.higher_ref.strip(),
        "received_at": received.isoformat(timespec="minutes"),
        "category": data.category,
        "business_type": data.business_type,
        "summary": data.summary.strip(),
        "requests": data.requests.strip(),
        "original_case_no": data.original_case_no.strip(),
        "is_group": data.is_group,
        "head_count": data.head_count if data.is_group else parties,
        "is_sensitive": data.is_sensitive,
        "is_repeat": data.is_repeat,
        "jurisdiction": data.jurisdiction,
        "referral_body": data.referral_body.strip() if refer else "",
        "referral_note": data.referral_note.strip() if refer else "",
        "leader_id": data.leader_id or None,
    }


def _first_recorded(session: Session, petition_id: str) -> str | None:
    """The earliest day something was recorded as done on the petition (a reply, a deadline
    change): the petition cannot have been received after it."""
    days = [session.scalar(select(func.min(PetitionReply.replied_on)).where(
                PetitionReply.petition_id == petition_id, PetitionReply.deleted.is_(False))),
            session.scalar(select(func.min(DeadlineEvent.on_date)).where(
                DeadlineEvent.petition_id == petition_id, DeadlineEvent.deleted.is_(False)))]
    found = [day for day in days if day]
    return min(found) if found else None


def edit_petition(store: Store, petition_id: str, data: PetitionEdit, staff_id: str = "",
                  now: datetime | None = None) -> Edited:
    """Correct a registered petition, checked as registration checks it, in one transaction.

    Its registration number stays (so the date received stays in the number's year). A change
    of the date received moves its due dates. A correction that changes nothing is refused,
    saving nothing.
    """
    now = now or datetime.now()
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        parties = _parties(session, petition_id)
        problems: list[ValidationError] = []
        for problem in validate(_as_input(data, parties), now):
            if problem.field == "persons":  # a group needs a representative among its parties
                problem.field = "is_group"
            if not (problem.field or "").startswith("persons."):
                problems.append(problem)
        received = parse_received(data.received_at)
        if received is not None and received.year != petition.reg_year:
            problems.append(ValidationError(
                N_("The registration number is of {year}: the date received must stay in that "
                   "year."), field="received_at", year=str(petition.reg_year)))
        first = _first_recorded(session, petition_id)
        if received is not None and first is not None \
                and received.date().isoformat() > first:
            problems.append(ValidationError(
                N_("Something was recorded on this petition on {date}: it was received before "
                   "that."), field="received_at", date=format_iso_date(first, "long")))
        try:
            duties.check_staff(session, petition.office_id, duties.LEAD, data.leader_id,
                               "leader_id", keep=[petition.leader_id or ""])
        except ValidationError as problem:
            problems.append(problem)
        if (data.leader_id or None) != petition.leader_id and session.scalar(
                select(LeaderCharge.id).where(LeaderCharge.petition_id == petition_id,
                                              LeaderCharge.deleted.is_(False),
                                              LeaderCharge.status == "open")):
            # The charge (包案, ``app.ledger.charges``) names the petition's leader in charge.
            problems.append(ValidationError(IN_CHARGE, field="leader_id"))
        if problems:
            raise InvalidInputError(problems)
        changed = []
        for name, value in _cleaned(data, len(parties)).items():
            if getattr(petition, name) != value:
                setattr(petition, name, value)
                changed.append(name)
        if not changed:
            raise AppError(N_("Nothing was changed, so nothing was saved."))
        if "received_at" in changed:
            session.flush()
            _recompute(session, petition)
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "edited",
                     " ".join(changed))
        return Edited(changed, petition.reply_due, petition.answer_due)


def _as_input(data: PetitionEdit, parties: list[PersonInput]) -> PetitionInput:
    return PetitionInput(
        channel=data.channel, higher_office=data.higher_office, higher_ref=data.higher_ref,
        received_at=data.received_at, persons=parties, is_group=data.is_group,
        head_count=data.head_count, category=data.category, business_type=data.business_type,
        summary=data.summary, requests=data.requests, original_case_no=data.original_case_no,
        is_sensitive=data.is_sensitive, jurisdiction=data.jurisdiction,
        referral_body=data.referral_body, referral_note=data.referral_note,
        leader_id=data.leader_id)


def void_petition(store: Store, petition_id: str, reason: str, staff_id: str = "",
                  now: datetime | None = None) -> None:
    """Void a wrong registration, for a reason, for good (see the module's notes)."""
    reason = reason.strip()
    problems = []
    if not reason:
        problems.append(ValidationError(N_("Please give the reason."), field="reason"))
    elif len(reason) > MAX_REASON:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="reason", n=MAX_REASON))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        if problems:
            raise InvalidInputError(problems)
        by = staff_or_none(session, staff_id)
        petition.voided_at = utc_stamp(now)
        petition.void_reason = reason
        petition.voided_by = by
        log_activity(session, store, petition_id, by, "voided", reason)


def _names(staff: Staff | None) -> tuple[str, str]:
    return (staff.name_zh, staff.name_bo) if staff is not None else ("", "")


def transfer_petition(store: Store, petition_id: str, procurator_id: str, reason: str = "",
                      staff_id: str = "") -> None:
    """Hand the case to another procurator of the office, with an optional reason."""
    reason = reason.strip()
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        problems = []
        if len(reason) > MAX_REASON:
            problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                            field="reason", n=MAX_REASON))
        to = session.get(Staff, procurator_id) if procurator_id else None
        if to is None or to.deleted:
            problems.append(ValidationError(N_("Please choose the procurator."),
                                            field="procurator_id"))
        elif to.id == petition.handling_procurator_id:
            problems.append(ValidationError(N_("The case is already with this procurator."),
                                            field="procurator_id"))
        elif not to.active:
            problems.append(ValidationError(N_("{name} is no longer active on the staff."),
                                            field="procurator_id", name=to.name_zh or to.name_bo))
        else:
            try:
                duties.check_staff(session, petition.office_id, duties.HANDLE, to.id,
                                   "procurator_id")
            except ValidationError as problem:
                problems.append(problem)
        if problems:
            raise InvalidInputError(problems)
        assert to is not None
        before = session.get(Staff, petition.handling_procurator_id) \
            if petition.handling_procurator_id else None
        petition.handling_procurator_id = to.id
        log_activity(session, store, petition_id, staff_or_none(session, staff_id),
                     "transferred", SEPARATOR.join((*_names(before), *_names(to), reason)))


__all__ = ["Edited", "PetitionEdit", "PetitionField", "edit_petition", "petition_edit",
           "staff_choices", "transfer_petition", "void_petition"]
