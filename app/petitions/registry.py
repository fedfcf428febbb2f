"""Finding petitions: the registry's filters and search, and the rows it lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.core.fulltext import petitions_matching
from app.core.records import party_names
from app.core.sqltext import SQLITE, dialect_of
from app.core.store import Store
from models import (
    Petition,
)

SOON_DAYS = 3


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


def _conditions(flt: RegistryFilter, today: date,
                dialect: str = SQLITE) -> list[ColumnElement[bool]]:
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
    # A voided registration has the status void, whatever was recorded on it before.
    standing = p.voided_at == ""
    if flt.status == "awaiting_reply":
        conds.append(and_(standing, p.reply_done_on.is_(None)))
    elif flt.status == "awaiting_answer":
        conds.append(and_(standing, p.reply_done_on.is_not(None), p.answer_done_on.is_(None)))
    elif flt.status == "answered":
        conds.append(and_(standing, p.answer_done_on.is_not(None)))
    elif flt.status == "void":
        conds.append(p.voided_at != "")
    if flt.overdue_only:
        day = today.isoformat()
        # A petition that cannot be answered at all (anonymous, no contact) is never overdue,
        # nor is a voided one.
        conds.append(and_(standing, p.unanswerable == "", or_(
            and_(p.reply_done_on.is_(None), p.reply_due < day),
            and_(p.answer_done_on.is_(None), p.answer_due < day))))
    if flt.figure is not None:
        from app.statistics.measures import Scope, petition_ids_behind
        from app.statistics.periods import Period

        fig = flt.figure
        conds.append(p.id.in_(petition_ids_behind(
            fig.measure, Period(fig.start, fig.end), Scope(fig.office_ids), fig.as_of)))
    matching = petitions_matching(dialect, flt.text)
    if matching is not None:
        conds.append(p.id.in_(matching))
    return conds


def petition_count(store: Store, flt: RegistryFilter, today: date | None = None) -> int:
    """How many petitions match (the registry's length, before any of them is read)."""
    today = today or date.today()
    with store.read() as session:
        return int(session.connection().execute(
            select(func.count()).select_from(Petition)
            .where(*_conditions(flt, today, dialect_of(session)))).scalar_one())


def petition_page(store: Store, flt: RegistryFilter, offset: int, limit: int,
                  today: date | None = None) -> list[str]:
    """Ids of the matching petitions ``offset`` to ``offset + limit``, newest first (the
    registry reads a page as it is shown)."""
    today = today or date.today()
    with store.read() as session:
        stmt = (select(Petition.id).where(*_conditions(flt, today, dialect_of(session)))
                .order_by(Petition.received_at.desc(), Petition.id.desc())
                .offset(offset).limit(limit))
        return list(session.connection().execute(stmt).scalars())


def petition_ids(store: Store, flt: RegistryFilter, today: date | None = None) -> list[str]:
    """Ids of the matching petitions, newest first, filtered and searched in SQL."""
    today = today or date.today()
    with store.read() as session:
        stmt = (select(Petition.id).where(*_conditions(flt, today, dialect_of(session)))
                .order_by(Petition.received_at.desc(), Petition.id.desc()))
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


def status_of(voided_at: str, reply_done_on: str | None, answer_done_on: str | None) -> str:
    """Where a petition stands, from its columns: the registry's screen and its files say it
    alike."""
    if voided_at:
        return "void"
    if answer_done_on:
        return "answered"
    if reply_done_on:
        return "awaiting_answer"
    return "awaiting_reply"


def petition_status(p: Petition) -> str:
    return status_of(p.voided_at, p.reply_done_on, p.answer_done_on)


def _overdue(p: Petition, today: str) -> bool:
    if p.unanswerable or p.voided_at:
        return False
    return ((p.reply_done_on is None and p.reply_due < today)
            or (p.answer_done_on is None and p.answer_due < today))


def petition_rows(store: Store, ids: Sequence[str],
                  today: date | None = None) -> dict[str, PetitionRow]:
    day = (today or date.today()).isoformat()
    with store.read() as session:
        petitions = session.scalars(select(Petition).where(Petition.id.in_(list(ids)))).all()
        names = party_names(session, ids)
        return {p.id: PetitionRow(
            p.id, p.reg_no, p.received_at, p.channel, p.category, p.business_type, p.summary,
            names.get(p.id, ("", ""))[0], names.get(p.id, ("", ""))[1], p.is_repeat, p.is_group,
            p.is_sensitive, petition_status(p), p.reply_due, p.answer_due, _overdue(p, day))
            for p in petitions}
