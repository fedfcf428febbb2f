"""The monthly screening of key petitioners (动态排查): one per office and month, each person of
the ledger with their situation this month, this month's work, level, leader in charge and
deadline; signed off by the clerk who made it (制表人) and the deputy chief procurator in charge
(分管副检察长, or the chief); sent to the prefecture; recallable until the prefecture accepts it.

How a screening travels. A screening is a synced record: once signed, it leaves with the next
package the laptop writes, and reaches the prefecture's laptop when that package is imported
there. "Sent" is therefore read, not stored: a signed screening is sent on a laptop that has
written a package since it was signed (the package holds every version the others may lack),
or on a laptop it reached from another (it came in a package). A package written is known
from this laptop's record of what was done (its entry is stamped to the millisecond, the
signing to the microsecond, by the same clock). Nothing is written at export
time, so a package never carries a "sent" mark about itself, and a package lost on the way
leaves the screening "signed" on the laptop that wrote it only until the next package.

Recall and acceptance crossing. The county writes ``state`` and ``round`` (each signing by both
is a new round), the prefecture writes only ``accepted_by``/``accepted_on``/``accepted_round``:
the two never conflict, and whatever order the packages meet in, the outcome is the same. An
acceptance stands only for the round it accepted while that round is still signed: a recall
that crossed an acceptance wins (the county took back what the prefecture accepted), the
screening reads "recalled", and once signed again it is a new round the prefecture accepts
anew. A county laptop that holds the acceptance of the current round refuses to recall.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import trail
from app.audit.trail import Action
from app.core import access, duties
from app.core.access import Permission
from app.core.errors import AppError, ValidationError, check_day, raise_problems
from app.core.i18n import N_
from app.core.labels import OfficeLevel, StaffRole, Vocabulary
from app.core.records import staff_names
from app.core.store import Store
from app.ledger.charges import ChargeResult, ChargeStatus
from app.ledger.entries import Status
from app.ledger.rules import BAD_LEVEL, NO_SUCH_OFFICE, Level
from models import (
    AuditEntry,
    KeyPetitioner,
    LeaderCharge,
    LedgerMeasure,
    Office,
    Person,
    Screening,
    ScreeningRow,
    Staff,
    SyncLog,
    SyncVersion,
)

_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4f7b-9a55-2c3e1b0d9e17")


class State(Vocabulary):
    """What a screening's state reads as (``state_of``)."""

    NOT_MADE = "not_made", N_("Not made")
    DRAFT = "draft", N_("Draft")
    SIGNED = "signed", N_("Signed, not sent yet")
    SENT = "sent", N_("Sent")
    RECALLED = "recalled", N_("Recalled")
    ACCEPTED = "accepted", N_("Accepted")


BAD_MONTH = N_("Please enter the month as YYYY-MM.")
FUTURE_MONTH = N_("The month cannot be in the future.")
ALREADY_MADE = N_("This month's screening has already been made.")
NO_SUCH_SCREENING = N_("This screening no longer exists.")
NO_SUCH_ROW = N_("This row of the screening no longer exists.")
NOT_EDITABLE = N_("A signed screening cannot be changed. Recall it first.")
NO_LEDGER = N_("The ledger has nobody to screen: enter the key petitioners first.")
NEEDS_LEADER = N_("Every red or yellow person needs a leader in charge and a deadline before the "
                  "screening is signed: {names}.")
CLERK_NOT_STAFF = N_("Whoever made the screening must be on this office's staff.")
NOT_DEPUTY = N_("The screening is signed off by a deputy chief procurator or the chief "
                "procurator of this office.")
CLERK_FIRST = N_("The clerk who made the screening signs it first.")
ALREADY_SIGNED = N_("This screening has already been signed.")
NOT_SIGNED = N_("Only a signed screening can be recalled.")
ALREADY_ACCEPTED = N_("The prefecture has accepted this screening: it can no longer be "
                      "recalled.")
NOT_PREFECTURE = N_("Only a staff member of the prefecture procuratorate above this office can "
                    "accept its screening.")
NOTHING_TO_ACCEPT = N_("Only a screening that was signed and sent can be accepted.")
ACCEPTED_BEFORE = N_("This screening has already been accepted.")
NOT_A_PREFECTURE = N_("This is not a prefecture procuratorate.")

EDITABLE = ("draft", "recalled")


def screening_id(office_id: str, month: str) -> str:
    """The same on every laptop: two laptops making the month's screening make one record."""
    return str(uuid.uuid5(_NAMESPACE, f"{office_id}/{month}"))


def row_id(screening: str, entry_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{screening}/{entry_id}"))


def this_month_key(today: date) -> str:
    """The month ``today`` is in, as a screening names it ("YYYY-MM")."""
    return today.isoformat()[:7]


def check_month(month: str, today: date) -> str:
    text = month.strip()
    try:
        first = date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise ValidationError(BAD_MONTH, field="month")
    if first > today:
        raise ValidationError(FUTURE_MONTH, field="month")
    return text


def _today(today: date | None) -> date:
    return today or date.today()


def _live(session: Session, screening: str) -> Screening:
    found = session.get(Screening, screening)
    if found is None or found.deleted:
        raise AppError(NO_SUCH_SCREENING)
    return found


def _staff(session: Session, staff_id: str) -> Staff | None:
    staff = session.get(Staff, staff_id) if staff_id else None
    return None if staff is None or staff.deleted or not staff.active else staff


# -- reading a state ---------------------------------------------------------------------------
def _my_logs(session: Session, device_id: str | None) -> set[str]:
    if device_id is None:
        return set()
    return {device_id, *session.scalars(select(SyncLog.log_id).where(
        SyncLog.device_id == device_id))}


def _sent(session: Session, s: Screening, device_id: str | None) -> bool:
    """Whether the signed round has left this laptop, or came to it (see the module's note)."""
    if not s.signed_at:
        return False
    mine = _my_logs(session, device_id)
    writer = session.scalar(select(SyncVersion.device_id).where(
        SyncVersion.tbl == "screening", SyncVersion.row_id == s.id,
        SyncVersion.field == "signed_at").order_by(SyncVersion.seq.desc()).limit(1))
    if writer is not None and writer not in mine:
        return True
    # This laptop's packages, each recorded (to the millisecond) as it was written.
    signed = datetime.fromisoformat(s.signed_at)
    for (at,) in session.execute(select(AuditEntry.at).where(
            AuditEntry.action == Action.EXPORTED, AuditEntry.log_id.in_(mine),
            AuditEntry.detail.like('%"what":"sync_package"%'))):
        try:
            if datetime.fromisoformat(str(at)) > signed:
                return True
        except ValueError:
            continue
    return False


def state_of(session: Session, s: Screening | None, device_id: str | None) -> str:
    if s is None or s.deleted:
        return State.NOT_MADE
    if s.state == "recalled":
        return State.RECALLED
    if s.state != "signed":
        return State.DRAFT
    if s.accepted_round == s.round and s.round > 0:
        return State.ACCEPTED
    return State.SENT if _sent(session, s, device_id) else State.SIGNED


# -- making and editing ------------------------------------------------------------------------
def make(store: Store, office_id: str, month: str, today: date | None = None) -> str:
    """The month's screening of the office, a row for each person in the ledger (not left),
    taken from the ledger as it stands: situation, the measures of the month, level, leader in
    charge, and the deadline and outcome of a leader's charge of the person's matter. One per
    office and month."""
    month = check_month(month, _today(today))
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        if session.get(Office, office_id) is None:
            raise AppError(NO_SUCH_OFFICE)
        made = screening_id(office_id, month)
        if session.get(Screening, made) is not None:
            raise AppError(ALREADY_MADE)
        entries = list(session.scalars(select(KeyPetitioner).where(
            KeyPetitioner.office_id == office_id, KeyPetitioner.deleted.is_(False),
            KeyPetitioner.status != Status.LEFT)))
        if not entries:
            raise AppError(NO_LEDGER)
        session.add(Screening(id=made, office_id=office_id, month=month,
                              made_by=store.ctx.staff_id or None, state="draft", round=0))
        session.flush()
        # A leader's charge of the person's matter (领导包案) gives the row its leader and
        # deadline while it is open; closed as resolved, the row is resolved.
        charges: dict[str, LeaderCharge] = {}
        for found in session.scalars(select(LeaderCharge).where(
                LeaderCharge.entry_id.in_([e.id for e in entries]),
                LeaderCharge.deleted.is_(False)).order_by(LeaderCharge.taken_on)):
            # The open one, else the last closed.
            kept = charges.get(found.entry_id or "")
            if found.entry_id and (kept is None or kept.status != ChargeStatus.OPEN):
                charges[found.entry_id] = found
        for entry in entries:
            work = [m.description for m in session.scalars(select(LedgerMeasure).where(
                LedgerMeasure.entry_id == entry.id, LedgerMeasure.deleted.is_(False),
                LedgerMeasure.day.like(f"{month}-%")).order_by(LedgerMeasure.day))]
            charge = charges.get(entry.id)
            is_open = charge is not None and charge.status == ChargeStatus.OPEN
            session.add(ScreeningRow(
                id=row_id(made, entry.id), screening_id=made, entry_id=entry.id,
                person_id=entry.person_id, situation=entry.situation, work="；".join(work),
                level=entry.level,
                leader_id=entry.leader_id or (charge.leader_id if is_open and charge else None),
                deadline=charge.deadline if is_open and charge else "",
                resolved=charge is not None and not is_open
                and charge.result == ChargeResult.RESOLVED))
        return made


@dataclass
class RowInput:
    situation: str
    work: str
    level: str
    leader_id: str = ""
    deadline: str = ""
    resolved: bool = False


def update_row(store: Store, row: str, data: RowInput) -> None:
    """A row, while its screening is a draft (or recalled)."""
    problems: list[ValidationError] = []
    if data.level and not Level.has(data.level):
        problems.append(ValidationError(BAD_LEVEL, field="level"))
    deadline = check_day(data.deadline, "deadline", problems, required=False)
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        found = session.get(ScreeningRow, row)
        if found is None or found.deleted:
            raise AppError(NO_SUCH_ROW)
        screening = _live(session, found.screening_id)
        if screening.state not in EDITABLE or screening.signed_by_clerk_on:
            raise AppError(NOT_EDITABLE)
        leader = None
        if data.leader_id:
            try:
                leader = duties.check_staff(session, screening.office_id, duties.LEAD,
                                            data.leader_id, "leader_id")
            except ValidationError as problem:
                problems.append(problem)
        raise_problems(problems)
        values = (data.situation.strip(), data.work.strip(), data.level, leader, deadline,
                  data.resolved)
        if values != (found.situation, found.work, found.level, found.leader_id,
                      found.deadline, found.resolved):
            (found.situation, found.work, found.level, found.leader_id, found.deadline,
             found.resolved) = values


# -- signing -----------------------------------------------------------------------------------
def _lacking(session: Session, screening: str) -> list[str]:
    """The red and yellow persons without a leader in charge or a deadline, by name."""
    names = []
    for row, zh, bo in session.execute(
            select(ScreeningRow, Person.name_zh, Person.name_bo)
            .join(Person, Person.id == ScreeningRow.person_id)
            .where(ScreeningRow.screening_id == screening, ScreeningRow.deleted.is_(False))
            .order_by(Person.name_zh)):
        if row.level in (Level.RED, Level.YELLOW) and (not row.leader_id or not row.deadline):
            names.append(str(zh or bo))
    return names


def _refuse_lacking(session: Session, screening: str) -> None:
    lacking = _lacking(session, screening)
    if lacking:
        raise AppError(NEEDS_LEADER, names="、".join(lacking))


def sign_as_clerk(store: Store, screening: str, staff_id: str,
                  today: date | None = None) -> None:
    """The clerk who made it (制表人) signs: rows can no longer be changed."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS, acting=staff_id)
        s = _live(session, screening)
        if s.state not in EDITABLE or s.signed_by_clerk_on:
            raise AppError(ALREADY_SIGNED)
        staff = _staff(session, staff_id)
        if staff is None or staff.office_id != s.office_id or staff.role == StaffRole.ADMIN:
            raise AppError(CLERK_NOT_STAFF)
        _refuse_lacking(session, screening)
        s.made_by, s.signed_by_clerk_on = staff_id, _today(today).isoformat()


def sign_as_deputy(store: Store, screening: str, staff_id: str,
                   today: date | None = None, now: datetime | None = None) -> None:
    """The deputy chief procurator in charge (or the chief) signs after the clerk: the
    screening is signed, and leaves with the next package."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS, acting=staff_id)
        s = _live(session, screening)
        if s.state not in EDITABLE:
            raise AppError(ALREADY_SIGNED)
        if not s.signed_by_clerk_on:
            raise AppError(CLERK_FIRST)
        staff = _staff(session, staff_id)
        if staff is None or staff.office_id != s.office_id \
                or staff.role not in (StaffRole.DEPUTY, StaffRole.CHIEF):
            raise AppError(NOT_DEPUTY)
        _refuse_lacking(session, screening)
        s.deputy_id, s.signed_by_deputy_on = staff_id, _today(today).isoformat()
        s.state, s.round = "signed", s.round + 1
        s.signed_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat()


def recall(store: Store, screening: str) -> None:
    """Take a signed (or sent) screening back to change it; refused once this laptop holds
    the prefecture's acceptance. Both signatures go: it is signed again, as a new round."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        s = _live(session, screening)
        if s.state != "signed":
            raise AppError(NOT_SIGNED)
        if s.accepted_round == s.round:
            raise AppError(ALREADY_ACCEPTED)
        s.state, s.signed_by_clerk_on, s.signed_by_deputy_on = "recalled", "", ""


def accept(store: Store, screening: str, staff_id: str, today: date | None = None) -> None:
    """A staff member of the prefecture above the office accepts its sent screening (the
    round it holds)."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS, acting=staff_id)
        s = _live(session, screening)
        county = session.get(Office, s.office_id)
        staff = _staff(session, staff_id)
        prefecture = session.get(Office, staff.office_id) if staff is not None else None
        if staff is None or staff.role == StaffRole.ADMIN or prefecture is None \
                or prefecture.level != OfficeLevel.PREFECTURE or county is None \
                or county.parent_id != prefecture.id:
            raise AppError(NOT_PREFECTURE)
        if s.state != "signed" or s.round < 1:
            raise AppError(NOTHING_TO_ACCEPT)
        if s.accepted_round == s.round:
            raise AppError(ACCEPTED_BEFORE)
        s.accepted_by, s.accepted_on = staff_id, _today(today).isoformat()
        s.accepted_round = s.round


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScreeningLine:
    row_id: str
    entry_id: str
    person_id: str
    name_zh: str
    name_bo: str
    situation: str
    work: str
    level: str
    leader_id: str
    leader_zh: str
    leader_bo: str
    deadline: str
    resolved: bool

    @property
    def lacking(self) -> bool:
        """Red or yellow without a leader in charge or a deadline."""
        return self.level in (Level.RED, Level.YELLOW) and not (self.leader_id and self.deadline)


@dataclass(frozen=True)
class ScreeningDetail:
    screening_id: str
    office_id: str
    office_zh: str
    office_bo: str
    month: str
    state: str  # State
    round: int
    made_by: str
    clerk_zh: str
    clerk_bo: str
    signed_by_clerk_on: str
    deputy_id: str
    deputy_zh: str
    deputy_bo: str
    signed_by_deputy_on: str
    accepted_by_zh: str
    accepted_on: str
    rows: list[ScreeningLine]

    @property
    def editable(self) -> bool:
        return self.state in (State.DRAFT, State.RECALLED) and not self.signed_by_clerk_on

    @property
    def unresolved_red(self) -> list[ScreeningLine]:
        return [r for r in self.rows if r.level == Level.RED and not r.resolved]


_ORDER = {Level.RED: 0, Level.YELLOW: 1, Level.GREEN: 2, "": 3}


def _detail(session: Session, s: Screening, device_id: str | None) -> ScreeningDetail:
    staff = staff_names(session)
    state = state_of(session, s, device_id)
    office = session.get(Office, s.office_id)
    rows = [ScreeningLine(r.id, r.entry_id, r.person_id, str(zh), str(bo), r.situation,
                          r.work, r.level, r.leader_id or "",
                          *staff.get(r.leader_id or "", ("", "")), r.deadline, r.resolved)
            for r, zh, bo in session.execute(
                select(ScreeningRow, Person.name_zh, Person.name_bo)
                .join(Person, Person.id == ScreeningRow.person_id)
                .where(ScreeningRow.screening_id == s.id, ScreeningRow.deleted.is_(False)))]
    rows.sort(key=lambda r: (_ORDER.get(r.level, 4), r.name_zh, r.name_bo, r.row_id))
    return ScreeningDetail(
        s.id, s.office_id, office.name_zh if office else "", office.name_bo if office else "",
        s.month, state, s.round, s.made_by or "",
        *staff.get(s.made_by or "", ("", "")), s.signed_by_clerk_on, s.deputy_id or "",
        *staff.get(s.deputy_id or "", ("", "")), s.signed_by_deputy_on,
        staff.get(s.accepted_by or "", ("", ""))[0] if state == State.ACCEPTED else "",
        s.accepted_on if state == State.ACCEPTED else "", rows)


def _read(store: Store, session: Session, s: Screening) -> ScreeningDetail:
    """The screening, its reading recorded (once a day while it shows the same persons)."""
    detail = _detail(session, s, store.device_id)
    if detail.rows:
        trail.record_reading(session, store.ctx, tbl="screening", row_id=s.id, detail={
            "month": s.month, "entries": sorted(r.entry_id for r in detail.rows)})
    return detail


def screening_detail(store: Store, screening: str) -> ScreeningDetail:
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        return _read(store, session, _live(session, screening))


def month_screening(store: Store, office_id: str, month: str) -> ScreeningDetail | None:
    """The office's screening for the month, or None when it has not been made."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        s = session.get(Screening, screening_id(office_id, month))
        if s is None or s.deleted:
            return None
        return _read(store, session, s)


@dataclass(frozen=True)
class CountyState:
    office_id: str
    name_zh: str
    name_bo: str
    screening_id: str  # "" when not made (or not arrived)
    state: str  # State: NOT_MADE and DRAFT both read "not sent" at the prefecture
    accepted_on: str

    @property
    def sent(self) -> bool:
        return self.state in (State.SENT, State.ACCEPTED)


def prefecture_overview(store: Store, prefecture_id: str, month: str) -> list[CountyState]:
    """Every county office under the prefecture with its screening's state for the month."""
    with store.read() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        prefecture = session.get(Office, prefecture_id)
        if prefecture is None or prefecture.level != OfficeLevel.PREFECTURE:
            raise AppError(NOT_A_PREFECTURE)
        found = []
        for county in session.scalars(select(Office).where(
                Office.parent_id == prefecture_id, Office.deleted.is_(False))
                .order_by(Office.division_code)):
            s = session.get(Screening, screening_id(county.id, month))
            state = state_of(session, s, store.device_id)
            # A county's draft, or a round signed and not yet sent, is not sent.
            shown = State.NOT_MADE if state in (State.DRAFT, State.SIGNED) else state
            found.append(CountyState(county.id, county.name_zh, county.name_bo,
                                     s.id if s is not None else "", shown,
                                     s.accepted_on if s is not None
                                     and state == State.ACCEPTED else ""))
        return found


def office_level(store: Store, office_id: str) -> str:
    with store.read() as session:
        office = session.get(Office, office_id)
        return office.level if office is not None else ""
