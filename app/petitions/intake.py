"""Registering petitions at the 12309 window, recording replies, pausing or extending deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.core import access, duties
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.formatting import format_iso_date, format_number, format_short_datetime
from app.core.i18n import N_, _
from app.core.labels import (
    BusinessType,
    Category,
    Channel,
    Jurisdiction,
    ReplyKind,
    ReplyMethod,
)
from app.core.records import live_petition, log_activity, staff_or_none
from app.core.store import Store
from app.persons.records import PersonInput, apply_person, validate_person
from app.petitions import numbering
from app.petitions.deadlines import (
    ANSWER,
    EXTEND,
    PAUSE,
    PAUSED,
    REPLY,
    RESUME,
    DeadlineChange,
    DeadlineRule,
    HolidayCalendar,
    due_date,
)
from models import (
    DeadlineEvent,
    Device,
    HolidayOverride,
    Office,
    Petition,
    PetitionParty,
    PetitionReply,
)
from models.sync import field_ids, hlc_wall_ms

MAX_SUMMARY = 2000
MAX_REQUESTS = 2000
MAX_SHORT = 60
MAX_BODY = 100
MAX_HEAD_COUNT = 10_000
EARLIEST = datetime(2000, 1, 1)
# A laptop clock a few minutes behind the clerk's watch should not refuse a visit just received.
CLOCK_SLACK = timedelta(minutes=10)


@dataclass
class PetitionInput:
    channel: str = "visit"
    higher_office: str = ""
    higher_ref: str = ""
    # ISO local date-time, e.g. 2026-11-24T09:30; empty: when it is registered (the clerk took
    # it in at the window and registers it now).
    received_at: str = ""
    persons: list[PersonInput] = field(default_factory=list)
    is_group: bool = False
    head_count: int = 1
    category: str = ""
    business_type: str = ""
    summary: str = ""
    requests: str = ""
    original_case_no: str = ""
    is_sensitive: bool = False
    jurisdiction: str = "accept"
    referral_body: str = ""
    referral_note: str = ""
    handling_procurator_id: str = ""
    leader_id: str = ""


@dataclass(frozen=True)
class RegisteredPetition:
    id: str
    reg_no: str
    provisional: bool
    reply_due: date
    answer_due: date
    is_repeat: bool
    # Registration numbers this laptop still holds for the year; None on the office's
    # numbering laptop (it grants itself more).
    numbers_left: int | None = None


def parse_received(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(second=0, microsecond=0, tzinfo=None)
    except (TypeError, ValueError):
        return None


def validate(data: PetitionInput, now: datetime) -> list[ValidationError]:
    """Every problem with the input at once, each tied to its field."""
    problems: list[ValidationError] = []

    def need(ok: bool, name: str, message: str, **params: object) -> None:
        if not ok:
            problems.append(ValidationError(message, field=name, **params))

    need(Channel.has(data.channel), "channel", N_("Please choose how the petition came in."))
    if data.channel == "higher":
        need(bool(data.higher_office.strip()), "higher_office",
             N_("Please enter the office that handed the petition down."))
    need(len(data.higher_office.strip()) <= MAX_BODY, "higher_office",
         N_("This is too long (at most {n} characters)."), n=MAX_BODY)
    need(len(data.higher_ref.strip()) <= MAX_SHORT, "higher_ref",
         N_("This is too long (at most {n} characters)."), n=MAX_SHORT)
    received = parse_received(data.received_at)
    if received is None:
        need(False, "received_at", N_("This date and time does not exist."))
    else:
        need(received <= now + CLOCK_SLACK, "received_at",
             N_("The date received cannot be in the future."))
        need(received >= EARLIEST, "received_at", N_("The date received is too far in the past."))
    need(Category.has(data.category), "category", N_("Please choose the category."))
    need(BusinessType.has(data.business_type), "business_type",
         N_("Please choose the business type."))
    summary = data.summary.strip()
    need(bool(summary), "summary", N_("Please write what the petition is about."))
    need(len(summary) <= MAX_SUMMARY, "summary",
         N_("This is too long (at most {n} characters)."), n=MAX_SUMMARY)
    need(len(data.requests.strip()) <= MAX_REQUESTS, "requests",
         N_("This is too long (at most {n} characters)."), n=MAX_REQUESTS)
    need(len(data.original_case_no.strip()) <= MAX_SHORT, "original_case_no",
         N_("This is too long (at most {n} characters)."), n=MAX_SHORT)
    need(Jurisdiction.has(data.jurisdiction), "jurisdiction",
         N_("Please choose whether to accept or refer the petition."))
    if data.jurisdiction == "refer":
        need(bool(data.referral_body.strip()), "referral_body",
             N_("Please enter the body the petitioner is referred to."))
    need(len(data.referral_body.strip()) <= MAX_BODY, "referral_body",
         N_("This is too long (at most {n} characters)."), n=MAX_BODY)
    need(bool(data.persons), "persons", N_("Please enter at least one petitioner."))
    if data.is_group:
        need(2 <= data.head_count <= MAX_HEAD_COUNT, "head_count",
             N_("A group visit has between 2 and {n} people."), n=MAX_HEAD_COUNT)
        need(any(p.role == "representative" for p in data.persons), "persons",
             N_("Please enter at least one representative of the group."))
    today = now.date()
    ids: dict[str, int] = {}
    for index, person in enumerate(data.persons):
        problems += validate_person(person, f"persons.{index}", today)
        number = person.id_number.strip().upper()
        if number:
            if number in ids:
                problems.append(ValidationError(N_("This ID number is entered twice."),
                                                field=f"persons.{index}.id_number"))
            ids[number] = index
    return problems


def _calendar(session: Session) -> HolidayCalendar:
    rows = session.execute(select(HolidayOverride.day, HolidayOverride.kind)
                           .where(HolidayOverride.deleted.is_(False))).all()
    return HolidayCalendar({date.fromisoformat(day): kind for day, kind in rows})


def office_rule(office: Office) -> DeadlineRule:
    return DeadlineRule(office.deadline_unit, office.reply_days, office.answer_months)


def _changes(session: Session, petition_id: str) -> list[DeadlineChange]:
    rows = session.scalars(select(DeadlineEvent).where(DeadlineEvent.petition_id == petition_id,
                                                       DeadlineEvent.deleted.is_(False))).all()
    return [DeadlineChange(e.deadline, e.action, date.fromisoformat(e.on_date), e.days)
            for e in rows]


def _recompute(session: Session, petition: Petition) -> None:
    office = session.get(Office, petition.office_id)
    assert office is not None
    rule, cal = office_rule(office), _calendar(session)
    received = date.fromisoformat(petition.received_at[:10])
    changes = _changes(session, petition.id)
    petition.reply_due = due_date(REPLY, received, rule, cal, changes).isoformat()
    petition.answer_due = due_date(ANSWER, received, rule, cal, changes).isoformat()


def set_due_dates(session: Session, petition: Petition) -> None:
    """The petition's reply and answer due dates from its receipt, its deadline changes, its
    office's rule and the holidays (for a petition added other than by ``register``: one
    brought in from a hand-kept register)."""
    _recompute(session, petition)


def recompute_open(session: Session, office_id: str) -> int:
    """Recompute the due dates of an office's petitions that still await a reply or answer."""
    changed = 0
    for petition in session.scalars(select(Petition).where(
            Petition.office_id == office_id, Petition.deleted.is_(False),
            Petition.answer_done_on.is_(None))):
        before = (petition.reply_due, petition.answer_due)
        _recompute(session, petition)
        changed += before != (petition.reply_due, petition.answer_due)
    return changed


def _open_of(session: Session, office_ids: Iterable[str] | None) -> list[Petition]:
    stmt = select(Petition).where(Petition.deleted.is_(False), Petition.answer_done_on.is_(None))
    if office_ids is not None:
        stmt = stmt.where(Petition.office_id.in_(list(office_ids)))
    return list(session.scalars(stmt))


def redate_after_sync(session: Session, since_seq: int) -> int:
    """After an import: recompute the due dates that what arrived bears on (versions with a
    ``seq`` above ``since_seq``), so that they never depend on the order packages arrive in.

    Due dates are a function of the petition's receipt and deadline changes, its office's rule
    and the holidays: an open petition that arrived or changed, or whose deadline changes did,
    is recomputed; all of an office's open petitions when its rule arrived, and every office's
    when holidays did. Only a due date that differs from the stored one is written (a local
    change, with capture on, that travels on): two laptops computing the same date write the
    same value, and heads that agree are no conflict, so the stores converge. Returns how many
    petitions got new due dates.
    """
    touched = session.execute(text(
        "SELECT DISTINCT tbl, row_id, field FROM sync_version WHERE seq > :since"
        " AND tbl IN ('petition', 'deadline_event', 'office', 'holiday_override')"),
        {"since": since_seq}).all()
    if not touched:
        return 0
    rule_fields = {field_ids(Office.__table__)[c]  # type: ignore[arg-type]
                   for c in ("deadline_unit", "reply_days", "answer_months", "deleted")}
    offices = {row for tbl, row, fld in touched if tbl == "office" and fld in rule_fields}
    petitions: dict[str, Petition] = {}
    if any(tbl == "holiday_override" for tbl, _row, _fld in touched):
        petitions.update((p.id, p) for p in _open_of(session, None))
    elif offices:
        petitions.update((p.id, p) for p in _open_of(session, offices))
    ids = {row for tbl, row, _fld in touched if tbl == "petition"}
    events = [row for tbl, row, _fld in touched if tbl == "deadline_event"]
    if events:
        ids.update(session.scalars(select(DeadlineEvent.petition_id).where(
            DeadlineEvent.id.in_(events))))
    ids.difference_update(petitions)
    if ids:
        petitions.update((p.id, p) for p in session.scalars(select(Petition).where(
            Petition.id.in_(list(ids)), Petition.deleted.is_(False),
            Petition.answer_done_on.is_(None))))
    changed = 0
    for petition in petitions.values():
        before = (petition.reply_due, petition.answer_due)
        if not petition.received_at or session.get(Office, petition.office_id) is None:
            continue  # its office is kept apart on this laptop
        _recompute(session, petition)
        changed += before != (petition.reply_due, petition.answer_due)
    session.flush()
    return changed


CLOCK_SET_BACK = N_("This laptop's clock reads {now}, earlier than changes this laptop itself "
                    "made on {then}: its date and time were set back (a flat clock battery, "
                    "perhaps). Set them right first: the registration number and the deadlines "
                    "depend on them. Nothing was registered.")


def _check_clock(session: Session, store: Store) -> None:
    """Refuse to register while the laptop's clock reads more than a day earlier than the
    newest change this laptop itself wrote: its date was set back, and the number's year, the
    date received it offers and the deadlines would be wrong."""
    newest = session.execute(text(
        "SELECT MAX(hlc) FROM sync_version WHERE device_id IN (SELECT COALESCE(log_id,"
        " device_id) FROM local_identity UNION SELECT device_id FROM local_identity"
        " UNION SELECT log_id FROM sync_log WHERE device_id = (SELECT device_id"
        " FROM local_identity))")).scalar()
    if newest is None:
        return
    wall_ms = store.ctx.clock()
    written_ms = hlc_wall_ms(int(newest))
    if written_ms - wall_ms > DAY_MS:
        raise AppError(CLOCK_SET_BACK,
                       now=format_short_datetime(datetime.fromtimestamp(wall_ms / 1000)),
                       then=format_short_datetime(datetime.fromtimestamp(written_ms / 1000)))


DAY_MS = 24 * 3600 * 1000


def register(store: Store, data: PetitionInput, staff_id: str = "",
             now: datetime | None = None) -> RegisteredPetition:
    """Register a petition: its persons, number and deadlines, in one transaction."""
    now = now or datetime.now()
    if not data.received_at.strip():
        data = replace(data, received_at=now.isoformat(timespec="minutes"))
    problems = validate(data, now)
    if problems:
        raise InvalidInputError(problems)
    received = parse_received(data.received_at)
    assert received is not None and store.device_id is not None
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        _check_clock(session, store)
        device = session.get(Device, store.device_id)
        office = session.get(Office, device.office_id) if device and device.office_id else None
        if office is None:
            raise AppError(N_("This laptop does not belong to an office yet. Choose its office "
                              "under Laptop → This laptop… first."))
        problems = []
        for duty, chosen, name in ((duties.HANDLE, data.handling_procurator_id,
                                    "handling_procurator_id"),
                                   (duties.LEAD, data.leader_id, "leader_id")):
            try:
                duties.check_staff(session, office.id, duty, chosen, name)
            except ValidationError as problem:
                problems.append(problem)
        if problems:
            raise InvalidInputError(problems)
        people = []
        repeat = False
        for person in data.persons:
            row, known = apply_person(session, person, received.date())
            people.append((row, person.role))
            # A repeat petition: the person has petitioned before (a person known from
            # elsewhere, e.g. a hand-kept ledger brought in, is not a repeat petitioner; a
            # voided registration was no petition).
            repeat = repeat or (known and session.scalar(
                select(PetitionParty.id).join(Petition, Petition.id == PetitionParty.petition_id)
                .where(PetitionParty.person_id == row.id, PetitionParty.deleted.is_(False),
                       Petition.deleted.is_(False), Petition.voided_at == "").limit(1))
                is not None)
        seq, reg_no = numbering.issue_number(session, office, received.year, store.device_id)
        petition = Petition(
            office_id=office.id, reg_year=received.year, reg_seq=seq, reg_no=reg_no,
            channel=data.channel, higher_office=data.higher_office.strip(),
            higher_ref=data.higher_ref.strip(),
            received_at=received.isoformat(timespec="minutes"), category=data.category,
            business_type=data.business_type, summary=data.summary.strip(),
            requests=data.requests.strip(), original_case_no=data.original_case_no.strip(),
            is_group=data.is_group, head_count=data.head_count if data.is_group else len(people),
            is_sensitive=data.is_sensitive, is_repeat=repeat, jurisdiction=data.jurisdiction,
            referral_body=data.referral_body.strip() if data.jurisdiction == "refer" else "",
            referral_note=data.referral_note.strip() if data.jurisdiction == "refer" else "",
            handling_procurator_id=data.handling_procurator_id or None,
            leader_id=data.leader_id or None,
            registered_by=staff_or_none(session, staff_id),
            reply_due="", answer_due="")
        session.add(petition)
        session.flush()
        _recompute(session, petition)
        for position, (person_row, role) in enumerate(people):
            session.add(PetitionParty(petition_id=petition.id, person_id=person_row.id,
                                      role=role, position=position))
        log_activity(session, store, petition.id, staff_or_none(session, staff_id), "registered",
                     reg_no)
        session.flush()
        left = None if office.numbering_device_id == store.device_id else \
            numbering.remaining(session, office.id, received.year, store.device_id)
        return RegisteredPetition(petition.id, reg_no, seq is None,
                                  date.fromisoformat(petition.reply_due),
                                  date.fromisoformat(petition.answer_due), repeat, left)


LOW_NUMBERS_NOTE = N_("Only {count} registration numbers are left on this laptop. Exchange "
                      "packages with the office's master laptop soon: it grants a new block "
                      "when it reads this laptop's package.")


def numbers_note(done: RegisteredPetition) -> str:
    """The warning to show after registering when this laptop's numbers are running out
    (translated; empty when there is none, or when the number is provisional already)."""
    if done.provisional or done.numbers_left is None \
            or done.numbers_left >= numbering.LOW_NUMBERS:
        return ""
    return _(LOW_NUMBERS_NOTE).format(count=format_number(done.numbers_left))


def record_reply(store: Store, petition_id: str, kind: str, replied_on: date, method: str,
                 content: str, staff_id: str = "", today: date | None = None) -> None:
    today = today or date.today()
    problems = []
    if not ReplyKind.has(kind):
        problems.append(ValidationError(N_("Please choose the kind of reply."), field="kind"))
    if not ReplyMethod.has(method):
        problems.append(ValidationError(N_("Please choose how the reply was given."),
                                        field="method"))
    if not content.strip():
        problems.append(ValidationError(N_("Please write what was replied."), field="content"))
    elif len(content.strip()) > MAX_SUMMARY:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="content", n=MAX_SUMMARY))
    if replied_on > today:
        problems.append(ValidationError(N_("The date cannot be in the future."),
                                        field="replied_on"))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        if replied_on < date.fromisoformat(petition.received_at[:10]):
            problems.append(ValidationError(N_("The reply cannot be earlier than the petition."),
                                            field="replied_on"))
        if kind == "procedural":
            # One procedural reply (the 7-day one) to a petition; what follows it is the
            # result answer, or a note in the record.
            first = session.scalar(select(PetitionReply.replied_on).where(
                PetitionReply.petition_id == petition_id, PetitionReply.kind == "procedural")
                .order_by(PetitionReply.replied_on).limit(1))
            if first is not None:
                problems.append(ValidationError(
                    N_("A procedural reply was already recorded on {date}; record the result "
                       "answer instead."), field="kind", date=format_iso_date(first, "long")))
        if problems:
            raise InvalidInputError(problems)
        session.add(PetitionReply(petition_id=petition_id, kind=kind,
                                  replied_on=replied_on.isoformat(), method=method,
                                  content=content.strip(),
                                  by_staff_id=staff_or_none(session, staff_id)))
        day = replied_on.isoformat()
        # A result answer is also the procedural reply when none was given before it.
        if petition.reply_done_on is None or petition.reply_done_on > day:
            petition.reply_done_on = day
        if kind == "result" and (petition.answer_done_on is None or petition.answer_done_on > day):
            petition.answer_done_on = day
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "replied", kind)


def change_deadline(store: Store, petition_id: str, deadline: str, action: str, on_date: date,
                    reason: str, days: int = 0, staff_id: str = "") -> date:
    """Pause, resume or extend a deadline, with a reason; returns the new due date."""
    problems = []
    if not reason.strip():
        problems.append(ValidationError(N_("Please give the reason."), field="reason"))
    if action == EXTEND and not 1 <= days <= 365:
        problems.append(ValidationError(N_("An extension is between 1 and 365 days."),
                                        field="days"))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition = live_petition(session, petition_id)
        paused = (petition.reply_due if deadline == REPLY else petition.answer_due) \
            == PAUSED.isoformat()
        if action == PAUSE and paused:
            problems.append(ValidationError(N_("This deadline is already paused."),
                                            field="action"))
        if action == RESUME and not paused:
            problems.append(ValidationError(N_("This deadline is not paused."), field="action"))
        met = petition.reply_done_on if deadline == REPLY else petition.answer_done_on
        if action in (PAUSE, EXTEND) and met is not None:
            # A deadline already met has nothing left to count.
            problems.append(ValidationError(
                N_("This deadline was met on {date}; it cannot be paused or extended."),
                field="deadline", date=format_iso_date(met, "long")))
        if on_date < date.fromisoformat(petition.received_at[:10]):
            problems.append(ValidationError(N_("The date cannot be earlier than the petition."),
                                            field="on_date"))
        if problems:
            raise InvalidInputError(problems)
        session.add(DeadlineEvent(petition_id=petition_id, deadline=deadline, action=action,
                                  on_date=on_date.isoformat(), days=days if action == EXTEND else 0,
                                  reason=reason.strip(),
                                  by_staff_id=staff_or_none(session, staff_id)))
        session.flush()
        _recompute(session, petition)
        log_activity(session, store, petition_id, staff_or_none(session, staff_id), "deadline",
                     f"{deadline} {action} {on_date.isoformat()} {days if action == EXTEND else ''}"
                     .strip())
        return date.fromisoformat(petition.reply_due if deadline == REPLY
                                  else petition.answer_due)
