"""The approvals → credit consumer, fed with synthetic outbox events."""

from __future__ import annotations

import pytest

from shenguan.core.models import DeliveryAttempt, OutboxEvent
from shenguan.core.worker import Worker
from shenguan.credit.consumers import APPROVAL_EVENTS
from shenguan.credit.models import CreditEvent

pytestmark = pytest.mark.django_db


def synthetic(event_type: str, **payload) -> OutboxEvent:
    return OutboxEvent.objects.create(
        channel="approvals",
        type=event_type,
        subject_type="approvals.commitment",
        subject_id="42",
        payload=payload,
    )


def deliveries(event) -> list[DeliveryAttempt]:
    return list(DeliveryAttempt.objects.filter(event=event, consumer="credit.from_approvals"))


@pytest.mark.parametrize("event_type", sorted(APPROVAL_EVENTS))
def test_each_mapped_outcome_records_its_credit_event(enterprise, event_type):
    event = synthetic(event_type, party_id=enterprise.pk, display="鄂葛审承〔2026〕42号")
    Worker().deliver_pending()
    credit = CreditEvent.objects.get(party=enterprise)
    assert credit.kind == APPROVAL_EVENTS[event_type].kind
    assert credit.source == "approval"
    assert (credit.source_type, credit.source_id) == ("approvals.commitment", "42")
    assert credit.source_display == "鄂葛审承〔2026〕42号"
    # judged by this consumer's own attempts: other apps' consumers may want the same events
    assert [a.ok for a in deliveries(event)] == [True]


def test_a_redelivered_outcome_is_applied_once(enterprise):
    first = synthetic("approvals.commitment.breached", party_id=enterprise.pk)
    worker = Worker()
    worker.deliver_pending()
    # the same outcome announced again (another event row, same subject): still one record
    synthetic("approvals.commitment.breached", party_id=enterprise.pk)
    worker.deliver_pending()
    # and the first row delivered twice (receipt-level idempotency)
    OutboxEvent.objects.filter(pk=first.pk).update(status="pending")
    worker.deliver_pending()
    assert CreditEvent.objects.filter(party=enterprise).count() == 1
    assert enterprise.credit_events.get().kind == "commitment_broken"


def test_unmapped_approval_events_are_ignored(enterprise):
    event = synthetic("approvals.application.submitted", party_id=enterprise.pk)
    Worker().deliver_pending()
    assert [a.ok for a in deliveries(event)] == [True]
    assert not CreditEvent.objects.exists()


def test_a_mapped_event_without_party_fails_visibly(settings):
    settings.SHENGUAN_OUTBOX_BACKOFF_SECONDS = 0.0
    event = synthetic("approvals.commitment.fulfilled")
    Worker().deliver_pending()
    event.refresh_from_db()
    assert event.status == "pending" and event.attempts == 1
    (attempt,) = deliveries(event)
    assert not attempt.ok and "party_id" in attempt.error
    assert not CreditEvent.objects.exists()
