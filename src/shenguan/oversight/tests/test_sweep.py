"""The sweep with frozen time across the 2026 National Day holiday (Oct 1-7 off, Sat Oct 10 a
make-up working day): warning at 80 % of the promised limit, overdue, escalation to the backup
and then the section head, one accountability record — each once however often it runs."""

import datetime as dt

import pytest
import time_machine

from shenguan.core import calendar
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.oversight import services
from shenguan.oversight.choices import (
    AccountabilityOrigin,
    AlertLevel,
    ClockKind,
    EscalationTarget,
    Resolution,
)
from shenguan.oversight.factories import accepted_application, desk
from shenguan.oversight.models import AccountabilityRecord, Alert, Escalation

pytestmark = pytest.mark.django_db

ACCEPTED = dt.date(2026, 9, 22)  # Tuesday before the Mid-Autumn and National Day holidays


def sweep(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9, 0)), tick=False):
        return services.sweep(day)


@pytest.fixture
def case():
    d = desk(promised=10)
    due = calendar.add_working_days(ACCEPTED, 10)
    app = accepted_application(d, ACCEPTED, due)
    return d, app, due


def alerts(app, **kw):
    return Alert.objects.filter(object_type="approvals.application", object_id=str(app.pk), **kw)


def test_the_promised_due_date_skips_the_holidays(case):
    _d, _app, due = case
    # 10 working days from 22 Sep: 23, 24, 28, 29, 30 Sep, 8, 9, 10 (make-up Sat), 12, 13 Oct
    assert due == dt.date(2026, 10, 13)
    assert calendar.is_working_day(dt.date(2026, 10, 10))
    assert not calendar.is_working_day(dt.date(2026, 10, 5))


def test_no_warning_during_the_holiday_then_warning_at_80_percent(case):
    _d, app, due = case
    # 16 calendar days have run on 8 Oct, but only 6 working days: no warning yet
    assert sweep(dt.date(2026, 10, 8)).warnings == []
    assert sweep(dt.date(2026, 10, 9)).warnings == []
    assert not alerts(app).exists()
    # the 8th working day (80 % of 10) is the make-up Saturday
    report = sweep(dt.date(2026, 10, 10))
    assert report.warnings == [alerts(app).get().object_label]
    alert = alerts(app).get()
    assert alert.level == AlertLevel.WARNING
    assert alert.clock_kind == ClockKind.APPLICATION
    assert alert.due_on == due
    assert alert.staff == app.responsible
    assert alert.section == case[0].section
    assert alert.resolved_at is None
    # a second sweep the same day (or the next) creates nothing
    assert sweep(dt.date(2026, 10, 10)).changed == 0
    assert sweep(dt.date(2026, 10, 12)).changed == 0
    assert alerts(app).count() == 1


def test_overdue_escalates_to_backup_then_section_head_then_accountability(case):
    d, app, due = case
    sweep(dt.date(2026, 10, 10))
    assert sweep(dt.date(2026, 10, 13)).overdue == []  # the last day is not overdue

    report = sweep(dt.date(2026, 10, 14))
    assert len(report.overdue) == 1
    overdue = alerts(app, level=AlertLevel.OVERDUE).get()
    warning = alerts(app, level=AlertLevel.WARNING).get()
    assert warning.resolved_at is not None and warning.resolution == Resolution.SUPERSEDED
    assert overdue.resolved_at is None
    backup = Escalation.objects.get(alert=overdue)
    assert backup.target_kind == EscalationTarget.BACKUP
    assert backup.target == d.backup.staff
    assert backup.overdue_working_days == 1
    assert OutboxEvent.objects.filter(type="oversight.escalated").count() == 1
    assert JournalEntry.objects.filter(action="oversight.escalation.created").count() == 1
    assert not AccountabilityRecord.objects.exists()

    # 15 Oct: 2 working days overdue -> the section head
    report = sweep(dt.date(2026, 10, 15))
    assert len(report.head_escalations) == 1
    head = Escalation.objects.get(alert=overdue, target_kind=EscalationTarget.SECTION_HEAD)
    assert head.target == d.head.staff
    assert not AccountabilityRecord.objects.exists()

    # 16 Oct: 3 working days overdue -> accountability record against the holder
    report = sweep(dt.date(2026, 10, 16))
    assert len(report.accountability) == 1
    record = AccountabilityRecord.objects.get()
    assert record.staff == d.holder.staff
    assert record.origin == AccountabilityOrigin.SWEEP
    assert record.alert == overdue
    assert app.number in record.reason and "3" in record.reason
    assert record.number.startswith("WZ2026")

    # repeated sweeps add nothing
    for day in (dt.date(2026, 10, 16), dt.date(2026, 10, 19), dt.date(2026, 10, 20)):
        assert sweep(day).changed == 0
    assert Escalation.objects.count() == 2
    assert AccountabilityRecord.objects.count() == 1
    assert alerts(app).count() == 2


def test_weekend_after_due_date_counts_no_working_days(case):
    """Overdue from the next calendar day, but escalation steps count working days."""
    d, app, _due = case
    app.promised_due_on = dt.date(2026, 10, 9)  # Friday... then Sat 10 is a make-up day
    app.save()
    sweep(dt.date(2026, 10, 11))  # Sunday: 1 working day overdue (the make-up Saturday)
    overdue = alerts(app, level=AlertLevel.OVERDUE).get()
    assert Escalation.objects.filter(alert=overdue).count() == 1
    sweep(dt.date(2026, 10, 12))  # Monday: 2 working days -> head
    assert Escalation.objects.filter(alert=overdue).count() == 2


def test_alert_resolved_when_the_clock_stops(case):
    _d, app, _due = case
    sweep(dt.date(2026, 10, 14))
    assert alerts(app, resolved_at__isnull=True).count() == 1
    app.status = "approved"
    app.decided_on = dt.date(2026, 10, 15)
    app.save()
    report = sweep(dt.date(2026, 10, 15))
    assert len(report.resolved) == 1
    alert = alerts(app, level=AlertLevel.OVERDUE).get()
    assert alert.resolution == Resolution.STOPPED
    # no escalation to the section head after the clock stopped
    sweep(dt.date(2026, 10, 20))
    assert not Escalation.objects.filter(target_kind=EscalationTarget.SECTION_HEAD).exists()
    assert not AccountabilityRecord.objects.exists()


def test_a_moved_due_date_reschedules_the_alert(case):
    _d, app, due = case
    sweep(dt.date(2026, 10, 10))
    app.promised_due_on = calendar.add_working_days(due, 5)  # e.g. a suspension ended
    app.save()
    sweep(dt.date(2026, 10, 12))
    old = alerts(app, due_on=due).get()
    assert old.resolution == Resolution.RESCHEDULED
    assert not alerts(app, resolved_at__isnull=True).exists()  # 9 of 15 days: below 80 %


def test_policy_is_versioned_and_changes_the_thresholds(case, admin_user):
    _d, app, _due = case
    first = services.policy_in_force(dt.date(2026, 10, 1))
    assert first.version == 1 and str(first.warning_share) == "0.80"
    with time_machine.travel(dt.datetime(2026, 10, 1, 9), tick=False):
        from shenguan.core.context import acting_as

        with acting_as(admin_user, source="ui"):
            services.publish_policy(
                effective_from=dt.date(2026, 10, 1), warning_share="0.50", user=admin_user
            )
    policy = services.policy_in_force(dt.date(2026, 10, 9))
    assert policy.version == 2 and policy.accountability_after_days == 3
    # 50 % of 10 working days = 5: reached on 30 Sep? no, the policy starts 1 Oct; on 8 Oct
    # 6 working days have run
    report = sweep(dt.date(2026, 10, 8))
    assert len(report.warnings) == 1
    assert report.policy_version == 2


def test_publishing_a_policy_needs_an_administrator(make_user):
    from shenguan.core.errors import Forbidden

    head = make_user("bureau_head", staff=True)
    with pytest.raises(Forbidden):
        services.publish_policy(effective_from=dt.date(2026, 1, 1), user=head)


def test_a_broken_provider_does_not_resolve_its_alerts(case, monkeypatch):
    _d, app, _due = case
    sweep(dt.date(2026, 10, 14))
    from shenguan.oversight import clocks

    clocks.load()
    kinds, _func = clocks.PROVIDERS["approvals"]

    def broken(day):
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(clocks.PROVIDERS, "approvals", (kinds, broken))
    report = sweep(dt.date(2026, 10, 15))
    assert report.errors and "approvals" in report.errors[0]
    assert alerts(app, resolved_at__isnull=True).count() == 1


def test_the_worker_runs_the_sweep_periodically(case):
    from shenguan.core.consumers import PERIODIC, load_consumers

    load_consumers()
    task = PERIODIC["oversight.sweep"]
    with time_machine.travel(dt.datetime(2026, 10, 14, 9), tick=False):
        task.func()
    assert Alert.objects.filter(level=AlertLevel.OVERDUE).count() == 1
