"""Reporting periods: a year, a quarter, a month or any range of days, and the same period a
year earlier (同比).

Written as the command line takes them: ``2026``, ``2026-Q3``, ``2026-05``,
``2021-01-01..2026-12-31``, or an open range ``2021-01-01..`` ("2021年以来", up to today).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.errors import AppError
from app.core.i18n import N_

YEAR, QUARTER, MONTH, RANGE = "year", "quarter", "month", "range"
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    """The days ``start`` to ``end``, both included."""

    start: date
    end: date
    kind: str = RANGE

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    def year_earlier(self) -> Period:
        """The same days a year earlier (29 February becomes the 28th)."""
        return Period(_year_before(self.start), _year_before(self.end, at_end=True), self.kind)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every calendar month the period touches, in order."""
        found = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def code(self) -> str:
        """The period as the command line writes it."""
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _year_before(day: date, at_end: bool = False) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    moved = date(day.year - 1, day.month, day.day)
    # The last day of February a year after a leap year stays the month's last day.
    if at_end and day.month == 2 and day.day == 28 and calendar.isleap(day.year - 1):
        return date(day.year - 1, 2, 29)
    return moved


def year(value: int) -> Period:
    return Period(date(value, 1, 1), date(value, 12, 31), YEAR)


def quarter(value: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    last = first + 2
    return Period(date(value, first, 1),
                  date(value, last, calendar.monthrange(value, last)[1]), QUARTER)


def month(value: int, number: int) -> Period:
    return Period(date(value, number, 1),
                  date(value, number, calendar.monthrange(value, number)[1]), MONTH)


_BAD = N_("“{text}” is not a period. Write a year (2026), a quarter (2026-Q3), a month "
          "(2026-05) or a range of days (2021-01-01..2026-12-31, or 2021-01-01.. for "
          "“since”).")


class PeriodError(AppError):
    pass


def parse_period(text: str, today: date | None = None) -> Period:
    """A period as written on the command line; raises :class:`PeriodError` with the reason."""
    today = today or date.today()
    value = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})", value):
            period = year(int(m[1]))
        elif m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", value):
            period = quarter(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            period = month(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})?", value):
            start = date.fromisoformat(m[1])
            end = date.fromisoformat(m[2]) if m[2] else today
            period = Period(start, end, RANGE)
        else:
            raise PeriodError(_BAD, text=text)
    except ValueError:
        raise PeriodError(_BAD, text=text) from None
    if period.end < period.start:
        raise PeriodError(N_("The period ends before it begins: {text}."), text=text)
    if period.start.year < EARLIEST_YEAR or period.end.year > 9998:
        raise PeriodError(_BAD, text=text)
    return period
