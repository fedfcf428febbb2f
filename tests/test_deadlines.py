"""The 7-day and 3-month deadlines: month ends, 29 February, holiday runs, make-up days, pauses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.petitions.deadlines import (
    ANSWER,
    CALENDAR,
    EXTEND,
    PAUSE,
    PAUSED,
    REPLY,
    RESUME,
    WORKING,
    DeadlineChange,
    DeadlineRule,
    HolidayCalendar,
    add_months,
    due_date,
    unknown_years,
)

CAL = HolidayCalendar()
CALENDAR_RULE = DeadlineRule(CALENDAR)
WORKING_RULE = DeadlineRule(WORKING)


@pytest.mark.parametrize(("received", "months", "due"), [
    (date(2026, 11, 30), 3, date(2027, 2, 28)),   # month end, into a short February
    (date(2027, 11, 30), 3, date(2028, 2, 29)),   # ... and into a leap-year February
    (date(2028, 2, 29), 3, date(2028, 5, 29)),    # from 29 February
    (date(2028, 2, 29), 12, date(2029, 2, 28)),   # to a year without one
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 10, 31), 3, date(2027, 1, 31)),
    (date(2026, 12, 15), 3, date(2027, 3, 15)),   # across the year end
])
def test_add_months_clamps_to_the_month_end(received: date, months: int, due: date) -> None:
    assert add_months(received, months) == due


def test_calendar_days() -> None:
    received = date(2026, 2, 12)
    assert due_date(REPLY, received, CALENDAR_RULE, CAL) == date(2026, 2, 19)
    assert due_date(ANSWER, received, CALENDAR_RULE, CAL) == date(2026, 5, 12)


def test_working_days_skip_the_spring_festival_run_and_count_make_up_saturdays() -> None:
    # 2026: Spring Festival 15-23 February off; Saturday 14 and Saturday 28 are working days.
    received = date(2026, 2, 12)  # Thursday
    # 13 (Fri), 14 (make-up Sat), 24, 25, 26, 27, 28 (make-up Sat): the 7th working day.
    assert due_date(REPLY, received, WORKING_RULE, CAL) == date(2026, 2, 28)


def test_working_days_over_national_day() -> None:
    # 2026: 1-7 October off; Sunday 20 September and Saturday 10 October are working days.
    received = date(2026, 9, 29)  # Tuesday
    # 30 Sep, then 8, 9, 10 (make-up Sat), 12, 13, 14 October.
    assert due_date(REPLY, received, WORKING_RULE, CAL) == date(2026, 10, 14)


def test_answer_falling_on_a_holiday_moves_to_the_next_working_day() -> None:
    received = date(2025, 11, 16)  # + 3 months = Monday 16 February 2026, in the festival
    assert due_date(ANSWER, received, WORKING_RULE, CAL) == date(2026, 2, 24)
    assert due_date(ANSWER, received, CALENDAR_RULE, CAL) == date(2026, 2, 16)


def test_office_entries_override_and_fill_unknown_years() -> None:
    # The official 2027 schedule is not in the library yet: weekends only, and we say so.
    assert unknown_years(CAL, [date(2027, 2, 5), date(2026, 12, 1)]) == [2027]
    received = date(2027, 2, 4)  # Thursday
    assert due_date(REPLY, received, WORKING_RULE, CAL) == date(2027, 2, 15)
    # The office enters a (made-up, for the test) festival week and a make-up Sunday.
    entered = {date(2027, 2, d): "holiday" for d in range(8, 13)}
    entered[date(2027, 2, 7)] = "workday"
    cal = HolidayCalendar(entered)
    assert unknown_years(cal, [date(2027, 2, 5)]) == []
    # 5 (Fri), 7 (make-up Sun), then 15-19: the 7th working day is Friday the 19th.
    assert due_date(REPLY, received, WORKING_RULE, cal) == date(2027, 2, 19)
    # An entry also overrides the library: a declared extra day off in 2026.
    cal = HolidayCalendar({date(2026, 3, 3): "holiday"})
    assert not cal.is_workday(date(2026, 3, 3))
    assert CAL.is_workday(date(2026, 3, 3))


def test_pause_and_resume_push_the_deadline_by_the_paused_days() -> None:
    received = date(2026, 3, 2)
    changes = [DeadlineChange(REPLY, PAUSE, date(2026, 3, 4))]
    assert due_date(REPLY, received, CALENDAR_RULE, CAL, changes) == PAUSED
    changes.append(DeadlineChange(REPLY, RESUME, date(2026, 3, 14)))
    assert due_date(REPLY, received, CALENDAR_RULE, CAL, changes) == date(2026, 3, 19)
    # Only the deadline that was paused moves.
    assert due_date(ANSWER, received, CALENDAR_RULE, CAL, changes) == date(2026, 6, 2)


def test_paused_working_days_count_only_working_days() -> None:
    received = date(2026, 3, 2)  # Monday; 7 working days -> Wednesday 11 March
    assert due_date(REPLY, received, WORKING_RULE, CAL) == date(2026, 3, 11)
    changes = [DeadlineChange(REPLY, PAUSE, date(2026, 3, 6)),    # Friday
               DeadlineChange(REPLY, RESUME, date(2026, 3, 9))]   # Monday: one working day
    assert due_date(REPLY, received, WORKING_RULE, CAL, changes) == date(2026, 3, 12)


def test_extensions_add_up_with_pauses() -> None:
    received = date(2026, 3, 2)
    changes = [DeadlineChange(ANSWER, EXTEND, date(2026, 5, 20), days=30),
               DeadlineChange(ANSWER, PAUSE, date(2026, 4, 1)),
               DeadlineChange(ANSWER, RESUME, date(2026, 4, 11))]
    assert due_date(ANSWER, received, CALENDAR_RULE, CAL, changes) == date(2026, 7, 12)


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 9, 1)))
def test_working_day_deadlines_always_land_on_a_working_day_after_receipt(day: date) -> None:
    reply = due_date(REPLY, day, WORKING_RULE, CAL)
    answer = due_date(ANSWER, day, WORKING_RULE, CAL)
    assert CAL.is_workday(reply) and CAL.is_workday(answer)
    assert day < reply < answer
    assert CAL.workdays_between(day + timedelta(days=1), reply + timedelta(days=1)) == 7
