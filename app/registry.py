"""Finding petitions: the registry's filters and search, the Today list, one petition in full."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, TextClause

from app.deadlines import PAUSED, HolidayCalendar, unknown_years
from app.store import Store
from models import (
    Activity,
    DeadlineEvent,
    HolidayOverride,
    Office,
    Person,
    Petition,
    PetitionParty,
    PetitionReply,
    Staff,
)
from models.search import search_text

SOON_DAYS = 3


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query: each word a phrase of its tokens, the last a prefix.

    Tokens are cut as the index's tokenizer cuts them (at spaces and punctuation, the tsheg
    included); Chinese characters are one token each. Returns "" when nothing searchable is left.
    """
    phrases = []
    for word in search_text(text).split():
        tokens: list[str] = []
        current: list[str] = []
        for ch in word:
            if unicodedata.category(ch)[0] in "ZPC":
                if current:
                    tokens.append("".join(current))
                    current = []
            else:
                current.append(ch)
        if current:
            tokens.append("".join(current))
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"')
    if not phrases:
        return ""
    phrases[-1] += "*"
    return " ".join(phrases)


@dataclass
class RegistryFilter:
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    channel: str = ""
    category: str = ""
    business_type: str = ""
    status: str = ""  # awaiting_reply | awaiting_answer | answered
    overdue_only: bool = False
    office_id: str = ""
    # Only the petitions behind one figure of the statistics (a leader checking a number).
    figure: FigureFilter | None = None


@dataclass(frozen=True)
class FigureFilter:
    """The petitions counted in one figure: a measure, over a period, for some offices (or all
    of them), counted on a day."""

    measure: str
    start: date
    end: date
    office_ids: tuple[str, ...] | None
    as_of: date


def _conditions(flt: RegistryFilter, today: date) -> list[ColumnElement[bool]]:
    p = Petition
    conds: list[ColumnElement[bool]] = [p.deleted.is_(False)]
    if flt.date_from:
        conds.append(p.received_at >= flt.date_from.isoformat())
    if flt.date_to:
        conds.append(p.received_at < (flt.date_to + timedelta(days=1)).isoformat())
    for name in ("channel", "category", "business_type", "office_id"):
        value = getattr(flt, name)
        if value:
            conds.append(getattr(p, name) == value)
    if flt.status == "awaiting_reply":
        conds.append(p.reply_done_on.is_(None))
    elif flt.status == "awaiting_answer":
        conds.append(and_(p.reply_done_on.is_not(None), p.answer_done_on.is_(None)))
    elif flt.status == "answered":
        conds.append(p.answer_done_on.is_not(None))
    if flt.overdue_only:
        day = today.isoformat()
        # A petition that cannot be answered at all (anonymous, no contact) is never overdue.
        conds.append(and_(p.unanswerable == "", or_(
            and_(p.reply_done_on.is_(None), p.reply_due < day),
            and_(p.answer_done_on.is_(None), p.answer_due < day))))
    if flt.figure is not None:
        from app.statistics.measures import Scope, petition_ids_behind
        from app.statistics.periods import Period

        fig = flt.figure
        conds.append(p.id.in_(petition_ids_behind(
            fig.measure, Period(fig.start, fig.end), Scope(fig.office_ids), fig.as_of)))
    query = fts_query(flt.text)
    if query:
        matching = text_matches(query)
        conds.append(p.id.in_(matching))
    return conds


def text_matches(query: str) -> TextClause:
    return sql("SELECT petition_id FROM petition_search_key WHERE key IN"
               " (SELECT rowid FROM petition_fts WHERE petition_fts MATCH :q)").bindparams(q=query)


def petition_ids(store: Store, flt: RegistryFilter, today: date | None = None) -> list[str]:
    """Ids of the matching petitions, newest first, filtered and searched in SQL."""
    today = today or date.today()
    stmt = (select(Petition.id).where(*_conditions(flt, today))
            .order_by(Petition.received_at.desc(), Petition.id.desc()))
    with store.read() as session:
        # Core, not ORM: a hundred thousand ids without building an object for each.
        return list(session.connection().execute(stmt).scalars())


@dataclass(frozen=True)
class PetitionRow:
    id: str
    reg_no: str
    received_at: str
    channel: str
    category: str
    business_type: str
    summary: str
    names_zh: str
    names_bo: str
    is_repeat: bool
    is_group: bool
    is_sensitive: bool
    status: str
    reply_due: str
    answer_due: str
    overdue: bool


def _status(p: Petition) -> str:
    if p.answer_done_on:
        return "answered"
    if p.reply_done_on:
        return "awaiting_answer"
    return "awaiting_reply"


def _overdue(p: Petition, today: str) -> bool:
    if p.unanswerable:
        return False
    return ((p.reply_done_on is None and p.reply_due < today)
            or (p.answer_done_on is None and p.answer_due < today))


def _names(session: Session, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    rows = session.execute(
        select(PetitionParty.petition_id, Person.name_zh, Person.name_bo)
        .join(Person, Person.id == PetitionParty.person_id)
        .where(PetitionParty.petition_id.in_(list(ids)), PetitionParty.deleted.is_(False))
        .order_by(PetitionParty.petition_id, PetitionParty.position)).all()
    names: dict[str, tuple[list[str], list[str]]] = {}
    for pid, zh, bo in rows:
        entry = names.setdefault(pid, ([], []))
        if zh:
            entry[0].append(zh)
        if bo:
            entry[1].append(bo)
    return {pid: ("、".join(zh), "  ".join(bo)) for pid, (zh, bo) in names.items()}


def petition_rows(store: Store, ids: Sequence[str],
                  today: date | None = None) -> dict[str, PetitionRow]:
    day = (today or date.today()).isoformat()
    with store.read() as session:
        petitions = session.scalars(select(Petition).where(Petition.id.in_(list(ids)))).all()
        names = _names(session, ids)
        return {p.id: PetitionRow(
            p.id, p.reg_no, p.received_at, p.channel, p.category, p.business_type, p.summary,
            names.get(p.id, ("", ""))[0], names.get(p.id, ("", ""))[1], p.is_repeat, p.is_group,
            p.is_sensitive, _status(p), p.reply_due, p.answer_due, _overdue(p, day))
            for p in petitions}


@dataclass(frozen=True)
class TodayItem:
    petition_id: str
    reg_no: str
    names_zh: str
    names_bo: str
    summary: str
    deadline: str  # reply | answer
    due: date
    days_left: int  # negative: overdue by that many days

    @property
    def urgency(self) -> str:
        if self.days_left < 0:
            return "overdue"
        if self.days_left == 0:
            return "today"
        return "soon"


@dataclass(frozen=True)
class TodayList:
    items: list[TodayItem]
    unknown_years: list[int] = field(default_factory=list)

    def count(self, urgency: str) -> int:
        return sum(1 for item in self.items if item.urgency == urgency)


def today_list(store: Store, today: date | None = None, office_id: str = "") -> TodayList:
    """Open deadlines that are overdue, due today or due within three days, most urgent first."""
    today = today or date.today()
    horizon = (today + timedelta(days=SOON_DAYS)).isoformat()
    found: list[tuple[Petition, str, str]] = []
    with store.read() as session:
        # Deadlines of a petition that cannot be answered at all do not fall due.
        base: list[ColumnElement[bool]] = [Petition.deleted.is_(False),
                                           Petition.unanswerable == ""]
        if office_id:
            base.append(Petition.office_id == office_id)
        reply = session.scalars(select(Petition).where(
            *base, Petition.reply_done_on.is_(None), Petition.reply_due <= horizon)).all()
        answer = session.scalars(select(Petition).where(
            *base, Petition.answer_done_on.is_(None), Petition.answer_due <= horizon)).all()
        found = [(p, "reply", p.reply_due) for p in reply] + \
                [(p, "answer", p.answer_due) for p in answer]
        names = _names(session, [p.id for p, _k, _d in found])
        open_dues = session.scalars(select(Petition.answer_due).where(
            *base, Petition.answer_done_on.is_(None),
            Petition.answer_due != PAUSED.isoformat())).all()
        overrides = session.execute(select(HolidayOverride.day, HolidayOverride.kind)
                                    .where(HolidayOverride.deleted.is_(False))).all()
        unit_working = session.scalar(select(func.count()).select_from(Office).where(
            Office.deadline_unit == "working", Office.deleted.is_(False))) or 0
    items = []
    for p, kind, due in found:
        due_day = date.fromisoformat(due)
        zh, bo = names.get(p.id, ("", ""))
        items.append(TodayItem(p.id, p.reg_no, zh, bo, p.summary, kind, due_day,
                               (due_day - today).days))
    items.sort(key=lambda i: (i.days_left, i.deadline != "reply", i.reg_no))
    years: list[int] = []
    if unit_working:
        cal = HolidayCalendar({date.fromisoformat(d): k for d, k in overrides})
        years = unknown_years(cal, [date.fromisoformat(d) for d in open_dues])
    return TodayList(items, years)


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

    @property
    def prefers_tibetan(self) -> bool:
        return any(p.preferred_language == "bo" for p in self.parties)


def _staff_names(session: Session, staff_id: str | None) -> tuple[str, str]:
    staff = session.get(Staff, staff_id) if staff_id else None
    return (staff.name_zh, staff.name_bo) if staff else ("", "")


def petition_detail(store: Store, petition_id: str, today: date | None = None) -> PetitionDetail:
    from app.errors import AppError
    from app.i18n import N_

    row = petition_rows(store, [petition_id], today).get(petition_id)
    if row is None:
        raise AppError(N_("This petition no longer exists."))
    with store.read() as session:
        p = session.get(Petition, petition_id)
        assert p is not None
        office = session.get(Office, p.office_id)
        assert office is not None
        parties = []
        for party, person in session.execute(
                select(PetitionParty, Person).join(Person, Person.id == PetitionParty.person_id)
                .where(PetitionParty.petition_id == petition_id,
                       PetitionParty.deleted.is_(False))
                .order_by(PetitionParty.position)).all():
            address = " ".join(x for x in (person.county, person.township, person.village,
                                           person.herding_group) if x)
            parties.append(PartyDetail(person.id, party.role, person.name_bo, person.name_zh,
                                       person.sex, person.ethnicity, person.id_number,
                                       person.phone, address, person.preferred_language,
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
        history = [HistoryEntry(a.at, a.action, a.detail, *_staff_names(session, a.staff_id),
                                a.device_id)
                   for a in session.scalars(select(Activity).where(
                       Activity.petition_id == petition_id).order_by(Activity.at, Activity.id))]
        return PetitionDetail(
            row, office.name_zh, office.name_bo, office.short_zh, p.higher_office, p.higher_ref,
            p.requests, p.original_case_no, p.head_count, p.jurisdiction, p.referral_body,
            p.referral_note, *_staff_names(session, p.handling_procurator_id),
            *_staff_names(session, p.leader_id), *_staff_names(session, p.registered_by),
            parties, replies, events, history)
