"""The deadline rule, in one place: procedural reply within 7 days, the result within 3 months.

An office chooses calendar days, or working days on the PRC holiday calendar (法定节假日 and the
make-up working days 调休上班). The official schedule comes from the ``chinesecalendar`` library;
an office enters days itself (``HolidayOverride``) for a year the library does not know yet, and
what it enters always wins. For a year that neither knows, weekends are the only days off and
:func:`unknown_years` names that year so the screen can say so.

Deadlines can be paused (the days until resumption do not count) and extended by a number of
days, always with a reason.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

CALENDAR, WORKING = "calendar", "working"
REPLY, ANSWER = "reply", "answer"
PAUSE, RESUME, EXTEND = "pause", "resume", "extend"
# Stored as the due date of a deadline that is paused and not yet resumed: never due.
PAUSED = date(9999, 12, 31)


@dataclass(frozen=True)
class DeadlineRule:
    unit: str = CALENDAR
    reply_days: int = 7
    answer_months: int = 3


@dataclass(frozen=True)
class DeadlineChange:
    deadline: str  # reply | answer
    action: str  # pause | resume | extend
    on_date: date
    days: int = 0


class HolidayCalendar:
    """Which days are working days: office entries first, then the official schedule."""

    def __init__(self, overrides: Mapping[date, str] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._override_years = {d.year for d in self._overrides}

    def official_known(self, year: int) -> bool:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def known(self, year: int) -> bool:
        return year in self._override_years or self.official_known(year)

    def is_workday(self, day: date) -> bool:
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == "workday"
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def next_workday(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in [start, end)."""
        return sum(1 for n in range((end - start).days)
                   if self.is_workday(start + timedelta(days=n)))


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later, or that month's last day (Nov 30 + 3 = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _base(deadline: str, received: date, rule: DeadlineRule, cal: HolidayCalendar) -> date:
    if deadline == REPLY:
        if rule.unit == WORKING:
            return cal.add_workdays(received, rule.reply_days)
        return received + timedelta(days=rule.reply_days)
    due = add_months(received, rule.answer_months)
    return cal.next_workday(due) if rule.unit == WORKING else due


def due_date(deadline: str, received: date, rule: DeadlineRule, cal: HolidayCalendar,
             changes: Iterable[DeadlineChange] = ()) -> date:
    """The due date after pauses and extensions; :data:`PAUSED` while a pause is open."""
    due = _base(deadline, received, rule, cal)
    extra = 0
    paused_since: date | None = None
    for change in sorted((c for c in changes if c.deadline == deadline),
                         key=lambda c: c.on_date):
        if change.action == PAUSE and paused_since is None:
            paused_since = change.on_date
        elif change.action == RESUME and paused_since is not None:
            extra += (cal.workdays_between(paused_since, change.on_date) if rule.unit == WORKING
                      else (change.on_date - paused_since).days)
            paused_since = None
        elif change.action == EXTEND:
            extra += change.days
    if paused_since is not None:
        return PAUSED
    if extra == 0:
        return due
    return cal.add_workdays(due, extra) if rule.unit == WORKING else due + timedelta(days=extra)


def unknown_years(cal: HolidayCalendar, days: Iterable[date]) -> list[int]:
    """Years among ``days`` whose holiday schedule nobody knows (deadlines there skip weekends
    only)."""
    return sorted({d.year for d in days if d != PAUSED and not cal.known(d.year)})
