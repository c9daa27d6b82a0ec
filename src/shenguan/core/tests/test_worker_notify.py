"""On PostgreSQL an idle worker is woken by the NOTIFY that ``outbox.emit`` sends at commit:
with a 30-second poll interval, an event is still delivered within moments."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from shenguan.core import outbox
from shenguan.core.models import ConsumerReceipt
from shenguan.core.worker import Worker


@pytest.fixture(autouse=True)
def test_consumer(settings):
    settings.SHENGUAN_EXTRA_CONSUMERS = ["shenguan.core.tests.consumers_for_test"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_wakes_on_commit_not_on_its_poll():
    worker = Worker(name="notify-test")
    thread = threading.Thread(
        target=lambda: (worker.run(poll=30.0, max_seconds=60), connection.close()), daemon=True
    )
    # run() installs signal handlers, which only the main thread may do
    import signal

    original = signal.signal
    signal.signal = lambda *a, **k: None
    try:
        thread.start()
        time.sleep(2.0)  # the worker found nothing and is waiting
        with transaction.atomic():
            event = outbox.emit("test.wake", payload={})
        committed = time.monotonic()
        while not ConsumerReceipt.objects.filter(event_id=event.pk).exists():
            assert time.monotonic() - committed < 10, "the worker slept through the commit"
            time.sleep(0.02)
        latency = time.monotonic() - committed
    finally:
        worker.stopping = True
        with transaction.atomic():
            outbox.emit("test.wake", payload={})  # wake it to see that it should stop
        thread.join(15)
        signal.signal = original
    assert latency < 5.0, f"delivered {latency:.1f} s after commit (poll 30 s)"


def test_emit_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(outbox.OutboxError):
        outbox.emit("test.wake", payload={})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_notify_per_transaction_and_again_after_a_rolled_back_savepoint():
    from django.test.utils import CaptureQueriesContext

    def notifies(queries):
        return sum(1 for q in queries if q["sql"].startswith("NOTIFY"))

    with transaction.atomic():
        with CaptureQueriesContext(connection) as q:
            outbox.emit("test.one", payload={"n": 1})
            outbox.emit("test.two", payload={"n": 2})
        assert notifies(q) == 1
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.emit("test.three", payload={"n": 3})
            raise RuntimeError("the savepoint and its notification are dropped")
        with CaptureQueriesContext(connection) as q:
            outbox.emit("test.four", payload={"n": 4})
        assert notifies(q) == 1
