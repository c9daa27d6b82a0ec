"""Working days and statutory deadlines (DOMAIN.md §3, docs/decisions/0001-day-counting.md).

A date's status comes first from the holiday table administrators load (``HolidayDay``), then
from the ``chinese-calendar`` package, and is refused — never guessed — for a year neither
knows. Weekends are rest days unless listed as make-up working days (调休上班).

Counting rules:
- the day a period starts is not counted (民法典 art 201);
- working-day periods count forward that many working days;
- calendar-day periods count that many days and, if the last day is a rest day, end on the
  next working day (民法典 art 203);
- which periods are working days depends on the law (``Law``)."""

from __future__ import annotations

import datetime as dt
import time
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
from django.db import models

_MAX_SPAN_DAYS = 3 * 366 + 400  # sanity bound for one deadline computation


class UnknownYear(ValueError):
    """No official holiday arrangement is known for this year."""

    def __init__(self, year: int):
        super().__init__(
            f"no official holiday arrangement is known for {year}; load it with "
            f"`shenguan calendar load FILE` before counting days into that year"
        )
        self.year = year


class Law(StrEnum):
    LICENSING = "licensing"  # 行政许可法 art 82: the agency's limits are working days
    PENALTY = "penalty"  # 行政处罚法 art 85: 2, 3, 5, 7 days are working days; longer calendar
    COERCION = "coercion"  # 行政强制法 art 69: 10 days or less are working days
    WORKING = "working"  # a local rule stated in working days
    CALENDAR = "calendar"  # a period stated in calendar days (民法典 art 201, 203)


class DayCounting(models.TextChoices):
    """The same laws as choices for model fields."""

    LICENSING = "licensing", "行政许可法（工作日）"
    PENALTY = "penalty", "行政处罚法"
    COERCION = "coercion", "行政强制法"
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "自然日"


def counts_working_days(law: Law | str, days: int) -> bool:
    law = Law(law)
    if law in (Law.LICENSING, Law.WORKING):
        return True
    if law == Law.PENALTY:
        return days in (2, 3, 5, 7)  # 行政处罚法 art 85
    if law == Law.COERCION:
        return days <= 10  # 行政强制法 art 69
    return False


# year -> (expiry, table or None). Short-lived so that a table loaded in one process reaches
# the others within a minute; the loader clears it at once in its own process.
_CACHE: dict[int, tuple[float, dict[dt.date, bool] | None]] = {}
_CACHE_SECONDS = 60.0


def _db_year(year: int) -> dict[dt.date, bool] | None:
    now = time.monotonic()
    hit = _CACHE.get(year)
    if hit is not None and hit[0] > now:
        return hit[1]
    from .models import HolidayDay, HolidayYear

    table = None
    if HolidayYear.objects.filter(year=year).exists():
        table = dict(HolidayDay.objects.filter(year__year=year).values_list("date", "is_off_day"))
    _CACHE[year] = (now + _CACHE_SECONDS, table)
    return table


def clear_cache() -> None:
    """Forget cached holiday tables (after a load, and between tests)."""
    _CACHE.clear()
    _PREFIX.clear()


@lru_cache(maxsize=1)
def _package_range() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


def is_known_year(year: int) -> bool:
    if _db_year(year) is not None:
        return True
    lo, hi = _package_range()
    return lo <= year <= hi


def is_working_day(day: dt.date) -> bool:
    table = _db_year(day.year)
    if table is not None:
        if day in table:
            return not table[day]
        return day.weekday() < 5
    lo, hi = _package_range()
    if not lo <= day.year <= hi:
        raise UnknownYear(day.year)
    return chinese_calendar.is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day on which a period of ``days`` working days ends (the start day not counted)."""
    if days < 0:
        raise ValueError("a period cannot be negative")
    day = start
    remaining = days
    guard = 0
    while remaining > 0:
        day += dt.timedelta(days=1)
        guard += 1
        if guard > _MAX_SPAN_DAYS:
            raise ValueError("period too long")
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """``days`` calendar days after ``start``; a last day on a rest day moves to the next
    working day (民法典 art 203)."""
    if days < 0:
        raise ValueError("a period cannot be negative")
    return next_working_day(start + dt.timedelta(days=days))


def deadline(law: Law | str, start: dt.date, days: int) -> dt.date:
    """The due date of a period of ``days`` under ``law`` beginning on ``start``."""
    if counts_working_days(law, days):
        return add_working_days(start, days)
    return add_calendar_days(start, days)


# year -> (the holiday table it was built from, running count of working days): entry
# ``n`` is the number of working days from 1 January to the year's n-th day inclusive.
_PREFIX: dict[int, tuple[object, list[int]]] = {}


def _running_count(year: int) -> list[int]:
    table = _db_year(year)
    hit = _PREFIX.get(year)
    if hit is not None and hit[0] is table:
        return hit[1]
    counts = [0]
    day = dt.date(year, 1, 1)
    while day.year == year:
        counts.append(counts[-1] + is_working_day(day))
        day += dt.timedelta(days=1)
    _PREFIX[year] = (table, counts)
    return counts


def _through(day: dt.date) -> int:
    """Working days from 1 January of ``day``'s year to ``day`` inclusive."""
    return _running_count(day.year)[day.timetuple().tm_yday]


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start).

    Counted from a running total per year (built once per holiday table), so a page that
    shows a hundred clocks with years-old dates costs no more than one with fresh ones."""
    if end <= start:
        return 0
    count = _through(end) - _through(start)
    for year in range(start.year, end.year):
        count += _running_count(year)[-1]
    return count
