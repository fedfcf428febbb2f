"""An office's deadline rule and the holiday schedule it has entered.

Changing either recomputes the due dates of the office's open petitions in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.i18n import N_
from app.core.labels import Vocabulary
from app.core.store import Store
from app.petitions.deadlines import CALENDAR, WORKING, DeadlineRule
from app.petitions.intake import recompute_open
from models import HolidayOverride, Office


class HolidayKind(Vocabulary):
    HOLIDAY = "holiday", N_("Day off (public holiday)")
    WORKDAY = "workday", N_("Working day (make-up day)")


class DeadlineUnit(Vocabulary):
    CALENDAR = CALENDAR, N_("Calendar days")
    WORKING = WORKING, N_("Working days (PRC holiday calendar)")


def deadline_rule(store: Store, office_id: str) -> DeadlineRule:
    with store.read() as session:
        office = session.get(Office, office_id)
        if office is None:
            raise AppError(N_("This office no longer exists."))
        return DeadlineRule(office.deadline_unit, office.reply_days, office.answer_months)


def set_deadline_rule(store: Store, office_id: str, rule: DeadlineRule) -> int:
    """Store the rule; returns how many open petitions got new due dates."""
    problems = []
    if not DeadlineUnit.has(rule.unit):
        problems.append(ValidationError(N_("Please choose from the list."), field="unit"))
    if not 1 <= rule.reply_days <= 60:
        problems.append(ValidationError(N_("Between {low} and {high}."), field="reply_days",
                                        low=1, high=60))
    if not 1 <= rule.answer_months <= 12:
        problems.append(ValidationError(N_("Between {low} and {high}."), field="answer_months",
                                        low=1, high=12))
    if problems:
        raise InvalidInputError(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        office = session.get(Office, office_id)
        if office is None:
            raise AppError(N_("This office no longer exists."))
        office.deadline_unit = rule.unit
        office.reply_days = rule.reply_days
        office.answer_months = rule.answer_months
        session.flush()
        return recompute_open(session, office_id)


@dataclass(frozen=True)
class HolidayEntry:
    id: str
    day: date
    kind: str
    note: str


def holiday_entries(store: Store) -> list[HolidayEntry]:
    with store.read() as session:
        rows = session.scalars(select(HolidayOverride).where(HolidayOverride.deleted.is_(False))
                               .order_by(HolidayOverride.day)).all()
        return [HolidayEntry(r.id, date.fromisoformat(r.day), r.kind, r.note) for r in rows]


def _recompute_all(session: Session) -> int:
    offices = session.scalars(select(Office.id).where(Office.deleted.is_(False))).all()
    return sum(recompute_open(session, office_id) for office_id in offices)


def add_holiday(store: Store, day: date, kind: str, note: str = "") -> int:
    """Enter a day of the official schedule (a later entry for the same day replaces it)."""
    problems = []
    if not HolidayKind.has(kind):
        problems.append(ValidationError(N_("Please choose from the list."), field="kind"))
    if len(note.strip()) > 100:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="note", n=100))
    if problems:
        raise InvalidInputError(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        for old in session.scalars(select(HolidayOverride).where(
                HolidayOverride.day == day.isoformat(), HolidayOverride.deleted.is_(False))):
            old.deleted = True
        session.add(HolidayOverride(day=day.isoformat(), kind=kind, note=note.strip()))
        session.flush()
        return _recompute_all(session)


def remove_holiday(store: Store, entry_id: str) -> int:
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        entry = session.get(HolidayOverride, entry_id)
        if entry is None or entry.deleted:
            raise AppError(N_("This entry no longer exists."))
        entry.deleted = True
        session.flush()
        return _recompute_all(session)
