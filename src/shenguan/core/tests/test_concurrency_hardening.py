"""Concurrent operations on one record, on PostgreSQL with real threads (each its own
connection) released together by a barrier: exactly one valid outcome, the other party gets a
clean refusal, and the journal stays one unbroken chain.

- the applicant withdraws while the officer approves;
- two officers sign the same inspection record at once: it completes exactly once;
- two workers claim and deliver the same outbox event: one claims it, the consumer's effect is
  applied once even when both deliver it (an expired lease)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from shenguan.approvals import factories, services
from shenguan.approvals.models import Application
from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError
from shenguan.core.models import ConsumerReceipt, JournalEntry, OutboxEvent
from shenguan.core.worker import Worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], object]) -> list[str]:
    """Run the calls at once in threads; each outcome is ``ok``, ``refused:<code>`` or
    ``error:...`` (anything unexpected)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i: int, call):
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = f"refused:{exc.code}"
        except Exception as exc:  # noqa: BLE001 - record anything unexpected
            outcomes[i] = f"error:{type(exc).__name__}:{exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def accepted_application(item=None):
    item = item or factories.approval_item()
    clerk = factories.clerk_user()
    user, party = factories.applicant_user()
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    services.accept(app.pk, user=clerk)
    return item, app, user


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC), tick=True)


def test_approve_against_withdraw_leaves_one_outcome(today):
    for _round in range(3):
        item, app, applicant = accepted_application()
        outcomes = race(
            lambda: services.approve(app.pk, user=item.holder_user, opinion="同意"),
            lambda: services.withdraw(app.pk, reason="不再经营", user=applicant),
        )
        assert not [o for o in outcomes if o.startswith("error")], outcomes
        assert outcomes.count("ok") == 1, outcomes
        app = Application.objects.get(pk=app.pk)
        winner = "approved" if outcomes[0] == "ok" else "withdrawn"
        assert app.status == winner
        assert app.history.filter(to_status__in=["approved", "withdrawn"]).count() == 1
        kinds = set(
            OutboxEvent.objects.filter(
                type__in=["approvals.application.approved", "approvals.application.withdrawn"],
                subject_id=str(app.pk),
            ).values_list("type", flat=True)
        )
        assert kinds == {f"approvals.application.{winner}"}
    assert journal.verify().ok


def test_two_officers_signing_one_inspection_record_complete_it_once(time_machine):
    """Both officers sign the inspection record at the same moment (行政处罚法 art 42, 55):
    both signatures count, the record completes exactly once, its consequence (the
    completion document and event) exists once."""
    from shenguan.enforcement.factories import bureau
    from shenguan.enforcement.inspections import services as inspections
    from shenguan.enforcement.inspections.models import Inspection, InspectionStatus

    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), tick=True)
    b = bureau()
    insp = inspections.create_inspection(
        source="verification",
        source_type="verification.task",
        source_id=7,
        subject="食品经营许可告知承诺核查",
        party_id=b.company.pk,
        power_id=b.inspection_power.pk,
        officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        due_on=dt.date(2026, 3, 12),
        user=b.head,
    )
    inspections.start_inspection(insp.pk, user=b.officer1)
    for a in insp.answers.all():
        inspections.answer_item(insp.pk, seq=a.seq, answer="ok", user=b.officer1)
    inspections.record_result(
        insp.pk, result="compliant", findings="现场检查情况正常", user=b.officer1
    )

    outcomes = race(
        lambda: inspections.sign_inspection(insp.pk, user=b.officer1),
        lambda: inspections.sign_inspection(insp.pk, user=b.officer2),
    )
    assert outcomes == ["ok", "ok"], outcomes
    insp = Inspection.objects.get(pk=insp.pk)
    assert insp.status == InspectionStatus.COMPLETED
    assert insp.officers.filter(signed_at__isnull=False).count() == 2
    completed = OutboxEvent.objects.filter(
        type="enforcement.inspection.completed", subject_id=str(insp.pk)
    )
    assert completed.count() == 1
    assert journal.verify().ok


@pytest.fixture
def test_consumer(settings):
    settings.SHENGUAN_EXTRA_CONSUMERS = ["shenguan.core.tests.consumers_for_test"]


def _emit_one() -> OutboxEvent:
    from django.db import transaction

    with transaction.atomic():
        entry = journal.record("test.concurrency.seed", object_type="test", object_id="1")
        outbox.emit("test.concurrency", entry, {"n": 1})
    return OutboxEvent.objects.get(type="test.concurrency")


def test_two_workers_claiming_one_event_apply_it_once(test_consumer):
    event = _emit_one()
    workers = [Worker(name="w1", lease_seconds=60), Worker(name="w2", lease_seconds=60)]
    claims: list[list] = [[], []]

    def claim(i):
        claims[i] = workers[i].claim()

    outcomes = race(lambda: claim(0), lambda: claim(1))
    assert outcomes == ["ok", "ok"]
    assert sorted(len(c) for c in claims) == [0, 1], claims  # one claims it, SKIP LOCKED

    # the lease runs out while the first still works: both deliver the same event at once
    outcomes = race(lambda: workers[0].process(event.id), lambda: workers[1].process(event.id))
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert ConsumerReceipt.objects.filter(event_id=event.id).count() == 1
    effects = JournalEntry.objects.filter(action="test.effect.applied", object_id=str(event.id))
    assert effects.count() == 1
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.DELIVERED
    assert journal.verify().ok
