"""The demo's simulated history: forty days of activity replayed through the real services on
top of a small demo zone built the day before the history starts."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core import journal
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.demo.activity import CHINA

DAYS = 40
# A fixed window inside 2026, whose holidays are known, far enough from the year's end that the
# 90-day deadline of a case opened in it can be counted.
END = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """Seeded and simulated once for the module inside an outer transaction rolled back
    afterwards (as in test_seed.py: no flush wipes the migration-seeded policies)."""
    from django.db import transaction

    from shenguan.demo.activity import before_history, simulate
    from shenguan.demo.seed import seed

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with before_history(DAYS, END):
                seed(enterprises=16, individuals=6)
            report = simulate(DAYS, per_day=(1, 2), cases=10, online_accounts=6, end=END)
            first = (JournalEntry.objects.count(), OutboxEvent.objects.count())
            again = simulate(DAYS, per_day=(1, 2), cases=10, online_accounts=6, end=END)
            # the seeder's call site: seeding again with activity asked for adds nothing
            with before_history(DAYS, END):
                via_seed = seed(enterprises=16, individuals=6, activity_days=DAYS)
            second = (JournalEntry.objects.count(), OutboxEvent.objects.count())
            yield report, again, via_seed.activity, first, second
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_applications_take_every_route_and_end_in_several_states(history):
    from shenguan.approvals.models import Application, Licence
    from shenguan.demo.activity import MARK

    report, *_ = history
    assert not report.skipped
    apps = Application.objects.filter(description__startswith=MARK)
    assert apps.count() >= DAYS // 2
    assert set(apps.values_list("route", flat=True)) == {"ordinary", "tolerance", "commitment"}
    assert {"window", "online"} <= set(apps.values_list("channel", flat=True))
    statuses = set(apps.values_list("status", flat=True))
    assert "licence_issued" in statuses
    assert len(statuses) >= 3, statuses
    assert Licence.objects.filter(application__in=apps).exists()
    # the services stamped the simulated days, not the day the test ran
    received = [d for d in apps.values_list("received_on", flat=True) if d]
    assert END - dt.timedelta(days=DAYS) <= min(received) <= END - dt.timedelta(days=DAYS - 7)
    assert max(received) < END
    created = [c.astimezone(CHINA).date() for c in apps.values_list("created", flat=True)]
    assert min(created) > END - dt.timedelta(days=DAYS + 1) and max(created) < END
    assert report.acts["one-time notice"] + report.acts["accepted"] > 0


@pytest.mark.django_db
def test_outbox_events_became_pushes_tasks_and_findings(history):
    from shenguan.verification.models import Finding, Push, VerificationTask

    assert Push.objects.exists()
    assert Push.objects.filter(acknowledged_at__isnull=False).exists()
    assert VerificationTask.objects.exists()
    assert Finding.objects.filter(status="final").exists()
    # every push came from an event the worker delivered
    delivered = OutboxEvent.objects.filter(type__startswith="approvals.licence.issued")
    assert delivered.exclude(status="delivered").count() == 0


@pytest.mark.django_db
def test_penalty_cases_run_through_their_stages(history):
    from shenguan.enforcement.cases.models import PenaltyCase

    cases = PenaltyCase.objects.all()
    assert cases.count() >= 3
    decided = cases.filter(decided_on__isnull=False)
    assert decided.exists()
    case = decided.first()
    assert case.benchmark_id is not None and case.fine_amount > 0
    assert len(set(cases.values_list("status", flat=True))) >= 2


@pytest.mark.django_db
def test_acts_are_journalled_under_the_staff_who_did_them(history):
    entry = JournalEntry.objects.filter(action="approvals.application.accept").first()
    assert entry is not None
    assert entry.source == "command"
    assert "clerk" in entry.actor_name
    assert entry.request_id.startswith("demo-")


@pytest.mark.django_db
def test_running_again_changes_nothing_and_the_chain_holds(history):
    report, again, via_seed, first, second = history
    assert again.skipped and via_seed.skipped
    assert "already" in again.reason
    assert second == first
    assert journal.verify().ok
    assert not report.errors, report.errors[:5]
