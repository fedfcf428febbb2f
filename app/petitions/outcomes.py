"""Recording what the statistics count beyond registration and replies: whether a petition can
be answered at all, how it was resolved, conciliation and mediation, support to sue (wage
recovery), escalation, outside helpers and leads passed on.

Each action is one transaction, validated first (every problem names its field), and leaves an
entry in the petition's history. Records are never deleted: one entered by mistake is removed
as a tombstone (``deleted``), which syncs like any change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.i18n import N_
from app.core.labels import Codes, Vocabulary, messages
from app.core.money import MAX_FEN, parse_amount
from app.core.records import existing_petition, live_petition, log_activity, staff_or_none
from app.core.store import Store
from models import (
    Agreement,
    Conciliation,
    Escalation,
    LawsuitSupport,
    LeadTransfer,
    Petition,
    ResolutionHelper,
)


class Unanswerable(Vocabulary):
    ANONYMOUS = "anonymous", N_("Anonymous")
    NO_CONTACT = "no_contact", N_("No contact given")
    WRONG_CONTACT = "wrong_contact", N_("Contact given is wrong")


class Resolution(Vocabulary):
    RESOLVED = "resolved", N_("Resolved (化解)")
    SETTLED = "settled", N_("Settled and withdrawn (息诉罢访)")


class ConciliationKind(Vocabulary):
    CONCILIATION = "conciliation", N_("Procuratorial conciliation (检察和解)")
    MEDIATION = "mediation", N_("Mediation (调解)")


class EscalationKind(Vocabulary):
    UPWARD = "upward", N_("Taken to a higher body (信访上行)")
    ABNORMAL = "abnormal", N_("Abnormal petitioning (非正常上访)")


class EscalationLevel(Vocabulary):
    PREFECTURE = "prefecture", N_("Prefecture")
    PROVINCE = "province", N_("Province")
    BEIJING = "beijing", N_("Beijing")


class HelperRole(Vocabulary):
    LAWYER = "lawyer", N_("Lawyer")
    PSYCHOLOGIST = "psychologist", N_("Psychologist")
    OTHER = "other", N_("Other")


MAX_NOTE = 2000
MAX_NAME = 100
MAX_WORKERS = 100_000
# Wages recovered for a whole site's workers run to millions; above this it is a typing slip.
MAX_RECOVERED_FEN = 100 * MAX_FEN

Record = Conciliation | LawsuitSupport | Escalation | ResolutionHelper | LeadTransfer
KINDS: dict[str, type[Record]] = {
    "conciliation": Conciliation, "lawsuit": LawsuitSupport, "escalation": Escalation,
    "helper": ResolutionHelper, "lead": LeadTransfer}


# -- validation helpers ----------------------------------------------------------------------
def _day(value: str, name: str, petition: Petition, today: date,
         problems: list[ValidationError], required: bool = True) -> str:
    text = value.strip()
    if not text:
        if required:
            problems.append(ValidationError(N_("Please enter the date."), field=name))
        return ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(ValidationError(N_("This date does not exist."), field=name))
        return ""
    if day > today:
        problems.append(ValidationError(N_("The date cannot be in the future."), field=name))
    elif day < date.fromisoformat(petition.received_at[:10]):
        problems.append(ValidationError(N_("The date cannot be earlier than the petition."),
                                        field=name))
    return day.isoformat()


def _choice(value: str, vocabulary: Codes, name: str, message: str,
            problems: list[ValidationError]) -> None:
    if value not in messages(vocabulary):
        problems.append(ValidationError(message, field=name))


def _note(value: str, problems: list[ValidationError], name: str = "note",
          limit: int = MAX_NOTE) -> str:
    text = value.strip()
    if len(text) > limit:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field=name, n=limit))
    return text


def _raise(problems: list[ValidationError]) -> None:
    if problems:
        raise InvalidInputError(problems)


# -- on the petition itself ------------------------------------------------------------------
def set_unanswerable(store: Store, petition_id: str, reason: str, staff_id: str = "") -> None:
    """Mark a petition that cannot be answered at all (``reason`` "" takes the mark off)."""
    if reason and not Unanswerable.has(reason):
        raise InvalidInputError([ValidationError(N_("Please choose why it cannot be answered."),
                                                 field="unanswerable")])
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        if petition.unanswerable == reason:
            return
        petition.unanswerable = reason
        log_activity(session, store, petition_id, staff_or_none(session, staff_id),
                     "unanswerable" if reason else "answerable", reason)


def record_resolution(store: Store, petition_id: str, resolution: str, on_date: str,
                      staff_id: str = "", today: date | None = None) -> None:
    """The petition was resolved (化解), or settled and withdrawn (息诉罢访), on that day.
    ``resolution`` "" says it is not resolved after all."""
    today = today or date.today()
    problems: list[ValidationError] = []
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        if resolution == "":
            if petition.resolution:
                petition.resolution, petition.resolved_on = "", ""
                log_activity(session, store, petition_id, staff_or_none(session, staff_id),
                             "resolution_cleared")
            return
        _choice(resolution, Resolution, "resolution", N_("Please choose how it was resolved."),
                problems)
        day = _day(on_date, "resolved_on", petition, today, problems)
        _raise(problems)
        if (petition.resolution, petition.resolved_on) == (resolution, day):
            return
        petition.resolution, petition.resolved_on = resolution, day
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "resolved",
                     f"{resolution} {day}")


def settle_on_signing(session: Session, petition: Petition, signed_on: str) -> None:
    """A signed settle-and-withdraw agreement settles its petition, unless a person already
    recorded how it was resolved."""
    if not petition.resolution:
        petition.resolution, petition.resolved_on = "settled", signed_on


# -- records hanging off the petition ----------------------------------------------------------
@dataclass
class ConciliationInput:
    kind: str = "conciliation"
    concluded_on: str = ""
    court_confirmed: bool = False
    confirmed_on: str = ""
    note: str = ""


@dataclass
class LawsuitInput:
    is_wage_claim: bool = True
    workers: str = ""  # as typed
    recovered: str = ""  # yuan as typed; "" for nothing recovered (yet)
    with_labour_inspectorate: bool = False
    concluded_on: str = ""
    note: str = ""


@dataclass
class EscalationInput:
    kind: str = "upward"
    level: str = "province"
    on_date: str = ""
    note: str = ""


@dataclass
class HelperInput:
    role: str = "lawyer"
    name: str = ""
    on_date: str = ""
    note: str = ""


@dataclass
class LeadInput:
    body: str = ""
    on_date: str = ""
    note: str = ""


def add_conciliation(store: Store, petition_id: str, data: ConciliationInput,
                     staff_id: str = "", today: date | None = None) -> str:
    today = today or date.today()
    problems: list[ValidationError] = []
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        _choice(data.kind, ConciliationKind, "kind",
                N_("Please choose conciliation or mediation."), problems)
        concluded = _day(data.concluded_on, "concluded_on", petition, today, problems)
        confirmed = ""
        if data.court_confirmed:
            confirmed = _day(data.confirmed_on, "confirmed_on", petition, today, problems)
            if confirmed and concluded and confirmed < concluded:
                problems.append(ValidationError(
                    N_("A court confirms a conciliation after it was reached."),
                    field="confirmed_on"))
            if data.kind != "conciliation":
                problems.append(ValidationError(
                    N_("Court confirmation is recorded for a conciliation."),
                    field="court_confirmed"))
        note = _note(data.note, problems)
        _raise(problems)
        row = Conciliation(petition_id=petition_id, kind=data.kind, concluded_on=concluded,
                           court_confirmed=data.court_confirmed, confirmed_on=confirmed,
                           note=note)
        session.add(row)
        session.flush()
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "conciliation",
                     f"{data.kind} {concluded}")
        return row.id


def _workers(text: str, problems: list[ValidationError]) -> int:
    value = text.strip()
    if not value:
        problems.append(ValidationError(N_("Please enter how many workers were helped."),
                                        field="workers"))
        return 0
    if not value.isdigit():
        problems.append(ValidationError(N_("Please enter a whole number."), field="workers"))
        return 0
    number = int(value)
    if not 1 <= number <= MAX_WORKERS:
        problems.append(ValidationError(N_("Between 1 and {n} workers."), field="workers",
                                        n=MAX_WORKERS))
    return number


def add_lawsuit_support(store: Store, petition_id: str, data: LawsuitInput, staff_id: str = "",
                        today: date | None = None) -> str:
    today = today or date.today()
    problems: list[ValidationError] = []
    workers = _workers(data.workers, problems) if data.is_wage_claim else 0
    recovered = 0
    if data.recovered.strip():
        try:
            recovered = parse_amount(data.recovered, field="recovered",
                                     max_fen=MAX_RECOVERED_FEN)
        except ValidationError as problem:
            problems.append(problem)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        concluded = _day(data.concluded_on, "concluded_on", petition, today, problems)
        note = _note(data.note, problems)
        _raise(problems)
        row = LawsuitSupport(petition_id=petition_id, is_wage_claim=data.is_wage_claim,
                             workers=workers, recovered_fen=recovered,
                             with_labour_inspectorate=data.with_labour_inspectorate,
                             concluded_on=concluded, note=note)
        session.add(row)
        session.flush()
        log_activity(session, store, petition_id, staff_or_none(session, staff_id),
                     "lawsuit_support", f"{workers} {recovered}")
        return row.id


def add_escalation(store: Store, petition_id: str, data: EscalationInput, staff_id: str = "",
                   today: date | None = None) -> str:
    today = today or date.today()
    problems: list[ValidationError] = []
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        _choice(data.kind, EscalationKind, "kind", N_("Please choose what happened."),
                problems)
        _choice(data.level, EscalationLevel, "level", N_("Please choose where."), problems)
        day = _day(data.on_date, "on_date", petition, today, problems)
        note = _note(data.note, problems)
        _raise(problems)
        row = Escalation(petition_id=petition_id, kind=data.kind, level=data.level, on_date=day,
                         note=note)
        session.add(row)
        session.flush()
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "escalation",
                     f"{data.kind} {data.level} {day}")
        return row.id


def add_helper(store: Store, petition_id: str, data: HelperInput, staff_id: str = "",
               today: date | None = None) -> str:
    today = today or date.today()
    problems: list[ValidationError] = []
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        _choice(data.role, HelperRole, "role", N_("Please choose who took part."), problems)
        name = _note(data.name, problems, "name", MAX_NAME)
        day = _day(data.on_date, "on_date", petition, today, problems)
        note = _note(data.note, problems)
        _raise(problems)
        row = ResolutionHelper(petition_id=petition_id, role=data.role, name=name, on_date=day,
                               note=note)
        session.add(row)
        session.flush()
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "helper",
                     f"{data.role} {name}")
        return row.id


def add_lead_transfer(store: Store, petition_id: str, data: LeadInput, staff_id: str = "",
                      today: date | None = None) -> str:
    today = today or date.today()
    problems: list[ValidationError] = []
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        body = data.body.strip()
        if not body:
            problems.append(ValidationError(N_("Please enter the body the lead was passed to."),
                                            field="body"))
        body = _note(body, problems, "body", MAX_NAME)
        day = _day(data.on_date, "on_date", petition, today, problems)
        note = _note(data.note, problems)
        _raise(problems)
        row = LeadTransfer(petition_id=petition_id, body=body, on_date=day, note=note)
        session.add(row)
        session.flush()
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "lead_transfer",
                     f"{body} {day}")
        return row.id


def remove(store: Store, kind: str, record_id: str, staff_id: str = "") -> None:
    """Take back a record entered by mistake (kept as a tombstone, which syncs)."""
    model = KINDS.get(kind)
    if model is None:
        raise AppError(N_("This record no longer exists."))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        row = cast("Record | None", session.get(model, record_id))
        if row is None or row.deleted:
            raise AppError(N_("This record no longer exists."))
        live_petition(session, row.petition_id)
        row.deleted = True
        log_activity(session, store, row.petition_id, staff_or_none(session, staff_id),
                     "outcome_removed", kind)


# -- reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutcomeRecord:
    kind: str  # conciliation | lawsuit | escalation | helper | lead
    id: str
    on_date: str
    code: str  # the record's own kind/role/level code ("" for a lead)
    detail: str  # names, bodies, amounts as recorded
    workers: int = 0
    amount_fen: int = 0
    court_confirmed: bool = False
    confirmed_on: str = ""
    with_labour_inspectorate: bool = False
    is_wage_claim: bool = False
    note: str = ""


@dataclass(frozen=True)
class PetitionOutcomes:
    unanswerable: str
    resolution: str
    resolved_on: str
    signed_agreement_on: str  # the first signed agreement's date, "" when none
    records: list[OutcomeRecord]


def outcomes_of(store: Store, petition_id: str) -> PetitionOutcomes:
    with store.read() as session:
        petition = existing_petition(session, petition_id)  # a voided one's too: it is read
        records: list[OutcomeRecord] = []
        for c in session.scalars(select(Conciliation).where(
                Conciliation.petition_id == petition_id, Conciliation.deleted.is_(False))):
            records.append(OutcomeRecord("conciliation", c.id, c.concluded_on, c.kind, "",
                                         court_confirmed=c.court_confirmed,
                                         confirmed_on=c.confirmed_on, note=c.note))
        for s in session.scalars(select(LawsuitSupport).where(
                LawsuitSupport.petition_id == petition_id, LawsuitSupport.deleted.is_(False))):
            records.append(OutcomeRecord("lawsuit", s.id, s.concluded_on,
                                         "wage" if s.is_wage_claim else "other", "",
                                         workers=s.workers, amount_fen=s.recovered_fen,
                                         with_labour_inspectorate=s.with_labour_inspectorate,
                                         is_wage_claim=s.is_wage_claim, note=s.note))
        for e in session.scalars(select(Escalation).where(
                Escalation.petition_id == petition_id, Escalation.deleted.is_(False))):
            records.append(OutcomeRecord("escalation", e.id, e.on_date, e.kind, e.level,
                                         note=e.note))
        for h in session.scalars(select(ResolutionHelper).where(
                ResolutionHelper.petition_id == petition_id,
                ResolutionHelper.deleted.is_(False))):
            records.append(OutcomeRecord("helper", h.id, h.on_date, h.role, h.name,
                                         note=h.note))
        for lead in session.scalars(select(LeadTransfer).where(
                LeadTransfer.petition_id == petition_id, LeadTransfer.deleted.is_(False))):
            records.append(OutcomeRecord("lead", lead.id, lead.on_date, "", lead.body,
                                         note=lead.note))
        signed = session.scalar(select(Agreement.signed_on).where(
            Agreement.petition_id == petition_id, Agreement.deleted.is_(False),
            Agreement.status == "signed").order_by(Agreement.signed_on).limit(1)) or ""
        records.sort(key=lambda r: (r.on_date, r.kind, r.id))
        return PetitionOutcomes(petition.unanswerable, petition.resolution, petition.resolved_on,
                                signed, records)
