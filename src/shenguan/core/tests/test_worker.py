"""Outbox delivery: at-least-once to consumers (applied once), webhooks signed and retried."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from shenguan.core import outbox
from shenguan.core.models import (
    ConsumerReceipt,
    DeliveryAttempt,
    JournalEntry,
    OutboxEvent,
    WebhookSubscription,
)
from shenguan.core.webhooks import verify_signature
from shenguan.core.worker import Worker, backoff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def test_consumer(settings):
    settings.SHENGUAN_EXTRA_CONSUMERS = ["shenguan.core.tests.consumers_for_test"]
    settings.SHENGUAN_OUTBOX_BACKOFF_SECONDS = 0.0
    yield
    # the test consumer stays registered: it only wants test.* events


def emit(n: int, **payload) -> list[OutboxEvent]:
    with transaction.atomic():
        return [outbox.emit("test.thing.happened", None, {"n": i, **payload}) for i in range(n)]


def applied(event_id) -> int:
    return JournalEntry.objects.filter(
        action="test.effect.applied", object_id=str(event_id)
    ).count()


def test_events_are_delivered_and_applied_once():
    events = emit(5)
    worker = Worker()
    assert worker.deliver_pending() == 5
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {"delivered"}
    assert all(applied(e.id) == 1 for e in events)
    # a second delivery of the same events (e.g. after a crash) changes nothing
    OutboxEvent.objects.update(status="pending")
    worker.deliver_pending()
    assert all(applied(e.id) == 1 for e in events)
    assert ConsumerReceipt.objects.count() == 5


def test_failures_back_off_and_end_failed(settings):
    settings.SHENGUAN_OUTBOX_MAX_ATTEMPTS = 3
    (event,) = emit(1, fail=True)
    worker = Worker()
    for expected in (1, 2, 3):
        OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.created)
        worker.deliver_pending()
        event.refresh_from_db()
        assert event.attempts == expected
    assert event.status == "failed"
    assert "told to fail" in event.last_error
    assert DeliveryAttempt.objects.filter(event=event, ok=False).count() == 3
    assert applied(event.id) == 0
    # an administrator resends it; it is queued again and journalled
    outbox.resend([event.id])
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("pending", 0)
    assert JournalEntry.objects.filter(action="core.outbox.resent").exists()


def test_backoff_is_exponential_and_capped(settings):
    settings.SHENGUAN_OUTBOX_BACKOFF_SECONDS = 2.0
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff(30).total_seconds() == 3600


def test_claim_leases_events():
    emit(3)
    worker = Worker(batch=2, lease_seconds=60)
    first = worker.claim()
    second = worker.claim()
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert worker.claim() == []  # all leased


class Receiver(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        status = Receiver.answers.pop(0) if Receiver.answers else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.answers = [500, 500]
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_webhook_signed_retried_and_recorded(receiver, settings):
    settings.SHENGUAN_OUTBOX_BACKOFF_SECONDS = 0.5
    sub = WebhookSubscription.objects.create(
        name="市监局系统", url=receiver, secret="s3cret", event_types=["test.*"]
    )
    WebhookSubscription.objects.create(
        name="不相关", url=receiver, secret="x", event_types=["approvals.*"]
    )
    (event,) = emit(1)
    worker = Worker()
    worker.deliver_pending()
    event.refresh_from_db()
    assert event.status == "pending" and event.attempts == 1
    first_retry = event.next_attempt_at
    assert (first_retry - event.created).total_seconds() >= 0.5  # backed off
    for _ in range(2):
        OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.created)
        worker.deliver_pending()
    event.refresh_from_db()
    assert event.status == "delivered"
    attempts = list(
        DeliveryAttempt.objects.filter(event=event, consumer=sub.consumer_name).order_by("number")
    )
    assert [(a.number, a.ok, a.status_code) for a in attempts] == [
        (1, False, 500),
        (2, False, 500),
        (3, True, 200),
    ]
    # the internal consumer applied it once, despite three deliveries
    assert applied(event.id) == 1
    # only the matching subscription was called; every body verifies with its secret
    assert len(Receiver.received) == 3
    headers, body = Receiver.received[-1]
    assert headers["X-Shenguan-Event-Id"] == str(event.id)
    assert verify_signature("s3cret", headers["X-Shenguan-Signature"], body)
    assert not verify_signature("wrong", headers["X-Shenguan-Signature"], body)
    assert not verify_signature("s3cret", headers["X-Shenguan-Signature"], body + b" ")
    assert json.loads(body)["payload"] == {"n": 0}
