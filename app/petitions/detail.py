"""One petition in full: its parties, replies, deadline changes and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access
from app.core.stamps import local_iso
from app.core.store import Store
from app.petitions.registry import PetitionRow, petition_rows
from models import (
    Activity,
    DeadlineEvent,
    Office,
    Person,
    Petition,
    PetitionParty,
    PetitionReply,
    Staff,
)


@dataclass(frozen=True)
class PartyDetail:
    person_id: str
    role: str
    name_bo: str
    name_zh: str
    sex: str
    ethnicity: str
    id_number: str
    phone: str
    address: str
    preferred_language: str
    needs_interpreter: bool


@dataclass(frozen=True)
class ReplyDetail:
    kind: str
    replied_on: str
    method: str
    content: str
    by_zh: str
    by_bo: str


@dataclass(frozen=True)
class DeadlineEventDetail:
    deadline: str
    action: str
    on_date: str
    days: int
    reason: str
    by_zh: str
    by_bo: str


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    action: str
    detail: str
    by_zh: str
    by_bo: str
    device_id: str


@dataclass(frozen=True)
class PetitionDetail:
    row: PetitionRow
    office_zh: str
    office_bo: str
    office_short: str
    higher_office: str
    higher_ref: str
    requests: str
    original_case_no: str
    head_count: int
    jurisdiction: str
    referral_body: str
    referral_note: str
    procurator_zh: str
    procurator_bo: str
    leader_zh: str
    leader_bo: str
    registered_by_zh: str
    registered_by_bo: str
    parties: list[PartyDetail]
    replies: list[ReplyDetail]
    deadline_events: list[DeadlineEventDetail]
    history: list[HistoryEntry]
    # A voided registration: when (local ISO date-time), why, by whom; "" while it stands.
    voided_at: str = ""
    void_reason: str = ""
    voided_by_zh: str = ""
    voided_by_bo: str = ""
    handling_procurator_id: str = ""

    @property
    def voided(self) -> bool:
        return bool(self.voided_at)

    @property
    def prefers_tibetan(self) -> bool:
        return any(p.preferred_language == "bo" for p in self.parties)


def _staff_names(session: Session, staff_id: str | None) -> tuple[str, str]:
    staff = session.get(Staff, staff_id) if staff_id else None
    return (staff.name_zh, staff.name_bo) if staff else ("", "")


def petition_detail(store: Store, petition_id: str, today: date | None = None) -> PetitionDetail:
    from app.core.errors import AppError
    from app.core.i18n import N_

    row = petition_rows(store, [petition_id], today).get(petition_id)
    if row is None:
        raise AppError(N_("This petition no longer exists."))
    with store.read() as session:
        p = session.get(Petition, petition_id)
        assert p is not None
        office = session.get(Office, p.office_id)
        assert office is not None
        parties = []
        id_shown, phone_shown = access.identifiers(session, store.ctx)
        for party, person in session.execute(
                select(PetitionParty, Person).join(Person, Person.id == PetitionParty.person_id)
                .where(PetitionParty.petition_id == petition_id,
                       PetitionParty.deleted.is_(False))
                .order_by(PetitionParty.position)).all():
            address = " ".join(x for x in (person.county, person.township, person.village,
                                           person.herding_group) if x)
            parties.append(PartyDetail(person.id, party.role, person.name_bo, person.name_zh,
                                       person.sex, person.ethnicity,
                                       id_shown(person.id_number), phone_shown(person.phone),
                                       address, person.preferred_language,
                                       person.needs_interpreter))
        replies = [ReplyDetail(r.kind, r.replied_on, r.method, r.content,
                               *_staff_names(session, r.by_staff_id))
                   for r in session.scalars(select(PetitionReply).where(
                       PetitionReply.petition_id == petition_id,
                       PetitionReply.deleted.is_(False)).order_by(PetitionReply.replied_on))]
        events = [DeadlineEventDetail(e.deadline, e.action, e.on_date, e.days, e.reason,
                                      *_staff_names(session, e.by_staff_id))
                  for e in session.scalars(select(DeadlineEvent).where(
                      DeadlineEvent.petition_id == petition_id,
                      DeadlineEvent.deleted.is_(False)).order_by(DeadlineEvent.on_date))]
        # In local time, in the order things happened (lines written before 12.5 are local).
        history = sorted((HistoryEntry(local_iso(a.at), a.action, a.detail,
                                       *_staff_names(session, a.staff_id), a.device_id)
                          for a in session.scalars(select(Activity).where(
                              Activity.petition_id == petition_id)
                              .order_by(Activity.at, Activity.id))), key=lambda h: h.at)
        return PetitionDetail(
            row, office.name_zh, office.name_bo, office.short_zh, p.higher_office, p.higher_ref,
            p.requests, p.original_case_no, p.head_count, p.jurisdiction, p.referral_body,
            p.referral_note, *_staff_names(session, p.handling_procurator_id),
            *_staff_names(session, p.leader_id), *_staff_names(session, p.registered_by),
            parties, replies, events, history, local_iso(p.voided_at, "minutes"), p.void_reason,
            *_staff_names(session, p.voided_by), p.handling_procurator_id or "")
