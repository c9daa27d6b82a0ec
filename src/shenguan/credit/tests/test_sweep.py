"""Publication periods expire by themselves; the sweep records it, recomputes, and runs from
the worker (hourly) and from ``shenguan credit sweep``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from shenguan.core.consumers import PERIODIC, load_consumers
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.core.worker import Worker
from shenguan.credit import services
from shenguan.credit.models import CreditEvent, CreditPolicy, CreditStanding, TierChange
from shenguan.credit.queries import published_events

pytestmark = pytest.mark.django_db


def test_publication_ends_after_its_period(enterprise, record, travel):
    travel(dt.date(2026, 1, 15))
    light = record(enterprise, "penalty_light", source="enforcement")
    assert light.publish_until == dt.date(2026, 4, 15)
    travel(dt.date(2026, 4, 15))  # the last day of publication
    assert services.expire_publications() == 0
    assert published_events().filter(pk=light.pk).exists()
    travel(dt.date(2026, 4, 16))
    # gone from publication at once, before any sweep has run …
    assert not published_events().filter(pk=light.pk).exists()
    # … and the sweep records the end with its date
    assert services.expire_publications() == 1
    light.refresh_from_db()
    assert light.publication_ended_on == dt.date(2026, 4, 16)
    assert light.publication_end_reason == "expired"
    assert services.expire_publications() == 0
    entry = JournalEntry.objects.get(action="credit.event.publication_ended")
    assert entry.after["publication_end_reason"] == "expired"
    assert OutboxEvent.objects.filter(
        type="credit.event.publication_ended", subject_id=str(light.pk)
    ).exists()


def test_expiry_recomputes_the_tier(enterprise, record, travel):
    travel(dt.date(2026, 2, 10))
    record(enterprise, "tolerance_missed", source="approval", source_ref={"type": "t", "id": "1"})
    record(enterprise, "tolerance_missed", source="approval", source_ref={"type": "t", "id": "2"})
    record(enterprise, "tolerance_missed", source="approval", source_ref={"type": "t", "id": "3"})
    assert services.tier_of(enterprise) == "C"
    travel(dt.date(2027, 2, 10))
    assert services.tier_of(enterprise) == "C"  # the stored tier waits for the sweep
    result = services.sweep(dt.date(2027, 2, 11))
    assert result["publications_expired"] == 3
    assert services.tier_of(enterprise) == "B"
    change = TierChange.objects.filter(party=enterprise).order_by("-pk").first()
    assert (change.from_tier, change.to_tier, change.trigger) == ("C", "B", "publication_expired")
    assert CreditStanding.objects.get(party=enterprise).score == 70
    assert not CreditEvent.objects.filter(party=enterprise, publication_ended_on=None).exists()


def test_command_runs_the_sweep(enterprise, record, travel):
    travel(dt.date(2026, 1, 15))
    record(enterprise, "penalty_light", source="enforcement")
    out = io.StringIO()
    call_command("credit", "sweep", "--today", "2026-04-16", stdout=out)
    assert "publications_expired=1" in out.getvalue()
    entry = JournalEntry.objects.get(action="credit.event.publication_ended")
    assert entry.source == "command" and entry.actor_name == "command:credit"


def test_worker_runs_the_sweep_hourly(enterprise, record, travel):
    load_consumers()
    task = PERIODIC["credit.sweep"]
    assert task.every == dt.timedelta(hours=1)
    travel(dt.date(2026, 1, 15))
    light = record(enterprise, "penalty_light", source="enforcement")
    travel(dt.date(2026, 4, 20))
    assert "credit.sweep" in Worker().run_due_periodic()
    light.refresh_from_db()
    assert light.publication_end_reason == "expired"
    entry = JournalEntry.objects.get(action="credit.event.publication_ended")
    assert entry.source == "worker"


def test_sweep_on_an_empty_archive_writes_nothing():
    # the worker runs it in every deployment, also before any credit record exists
    assert services.sweep() == {
        "publications_expired": 0,
        "list_entries_expired": 0,
        "recomputed": 0,
        "repairs_flagged_overdue": 0,
    }
    assert not JournalEntry.objects.exists()
    assert not OutboxEvent.objects.exists()
    assert not CreditPolicy.objects.exists()
