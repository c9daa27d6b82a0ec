"""Statutory and promised clocks of an application, and the deadline sweep.

- Statutory due: the item's statutory limit (20 working days by default, 行政许可法 art 42)
  from acceptance, plus the extension (+10 with the head's approval, art 42), plus the
  working days the clock stood still (art 45).
- Promised due: the item's promised limit (the shorter published one), reduced on the green
  channel by the policy's percentage (at least one day, never below one day), plus stopped
  time. Extensions do not move the promise.
- Warning: when 80 % of the promised limit has run.
- Licence due: 10 working days after the decision (art 44).

Working days come from ``shenguan.core.calendar`` (行政许可法 art 82; the start day is not
counted, 民法典 art 201). A date in a year without a published holiday arrangement is never
guessed: the service refuses with ``CalendarUnknown`` and says what to load."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shenguan.core import calendar
from shenguan.core.errors import DomainError

DEFAULT_STATUTORY_DAYS = 20  # 行政许可法 art 42
EXTENSION_DAYS = 10  # 行政许可法 art 42
LICENCE_ISSUE_DAYS = 10  # 行政许可法 art 44
DEEMED_ACCEPTANCE_DAYS = 5  # 行政许可法 art 32
WARNING_SHARE = 0.8
RENEWAL_NOTICE_DAYS = 30  # 行政许可法 art 50 (calendar days before expiry)


class CalendarUnknown(DomainError):
    code = "calendar_unknown_year"


def _working(start: dt.date, days: int) -> dt.date:
    try:
        return calendar.add_working_days(start, days)
    except calendar.UnknownYear as exc:
        raise CalendarUnknown(
            _(
                "无法计算期限：%(year)s年的法定节假日安排尚未公布或尚未载入系统"
                "（管理员可用 `shenguan calendar load` 载入），系统不推算未知年份的工作日"
            )
            % {"year": exc.year}
        )


def working_days_between(start: dt.date, end: dt.date) -> int:
    try:
        return calendar.working_days_between(start, end)
    except calendar.UnknownYear as exc:
        raise CalendarUnknown(
            _("无法计算期限：%(year)s年的法定节假日安排尚未公布或尚未载入系统") % {"year": exc.year}
        )


def statutory_limit(version) -> int:
    return version.statutory_limit_days or DEFAULT_STATUTORY_DAYS


def promised_limit(version, rule=None) -> int:
    """The promised limit in working days for an application under ``rule`` (green channel
    reduction applied)."""
    base = version.promised_limit_days or statutory_limit(version)
    if rule is not None and rule.green_channel and rule.promised_reduction_percent:
        reduction = max(1, base * rule.promised_reduction_percent // 100)
        base = max(1, base - reduction)
    return base


@dataclass
class Clock:
    statutory_due_on: dt.date
    promised_due_on: dt.date
    warn_on: dt.date


def compute(
    accepted_on: dt.date,
    *,
    statutory_days: int,
    promised_days: int,
    extension_days: int = 0,
    suspended_days: int = 0,
) -> Clock:
    warn_days = max(1, math.ceil(promised_days * WARNING_SHARE))
    return Clock(
        statutory_due_on=_working(accepted_on, statutory_days + extension_days + suspended_days),
        promised_due_on=_working(accepted_on, promised_days + suspended_days),
        warn_on=_working(accepted_on, warn_days + suspended_days),
    )


def apply(application) -> list[str]:
    """Recompute the application's due dates from its limits; returns the fields changed."""
    clock = compute(
        application.accepted_on,
        statutory_days=application.statutory_limit_days,
        promised_days=application.promised_limit_days,
        extension_days=application.extension_days,
        suspended_days=application.suspended_days,
    )
    application.statutory_due_on = clock.statutory_due_on
    application.promised_due_on = clock.promised_due_on
    application.warn_on = clock.warn_on
    return ["statutory_due_on", "promised_due_on", "warn_on"]


def deemed_acceptance_after(received_on: dt.date) -> dt.date:
    """The last day for the one-time notice; from the next day the application counts as
    accepted on the day it was received (行政许可法 art 32)."""
    return _working(received_on, DEEMED_ACCEPTANCE_DAYS)


def licence_due(decided_on: dt.date) -> dt.date:
    return _working(decided_on, LICENCE_ISSUE_DAYS)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity_end(start: dt.date, years: int | None) -> dt.date | None:
    """The last valid day of a licence valid ``years`` from ``start`` (None: no end)."""
    if not years:
        return None
    return add_years(start, years) - dt.timedelta(days=1)


def latest_renewal_day(valid_until: dt.date) -> dt.date:
    """The last day to apply for renewal: 30 days before expiry (行政许可法 art 50)."""
    return valid_until - dt.timedelta(days=RENEWAL_NOTICE_DAYS)


# --- the sweep --------------------------------------------------------------------------------


@dataclass
class SweepReport:
    today: dt.date
    deemed_accepted: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    revocations_started: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    renewals_deemed: list[str] = field(default_factory=list)
    licences_expired: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(
            len(x)
            for x in (
                self.deemed_accepted,
                self.terminated,
                self.revocations_started,
                self.warnings,
                self.renewals_deemed,
                self.licences_expired,
            )
        )

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "deemed_accepted": self.deemed_accepted,
            "terminated": self.terminated,
            "revocations_started": self.revocations_started,
            "warnings": self.warnings,
            "renewals_deemed": self.renewals_deemed,
            "licences_expired": self.licences_expired,
            "errors": self.errors,
        }


def sweep(today: dt.date | None = None) -> SweepReport:
    """Apply every deadline that has passed by ``today`` (default: today). Each change runs
    in its own transaction through the same service a person would use, re-checking its
    condition under the row lock, so running the sweep twice changes nothing the second
    time."""
    from .sweeping import run_sweep

    return run_sweep(today)
