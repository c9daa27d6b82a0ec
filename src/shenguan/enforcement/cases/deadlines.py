"""The periods of a penalty case and the late fee, counted as the law says (DOMAIN.md §3).

行政处罚法 art 85: periods of 2, 3, 5 and 7 days are working days; longer ones (15, 90 days)
are calendar days whose last day moves to the next working day when it is a rest day
(民法典 art 203). ``core.calendar.deadline("penalty", …)`` does exactly this and refuses to count
into a year whose holidays are not known."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from shenguan.core import calendar
from shenguan.core.errors import DomainError

from ..common.policy import add_months

DECISION_DAYS = 90  # 行政处罚法 art 60
SERVICE_DAYS = 7  # art 61: served within 7 days (working days, art 85)
HEARING_REQUEST_DAYS = 5  # art 64 (1): request within 5 days of the notice
HEARING_NOTICE_DAYS = 7  # art 64 (2): the party is told 7 days before the hearing
PAYMENT_DAYS = 15  # art 67: pay within 15 days of receiving the decision
LATE_FEE_RATE = Decimal("0.03")  # art 72 (1): 3 % of the fine per day, capped at the fine
DEMAND_WAIT_DAYS = 10  # 行政强制法 art 54: apply to court 10 days after the demand was served
SIMPLE_CAP_PERSON = Decimal("200")  # art 51
SIMPLE_CAP_ORGANISATION = Decimal("3000")  # art 51

CENT = Decimal("0.01")


def count(law, start: dt.date, days: int) -> dt.date:
    """``calendar.deadline``, refusing clearly (400, not a crash) when the period runs into a
    year whose holiday arrangement has not been loaded yet."""
    try:
        return calendar.deadline(law, start, days)
    except calendar.UnknownYear as exc:
        raise DomainError(
            _("期限将计算到%(y)s年，但该年的法定节假日安排尚未载入，请管理员先载入后再办理")
            % {"y": exc.year},
            code="unknown_year",
        )


def next_working_day(day: dt.date) -> dt.date:
    try:
        return calendar.next_working_day(day)
    except calendar.UnknownYear as exc:
        raise DomainError(
            _("%(y)s年的法定节假日安排尚未载入") % {"y": exc.year}, code="unknown_year"
        )


def lead_open_due(received_on: dt.date, working_days: int) -> dt.date:
    """Local rule stated in working days (market regulation: 15)."""
    return count(calendar.Law.WORKING, received_on, working_days)


def decision_due(opened_on: dt.date, extension_days: int = 0) -> dt.date:
    """90 calendar days from opening (art 60), or 90 + the extension."""
    return count(calendar.Law.PENALTY, opened_on, DECISION_DAYS + extension_days)


def statement_due(notified_on: dt.date, days: int) -> dt.date:
    return count(calendar.Law.PENALTY, notified_on, days)


def hearing_request_due(notified_on: dt.date) -> dt.date:
    return count(calendar.Law.PENALTY, notified_on, HEARING_REQUEST_DAYS)


def earliest_hearing(notice_on: dt.date) -> dt.date:
    """The first day a hearing may be held when its notice goes out on ``notice_on``: the
    seven-day period (working days, art 85) must have run out before the hearing day."""
    return count(calendar.Law.PENALTY, notice_on, HEARING_NOTICE_DAYS) + dt.timedelta(days=1)


def service_due(decided_on: dt.date) -> dt.date:
    return count(calendar.Law.PENALTY, decided_on, SERVICE_DAYS)


def payment_due(served_on: dt.date) -> dt.date:
    return count(calendar.Law.PENALTY, served_on, PAYMENT_DAYS)


def court_application_window(
    served_on: dt.date, remedy_months: int, application_months: int
) -> tuple[dt.date, dt.date]:
    """(first day, last day) on which the bureau may apply to court: after the periods for
    review and suit have run (行政诉讼法 art 46: six months), within three months
    (行政强制法 art 53). A last day on a rest day moves to the next working day."""
    opens = add_months(served_on, remedy_months) + dt.timedelta(days=1)
    closes = next_working_day(add_months(served_on, remedy_months + application_months))
    return opens, closes


def demand_wait_until(demanded_on: dt.date) -> dt.date:
    """行政强制法 art 54, 69: ten days (working days) after the demand is served."""
    return count(calendar.Law.COERCION, demanded_on, DEMAND_WAIT_DAYS)


def overdue_days(due_on: dt.date | None, on: dt.date) -> int:
    if due_on is None or on <= due_on:
        return 0
    return (on - due_on).days


def late_fee(fine: Decimal | int | str | None, due_on: dt.date | None, on: dt.date) -> Decimal:
    """行政处罚法 art 72 (1): from the day after the due date, 3 % of the fine for every day,
    never more than the fine itself (also 行政强制法 art 45)."""
    fine = Decimal(str(fine or 0))
    days = overdue_days(due_on, on)
    if fine <= 0 or days == 0:
        return Decimal("0.00")
    fee = (fine * LATE_FEE_RATE * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(fee, fine.quantize(CENT))


def simple_cap(is_person: bool) -> Decimal:
    return SIMPLE_CAP_PERSON if is_person else SIMPLE_CAP_ORGANISATION
