"""Leaders in charge (领导包案): a leader of the office takes personal charge of a petition, or of
a key petitioner's matter (their entry in the ledger), with a plan and a deadline; notes the
progress; asks for a later deadline, which only the chief procurator approves (until then the
deadline stays); and closes the charge with its result.

Rules, as the use cases keep them:

- A charge is on exactly one petition or one ledger entry, and each has at most one open
  charge. The leader must be eligible to lead (``duties.LEAD``: the chief, a deputy or a
  department head of the office). Taking charge of a petition names the leader as the
  petition's leader in charge (``Petition.leader_id``, and a line of its history); taking
  charge of a ledger entry names them as the entry's leader in charge.
- An extension asks for a deadline later than the one standing, for a reason; one may wait at
  a time. The chief procurator of the charge's office approves it (the deadline moves to the
  one asked) or refuses it (with a reason; the deadline stays). Nobody else decides, and the
  chief decides only in their own name.
- A charge closes once, on a day not before it was taken, with a result (resolved, partly
  resolved, not resolved, passed to judicial proceedings 移送司法程序) and a closing note.
  Nothing more is recorded on a closed charge.
- A charge on a ledger entry is part of the ledger: only those who may see the ledger
  (``Permission.SEE_KEY_PETITIONERS``) record or read it, and a reading that shows one is
  recorded in the record of what was done, as the ledger's readings are.

Which petitions must be taken in charge (the denominator of 包案率) is the office's setting
(``ChargeScope``); the statistics count it (``app.statistics.measures``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.audit import trail
from app.core import access, duties
from app.core.access import Permission
from app.core.errors import AppError, ValidationError, check_day, raise_problems
from app.core.i18n import N_
from app.core.labels import StaffRole, Vocabulary
from app.core.records import (
    live_petition,
    log_activity,
    party_names,
    staff_names,
    staff_or_none,
)
from app.core.store import Store
from app.ledger.entries import kept_entry, live_entry
from app.ledger.keeping import require_kept
from models import (
    ChargeExtension,
    ChargeNote,
    KeyPetitioner,
    LeaderCharge,
    Office,
    Person,
    Petition,
    Staff,
)


class ChargeStatus(Vocabulary):
    OPEN = "open", N_("In charge")
    CLOSED = "closed", N_("Closed")


class ChargeResult(Vocabulary):
    RESOLVED = "resolved", N_("Resolved (化解)")
    PARTLY = "partly", N_("Partly resolved")
    NOT_RESOLVED = "not_resolved", N_("Not resolved")
    PASSED_TO_JUDICIAL = "passed_to_judicial", N_("Passed to judicial proceedings (移送司法程序)")


class ExtensionStatus(Vocabulary):
    PENDING = "pending", N_("Awaiting the chief procurator")
    APPROVED = "approved", N_("Approved")
    REFUSED = "refused", N_("Refused")


class ChargeScope(Vocabulary):
    """Which petitions received a leader must take in charge (the denominator of 包案率), an
    office's setting. Each counts petitions taken into case handling (导入程序办理) only."""

    # Doorstep's default: the hard cases the articles put in leaders' hands.
    REPEAT_KEY = "repeat_key", N_("Repeat petitions and petitions of red or yellow key "
                                  "petitioners")
    ACCEPTED = "accepted", N_("Every petition taken into case handling")
    KEY = "key", N_("Only petitions of red or yellow key petitioners")


NO_SUCH_CHARGE = N_("This charge no longer exists.")
NO_SUCH_EXTENSION = N_("This request for a later deadline no longer exists.")
NO_SUCH_OFFICE = N_("This office no longer exists.")
ONE_TARGET = N_("A leader takes charge of one petition or one key petitioner's matter.")
ALREADY_IN_CHARGE = N_("A leader is already in charge of this; close that charge first.")
LEADER_NEEDED = N_("Please choose the leader in charge.")
PLAN_NEEDED = N_("Please write down the plan (包案方案).")
DEADLINE_AFTER = N_("The deadline must be after the day the charge was taken.")
IS_CLOSED = N_("This charge is closed: nothing more can be recorded on it.")
NOTE_NEEDED = N_("Please write what was done.")
NOTE_STAFF = N_("Whoever made the progress must be on this office's staff.")
REASON_NEEDED = N_("Please give the reason.")
ASK_LATER = N_("The deadline asked for must be after the one standing ({date}).")
ONE_PENDING = N_("A later deadline has already been asked for and awaits the chief "
                 "procurator.")
ONLY_CHIEF = N_("Only the chief procurator of this office can approve or refuse a later "
                "deadline.")
ALREADY_DECIDED = N_("This request has already been decided.")
REFUSAL_REASON = N_("Please say why the later deadline is refused.")
BAD_RESULT = N_("Please choose the result.")
CLOSING_NOTE_NEEDED = N_("Please sum up how the charge ended.")
CLOSED_BEFORE = N_("A charge cannot close before the day it was taken.")
BAD_SCOPE = N_("Please choose from the list.")


# -- helpers -----------------------------------------------------------------------------------
def _today(today: date | None) -> date:
    return today or date.today()


def _charge(session: Session, charge_id: str) -> LeaderCharge:
    charge = session.get(LeaderCharge, charge_id)
    if charge is None or charge.deleted:
        raise AppError(NO_SUCH_CHARGE)
    return charge


def _open_charge(session: Session, store: Store, charge_id: str) -> LeaderCharge:
    """The charge to record something on, by someone who may (see the module's notes)."""
    access.require(session, store.ctx, Permission.DAILY_WORK)
    charge = _charge(session, charge_id)
    if charge.entry_id:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        # A county's key petitioner's matter is kept by the county, not on the prefecture hub.
        require_kept(session, store, charge.office_id)
    if charge.status != ChargeStatus.OPEN:
        raise AppError(IS_CLOSED)
    return charge


def _who(store: Store, staff_id: str) -> str:
    """Who acts: the staff member named, else whoever is logged in."""
    return staff_id or store.ctx.staff_id or ""


def _office_staff(session: Session, office_id: str, staff_id: str) -> Staff | None:
    staff = session.get(Staff, staff_id) if staff_id else None
    if staff is None or staff.deleted or not staff.active or staff.office_id != office_id:
        return None
    return staff


# -- taking charge and keeping it ----------------------------------------------------------------
@dataclass
class ChargeInput:
    leader_id: str
    plan: str
    deadline: str
    taken_on: str
    petition_id: str = ""
    entry_id: str = ""


def _open_on(session: Session, column: ColumnElement[bool]) -> str | None:
    return session.scalar(select(LeaderCharge.id).where(
        column, LeaderCharge.deleted.is_(False), LeaderCharge.status == ChargeStatus.OPEN))


def take_charge(store: Store, data: ChargeInput, today: date | None = None) -> str:
    """A leader takes charge of a petition or of a key petitioner's matter; the charge's id."""
    if bool(data.petition_id) == bool(data.entry_id):
        raise AppError(ONE_TARGET)
    problems: list[ValidationError] = []
    if not data.plan.strip():
        problems.append(ValidationError(PLAN_NEEDED, field="plan"))
    taken_on = check_day(data.taken_on, "taken_on", problems, _today(today))
    deadline = check_day(data.deadline, "deadline", problems)
    if taken_on and deadline and deadline <= taken_on:
        problems.append(ValidationError(DEADLINE_AFTER, field="deadline"))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition: Petition | None = None
        entry: KeyPetitioner | None = None
        if data.petition_id:
            petition = live_petition(session, data.petition_id)
            office_id = petition.office_id
            already = _open_on(session, LeaderCharge.petition_id == petition.id)
        else:
            access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
            entry = kept_entry(session, store, data.entry_id)
            office_id = entry.office_id
            already = _open_on(session, LeaderCharge.entry_id == entry.id)
        if already:
            raise AppError(ALREADY_IN_CHARGE)
        leader: str | None = None
        if not data.leader_id:
            problems.append(ValidationError(LEADER_NEEDED, field="leader_id"))
        else:
            try:
                leader = duties.check_staff(session, office_id, duties.LEAD, data.leader_id,
                                            "leader_id")
            except ValidationError as problem:
                problems.append(problem)
        raise_problems(problems)
        assert leader is not None
        charge = LeaderCharge(office_id=office_id, petition_id=data.petition_id or None,
                              entry_id=data.entry_id or None, leader_id=leader,
                              plan=data.plan.strip(), deadline=deadline, taken_on=taken_on,
                              status=ChargeStatus.OPEN, closed_on="", result="",
                              closing_note="")
        session.add(charge)
        # The petition's (or the entry's) leader in charge is the charge's leader.
        if petition is not None and petition.leader_id != leader:
            petition.leader_id = leader
            log_activity(session, store, petition.id,
                         staff_or_none(session, store.ctx.staff_id or ""), "edited",
                         "leader_id")
        if entry is not None and entry.leader_id != leader:
            entry.leader_id = leader
        session.flush()
        return charge.id


def add_note(store: Store, charge_id: str, day: str, text: str, staff_id: str = "",
             today: date | None = None) -> str:
    """Progress on an open charge: the day, what was done, by whom (by default whoever is
    logged in)."""
    problems: list[ValidationError] = []
    on = check_day(day, "day", problems, _today(today))
    if not text.strip():
        problems.append(ValidationError(NOTE_NEEDED, field="text"))
    with store.write() as session:
        charge = _open_charge(session, store, charge_id)
        who = _who(store, staff_id)
        if who and _office_staff(session, charge.office_id, who) is None:
            problems.append(ValidationError(NOTE_STAFF, field="staff_id"))
        raise_problems(problems)
        note = ChargeNote(charge_id=charge.id, day=on, text=text.strip(), staff_id=who or None)
        session.add(note)
        session.flush()
        return note.id


def request_extension(store: Store, charge_id: str, asked_deadline: str, reason: str,
                      staff_id: str = "", today: date | None = None) -> str:
    """Ask the chief procurator for a later deadline; the deadline stays until approved."""
    problems: list[ValidationError] = []
    asked = check_day(asked_deadline, "asked_deadline", problems)
    if not reason.strip():
        problems.append(ValidationError(REASON_NEEDED, field="reason"))
    with store.write() as session:
        charge = _open_charge(session, store, charge_id)
        if asked and asked <= charge.deadline:
            problems.append(ValidationError(ASK_LATER, field="asked_deadline",
                                            date=charge.deadline))
        raise_problems(problems)
        if session.scalar(select(ChargeExtension.id).where(
                ChargeExtension.charge_id == charge.id, ChargeExtension.deleted.is_(False),
                ChargeExtension.status == ExtensionStatus.PENDING)):
            raise AppError(ONE_PENDING)
        who = _who(store, staff_id)
        extension = ChargeExtension(
            charge_id=charge.id, asked_deadline=asked, reason=reason.strip(),
            requested_by=staff_or_none(session, who), requested_on=_today(today).isoformat(),
            status=ExtensionStatus.PENDING, decided_by=None, decided_on="", decision_note="")
        session.add(extension)
        session.flush()
        return extension.id


def decide_extension(store: Store, extension_id: str, approve: bool, staff_id: str,
                     note: str = "", today: date | None = None) -> None:
    """The chief procurator approves (the deadline moves to the one asked) or refuses (with a
    reason; the deadline stays) a later deadline, in their own name."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK, acting=staff_id)
        extension = session.get(ChargeExtension, extension_id)
        if extension is None or extension.deleted:
            raise AppError(NO_SUCH_EXTENSION)
        charge = _open_charge(session, store, extension.charge_id)
        chief = _office_staff(session, charge.office_id, staff_id)
        if chief is None or chief.role != StaffRole.CHIEF:
            raise access.NotPermittedError(ONLY_CHIEF)
        if extension.status != ExtensionStatus.PENDING:
            raise AppError(ALREADY_DECIDED)
        if not approve and not note.strip():
            raise ValidationError(REFUSAL_REASON, field="decision_note")
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        extension.decided_by = chief.id
        extension.decided_on = _today(today).isoformat()
        extension.decision_note = note.strip()
        if approve:
            charge.deadline = extension.asked_deadline


def close(store: Store, charge_id: str, result: str, note: str, closed_on: str,
          today: date | None = None) -> None:
    """Close the charge with its result and a closing note (once)."""
    problems: list[ValidationError] = []
    if not ChargeResult.has(result):
        problems.append(ValidationError(BAD_RESULT, field="result"))
    if not note.strip():
        problems.append(ValidationError(CLOSING_NOTE_NEEDED, field="closing_note"))
    on = check_day(closed_on, "closed_on", problems, _today(today))
    with store.write() as session:
        charge = _open_charge(session, store, charge_id)
        if on and on < charge.taken_on:
            problems.append(ValidationError(CLOSED_BEFORE, field="closed_on"))
        raise_problems(problems)
        charge.status = ChargeStatus.CLOSED
        charge.result = result
        charge.closing_note = note.strip()
        charge.closed_on = on


# -- the office's setting ------------------------------------------------------------------------
def charge_scope(store: Store, office_id: str) -> str:
    """Which petitions the office's leaders must take in charge (a ``ChargeScope`` code)."""
    with store.read() as session:
        office = session.get(Office, office_id)
        if office is None or office.deleted:
            raise AppError(NO_SUCH_OFFICE)
        return office.charge_scope


def set_charge_scope(store: Store, office_id: str, scope: str) -> None:
    if not ChargeScope.has(scope):
        raise ValidationError(BAD_SCOPE, field="charge_scope")
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        office = session.get(Office, office_id)
        if office is None or office.deleted:
            raise AppError(NO_SUCH_OFFICE)
        if office.charge_scope != scope:
            office.charge_scope = scope


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChargeRow:
    charge_id: str
    office_id: str
    petition_id: str
    entry_id: str
    reg_no: str  # the petition's number; "" for a key petitioner's matter
    names_zh: str  # the petition's parties, or the key petitioner
    names_bo: str
    about: str  # the petition's summary, or why the person is in the ledger
    leader_id: str
    leader_zh: str
    leader_bo: str
    plan: str
    taken_on: str
    deadline: str
    status: str
    closed_on: str
    result: str
    extension_pending: bool
    days_left: int | None  # to the deadline (negative: overdue); None once closed

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


@dataclass(frozen=True)
class NoteRow:
    note_id: str
    day: str
    text: str
    staff_zh: str
    staff_bo: str


@dataclass(frozen=True)
class ExtensionRow:
    extension_id: str
    asked_deadline: str
    reason: str
    requested_zh: str
    requested_on: str
    status: str
    decided_zh: str
    decided_on: str
    decision_note: str


@dataclass(frozen=True)
class ChargeDetail:
    row: ChargeRow
    closing_note: str
    notes: list[NoteRow]  # newest first
    extensions: list[ExtensionRow]  # newest first
    chief_ids: list[str] = field(default_factory=list)  # who may decide on an extension

    @property
    def pending(self) -> ExtensionRow | None:
        return next((e for e in self.extensions if e.status == ExtensionStatus.PENDING), None)


def _rows(session: Session, store: Store, where: list[ColumnElement[bool]],
          today: date) -> list[ChargeRow]:
    """The charges matching ``where``, those on ledger entries only for whoever may see the
    ledger, and the reading recorded when it shows one of them."""
    conditions = [LeaderCharge.deleted.is_(False), *where]
    if not access.allowed(session, store.ctx, Permission.SEE_KEY_PETITIONERS):
        conditions.append(LeaderCharge.entry_id.is_(None))
    charges = session.scalars(select(LeaderCharge).where(*conditions)).all()
    names = staff_names(session)
    petitions = {p.id: p for p in session.scalars(select(Petition).where(
        Petition.id.in_([c.petition_id for c in charges if c.petition_id])))}
    parties = party_names(session, list(petitions))
    people = {str(e): (str(zh), str(bo), str(reason)) for e, zh, bo, reason in session.execute(
        select(KeyPetitioner.id, Person.name_zh, Person.name_bo, KeyPetitioner.reason)
        .join(Person, Person.id == KeyPetitioner.person_id)
        .where(KeyPetitioner.id.in_([c.entry_id for c in charges if c.entry_id])))}
    pending = set(session.scalars(select(ChargeExtension.charge_id).where(
        ChargeExtension.charge_id.in_([c.id for c in charges]),
        ChargeExtension.deleted.is_(False), ChargeExtension.status == ExtensionStatus.PENDING)))
    rows = []
    for c in charges:
        if c.petition_id:
            p = petitions[c.petition_id]
            reg_no, about = p.reg_no, p.summary
            zh, bo = parties.get(p.id, ("", ""))
        else:
            zh, bo, about = people.get(c.entry_id or "", ("", "", ""))
            reg_no = ""
        leader = names.get(c.leader_id, ("", ""))
        days = (date.fromisoformat(c.deadline) - today).days \
            if c.status == ChargeStatus.OPEN else None
        rows.append(ChargeRow(c.id, c.office_id, c.petition_id or "", c.entry_id or "", reg_no,
                              zh, bo, about, c.leader_id, leader[0], leader[1], c.plan,
                              c.taken_on, c.deadline, c.status, c.closed_on, c.result,
                              c.id in pending, days))
    shown = [r for r in rows if r.entry_id]
    if shown:
        # Once a day while the same entries are shown (Today reads this on every change).
        trail.record_reading(session, store.ctx, tbl="leader_charge", detail={
            "charges": len(rows), "entries": sorted({r.entry_id for r in shown})})
    # Open first, the most overdue first; then closed, the latest first.
    return sorted(rows, key=lambda r: (r.status != ChargeStatus.OPEN,
                                       r.days_left if r.days_left is not None else 0,
                                       _negated(r.closed_on), r.reg_no, r.names_zh,
                                       r.charge_id))


def _negated(day: str) -> str:
    """Sorts ISO days latest first."""
    return "".join(chr(0x7f - ord(ch)) for ch in day)


def charges_of_leader(store: Store, leader_id: str, today: date | None = None,
                      include_closed: bool = False) -> list[ChargeRow]:
    """A leader's charges: the open ones with their deadline and the days left (or overdue),
    most urgent first; with ``include_closed``, the closed ones after them."""
    where = [LeaderCharge.leader_id == leader_id]
    if not include_closed:
        where.append(LeaderCharge.status == ChargeStatus.OPEN)
    with store.write() as session:
        return _rows(session, store, where, _today(today))


def my_charges(store: Store, today: date | None = None) -> list[ChargeRow]:
    """What Today shows the logged-in leader: their open charges, most urgent first (none when
    nobody is logged in)."""
    staff_id = store.ctx.staff_id or ""
    if not staff_id:
        return []
    return charges_of_leader(store, staff_id, today)


def charges_of_petition(store: Store, petition_id: str,
                        today: date | None = None) -> list[ChargeRow]:
    with store.write() as session:
        return _rows(session, store, [LeaderCharge.petition_id == petition_id], _today(today))


def charges_of_entry(store: Store, entry_id: str, today: date | None = None) -> list[ChargeRow]:
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        return _rows(session, store, [LeaderCharge.entry_id == entry_id], _today(today))


def office_charges(store: Store, office_id: str, today: date | None = None,
                   include_closed: bool = True) -> list[ChargeRow]:
    """Every charge of the office (or only the open ones)."""
    where = [LeaderCharge.office_id == office_id]
    if not include_closed:
        where.append(LeaderCharge.status == ChargeStatus.OPEN)
    with store.write() as session:
        return _rows(session, store, where, _today(today))


def open_charge_of(store: Store, petition_id: str = "", entry_id: str = "") -> str | None:
    """The open charge of a petition or a ledger entry, if there is one."""
    with store.read() as session:
        column = LeaderCharge.petition_id == petition_id if petition_id \
            else LeaderCharge.entry_id == entry_id
        return _open_on(session, column)


@dataclass(frozen=True)
class Target:
    """What a new charge would be on: its office and how it is named."""

    office_id: str
    reg_no: str
    names_zh: str
    names_bo: str
    about: str


def target_of(store: Store, petition_id: str = "", entry_id: str = "") -> Target:
    with store.read() as session:
        if petition_id:
            p = live_petition(session, petition_id)
            zh, bo = party_names(session, [p.id]).get(p.id, ("", ""))
            return Target(p.office_id, p.reg_no, zh, bo, p.summary)
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        entry = live_entry(session, entry_id)
        person = session.get(Person, entry.person_id)
        assert person is not None
        return Target(entry.office_id, "", person.name_zh, person.name_bo, entry.reason)


def charge_detail(store: Store, charge_id: str, today: date | None = None) -> ChargeDetail:
    """One charge with its progress notes and extensions, and who may decide on them."""
    with store.write() as session:
        charge = _charge(session, charge_id)
        if charge.entry_id:
            access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        row = _rows(session, store, [LeaderCharge.id == charge_id], _today(today))[0]
        names = staff_names(session)
        notes = [NoteRow(n.id, n.day, n.text, *names.get(n.staff_id or "", ("", "")))
                 for n in session.scalars(select(ChargeNote).where(
                     ChargeNote.charge_id == charge_id, ChargeNote.deleted.is_(False))
                     .order_by(ChargeNote.day.desc(), ChargeNote.id.desc()))]
        extensions = [ExtensionRow(e.id, e.asked_deadline, e.reason,
                                   names.get(e.requested_by or "", ("", ""))[0],
                                   e.requested_on, e.status,
                                   names.get(e.decided_by or "", ("", ""))[0], e.decided_on,
                                   e.decision_note)
                      for e in session.scalars(select(ChargeExtension).where(
                          ChargeExtension.charge_id == charge_id,
                          ChargeExtension.deleted.is_(False))
                          .order_by(ChargeExtension.requested_on.desc(),
                                    ChargeExtension.id.desc()))]
        chiefs = list(session.scalars(select(Staff.id).where(
            Staff.office_id == charge.office_id, Staff.role == StaffRole.CHIEF,
            Staff.deleted.is_(False), Staff.active.is_(True))))
        return ChargeDetail(row, charge.closing_note, notes, extensions, chiefs)
