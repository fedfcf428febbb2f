"""Leaders' reception days (检察长接访 / 院领导接访): the schedule, the log of each day, and each
month's count of days per leader against the office's targets.

"检察长每个月接访不少于2天，其他班子成员每月接访不少于1天": a leader of the office (the chief
procurator or a deputy, ``app.core.duties.RECEIVE``) is scheduled to receive petitioners on a
day, at a time and a place; the day is held, or cancelled with a reason. Whoever came is logged
on the day: a person of the store or a name, the matter, the petition registered there (a
petition received in person that same day, linked by the clerk) and whether it was the first
time a leader of the office received the matter (院领导首次接待). Logging someone who came on a
day still scheduled marks it held.

Each month a leader's held days are counted against the office's targets (by default the chief
2 days and every other leader 1; the chief or a deputy changes them), as met or short by so
many. The schedule of a period prints as a notice in Tibetan and Chinese to post at the window
(``reports.reception_notice``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from babel import dates
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from app.core import access, duties, i18n
from app.core.access import Permission
from app.core.errors import AppError, ValidationError, check_day, raise_problems
from app.core.i18n import N_
from app.core.labels import StaffRole, Vocabulary
from app.core.store import Store
from models import (
    Office,
    Person,
    Petition,
    PetitionParty,
    ReceptionDay,
    ReceptionTarget,
    ReceptionVisit,
    Staff,
)

if TYPE_CHECKING:  # the printing (ReportLab, HarfBuzz, the fonts) loads when first printed
    from reports.reception_notice import ReceptionNoticeData


class DayStatus(Vocabulary):
    SCHEDULED = "scheduled", N_("Scheduled")
    HELD = "held", N_("Held")
    CANCELLED = "cancelled", N_("Cancelled")


DEFAULT_CHIEF_DAYS, DEFAULT_LEADER_DAYS = 2, 1
MAX_TARGET_DAYS = 20
MAX_PLACE = 100
_NAMESPACE = uuid.UUID("6f1d1c3a-3f0e-4c55-9b7e-2a4c0e170005")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

NO_SUCH_OFFICE = N_("This procuratorate is not known on this laptop.")
NO_SUCH_DAY = N_("This reception day no longer exists.")
NO_SUCH_VISIT = N_("This entry of the reception day no longer exists.")
LEADER_NEEDED = N_("Please choose the leader who receives petitioners.")
BAD_TIME = N_("Please enter a time such as 09:00.")
TIMES_ORDER = N_("The end must come after the start.")
PLACE_NEEDED = N_("Please say where the leader receives petitioners.")
TOO_LONG = N_("This is too long (at most {n} characters).")
ALREADY_SCHEDULED = N_("This leader already has a reception day on this date.")
NOT_SCHEDULED = N_("Only a day still scheduled can be changed, held or cancelled.")
CANCEL_REASON_NEEDED = N_("Please say why the reception day is cancelled.")
NOT_YET = N_("A reception day cannot be marked held before it comes.")
DAY_CANCELLED = N_("This reception day was cancelled: nobody can be logged on it.")
WHO_NEEDED = N_("Please choose the person or write their name.")
MATTER_NEEDED = N_("Please say what the matter is, or link the petition registered.")
NO_SUCH_PERSON = N_("This person is not known on this laptop.")
NO_SUCH_PETITION = N_("This petition is not known on this laptop.")
PETITION_VOIDED = N_("This registration was voided: it cannot be linked.")
OTHER_OFFICE = N_("This petition was registered by another office.")
OTHER_DAY = N_("This petition was not received on the reception day ({day}).")
ALREADY_LINKED = N_("This petition is already linked to a reception day.")
BAD_TARGET = N_("Between {low} and {high}.")
NOTHING_TO_POST = N_("No reception day is scheduled in this period: there is nothing to "
                     "post.")
BAD_PERIOD = N_("The period's end must not come before its start.")


# -- helpers -----------------------------------------------------------------------------------
def _office(session: Session, office_id: str) -> Office:
    office = session.get(Office, office_id)
    if office is None or office.deleted:
        raise AppError(NO_SUCH_OFFICE)
    return office


def _live_day(session: Session, day_id: str) -> ReceptionDay:
    day = session.get(ReceptionDay, day_id)
    if day is None or day.deleted:
        raise AppError(NO_SUCH_DAY)
    return day


def _live_visit(session: Session, visit_id: str) -> ReceptionVisit:
    visit = session.get(ReceptionVisit, visit_id)
    if visit is None or visit.deleted:
        raise AppError(NO_SUCH_VISIT)
    return visit


def _today(today: date | None) -> date:
    return today or date.today()


def month_span(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


# -- scheduling --------------------------------------------------------------------------------
@dataclass
class DayInput:
    leader_id: str
    day: str  # ISO date
    start_time: str  # HH:MM
    end_time: str
    place: str
    note: str = ""


def _validate(data: DayInput) -> tuple[str, list[ValidationError]]:
    problems: list[ValidationError] = []
    if not data.leader_id:
        problems.append(ValidationError(LEADER_NEEDED, field="leader_id"))
    day = check_day(data.day, "day", problems)
    times_ok = True
    for name, value in (("start_time", data.start_time), ("end_time", data.end_time)):
        if not _TIME.match(value.strip()):
            problems.append(ValidationError(BAD_TIME, field=name))
            times_ok = False
    if times_ok and data.end_time.strip() <= data.start_time.strip():
        problems.append(ValidationError(TIMES_ORDER, field="end_time"))
    if not data.place.strip():
        problems.append(ValidationError(PLACE_NEEDED, field="place"))
    elif len(data.place.strip()) > MAX_PLACE:
        problems.append(ValidationError(TOO_LONG, field="place", n=MAX_PLACE))
    return day, problems


def _check_leader(session: Session, office_id: str, leader_id: str, keep: str,
                  problems: list[ValidationError]) -> None:
    if not leader_id:
        return
    try:
        duties.check_staff(session, office_id, duties.RECEIVE, leader_id, "leader_id",
                           keep=[keep] if keep else [])
    except ValidationError as problem:
        problems.append(problem)


def _check_free(session: Session, leader_id: str, day: str, but: str,
                problems: list[ValidationError]) -> None:
    """A leader has one reception day on a date (cancelled ones aside)."""
    if not leader_id or not day:
        return
    taken = session.scalar(select(ReceptionDay.id).where(
        ReceptionDay.leader_id == leader_id, ReceptionDay.day == day,
        ReceptionDay.deleted.is_(False), ReceptionDay.status != DayStatus.CANCELLED,
        ReceptionDay.id != but))
    if taken:
        problems.append(ValidationError(ALREADY_SCHEDULED, field="day"))


def schedule(store: Store, office_id: str, data: DayInput) -> str:
    """Schedule a leader's reception day (a day already past may be entered, to be marked
    held)."""
    day, problems = _validate(data)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        _office(session, office_id)
        _check_leader(session, office_id, data.leader_id, "", problems)
        _check_free(session, data.leader_id, day, "", problems)
        raise_problems(problems)
        row = ReceptionDay(office_id=office_id, leader_id=data.leader_id, day=day,
                           start_time=data.start_time.strip(), end_time=data.end_time.strip(),
                           place=data.place.strip(), note=data.note.strip(),
                           status=DayStatus.SCHEDULED, cancel_reason="")
        session.add(row)
        session.flush()
        return row.id


def change(store: Store, day_id: str, data: DayInput) -> None:
    """Change a day still scheduled: its leader, date, time, place or note."""
    day, problems = _validate(data)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        row = _live_day(session, day_id)
        if row.status != DayStatus.SCHEDULED:
            raise AppError(NOT_SCHEDULED)
        _check_leader(session, row.office_id, data.leader_id, row.leader_id, problems)
        _check_free(session, data.leader_id, day, row.id, problems)
        raise_problems(problems)
        values = (data.leader_id, day, data.start_time.strip(), data.end_time.strip(),
                  data.place.strip(), data.note.strip())
        if values != (row.leader_id, row.day, row.start_time, row.end_time, row.place,
                      row.note):
            (row.leader_id, row.day, row.start_time, row.end_time, row.place,
             row.note) = values


def cancel(store: Store, day_id: str, reason: str) -> None:
    """Cancel a day still scheduled, with the reason (it stays in the schedule as cancelled)."""
    if not reason.strip():
        raise ValidationError(CANCEL_REASON_NEEDED, field="reason")
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        row = _live_day(session, day_id)
        if row.status != DayStatus.SCHEDULED:
            raise AppError(NOT_SCHEDULED)
        row.status, row.cancel_reason = DayStatus.CANCELLED, reason.strip()


def _hold(row: ReceptionDay, today: date) -> None:
    if row.day > today.isoformat():
        raise AppError(NOT_YET)
    row.status = DayStatus.HELD


def mark_held(store: Store, day_id: str, today: date | None = None) -> None:
    """The leader received petitioners that day (on the day or after it)."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        row = _live_day(session, day_id)
        if row.status == DayStatus.HELD:
            return
        if row.status != DayStatus.SCHEDULED:
            raise AppError(NOT_SCHEDULED)
        _hold(row, _today(today))


# -- who came ----------------------------------------------------------------------------------
@dataclass
class VisitInput:
    person_id: str = ""
    name: str = ""
    matter: str = ""
    petition_id: str = ""
    first_reception: bool = False


def _petition(session: Session, day: ReceptionDay, petition_id: str, but: str,
              problems: list[ValidationError]) -> Petition | None:
    """The petition registered on the day, to link: the office's, received that day, not
    voided, not linked to another entry."""
    if not petition_id:
        return None
    petition = session.get(Petition, petition_id)
    message = None
    if petition is None or petition.deleted:
        message = ValidationError(NO_SUCH_PETITION, field="petition_id")
    elif petition.voided_at:
        message = ValidationError(PETITION_VOIDED, field="petition_id")
    elif petition.office_id != day.office_id:
        message = ValidationError(OTHER_OFFICE, field="petition_id")
    elif petition.received_at[:10] != day.day:
        message = ValidationError(OTHER_DAY, field="petition_id", day=day.day)
    elif session.scalar(select(ReceptionVisit.id).where(
            ReceptionVisit.petition_id == petition_id, ReceptionVisit.deleted.is_(False),
            ReceptionVisit.id != but)):
        message = ValidationError(ALREADY_LINKED, field="petition_id")
    if message is not None:
        problems.append(message)
        return None
    return petition


def _first_party(session: Session, petition_id: str) -> str | None:
    found = session.scalar(select(PetitionParty.person_id).where(
        PetitionParty.petition_id == petition_id, PetitionParty.deleted.is_(False))
        .order_by(PetitionParty.position, PetitionParty.id).limit(1))
    return str(found) if found else None


def _visit_values(session: Session, day: ReceptionDay, data: VisitInput,
                  but: str) -> tuple[str | None, str, str, str | None]:
    problems: list[ValidationError] = []
    person_id: str | None = data.person_id or None
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None or person.deleted:
            problems.append(ValidationError(NO_SUCH_PERSON, field="person_id"))
    petition = _petition(session, day, data.petition_id, but, problems)
    name, matter = data.name.strip(), data.matter.strip()
    if len(name) > 200:
        problems.append(ValidationError(TOO_LONG, field="name", n=200))
    if petition is None and not data.petition_id:
        if person_id is None and not name:
            problems.append(ValidationError(WHO_NEEDED, field="name"))
        if not matter:
            problems.append(ValidationError(MATTER_NEEDED, field="matter"))
    raise_problems(problems)
    if petition is not None:
        person_id = person_id or _first_party(session, petition.id)
        matter = matter or petition.summary
    return person_id, name, matter, petition.id if petition is not None else None


def log_visit(store: Store, day_id: str, data: VisitInput, today: date | None = None) -> str:
    """Someone who came on the day; a day still scheduled is held from then on."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        day = _live_day(session, day_id)
        if day.status == DayStatus.CANCELLED:
            raise AppError(DAY_CANCELLED)
        person_id, name, matter, petition_id = _visit_values(session, day, data, "")
        if day.status == DayStatus.SCHEDULED:
            _hold(day, _today(today))
        visit = ReceptionVisit(day_id=day.id, person_id=person_id, name=name, matter=matter,
                               petition_id=petition_id, first_reception=data.first_reception)
        session.add(visit)
        session.flush()
        return visit.id


def update_visit(store: Store, visit_id: str, data: VisitInput) -> None:
    """Correct an entry: who, the matter, the petition linked, first reception or not."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        visit = _live_visit(session, visit_id)
        day = _live_day(session, visit.day_id)
        values = (*_visit_values(session, day, data, visit.id), data.first_reception)
        if values != (visit.person_id, visit.name, visit.matter, visit.petition_id,
                      visit.first_reception):
            (visit.person_id, visit.name, visit.matter, visit.petition_id,
             visit.first_reception) = values


def link_petition(store: Store, visit_id: str, petition_id: str) -> None:
    """Link the petition registered for this entry on the reception day (or unlink it with
    ``""``)."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        visit = _live_visit(session, visit_id)
        day = _live_day(session, visit.day_id)
        problems: list[ValidationError] = []
        petition = _petition(session, day, petition_id, visit.id, problems)
        raise_problems(problems)
        new = petition.id if petition is not None else None
        if new != visit.petition_id:
            visit.petition_id = new
            if petition is not None:
                visit.person_id = visit.person_id or _first_party(session, petition.id)
                visit.matter = visit.matter or petition.summary


def remove_visit(store: Store, visit_id: str) -> None:
    """An entry logged by mistake."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        _live_visit(session, visit_id).deleted = True


# -- targets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Targets:
    chief_days: int
    leader_days: int
    set_by_office: bool  # False while Doorstep's defaults stand

    def for_role(self, role: str) -> int:
        return self.chief_days if role == StaffRole.CHIEF else self.leader_days


def target_id(office_id: str) -> str:
    """The id of the office's targets: the same on every laptop."""
    return str(uuid.uuid5(_NAMESPACE, office_id))


def _targets(session: Session, office_id: str) -> Targets:
    row = session.get(ReceptionTarget, target_id(office_id))
    if row is None or row.deleted:
        return Targets(DEFAULT_CHIEF_DAYS, DEFAULT_LEADER_DAYS, False)
    return Targets(row.chief_days, row.leader_days, True)


def targets(store: Store, office_id: str) -> Targets:
    with store.read() as session:
        return _targets(session, office_id)


def may_set_targets(store: Store) -> bool:
    """Whether whoever is logged in may change the targets (for the screen to offer it)."""
    with store.read() as session:
        return access.allowed(session, store.ctx, Permission.OFFICE_RULES)


def set_targets(store: Store, office_id: str, chief_days: int, leader_days: int) -> None:
    """The office's monthly targets (the chief procurator or a deputy sets them)."""
    problems = [ValidationError(BAD_TARGET, field=name, low=0, high=MAX_TARGET_DAYS)
                for name, value in (("chief_days", chief_days), ("leader_days", leader_days))
                if not 0 <= value <= MAX_TARGET_DAYS]
    raise_problems(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        _office(session, office_id)
        row = session.get(ReceptionTarget, target_id(office_id))
        if row is None:
            session.add(ReceptionTarget(id=target_id(office_id), office_id=office_id,
                                        chief_days=chief_days, leader_days=leader_days))
        elif (row.chief_days, row.leader_days, row.deleted) != (chief_days, leader_days, False):
            row.chief_days, row.leader_days, row.deleted = chief_days, leader_days, False


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayRow:
    day_id: str
    office_id: str
    leader_id: str
    leader_zh: str
    leader_bo: str
    role: str
    day: str
    start_time: str
    end_time: str
    place: str
    note: str
    status: str
    cancel_reason: str
    visits: int
    first_receptions: int
    petitions: int


def _day_rows(session: Session, where: list[ColumnElement[bool]]) -> list[DayRow]:
    first = case((ReceptionVisit.first_reception.is_(True), 1), else_=0)
    counts = (select(ReceptionVisit.day_id, func.count().label("n"),
                     func.sum(first).label("first"),
                     func.count(ReceptionVisit.petition_id).label("petitions"))
              .where(ReceptionVisit.deleted.is_(False))
              .group_by(ReceptionVisit.day_id).subquery())
    query = (select(ReceptionDay, Staff.name_zh, Staff.name_bo, Staff.role, counts.c.n,
                    counts.c.first, counts.c.petitions)
             .join(Staff, Staff.id == ReceptionDay.leader_id)
             .outerjoin(counts, counts.c.day_id == ReceptionDay.id)
             .where(ReceptionDay.deleted.is_(False), *where)
             .order_by(ReceptionDay.day, ReceptionDay.start_time, ReceptionDay.id))
    return [DayRow(d.id, d.office_id, d.leader_id, str(zh), str(bo), str(role), d.day,
                   d.start_time, d.end_time, d.place, d.note, d.status, d.cancel_reason,
                   int(n or 0), int(first or 0), int(petitions or 0))
            for d, zh, bo, role, n, first, petitions in session.execute(query)]


def schedule_for(store: Store, office_id: str, start: date, end: date,
                 include_cancelled: bool = True) -> list[DayRow]:
    """The office's reception days from ``start`` to ``end`` (both included), by date."""
    with store.read() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        where: list[ColumnElement[bool]] = [ReceptionDay.office_id == office_id,
                               ReceptionDay.day >= start.isoformat(),
                               ReceptionDay.day <= end.isoformat()]
        if not include_cancelled:
            where.append(ReceptionDay.status != DayStatus.CANCELLED)
        return _day_rows(session, where)


@dataclass(frozen=True)
class VisitRow:
    visit_id: str
    person_id: str
    name_zh: str  # the person's, or the name written
    name_bo: str
    name: str  # as written
    matter: str
    petition_id: str
    reg_no: str
    first_reception: bool


@dataclass(frozen=True)
class DayDetail:
    row: DayRow
    visits: list[VisitRow]


def day_detail(store: Store, day_id: str) -> DayDetail:
    with store.read() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        _live_day(session, day_id)
        row = _day_rows(session, [ReceptionDay.id == day_id])[0]
        query = (select(ReceptionVisit, Person.name_zh, Person.name_bo, Petition.reg_no)
                 .outerjoin(Person, Person.id == ReceptionVisit.person_id)
                 .outerjoin(Petition, Petition.id == ReceptionVisit.petition_id)
                 .where(ReceptionVisit.day_id == day_id, ReceptionVisit.deleted.is_(False))
                 .order_by(ReceptionVisit.id))
        visits = [VisitRow(v.id, v.person_id or "", str(zh or v.name), str(bo or ""), v.name,
                           v.matter, v.petition_id or "", str(reg_no or ""),
                           v.first_reception)
                  for v, zh, bo, reg_no in session.execute(query)]
    return DayDetail(row, visits)


@dataclass(frozen=True)
class PetitionChoice:
    petition_id: str
    reg_no: str
    received_at: str
    names_zh: str
    names_bo: str
    summary: str


def petitions_of_day(store: Store, day_id: str, keep: str = "") -> list[PetitionChoice]:
    """The petitions the office received in person on the reception day and no entry links
    yet (``keep``: the one an entry links already): what the clerk may link."""
    with store.read() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        day = _live_day(session, day_id)
        linked = select(ReceptionVisit.petition_id).where(
            ReceptionVisit.deleted.is_(False), ReceptionVisit.petition_id.is_not(None))
        petitions = session.scalars(select(Petition).where(
            Petition.office_id == day.office_id, Petition.deleted.is_(False),
            Petition.voided_at == "", Petition.channel == "visit",
            # Received that day: "2026-12-09T10:15" lies between "2026-12-09" and
            # "2026-12-09U" (the index on the office and the moment of receipt serves it).
            Petition.received_at >= day.day, Petition.received_at < day.day + "U",
            (Petition.id.not_in(linked)) | (Petition.id == keep))
            .order_by(Petition.received_at, Petition.id)).all()
        found = []
        for p in petitions:
            names = session.execute(select(Person.name_zh, Person.name_bo).join(
                PetitionParty, PetitionParty.person_id == Person.id).where(
                PetitionParty.petition_id == p.id, PetitionParty.deleted.is_(False))
                .order_by(PetitionParty.position)).all()
            found.append(PetitionChoice(p.id, p.reg_no, p.received_at,
                                        "、".join(str(zh or bo) for zh, bo in names),
                                        "  ".join(str(bo or zh) for zh, bo in names),
                                        p.summary))
        return found


@dataclass(frozen=True)
class LeaderCount:
    """A leader's month: days held against the target, days still scheduled, first
    receptions."""

    leader_id: str
    name_zh: str
    name_bo: str
    role: str
    held: int
    scheduled: int
    target: int
    first_receptions: int

    @property
    def met(self) -> bool:
        return self.held >= self.target

    @property
    def short(self) -> int:
        """How many more days the target asks for (0 when met)."""
        return max(0, self.target - self.held)


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    targets: Targets
    leaders: list[LeaderCount]
    first_receptions: int  # 院领导首次接待 in the month, all leaders

    @property
    def all_met(self) -> bool:
        return all(c.met for c in self.leaders)


def monthly_count(store: Store, office_id: str, year: int, month: int) -> MonthCount:
    """Each leader's days held in the month against the office's targets: every leader of the
    office who may receive (chief first), and anyone else who had a day that month."""
    first, last = month_span(year, month)
    with store.read() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        _office(session, office_id)
        goals = _targets(session, office_id)
        rows = _day_rows(session, [ReceptionDay.office_id == office_id,
                                   ReceptionDay.day >= first.isoformat(),
                                   ReceptionDay.day <= last.isoformat()])
        leaders = {s.id: (s.name_zh, s.name_bo, s.role) for s in
                   duties.eligible_in(session, office_id, duties.RECEIVE)}
    for r in rows:
        leaders.setdefault(r.leader_id, (r.leader_zh, r.leader_bo, r.role))
    counts = []
    for leader_id, (zh, bo, role) in leaders.items():
        mine = [r for r in rows if r.leader_id == leader_id]
        held = len({r.day for r in mine if r.status == DayStatus.HELD})
        planned = len({r.day for r in mine if r.status == DayStatus.SCHEDULED})
        firsts = sum(r.first_receptions for r in mine if r.status == DayStatus.HELD)
        counts.append(LeaderCount(leader_id, zh, bo, role, held, planned,
                                  goals.for_role(role), firsts))
    order: dict[str, int] = {StaffRole.CHIEF: 0, StaffRole.DEPUTY: 1}
    counts.sort(key=lambda c: (order.get(c.role, 2), c.name_zh, c.leader_id))
    return MonthCount(year, month, goals, counts, sum(c.first_receptions for c in counts))


def first_reception_count(store: Store, office_id: str, start: date, end: date) -> int:
    """How many matters a leader of the office received for the first time (院领导首次接待)
    on the days held from ``start`` to ``end``."""
    with store.read() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        return int(session.scalar(
            select(func.count(ReceptionVisit.id))
            .join(ReceptionDay, ReceptionDay.id == ReceptionVisit.day_id)
            .where(ReceptionDay.office_id == office_id, ReceptionDay.deleted.is_(False),
                   ReceptionDay.status == DayStatus.HELD,
                   ReceptionDay.day >= start.isoformat(), ReceptionDay.day <= end.isoformat(),
                   ReceptionVisit.deleted.is_(False),
                   ReceptionVisit.first_reception.is_(True))) or 0)


def leaders(store: Store, office_id: str, keep: str = "") -> list[duties.StaffChoice]:
    """The staff a screen offers as the leader of a reception day."""
    return duties.eligible_staff(store, office_id, duties.RECEIVE, keep=[keep] if keep else [])


# -- the notice to post at the window -----------------------------------------------------------
def _day_text(value: date, script: str, with_year: bool) -> str:
    """A day of the notice with its weekday: 12月8日 星期二 (the year too when the period
    spans more than one)."""
    locale = i18n.BABEL_LOCALES[script]
    pattern = str(dates.get_date_format("long", locale=locale).pattern)
    if not with_year:  # the year is in the period's line
        pattern = re.sub(r"^[^y]*y+[^M]*", "", pattern)
    weekday = dates.format_date(value, "EEEE", locale=locale).rstrip("་")
    return f"{dates.format_date(value, pattern, locale=locale)} {weekday}"


def _month(first: date, script: str) -> str:
    return str(dates.format_skeleton("yMMMM", first, locale=i18n.BABEL_LOCALES[script]))


def month_text(year: int, month: int) -> str:
    """A month's name in the display language (2026年12月)."""
    first = date(year, month, 1)
    if i18n.mode() == i18n.BILINGUAL:
        return f"{_month(first, i18n.BO)}{i18n.BILINGUAL_SEPARATOR}{_month(first, i18n.ZH)}"
    return _month(first, i18n.mode())


def _period(start: date, end: date, script: str) -> str:
    """A month by its name (2026年12月), else the first and the last day."""
    locale = i18n.BABEL_LOCALES[script]
    if start.day == 1 and end == month_span(start.year, start.month)[1]:
        return _month(start, script)
    return (f"{dates.format_date(start, 'long', locale=locale)} — "
            f"{dates.format_date(end, 'long', locale=locale)}")


def notice_data(store: Store, office_id: str, start: date, end: date,
                issued: date | None = None) -> ReceptionNoticeData:
    """What the notice prints: the office, the period, each day not cancelled with its leader
    and their title, time and place."""
    from reports.notices import Both
    from reports.reception_notice import NoticeDay, ReceptionNoticeData

    if end < start:
        raise AppError(BAD_PERIOD)
    rows = schedule_for(store, office_id, start, end, include_cancelled=False)
    if not rows:
        raise AppError(NOTHING_TO_POST)
    with store.read() as session:
        office = _office(session, office_id)
        office_zh, office_bo = office.name_zh, office.name_bo
    zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
    days = []
    for r in rows:
        title = StaffRole(r.role).message if StaffRole.has(r.role) else r.role
        on = date.fromisoformat(r.day)
        with_year = start.year != end.year
        days.append(NoticeDay(day=Both(_day_text(on, i18n.ZH, with_year),
                                       _day_text(on, i18n.BO, with_year)),
                              leader=Both(r.leader_zh or r.leader_bo, r.leader_bo),
                              title=Both(zh.gettext(title), bo.gettext(title).rstrip("།")),
                              time=f"{r.start_time}-{r.end_time}", place=r.place))
    issued_on = issued or date.today()
    return ReceptionNoticeData(
        office=Both(office_zh, office_bo),
        period=Both(_period(start, end, i18n.ZH), _period(start, end, i18n.BO)), days=days,
        issued=Both(*(dates.format_date(issued_on, "long", locale=i18n.BABEL_LOCALES[s])
                      for s in (i18n.ZH, i18n.BO))))


def render_notice(store: Store, office_id: str, start: date, end: date,
                  issued: date | None = None) -> bytes:
    """The schedule of ``start`` to ``end`` as a notice in Tibetan and Chinese (PDF bytes)."""
    from app.core.fonts import shipped_fonts
    from reports.reception_notice import render_reception_notice

    data = notice_data(store, office_id, start, end, issued)
    return render_reception_notice(data, i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO),
                                   shipped_fonts())
