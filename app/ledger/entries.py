"""The key-petitioner ledger (重点信访人员台账): entering a person, keeping their entry (current
situation, recent movements, demands, measures, who is responsible), their status, and reading
it.

The ledger is sensitive: every use case here needs ``Permission.SEE_KEY_PETITIONERS`` (the
office's clerks, procurators and leaders, not the administrator), and every reading of it is
recorded in the record of what was done (a list as one entry, an opened entry as a view of it
and of its person).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.trail import Action, record_in
from app.core import access, duties
from app.core.access import Permission
from app.core.errors import AppError, ValidationError, check_day, raise_problems
from app.core.i18n import N_
from app.core.labels import StaffRole, Vocabulary
from app.core.records import staff_names
from app.core.stamps import local_iso
from app.core.store import Store
from app.ledger.keeping import keeps, require_kept
from app.ledger.rules import NO_SUCH_OFFICE, Level, MovementKind
from models import (
    Agreement,
    Hearing,
    HearingParticipant,
    KeyPetitioner,
    LedgerMeasure,
    LedgerMovement,
    LevelChange,
    Office,
    Person,
    Petition,
    PetitionParty,
    Staff,
)


class Status(Vocabulary):
    IN_LEDGER = "in_ledger", N_("In the ledger")
    STABLE = "stable", N_("Stable")
    RELAPSED = "relapsed", N_("Relapsed (反弹)")
    LEFT = "left", N_("Left the ledger")


class MeasureKind(Vocabulary):
    EDUCATION = "education", N_("Education and persuasion (教育转化)")
    ASSISTANCE = "assistance", N_("Help with difficulties (帮扶解困)")
    COUNSELLING = "counselling", N_("Psychological counselling (心理疏导)")
    OTHER = "other", N_("Other")


ALREADY_IN_LEDGER = N_("This person is already in the office's ledger of key petitioners.")
NO_SUCH_PERSON = N_("This person is not known on this laptop.")
NO_SUCH_ENTRY = N_("This ledger entry no longer exists.")
HAS_LEFT = N_("This person has left the ledger; enter them again to follow them anew.")
REASON_NEEDED = N_("Please say why the person enters the ledger.")
LEFT_REASON_NEEDED = N_("Please say why the person leaves the ledger.")
BAD_STATUS = N_("Please choose a status.")
BAD_MOVEMENT = N_("Please choose the kind of movement.")
MOVEMENT_TEXT_NEEDED = N_("Please describe the movement.")
BAD_MEASURE = N_("Please choose the kind of measure.")
MEASURE_TEXT_NEEDED = N_("Please describe the measure.")
NOT_ON_STAFF = N_("The staff member responsible must be on this office's staff.")
MEASURE_STAFF = N_("Whoever took the measure must be on this office's staff.")


# -- helpers ---------------------------------------------------------------------------------
def _office_staff(session: Session, office_id: str, staff_id: str, field: str,
                  message: str, problems: list[ValidationError]) -> str | None:
    """A live staff member of the office who is not the administrator (the responsible, or
    who took a measure); None when none is chosen."""
    if not staff_id:
        return None
    staff = session.get(Staff, staff_id)
    if staff is None or staff.deleted or not staff.active or staff.office_id != office_id \
            or staff.role == StaffRole.ADMIN:
        problems.append(ValidationError(message, field=field))
        return None
    return staff_id


def _leader(session: Session, office_id: str, staff_id: str,
            problems: list[ValidationError]) -> str | None:
    try:
        return duties.check_staff(session, office_id, duties.LEAD, staff_id, "leader_id")
    except ValidationError as problem:
        problems.append(problem)
        return None


def live_entry(session: Session, entry_id: str) -> KeyPetitioner:
    entry = session.get(KeyPetitioner, entry_id)
    if entry is None or entry.deleted:
        raise AppError(NO_SUCH_ENTRY)
    return entry


def open_entry(session: Session, entry_id: str) -> KeyPetitioner:
    """An entry that is still followed (not left)."""
    entry = live_entry(session, entry_id)
    if entry.status == Status.LEFT:
        raise AppError(HAS_LEFT)
    return entry


def kept_entry(session: Session, store: Store, entry_id: str) -> KeyPetitioner:
    """An entry still followed in a ledger this store keeps: what a change to it starts from
    (on a prefecture hub, a county's entry is refused: the county keeps it)."""
    require_kept(session, store, live_entry(session, entry_id).office_id)
    return open_entry(session, entry_id)


def _today(today: date | None) -> date:
    return today or date.today()


# -- entering and keeping an entry -------------------------------------------------------------
@dataclass
class EntryInput:
    person_id: str
    office_id: str
    reason: str
    entered_on: str
    situation: str = ""
    demands: str = ""
    responsible_staff_id: str = ""
    leader_id: str = ""


def enter(store: Store, data: EntryInput, today: date | None = None) -> str:
    """Enter a person in the office's ledger; refuses one already in it (and not left)."""
    problems: list[ValidationError] = []
    if not data.reason.strip():
        problems.append(ValidationError(REASON_NEEDED, field="reason"))
    entered_on = check_day(data.entered_on, "entered_on", problems, _today(today))
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        if session.get(Office, data.office_id) is None:
            raise AppError(NO_SUCH_OFFICE)
        require_kept(session, store, data.office_id)
        person = session.get(Person, data.person_id)
        if person is None or person.deleted:
            raise AppError(NO_SUCH_PERSON)
        if session.scalar(select(KeyPetitioner.id).where(
                KeyPetitioner.person_id == data.person_id,
                KeyPetitioner.office_id == data.office_id,
                KeyPetitioner.deleted.is_(False), KeyPetitioner.status != Status.LEFT)):
            raise AppError(ALREADY_IN_LEDGER)
        responsible = _office_staff(session, data.office_id, data.responsible_staff_id,
                                    "responsible_staff_id", NOT_ON_STAFF, problems)
        leader = _leader(session, data.office_id, data.leader_id, problems)
        raise_problems(problems)
        entry = KeyPetitioner(person_id=data.person_id, office_id=data.office_id,
                              reason=data.reason.strip(), entered_on=entered_on,
                              status=Status.IN_LEDGER, situation=data.situation.strip(),
                              demands=data.demands.strip(), responsible_staff_id=responsible,
                              leader_id=leader, level="", level_confirmed_on="")
        session.add(entry)
        session.flush()
        return entry.id


@dataclass
class EntryUpdate:
    situation: str
    demands: str
    responsible_staff_id: str = ""
    leader_id: str = ""


def update(store: Store, entry_id: str, data: EntryUpdate) -> None:
    """The current situation (目前状况), the demands, who is responsible and the leader in
    charge."""
    problems: list[ValidationError] = []
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        entry = kept_entry(session, store, entry_id)
        responsible = _office_staff(session, entry.office_id, data.responsible_staff_id,
                                    "responsible_staff_id", NOT_ON_STAFF, problems)
        leader = _leader(session, entry.office_id, data.leader_id, problems)
        raise_problems(problems)
        values = (data.situation.strip(), data.demands.strip(), responsible, leader)
        if values != (entry.situation, entry.demands, entry.responsible_staff_id,
                      entry.leader_id):
            (entry.situation, entry.demands, entry.responsible_staff_id,
             entry.leader_id) = values


def add_movement(store: Store, entry_id: str, day: str, kind: str, text: str,
                 today: date | None = None) -> str:
    """A recent movement (近期动向) of the person; its kind is what the risk rules read."""
    problems: list[ValidationError] = []
    on = check_day(day, "day", problems, _today(today))
    if not MovementKind.has(kind):
        problems.append(ValidationError(BAD_MOVEMENT, field="kind"))
    elif kind == MovementKind.OTHER and not text.strip():
        problems.append(ValidationError(MOVEMENT_TEXT_NEEDED, field="text"))
    raise_problems(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        kept_entry(session, store, entry_id)
        movement = LedgerMovement(entry_id=entry_id, day=on, kind=kind, text=text.strip())
        session.add(movement)
        session.flush()
        return movement.id


@dataclass
class MeasureInput:
    kind: str
    staff_id: str
    day: str
    description: str
    result: str = ""


def add_measure(store: Store, entry_id: str, data: MeasureInput,
                today: date | None = None) -> str:
    """A measure taken (教育转化、帮扶解困、心理疏导 …): who, when, what, with what result."""
    problems: list[ValidationError] = []
    on = check_day(data.day, "day", problems, _today(today))
    if not MeasureKind.has(data.kind):
        problems.append(ValidationError(BAD_MEASURE, field="kind"))
    if not data.description.strip():
        problems.append(ValidationError(MEASURE_TEXT_NEEDED, field="description"))
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        entry = kept_entry(session, store, entry_id)
        staff = _office_staff(session, entry.office_id, data.staff_id, "staff_id",
                              MEASURE_STAFF, problems)
        raise_problems(problems)
        measure = LedgerMeasure(entry_id=entry_id, kind=data.kind, staff_id=staff, day=on,
                                description=data.description.strip(),
                                result=data.result.strip())
        session.add(measure)
        session.flush()
        return measure.id


def change_status(store: Store, entry_id: str, status: str, reason: str = "",
                  today: date | None = None) -> None:
    """In the ledger, stable, relapsed (反弹), or left (出账: needs a reason)."""
    if not Status.has(status):
        raise ValidationError(BAD_STATUS, field="status")
    if status == Status.LEFT and not reason.strip():
        raise ValidationError(LEFT_REASON_NEEDED, field="reason")
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        entry = kept_entry(session, store, entry_id)
        if entry.status == status:
            return
        entry.status = status
        if status == Status.LEFT:
            entry.left_reason = reason.strip()
            entry.left_on = _today(today).isoformat()


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerAccess:
    """What the logged-in staff member may do with the ledger (for screens to hide what is
    refused anyway); nothing is read from the ledger, so nothing is recorded."""

    see: bool  # the ledger, its entries and the office's risk rules
    change_rules: bool  # the office's risk rules


def ledger_access(store: Store) -> LedgerAccess:
    with store.read() as session:
        return LedgerAccess(
            access.allowed(session, store.ctx, Permission.SEE_KEY_PETITIONERS),
            access.allowed(session, store.ctx, Permission.OFFICE_RULES))


@dataclass(frozen=True)
class LedgerRow:
    entry_id: str
    person_id: str
    name_zh: str
    name_bo: str
    status: str
    level: str
    reason: str
    entered_on: str
    responsible_zh: str
    responsible_bo: str
    leader_id: str
    leader_zh: str
    leader_bo: str
    last_movement_on: str

    @property
    def needs_leader(self) -> bool:
        """Red or yellow, and no leader in charge: the monthly screening must name one."""
        return self.level in (Level.RED, Level.YELLOW) and not self.leader_id


def _name(names: dict[str, tuple[str, str]], staff_id: str | None) -> tuple[str, str]:
    return names.get(staff_id or "", ("", ""))


def ledger(store: Store, office_id: str, include_left: bool = False) -> list[LedgerRow]:
    """The office's ledger: red first, then yellow, green and not yet levelled, by name. The
    reading is recorded."""
    order = {Level.RED: 0, Level.YELLOW: 1, Level.GREEN: 2, "": 3}
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        names = staff_names(session)
        last = (select(LedgerMovement.entry_id, func.max(LedgerMovement.day).label("day"))
                .where(LedgerMovement.deleted.is_(False))
                .group_by(LedgerMovement.entry_id).subquery())
        query = (select(KeyPetitioner, Person.name_zh, Person.name_bo, last.c.day)
                 .join(Person, Person.id == KeyPetitioner.person_id)
                 .outerjoin(last, last.c.entry_id == KeyPetitioner.id)
                 .where(KeyPetitioner.office_id == office_id,
                        KeyPetitioner.deleted.is_(False)))
        if not include_left:
            query = query.where(KeyPetitioner.status != Status.LEFT)
        rows = [LedgerRow(e.id, e.person_id, str(zh), str(bo), e.status, e.level, e.reason,
                          e.entered_on, *_name(names, e.responsible_staff_id),
                          e.leader_id or "", *_name(names, e.leader_id), str(day or ""))
                for e, zh, bo, day in session.execute(query)]
        record_in(session, store.ctx, Action.VIEWED, tbl="key_petitioner",
                  detail={"ledger": office_id, "count": len(rows)})
    return sorted(rows, key=lambda r: (order.get(r.level, 4), r.name_zh, r.name_bo,
                                       r.entry_id))


def without_leader(store: Store, office_id: str) -> list[LedgerRow]:
    """Red and yellow entries that have no leader in charge."""
    return [r for r in ledger(store, office_id) if r.needs_leader]


@dataclass(frozen=True)
class MovementRow:
    movement_id: str
    day: str
    kind: str
    text: str


@dataclass(frozen=True)
class MeasureRow:
    measure_id: str
    kind: str
    staff_zh: str
    staff_bo: str
    day: str
    description: str
    result: str


@dataclass(frozen=True)
class LevelChangeRow:
    from_level: str
    to_level: str
    proposed_level: str
    fired: list[str]  # the codes of the rules that fired
    reason: str
    staff_id: str
    staff_zh: str
    staff_bo: str
    at: str  # local time, ISO


@dataclass(frozen=True)
class PetitionLine:
    petition_id: str
    reg_no: str
    received_at: str
    summary: str
    is_repeat: bool
    resolution: str


@dataclass(frozen=True)
class HearingLine:
    hearing_id: str
    petition_id: str
    kind: str
    held_at: str
    outcome: str


@dataclass(frozen=True)
class AgreementLine:
    agreement_id: str
    petition_id: str
    status: str
    signed_on: str


@dataclass(frozen=True)
class EntryDetail:
    entry_id: str
    office_id: str
    person_id: str
    name_zh: str
    name_bo: str
    id_number: str  # masked for roles that may not see it
    phone: str
    reason: str
    entered_on: str
    status: str
    left_reason: str
    left_on: str
    situation: str
    demands: str
    responsible_staff_id: str
    responsible_zh: str
    responsible_bo: str
    leader_id: str
    leader_zh: str
    leader_bo: str
    level: str
    level_confirmed_on: str
    movements: list[MovementRow]
    measures: list[MeasureRow]
    levels: list[LevelChangeRow]  # newest first
    petitions: list[PetitionLine]
    hearings: list[HearingLine]
    agreements: list[AgreementLine]
    kept: bool = True  # changed here (False: a county's entry read on the prefecture hub)

    @property
    def needs_leader(self) -> bool:
        return self.level in (Level.RED, Level.YELLOW) and not self.leader_id


def level_history(session: Session, entry_id: str) -> list[LevelChangeRow]:
    names = staff_names(session)
    return [LevelChangeRow(c.from_level, c.to_level, c.proposed_level, json.loads(c.fired),
                           c.reason, c.staff_id or "", *_name(names, c.staff_id),
                           local_iso(c.at))
            for c in session.scalars(select(LevelChange).where(
                LevelChange.entry_id == entry_id, LevelChange.deleted.is_(False))
                .order_by(LevelChange.at.desc(), LevelChange.id.desc()))]


def entry_detail(store: Store, entry_id: str) -> EntryDetail:
    """One entry with the person's petitions, hearings and agreements. Opening it is recorded
    as a view of the entry and of its person."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        e = live_entry(session, entry_id)
        person = session.get(Person, e.person_id)
        assert person is not None
        show_id, show_phone = access.identifiers(session, store.ctx)
        names = staff_names(session)
        movements = [MovementRow(m.id, m.day, m.kind, m.text) for m in session.scalars(
            select(LedgerMovement).where(LedgerMovement.entry_id == entry_id,
                                         LedgerMovement.deleted.is_(False))
            .order_by(LedgerMovement.day.desc(), LedgerMovement.id.desc()))]
        measures = [MeasureRow(m.id, m.kind, *_name(names, m.staff_id), m.day,
                               m.description, m.result) for m in session.scalars(
            select(LedgerMeasure).where(LedgerMeasure.entry_id == entry_id,
                                        LedgerMeasure.deleted.is_(False))
            .order_by(LedgerMeasure.day.desc(), LedgerMeasure.id.desc()))]
        petitions = [PetitionLine(p.id, p.reg_no, p.received_at, p.summary, p.is_repeat,
                                  p.resolution) for p in session.scalars(
            select(Petition).join(PetitionParty, PetitionParty.petition_id == Petition.id)
            .where(PetitionParty.person_id == e.person_id, PetitionParty.deleted.is_(False),
                   Petition.deleted.is_(False), Petition.voided_at == "")
            .distinct().order_by(Petition.received_at.desc()))]
        ids = [p.petition_id for p in petitions]
        hearings = [HearingLine(h.id, h.petition_id, h.kind, h.held_at, h.outcome)
                    for h in session.scalars(
                        select(Hearing).where(Hearing.deleted.is_(False), (
                            Hearing.petition_id.in_(ids)) | Hearing.id.in_(
                            select(HearingParticipant.hearing_id).where(
                                HearingParticipant.person_id == e.person_id,
                                HearingParticipant.deleted.is_(False))))
                        .order_by(Hearing.held_at.desc()))]
        agreements = [AgreementLine(a.id, a.petition_id, a.status, a.signed_on)
                      for a in session.scalars(select(Agreement).where(
                          Agreement.petition_id.in_(ids), Agreement.deleted.is_(False))
                          .order_by(Agreement.agreed_on.desc()))]
        detail = EntryDetail(
            e.id, e.office_id, e.person_id, person.name_zh, person.name_bo,
            show_id(person.id_number), show_phone(person.phone), e.reason, e.entered_on,
            e.status, e.left_reason, e.left_on, e.situation, e.demands,
            e.responsible_staff_id or "", *_name(names, e.responsible_staff_id),
            e.leader_id or "", *_name(names, e.leader_id), e.level,
            e.level_confirmed_on, movements, measures, level_history(session, entry_id),
            petitions, hearings, agreements, keeps(session, store, e.office_id))
        record_in(session, store.ctx, Action.VIEWED, tbl="key_petitioner", row_id=e.id,
                  person_id=e.person_id)
    return detail
