"""Today: the deadlines a clerk must see first, overdue, due today and due soon."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from app.core.records import party_names
from app.core.store import Store
from app.petitions.deadlines import PAUSED, HolidayCalendar, unknown_years
from app.petitions.registry import SOON_DAYS
from models import (
    HolidayOverride,
    Office,
    Petition,
)


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
        # Deadlines of a petition that cannot be answered at all, or was voided, do not fall
        # due.
        base: list[ColumnElement[bool]] = [Petition.deleted.is_(False),
                                           Petition.unanswerable == "", Petition.voided_at == ""]
        if office_id:
            base.append(Petition.office_id == office_id)
        reply = session.scalars(select(Petition).where(
            *base, Petition.reply_done_on.is_(None), Petition.reply_due <= horizon)).all()
        answer = session.scalars(select(Petition).where(
            *base, Petition.answer_done_on.is_(None), Petition.answer_due <= horizon)).all()
        found = [(p, "reply", p.reply_due) for p in reply] + \
                [(p, "answer", p.answer_due) for p in answer]
        names = party_names(session, [p.id for p, _k, _d in found])
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
