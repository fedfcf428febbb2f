"""Hearings (检察听证): the roster of hearing officers, and recording a hearing with what each
participant said and each officer's opinion, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access, duties
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.i18n import N_
from app.core.labels import HearingKind, HearingOutcome, OfficerRole
from app.core.records import live_petition, log_activity, staff_or_none
from app.core.store import Store
from app.persons.records import PHONE, normalise_name
from app.petitions.intake import CLOCK_SLACK, parse_received
from models import (
    Hearing,
    HearingOfficer,
    HearingParticipant,
    HearingStatement,
    OfficerOpinion,
    Person,
    PetitionParty,
    Staff,
)

MAX_TEXT = 5000
MAX_PLACE = 200


@dataclass
class OfficerInput:
    office_id: str
    name_zh: str = ""
    name_bo: str = ""
    role: str = ""
    phone: str = ""
    township: str = ""
    active: bool = True
    id: str | None = None


@dataclass(frozen=True)
class OfficerRow:
    id: str
    name_zh: str
    name_bo: str
    role: str
    phone: str
    township: str
    active: bool


def save_officer(store: Store, data: OfficerInput) -> str:
    """Add an officer to the roster, or change one; returns the officer's id."""
    problems = []
    name_zh, name_bo = normalise_name(data.name_zh), normalise_name(data.name_bo)
    if not name_zh and not name_bo:
        problems.append(ValidationError(N_("Please enter the name (in Tibetan, Chinese or both)."),
                                        field="name_zh"))
    if len(name_zh) > 50 or len(name_bo) > 100:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="name_zh", n=50))
    if not OfficerRole.has(data.role):
        problems.append(ValidationError(N_("Please choose from the list."), field="role"))
    if data.phone.strip() and not PHONE.match(data.phone.strip()):
        problems.append(ValidationError(N_("A phone number has digits only (a landline may "
                                           "have its area code and a dash)."), field="phone"))
    if problems:
        raise InvalidInputError(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        officer = session.get(HearingOfficer, data.id) if data.id else None
        if data.id and officer is None:
            raise AppError(N_("This entry no longer exists."))
        if officer is None:
            officer = HearingOfficer(office_id=data.office_id)
            session.add(officer)
        officer.name_zh, officer.name_bo, officer.role = name_zh, name_bo, data.role
        officer.phone, officer.township = data.phone.strip(), data.township.strip()
        officer.active = data.active
        session.flush()
        return officer.id


def officers(store: Store, office_id: str, active_only: bool = False) -> list[OfficerRow]:
    with store.read() as session:
        stmt = select(HearingOfficer).where(HearingOfficer.office_id == office_id,
                                            HearingOfficer.deleted.is_(False))
        if active_only:
            stmt = stmt.where(HearingOfficer.active.is_(True))
        rows = session.scalars(stmt.order_by(HearingOfficer.role, HearingOfficer.name_zh)).all()
        return [OfficerRow(o.id, o.name_zh, o.name_bo, o.role, o.phone, o.township, o.active)
                for o in rows]


# A participant is named by (kind, id): ("procurator", staff id), ("officer", officer id) or
# ("party", person id).
Participant = tuple[str, str]


@dataclass
class HearingInput:
    petition_id: str = ""
    kind: str = "doorstep"
    held_at: str = ""
    township: str = ""
    village: str = ""
    herding_group: str = ""
    place: str = ""
    host_id: str = ""
    procurator_ids: list[str] = field(default_factory=list)
    officer_ids: list[str] = field(default_factory=list)
    party_ids: list[str] = field(default_factory=list)
    interpreter: str = ""
    statements: list[tuple[Participant, str]] = field(default_factory=list)
    opinions: dict[str, str] = field(default_factory=dict)
    outcome: str = ""
    outcome_note: str = ""


def validate_hearing(data: HearingInput, now: datetime) -> list[ValidationError]:
    problems: list[ValidationError] = []

    def need(ok: bool, name: str, message: str, **params: object) -> None:
        if not ok:
            problems.append(ValidationError(message, field=name, **params))

    need(HearingKind.has(data.kind), "kind", N_("Please choose the kind of hearing."))
    held = parse_received(data.held_at)
    if held is None:
        need(False, "held_at", N_("This date and time does not exist."))
    elif data.outcome:
        # A hearing still to be held (no outcome yet) may be planned for a later day.
        need(held <= now + CLOCK_SLACK, "held_at",
             N_("A hearing that has an outcome cannot be in the future."))
    if data.kind == "doorstep":
        need(bool(data.township.strip() or data.place.strip()), "place",
             N_("Please say where the doorstep hearing was held."))
    for name in ("township", "village", "herding_group"):
        need(len(getattr(data, name).strip()) <= 50, name,
             N_("This is too long (at most {n} characters)."), n=50)
    need(len(data.place.strip()) <= MAX_PLACE, "place",
         N_("This is too long (at most {n} characters)."), n=MAX_PLACE)
    need(bool(data.host_id), "host_id", N_("Please choose who hosted the hearing."))
    need(bool(data.party_ids), "party_ids", N_("Please choose at least one party."))
    present: set[Participant] = {("procurator", s) for s in data.procurator_ids}
    present |= {("officer", o) for o in data.officer_ids}
    present |= {("party", p) for p in data.party_ids}
    if data.host_id:
        present.add(("procurator", data.host_id))
    for index, (who, text) in enumerate(data.statements):
        need(who in present, f"statements.{index}",
             N_("Who said this is not among the participants."))
        need(bool(text.strip()), f"statements.{index}", N_("Please write what was said."))
        need(len(text) <= MAX_TEXT, f"statements.{index}",
             N_("This is too long (at most {n} characters)."), n=MAX_TEXT)
    for officer_id, opinion in data.opinions.items():
        need(officer_id in data.officer_ids, "opinions",
             N_("An opinion can only come from an officer at the hearing."))
        need(len(opinion) <= MAX_TEXT, "opinions",
             N_("This is too long (at most {n} characters)."), n=MAX_TEXT)
    need(HearingOutcome.has(data.outcome) or (not data.outcome and not data.opinions),
         "outcome", N_("Please choose the outcome."))
    if not data.outcome:
        need(not data.outcome_note.strip(), "outcome", N_("Please choose the outcome."))
    return problems


def record_hearing(store: Store, data: HearingInput, staff_id: str = "",
                   now: datetime | None = None, hearing_id: str | None = None) -> str:
    """Save a hearing with its participants, statements and opinions; returns its id.

    With no outcome the hearing is planned (its notice can be printed); recording it again with
    ``hearing_id`` replaces what was said and who took part, e.g. once it has been held.
    """
    now = now or datetime.now()
    problems = validate_hearing(data, now)
    if problems:
        raise InvalidInputError(problems)
    held = parse_received(data.held_at)
    assert held is not None
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, data.petition_id)
        if held.isoformat(timespec="minutes") < petition.received_at:
            raise InvalidInputError([ValidationError(
                N_("A hearing cannot be held before the petition was received."),
                field="held_at")])
        parties = set(session.scalars(select(PetitionParty.person_id).where(
            PetitionParty.petition_id == petition.id, PetitionParty.deleted.is_(False))))
        unknown = [p for p in data.party_ids
                   if p not in parties and session.get(Person, p) is None]
        if unknown:
            raise AppError(N_("Someone chosen for this hearing is no longer in the records."))
        found = None
        if hearing_id is not None:
            found = session.get(Hearing, hearing_id)
            if found is None or found.deleted or found.petition_id != petition.id:
                raise AppError(N_("This hearing no longer exists."))
        # Staff already on the hearing stay eligible for it (see duties.eligible_in).
        keep = _hearing_staff(session, hearing_id) if hearing_id is not None else set()
        problems = []
        for name, chosen in [("host_id", data.host_id),
                             *(("procurator_ids", s) for s in data.procurator_ids)]:
            try:
                duties.check_staff(session, petition.office_id, duties.HEARING, chosen, name,
                                   keep)
            except ValidationError as problem:
                if all(p.field != name for p in problems):
                    problems.append(problem)
        if problems:
            raise InvalidInputError(problems)
        if found is None:
            hearing = Hearing(petition_id=petition.id)
            session.add(hearing)
        else:
            hearing = found
            # Statements and opinions before the participants they point at.
            old_rows: list[HearingStatement | OfficerOpinion | HearingParticipant] = [
                *session.scalars(select(HearingStatement).where(
                    HearingStatement.hearing_id == hearing.id,
                    HearingStatement.deleted.is_(False))),
                *session.scalars(select(OfficerOpinion).where(
                    OfficerOpinion.hearing_id == hearing.id, OfficerOpinion.deleted.is_(False))),
                *session.scalars(select(HearingParticipant).where(
                    HearingParticipant.hearing_id == hearing.id,
                    HearingParticipant.deleted.is_(False)))]
            for old in old_rows:
                old.deleted = True
        hearing.kind, hearing.held_at = data.kind, held.isoformat(timespec="minutes")
        hearing.township, hearing.village = data.township.strip(), data.village.strip()
        hearing.herding_group, hearing.place = data.herding_group.strip(), data.place.strip()
        hearing.host_id, hearing.interpreter = data.host_id, data.interpreter.strip()
        hearing.outcome, hearing.outcome_note = data.outcome, data.outcome_note.strip()
        session.flush()
        ids: dict[Participant, str] = {}
        everyone = ([("procurator", s) for s in dict.fromkeys([data.host_id,
                                                                *data.procurator_ids])]
                    + [("officer", o) for o in dict.fromkeys(data.officer_ids)]
                    + [("party", p) for p in dict.fromkeys(data.party_ids)])
        for position, (kind, key) in enumerate(everyone):
            row = HearingParticipant(hearing_id=hearing.id, kind=kind, position=position,
                                     staff_id=key if kind == "procurator" else None,
                                     officer_id=key if kind == "officer" else None,
                                     person_id=key if kind == "party" else None)
            session.add(row)
            session.flush()
            ids[(kind, key)] = row.id
        for position, (who, text) in enumerate(data.statements):
            session.add(HearingStatement(hearing_id=hearing.id, position=position,
                                         participant_id=ids[who], text=text.strip()))
        for officer_id, opinion in data.opinions.items():
            if opinion.strip():
                session.add(OfficerOpinion(hearing_id=hearing.id, officer_id=officer_id,
                                           opinion=opinion.strip()))
        log_activity(session, store, petition.id, staff_or_none(session, staff_id),
                     "hearing" if data.outcome else "hearing_planned",
                     f"{data.kind} {held.isoformat(timespec='minutes')}")
        return hearing.id


def _hearing_staff(session: Session, hearing_id: str) -> set[str]:
    """The staff who host or take part in a hearing as recorded."""
    found = session.get(Hearing, hearing_id)
    hosts = {found.host_id} if found is not None and found.host_id else set()
    return hosts | {s for s in session.scalars(select(HearingParticipant.staff_id).where(
        HearingParticipant.hearing_id == hearing_id, HearingParticipant.deleted.is_(False),
        HearingParticipant.kind == "procurator")) if s}


@dataclass(frozen=True)
class StatementRow:
    speaker_zh: str
    speaker_bo: str
    speaker_kind: str
    text: str


@dataclass(frozen=True)
class HearingDetail:
    id: str
    petition_id: str
    kind: str
    held_at: str
    township: str
    village: str
    herding_group: str
    place: str
    host_zh: str
    host_bo: str
    interpreter: str
    procurators: list[tuple[str, str]]
    officers: list[tuple[str, str, str]]  # zh, bo, role
    parties: list[tuple[str, str]]
    statements: list[StatementRow]
    opinions: list[tuple[str, str, str]]  # officer zh, bo, opinion
    outcome: str
    outcome_note: str


def hearing_detail(store: Store, hearing_id: str) -> HearingDetail:
    with store.read() as session:
        hearing = session.get(Hearing, hearing_id)
        if hearing is None or hearing.deleted:
            raise AppError(N_("This hearing no longer exists."))
        names: dict[str, tuple[str, str, str]] = {}
        procurators, officer_rows, party_rows = [], [], []
        for p in session.scalars(select(HearingParticipant).where(
                HearingParticipant.hearing_id == hearing_id,
                HearingParticipant.deleted.is_(False)).order_by(HearingParticipant.position)):
            if p.kind == "procurator" and p.staff_id:
                staff = session.get(Staff, p.staff_id)
                assert staff is not None
                names[p.id] = (staff.name_zh, staff.name_bo, p.kind)
                procurators.append((staff.name_zh, staff.name_bo))
            elif p.kind == "officer" and p.officer_id:
                officer = session.get(HearingOfficer, p.officer_id)
                assert officer is not None
                names[p.id] = (officer.name_zh, officer.name_bo, p.kind)
                officer_rows.append((officer.name_zh, officer.name_bo, officer.role))
            elif p.person_id:
                person = session.get(Person, p.person_id)
                assert person is not None
                names[p.id] = (person.name_zh, person.name_bo, p.kind)
                party_rows.append((person.name_zh, person.name_bo))
        statements = [StatementRow(*names[s.participant_id][:3], s.text)
                      for s in session.scalars(select(HearingStatement).where(
                          HearingStatement.hearing_id == hearing_id,
                          HearingStatement.deleted.is_(False))
                          .order_by(HearingStatement.position))]
        opinions = []
        for o in session.scalars(select(OfficerOpinion).where(
                OfficerOpinion.hearing_id == hearing_id, OfficerOpinion.deleted.is_(False))):
            officer = session.get(HearingOfficer, o.officer_id)
            assert officer is not None
            opinions.append((officer.name_zh, officer.name_bo, o.opinion))
        host = session.get(Staff, hearing.host_id) if hearing.host_id else None
        return HearingDetail(
            hearing.id, hearing.petition_id, hearing.kind, hearing.held_at, hearing.township,
            hearing.village, hearing.herding_group, hearing.place,
            host.name_zh if host else "", host.name_bo if host else "", hearing.interpreter,
            procurators, officer_rows, party_rows, statements, opinions, hearing.outcome,
            hearing.outcome_note)


def hearings_of(store: Store, petition_id: str) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(Hearing.id).where(
            Hearing.petition_id == petition_id, Hearing.deleted.is_(False))
            .order_by(Hearing.held_at)))


def hearing_input(store: Store, hearing_id: str) -> HearingInput:
    """The hearing as the form holds it, to go on recording it (e.g. once a planned hearing has
    been held)."""
    with store.read() as session:
        hearing = session.get(Hearing, hearing_id)
        if hearing is None or hearing.deleted:
            raise AppError(N_("This hearing no longer exists."))
        data = HearingInput(
            petition_id=hearing.petition_id, kind=hearing.kind, held_at=hearing.held_at,
            township=hearing.township, village=hearing.village,
            herding_group=hearing.herding_group, place=hearing.place,
            host_id=hearing.host_id or "", interpreter=hearing.interpreter,
            outcome=hearing.outcome, outcome_note=hearing.outcome_note)
        keys: dict[str, Participant] = {}
        for p in session.scalars(select(HearingParticipant).where(
                HearingParticipant.hearing_id == hearing_id,
                HearingParticipant.deleted.is_(False)).order_by(HearingParticipant.position)):
            key = p.staff_id or p.officer_id or p.person_id
            assert key is not None
            keys[p.id] = (p.kind, key)
            if p.kind == "procurator" and key != data.host_id:
                data.procurator_ids.append(key)
            elif p.kind == "officer":
                data.officer_ids.append(key)
            elif p.kind == "party":
                data.party_ids.append(key)
        data.statements = [(keys[s.participant_id], s.text) for s in session.scalars(
            select(HearingStatement).where(HearingStatement.hearing_id == hearing_id,
                                           HearingStatement.deleted.is_(False))
            .order_by(HearingStatement.position))]
        data.opinions = {o.officer_id: o.opinion for o in session.scalars(
            select(OfficerOpinion).where(OfficerOpinion.hearing_id == hearing_id,
                                         OfficerOpinion.deleted.is_(False)))}
        return data


@dataclass(frozen=True)
class HearingSummary:
    id: str
    kind: str
    held_at: str
    outcome: str
    place: str


def hearing_summaries(store: Store, petition_id: str) -> list[HearingSummary]:
    """The petition's hearings, earliest first, for its detail view."""
    with store.read() as session:
        return [HearingSummary(h.id, h.kind, h.held_at, h.outcome, place_text(
                    h.township, h.village, h.herding_group, h.place))
                for h in session.scalars(select(Hearing).where(
                    Hearing.petition_id == petition_id, Hearing.deleted.is_(False))
                    .order_by(Hearing.held_at))]


def place_text(township: str, village: str, herding_group: str, place: str) -> str:
    """Where a hearing was held, as one line: 窝赛乡查干村二社 信访人家中帐篷."""
    area = "".join(part for part in (township, village, herding_group) if part)
    return " ".join(part for part in (area, place) if part)


@dataclass(frozen=True)
class PersonChoice:
    id: str
    name_zh: str
    name_bo: str
    detail: str  # a role code, or the person's preferred language


@dataclass(frozen=True)
class HearingContext:
    """Who can take part in a petition's hearing: the office's staff, its roster of officers
    (active ones, plus any already on this hearing) and the petition's parties."""

    petition_id: str
    reg_no: str
    office_id: str
    staff: list[PersonChoice]
    officers: list[PersonChoice]
    parties: list[PersonChoice]
    # What a new hearing starts from: the petition's handling procurator as host (when they may
    # host it; never simply whoever is at the keyboard, who may be a clerk), and the place the
    # first petitioner with an address lives (a doorstep hearing goes there).
    host_id: str = ""
    township: str = ""
    village: str = ""
    herding_group: str = ""


def hearing_context(store: Store, petition_id: str, keep_officers: list[str] | None = None,
                    hearing_id: str | None = None) -> HearingContext:
    """What a hearing of the petition can name: the staff eligible to host it or take part for
    the office (with those already on ``hearing_id``), the roster's active officers (with
    ``keep_officers``), and the petition's parties."""
    keep = set(keep_officers or [])
    with store.read() as session:
        petition = live_petition(session, petition_id)
        on_it = _hearing_staff(session, hearing_id) if hearing_id else set()
        staff = [PersonChoice(s.id, s.name_zh, s.name_bo, s.role) for s in duties.eligible_in(
            session, petition.office_id, duties.HEARING, on_it)]
        roster = [PersonChoice(o.id, o.name_zh, o.name_bo, o.role) for o in session.scalars(
            select(HearingOfficer).where(HearingOfficer.office_id == petition.office_id,
                                         HearingOfficer.deleted.is_(False))
            .order_by(HearingOfficer.role, HearingOfficer.name_zh))
            if o.active or o.id in keep]
        persons = list(session.scalars(
            select(Person).join(PetitionParty, PetitionParty.person_id == Person.id)
            .where(PetitionParty.petition_id == petition_id, PetitionParty.deleted.is_(False))
            .order_by(PetitionParty.position)))
        parties = [PersonChoice(p.id, p.name_zh, p.name_bo, p.preferred_language)
                   for p in persons]
        host = petition.handling_procurator_id or ""
        if host not in {s.id for s in staff}:
            host = ""
        home = next((p for p in persons if p.township or p.village or p.herding_group), None)
        return HearingContext(petition.id, petition.reg_no, petition.office_id, staff, roster,
                              parties, host_id=host,
                              township=home.township if home else "",
                              village=home.village if home else "",
                              herding_group=home.herding_group if home else "")
