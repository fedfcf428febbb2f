"""Return visits (回访) and hand-overs to social assistance (社会救助衔接).

A visit is scheduled (a date, possibly to come) and later recorded as made: how, when, by whom,
what was found and how satisfied the person was. A visit can also be recorded as made without
having been scheduled. A visit that finds the person still in need opens a hand-over to a
receiving body (e.g. the township civil affairs office, 乡民政所), followed until it is closed
with its outcome. Each action is one transaction and leaves an entry in the petition's history;
nothing is deleted (a scheduled visit that will not be made is cancelled: marked deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.i18n import N_
from app.core.labels import Satisfaction, VisitMethod
from app.core.records import live_petition, log_activity, party_names, staff_or_none
from app.core.store import Store
from models import AidCase, Handover, Petition, ReturnVisit, Staff

MAX_TEXT = 4000
MAX_BODY = 100
# The Today view lists scheduled visits due within this many days (a trip to a summer pasture
# is planned ahead).
DUE_WITHIN_DAYS = 7


# -- input -------------------------------------------------------------------------------------
@dataclass
class VisitInput:
    petition_id: str = ""
    aid_case_id: str = ""  # "" when the visit is not about a judicial aid case
    method: str = ""  # phone | on_site | online | meeting
    scheduled_on: str = ""  # ISO date the visit is planned for
    done_on: str = ""  # ISO date it was made
    visitor_id: str = ""  # a member of the petition's office
    findings: str = ""
    satisfaction: str = ""  # satisfied | basically | dissatisfied | unknown
    still_in_need: bool = False


@dataclass
class HandoverInput:
    return_visit_id: str = ""
    body: str = ""  # the receiving body, e.g. 乡民政所
    handed_on: str = ""  # ISO date
    outcome: str = ""
    closed_on: str = ""  # ISO date; "" while the hand-over is open


def _day(value: str, name: str, problems: list[ValidationError]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(ValidationError(N_("This date does not exist."), field=name))
        return None


def _parsed(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _iso(value: str) -> str:
    """A valid date in the one form the store keeps (2026-12-01); "" otherwise."""
    day = _parsed(value)
    return day.isoformat() if day else ""


def _past(day: date | None, name: str, today: date, problems: list[ValidationError]) -> None:
    if day is not None and day > today:
        problems.append(ValidationError(N_("The date cannot be in the future."), field=name))


def _text(value: str, name: str, limit: int, problems: list[ValidationError],
          required: str | None = None) -> str:
    text = value.strip()
    if required and not text:
        problems.append(ValidationError(required, field=name))
    elif len(text) > limit:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field=name, n=limit))
    return text


def validate_schedule(data: VisitInput) -> list[ValidationError]:
    problems: list[ValidationError] = []
    if not VisitMethod.has(data.method):
        problems.append(ValidationError(N_("Please choose how the visit is to be made."),
                                        field="method"))
    _day(data.scheduled_on, "scheduled_on", problems)
    return problems


def validate_record(data: VisitInput, today: date) -> list[ValidationError]:
    problems: list[ValidationError] = []
    if not VisitMethod.has(data.method):
        problems.append(ValidationError(N_("Please choose how the visit was made."),
                                        field="method"))
    _past(_day(data.done_on, "done_on", problems), "done_on", today, problems)
    if not data.visitor_id:
        problems.append(ValidationError(N_("Please choose who made the visit."),
                                        field="visitor_id"))
    _text(data.findings, "findings", MAX_TEXT, problems,
          N_("Please write what the visit found."))
    if not Satisfaction.has(data.satisfaction):
        problems.append(ValidationError(N_("Please choose how satisfied the person was."),
                                        field="satisfaction"))
    return problems


def validate_handover(data: HandoverInput, today: date) -> list[ValidationError]:
    problems: list[ValidationError] = []
    _text(data.body, "body", MAX_BODY, problems,
          N_("Please enter the body the person is handed over to."))
    _past(_day(data.handed_on, "handed_on", problems), "handed_on", today, problems)
    _text(data.outcome, "outcome", MAX_TEXT, problems,
          N_("Please write the outcome before closing the hand-over.")
          if data.closed_on.strip() else None)
    if data.closed_on.strip():
        _past(_day(data.closed_on, "closed_on", problems), "closed_on", today, problems)
    return problems


# -- checks inside the transaction -------------------------------------------------------------
def _received_on(petition: Petition) -> date:
    return date.fromisoformat(petition.received_at[:10])


def _check_links(session: Session, petition: Petition, data: VisitInput,
                 problems: list[ValidationError]) -> None:
    if data.aid_case_id:
        case = session.get(AidCase, data.aid_case_id)
        if case is None or case.deleted or case.petition_id != petition.id:
            problems.append(ValidationError(N_("This aid case is not one of this petition's."),
                                            field="aid_case_id"))
    if data.visitor_id:
        staff = session.get(Staff, data.visitor_id)
        if staff is None or staff.deleted or staff.office_id != petition.office_id:
            problems.append(ValidationError(
                N_("Please choose a member of the petition's office."), field="visitor_id"))


def _live_visit(session: Session, visit_id: str) -> ReturnVisit:
    visit = session.get(ReturnVisit, visit_id)
    if visit is None or visit.deleted:
        raise AppError(N_("This return visit no longer exists."))
    return visit


def _live_handover(session: Session, handover_id: str) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None or handover.deleted:
        raise AppError(N_("This hand-over no longer exists."))
    return handover


def _visit_petition(session: Session, data: VisitInput, visit: ReturnVisit | None) -> Petition:
    if visit is not None and data.petition_id and data.petition_id != visit.petition_id:
        raise AppError(N_("This return visit no longer exists."))
    return live_petition(session, visit.petition_id if visit is not None else data.petition_id)


# -- visits ------------------------------------------------------------------------------------
def schedule_visit(store: Store, data: VisitInput, staff_id: str = "",
                   visit_id: str | None = None) -> str:
    """Plan a visit (its date may be to come); with ``visit_id``, move a planned visit.

    Returns the visit's id.
    """
    problems = validate_schedule(data)
    day = _parsed(data.scheduled_on)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        visit = _live_visit(session, visit_id) if visit_id else None
        if visit is not None and visit.done_on:
            raise AppError(N_("This return visit has already been made."))
        petition = _visit_petition(session, data, visit)
        _check_links(session, petition, data, problems)
        if day is not None and day < _received_on(petition):
            problems.append(ValidationError(
                N_("A return visit cannot be earlier than the petition."), field="scheduled_on"))
        if problems:
            raise InvalidInputError(problems)
        assert day is not None
        if visit is None:
            visit = ReturnVisit(petition_id=petition.id, done_on="", findings="",
                                satisfaction="", still_in_need=False)
            session.add(visit)
        visit.aid_case_id = data.aid_case_id or None
        visit.method, visit.scheduled_on = data.method, day.isoformat()
        visit.visitor_id = data.visitor_id or None
        session.flush()
        log_activity(session, store, petition.id, staff_or_none(session, staff_id),
                     "visit_scheduled", day.isoformat())
        return visit.id


def record_visit(store: Store, data: VisitInput, staff_id: str = "",
                 visit_id: str | None = None, today: date | None = None) -> str:
    """Record a visit as made: the planned visit ``visit_id``, or (without it) a visit made
    without being planned. Recording a visit already made again corrects it.

    Returns the visit's id.
    """
    today = today or date.today()
    problems = validate_record(data, today)
    day = _parsed(data.done_on)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        visit = _live_visit(session, visit_id) if visit_id else None
        petition = _visit_petition(session, data, visit)
        _check_links(session, petition, data, problems)
        if day is not None and day < _received_on(petition):
            problems.append(ValidationError(
                N_("A return visit cannot be earlier than the petition."), field="done_on"))
        if visit is not None and not data.still_in_need and _handovers(session, visit.id):
            problems.append(ValidationError(
                N_("A hand-over to social assistance was opened from this visit, so the person "
                   "was found still in need."), field="still_in_need"))
        if problems:
            raise InvalidInputError(problems)
        assert day is not None
        if visit is None:
            visit = ReturnVisit(petition_id=petition.id, scheduled_on=day.isoformat())
            session.add(visit)
        visit.aid_case_id = data.aid_case_id or None
        visit.method, visit.done_on = data.method, day.isoformat()
        visit.visitor_id = data.visitor_id
        visit.findings, visit.satisfaction = data.findings.strip(), data.satisfaction
        visit.still_in_need = data.still_in_need
        session.flush()
        log_activity(session, store, petition.id, staff_or_none(session, staff_id), "visit_done",
                     day.isoformat())
        return visit.id


def cancel_visit(store: Store, visit_id: str, staff_id: str = "") -> None:
    """A planned visit that will not be made leaves the lists (it is kept, marked deleted)."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        visit = _live_visit(session, visit_id)
        if visit.done_on:
            raise AppError(N_("This return visit has already been made."))
        visit.deleted = True
        log_activity(session, store, visit.petition_id, staff_or_none(session, staff_id),
                     "visit_cancelled", visit.scheduled_on)


def _handovers(session: Session, visit_id: str) -> list[Handover]:
    return list(session.scalars(select(Handover).where(
        Handover.return_visit_id == visit_id, Handover.deleted.is_(False))))


# -- hand-overs --------------------------------------------------------------------------------
def open_handover(store: Store, data: HandoverInput, staff_id: str = "",
                  today: date | None = None) -> str:
    """Hand a person a visit found still in need over to social assistance; returns its id.
    With a ``closed_on`` date the hand-over is recorded closed at once."""
    today = today or date.today()
    problems = validate_handover(data, today)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        visit = _live_visit(session, data.return_visit_id)
        petition = live_petition(session, visit.petition_id)
        if not visit.done_on or not visit.still_in_need:
            raise AppError(N_("Only a visit made that found the person still in need can be "
                              "handed over to social assistance."))
        _check_handover_dates(data, visit, problems)
        if problems:
            raise InvalidInputError(problems)
        handover = Handover(petition_id=petition.id, return_visit_id=visit.id,
                            body=data.body.strip(), handed_on=_iso(data.handed_on),
                            outcome=data.outcome.strip(), closed_on=_iso(data.closed_on))
        session.add(handover)
        session.flush()
        staff = staff_or_none(session, staff_id)
        log_activity(session, store, petition.id, staff, "handover_opened", handover.body)
        if handover.closed_on:
            log_activity(session, store, petition.id, staff, "handover_closed", handover.body)
        return handover.id


def update_handover(store: Store, handover_id: str, data: HandoverInput, staff_id: str = "",
                    today: date | None = None) -> None:
    """Change an open hand-over (the body, the date, the outcome so far); with ``closed_on``
    it is closed, which needs the outcome."""
    today = today or date.today()
    problems = validate_handover(data, today)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        handover = _live_handover(session, handover_id)
        if handover.closed_on:
            raise AppError(N_("This hand-over is already closed."))
        visit = _live_visit(session, handover.return_visit_id)
        _check_handover_dates(data, visit, problems)
        if problems:
            raise InvalidInputError(problems)
        before = (handover.body, handover.handed_on, handover.outcome)
        handover.body, handover.handed_on = data.body.strip(), _iso(data.handed_on)
        handover.outcome, handover.closed_on = data.outcome.strip(), _iso(data.closed_on)
        staff = staff_or_none(session, staff_id)
        if handover.closed_on:
            log_activity(session, store, handover.petition_id, staff, "handover_closed",
                         handover.body)
        elif before != (handover.body, handover.handed_on, handover.outcome):
            log_activity(session, store, handover.petition_id, staff, "handover_updated",
                         handover.body)


def close_handover(store: Store, handover_id: str, closed_on: str, outcome: str,
                   staff_id: str = "", today: date | None = None) -> None:
    """Close an open hand-over with its outcome (required) on ``closed_on``."""
    current = handover_row(store, handover_id)
    update_handover(store, handover_id, HandoverInput(
        current.return_visit_id, current.body, current.handed_on, outcome, closed_on),
        staff_id, today)


def _check_handover_dates(data: HandoverInput, visit: ReturnVisit,
                          problems: list[ValidationError]) -> None:
    handed, closed = _iso(data.handed_on), _iso(data.closed_on)
    if handed and handed < visit.done_on:
        problems.append(ValidationError(N_("The hand-over cannot be earlier than the visit."),
                                        field="handed_on"))
    if closed and handed and closed < handed:
        problems.append(ValidationError(
            N_("A hand-over cannot be closed before it was made."), field="closed_on"))


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitRow:
    id: str
    petition_id: str
    aid_case_id: str
    method: str
    scheduled_on: str
    done_on: str  # "" while planned
    visitor_id: str
    visitor_zh: str
    visitor_bo: str
    findings: str
    satisfaction: str
    still_in_need: bool

    @property
    def done(self) -> bool:
        return bool(self.done_on)


@dataclass(frozen=True)
class HandoverRow:
    id: str
    petition_id: str
    return_visit_id: str
    body: str
    handed_on: str
    outcome: str
    closed_on: str  # "" while open

    @property
    def is_open(self) -> bool:
        return not self.closed_on


def _staff_names(session: Session, ids: set[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    return {s.id: (s.name_zh, s.name_bo)
            for s in session.scalars(select(Staff).where(Staff.id.in_(ids)))}


def _visit_rows(session: Session, visits: list[ReturnVisit]) -> list[VisitRow]:
    names = _staff_names(session, {v.visitor_id for v in visits if v.visitor_id})
    return [VisitRow(v.id, v.petition_id, v.aid_case_id or "", v.method, v.scheduled_on,
                     v.done_on, v.visitor_id or "",
                     *names.get(v.visitor_id or "", ("", "")), v.findings, v.satisfaction,
                     v.still_in_need) for v in visits]


def _handover_row(h: Handover) -> HandoverRow:
    return HandoverRow(h.id, h.petition_id, h.return_visit_id, h.body, h.handed_on, h.outcome,
                       h.closed_on)


def visits_of(store: Store, petition_id: str) -> list[VisitRow]:
    """The petition's visits, made and planned, in date order."""
    with store.read() as session:
        rows = list(session.scalars(select(ReturnVisit).where(
            ReturnVisit.petition_id == petition_id, ReturnVisit.deleted.is_(False))))
        rows.sort(key=lambda v: (v.done_on or v.scheduled_on, v.id))
        return _visit_rows(session, rows)


def handovers_of(store: Store, petition_id: str) -> list[HandoverRow]:
    with store.read() as session:
        return [_handover_row(h) for h in session.scalars(select(Handover).where(
            Handover.petition_id == petition_id, Handover.deleted.is_(False))
            .order_by(Handover.handed_on, Handover.id))]


def visit_row(store: Store, visit_id: str) -> VisitRow:
    with store.read() as session:
        return _visit_rows(session, [_live_visit(session, visit_id)])[0]


def handover_row(store: Store, handover_id: str) -> HandoverRow:
    with store.read() as session:
        return _handover_row(_live_handover(session, handover_id))


def handovers_from(store: Store, visit_id: str) -> list[HandoverRow]:
    """The hand-overs a visit opened."""
    with store.read() as session:
        return [_handover_row(h) for h in sorted(_handovers(session, visit_id),
                                                 key=lambda h: (h.handed_on, h.id))]


@dataclass(frozen=True)
class DueVisit:
    visit_id: str
    petition_id: str
    reg_no: str
    names_zh: str
    names_bo: str
    method: str
    scheduled_on: date
    days_left: int  # negative: overdue by that many days
    visitor_zh: str
    visitor_bo: str

    @property
    def urgency(self) -> str:
        if self.days_left < 0:
            return "overdue"
        if self.days_left == 0:
            return "today"
        return "soon"


def due_visits(store: Store, office_id: str, today: date | None = None,
               within_days: int = DUE_WITHIN_DAYS) -> list[DueVisit]:
    """Planned visits not yet made whose date is past, today or within ``within_days``,
    earliest first. An empty ``office_id`` means every office."""
    today = today or date.today()
    horizon = (today + timedelta(days=within_days)).isoformat()
    conditions: list[ColumnElement[bool]] = [
        ReturnVisit.deleted.is_(False), ReturnVisit.done_on == "",
        ReturnVisit.scheduled_on <= horizon, Petition.deleted.is_(False)]
    if office_id:
        conditions.append(Petition.office_id == office_id)
    with store.read() as session:
        found = session.execute(
            select(ReturnVisit, Petition.reg_no).join(Petition,
                                                      Petition.id == ReturnVisit.petition_id)
            .where(*conditions).order_by(ReturnVisit.scheduled_on, Petition.reg_no)).all()
        names = party_names(session, list({v.petition_id for v, _no in found}))
        visitors = _staff_names(session, {v.visitor_id for v, _no in found if v.visitor_id})
    result = []
    for v, reg_no in found:
        day = date.fromisoformat(v.scheduled_on)
        zh, bo = names.get(v.petition_id, ("", ""))
        result.append(DueVisit(v.id, v.petition_id, reg_no, zh, bo, v.method, day,
                               (day - today).days, *visitors.get(v.visitor_id or "", ("", ""))))
    return result


@dataclass(frozen=True)
class OpenHandover:
    id: str
    petition_id: str
    reg_no: str
    names_zh: str
    names_bo: str
    body: str
    handed_on: str
    outcome: str


def open_handovers(store: Store, office_id: str) -> list[OpenHandover]:
    """An office's hand-overs not closed yet, the oldest first."""
    conditions: list[ColumnElement[bool]] = [
        Handover.deleted.is_(False), Handover.closed_on == "", Petition.deleted.is_(False)]
    if office_id:
        conditions.append(Petition.office_id == office_id)
    with store.read() as session:
        found = session.execute(
            select(Handover, Petition.reg_no).join(Petition, Petition.id == Handover.petition_id)
            .where(*conditions).order_by(Handover.handed_on, Handover.id)).all()
        names = party_names(session, list({h.petition_id for h, _no in found}))
    return [OpenHandover(h.id, h.petition_id, reg_no, *names.get(h.petition_id, ("", "")),
                         h.body, h.handed_on, h.outcome) for h, reg_no in found]


@dataclass(frozen=True)
class StaffChoice:
    id: str
    name_zh: str
    name_bo: str
    role: str


@dataclass(frozen=True)
class AidCaseChoice:
    id: str
    proposed_on: str
    status: str


@dataclass(frozen=True)
class VisitContext:
    """What the visit form offers for a petition: the office's staff (active ones, plus one
    already named on the visit) and the petition's aid cases."""

    petition_id: str
    reg_no: str
    office_id: str
    received_on: str
    names_zh: str
    names_bo: str
    staff: list[StaffChoice]
    aid_cases: list[AidCaseChoice]


def visit_context(store: Store, petition_id: str, keep_staff: str = "") -> VisitContext:
    with store.read() as session:
        petition = live_petition(session, petition_id)
        staff = [StaffChoice(s.id, s.name_zh, s.name_bo, s.role) for s in session.scalars(
            select(Staff).where(Staff.office_id == petition.office_id, Staff.deleted.is_(False))
            .order_by(Staff.role, Staff.name_zh)) if s.active or s.id == keep_staff]
        cases = [AidCaseChoice(c.id, c.proposed_on, c.status) for c in session.scalars(
            select(AidCase).where(AidCase.petition_id == petition_id,
                                  AidCase.deleted.is_(False))
            .order_by(AidCase.proposed_on, AidCase.id))]
        zh, bo = party_names(session, [petition_id]).get(petition_id, ("", ""))
        return VisitContext(petition.id, petition.reg_no, petition.office_id,
                            petition.received_at[:10], zh, bo, staff, cases)
