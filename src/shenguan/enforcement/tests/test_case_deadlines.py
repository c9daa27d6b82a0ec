"""Periods of a penalty case and the late fee, across the 2026 holidays (State Council
arrangement: Qingming Apr 4-6; Labour Day May 1-5 with Saturday May 9 worked; Mid-Autumn
Sep 25-27; National Day Oct 1-7 with Sep 20 and Oct 10 worked). Expected dates are counted
by hand from that arrangement (行政处罚法 art 85; 民法典 art 201, 203)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shenguan.core.errors import DomainError
from shenguan.enforcement.cases import deadlines, services
from shenguan.enforcement.cases.choices import CaseStatus as S

D = dt.date
pytestmark = pytest.mark.django_db  # the calendar reads the administrators' holiday table


@pytest.mark.parametrize(
    ("func", "start", "expected"),
    [
        # 15 calendar days end on May 5, a holiday → the next working day (DOMAIN.md §3 example)
        (deadlines.payment_due, D(2026, 4, 20), D(2026, 5, 6)),
        # 7 working days: Apr 30; May 6, 7, 8, 9 (make-up Saturday), 11, 12
        (deadlines.service_due, D(2026, 4, 29), D(2026, 5, 12)),
        # 5 working days across Mid-Autumn and National Day: Sep 28, 29, 30; Oct 8, 9
        (deadlines.hearing_request_due, D(2026, 9, 24), D(2026, 10, 9)),
        # 90 calendar days end on Oct 1 (National Day) → Thursday Oct 8
        (deadlines.decision_due, D(2026, 7, 3), D(2026, 10, 8)),
        # 90 days from Mar 2 end on Sunday May 31 → Monday Jun 1
        (deadlines.decision_due, D(2026, 3, 2), D(2026, 6, 1)),
        # the seven-day hearing notice must have run out: notice Apr 29 → hearing from May 13
        (deadlines.earliest_hearing, D(2026, 4, 29), D(2026, 5, 13)),
        # 行政强制法 art 54, 69: ten working days: May 6-9 (9th worked), 11-15, 18
        (deadlines.demand_wait_until, D(2026, 4, 30), D(2026, 5, 18)),
    ],
)
def test_penalty_periods_across_holidays(func, start, expected):
    assert func(start) == expected


def test_decision_period_with_extension():
    assert deadlines.decision_due(D(2026, 3, 2), 30) == D(2026, 6, 30)


def test_lead_period_is_working_days():
    # Apr 30; May 6, 7, 8, 9, 11-15, 18-22 → the 15th working day is May 22
    assert deadlines.lead_open_due(D(2026, 4, 29), 15) == D(2026, 5, 22)


def test_court_application_window():
    opens, closes = deadlines.court_application_window(D(2026, 1, 20), 6, 3)
    assert opens == D(2026, 7, 21)
    # Oct 20, 2026 is a Tuesday (a working day)
    assert closes == D(2026, 10, 20)
    # a last day on National Day moves to the first working day after it
    _opens, closes = deadlines.court_application_window(D(2025, 12, 31), 6, 3)
    assert closes == D(2026, 9, 30)
    _opens, closes = deadlines.court_application_window(D(2026, 1, 2), 6, 3)
    assert closes == D(2026, 10, 8)


@pytest.mark.parametrize(
    ("fine", "due", "on", "fee"),
    [
        ("10000", D(2026, 5, 6), D(2026, 5, 6), "0.00"),  # paid on the last day: no fee
        ("10000", D(2026, 5, 6), D(2026, 5, 7), "300.00"),  # the day after: 3 %
        ("10000", D(2026, 5, 6), D(2026, 5, 16), "3000.00"),  # 10 days
        ("10000", D(2026, 5, 6), D(2026, 6, 8), "9900.00"),  # 33 days: just under the cap
        ("10000", D(2026, 5, 6), D(2026, 6, 9), "10000.00"),  # 34 days: capped at the fine
        ("10000", D(2026, 5, 6), D(2026, 12, 31), "10000.00"),  # stays capped
        # rest days count for the fee: Sep 30 → Oct 8 is 8 days over National Day
        ("500", D(2026, 9, 30), D(2026, 10, 8), "120.00"),
        ("333.33", D(2026, 5, 6), D(2026, 5, 7), "10.00"),  # rounded to the cent
        ("0", D(2026, 5, 6), D(2026, 6, 9), "0.00"),
    ],
)
def test_late_fee_three_percent_a_day_capped_at_the_fine(fine, due, on, fee):
    assert deadlines.late_fee(fine, due, on) == Decimal(fee)


def test_case_dates_and_payment_with_late_fee(flow):
    """Served on Apr 20 → pay by May 6; paid on May 11 with 5 days of fee."""
    case = flow.to(S.NOTIFIED)  # opened Mar 2
    assert case.notified_on == D(2026, 3, 2)
    assert case.statement_due_on == D(2026, 3, 9)  # 5 working days
    services.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    flow.go(D(2026, 4, 15))
    services.decide(case.pk, user=flow.b.head)
    assert flow.refresh().service_due_on == D(2026, 4, 24)
    flow.go(D(2026, 4, 20))
    services.serve(case.pk, method="in_person", officer_ids=flow.pair, user=flow.o1)
    case = flow.refresh()
    assert case.payment_due_on == D(2026, 5, 6)
    flow.go(D(2026, 5, 11))
    principal, fee = services.amount_owed(case)
    assert (principal, fee) == (Decimal("30000.00"), Decimal("4500.00"))  # 5 days × 900
    with pytest.raises(DomainError) as exc:
        services.record_payment(case.pk, amount="30000", user=flow.o1)
    assert exc.value.code == "underpaid"
    services.record_payment(case.pk, amount="34500", user=flow.o1)
    case = flow.refresh()
    assert case.status == S.CLOSED and case.late_fee == Decimal("4500.00")


def test_late_service_needs_a_reason(flow):
    case = flow.to(S.DECIDED)
    flow.go(case.service_due_on + dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.serve(case.pk, method="post", officer_ids=flow.pair, user=flow.o1)
    assert exc.value.code == "service_late" and "第六十一条" in exc.value.message
    services.serve(
        case.pk, method="post", officer_ids=flow.pair, late_reason="当事人下落不明", user=flow.o1
    )
    assert flow.refresh().status == S.SERVED


def test_demand_and_court_application_timing(flow):
    case = flow.to(S.SERVED)
    with pytest.raises(DomainError) as exc:
        services.demand_payment(case.pk, user=flow.o1)
    assert exc.value.code == "not_overdue"
    flow.go(case.payment_due_on + dt.timedelta(days=1))
    services.demand_payment(case.pk, user=flow.o1)
    case = flow.refresh()
    flow.go(deadlines.demand_wait_until(case.demanded_on) + dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:  # review and suit periods still running
        services.apply_to_court(case.pk, user=flow.b.head)
    assert exc.value.code == "remedy_period_running"
    opens, closes = deadlines.court_application_window(case.served_on, 6, 3)
    flow.go(closes + dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.apply_to_court(case.pk, user=flow.b.head)
    assert exc.value.code == "court_deadline_passed"
    flow.go(opens)
    services.apply_to_court(case.pk, user=flow.b.head)
    case = flow.refresh()
    assert case.status == S.COURT_APPLIED
    # by then the late fee has long reached the fine itself
    assert services.amount_owed(case)[1] == case.fine_amount


def test_late_lead_opening_needs_a_reason(flow):
    lead = flow.lead_only()
    assert lead.open_due_on == D(2026, 3, 23)  # Mar 3-6, 9-13, 16-20, 23
    flow.go(D(2026, 3, 24))
    with pytest.raises(DomainError) as exc:
        flow.open()
    assert exc.value.code == "open_late"
    case = flow.open(late_reason="当事人联系不上，核实身份后立案")
    assert case.open_late_reason


def test_a_period_into_an_unloaded_year_is_refused_clearly(flow):
    """90 days from late November run into a year whose holidays nobody has loaded: the case
    is not opened on a guess (DOMAIN.md §3), and the officer is told why."""
    from shenguan.core.models import HolidayYear

    HolidayYear.objects.filter(year=2027).delete()
    flow.go(D(2026, 11, 25))
    with pytest.raises(DomainError) as exc:
        flow.open()
    assert exc.value.code == "unknown_year" and "2027" in exc.value.message
