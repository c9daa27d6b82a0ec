"""Outbox delivery and periodic sweeps (``shenguan worker``); docs/decisions/0003-outbox.md.

Claiming: a worker takes a batch of due events in a short transaction — on PostgreSQL with
``FOR UPDATE SKIP LOCKED`` so any number of workers share the work — and pushes their
``next_attempt_at`` forward by a lease. If the worker dies, the lease runs out and another
worker takes the events again: delivery is at-least-once. Each internal consumer applies an
event together with a unique receipt row, so a second delivery changes nothing; webhook
receivers get the event id and must de-duplicate on it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .consumers import CONSUMERS, PERIODIC, load_consumers
from .context import acting_as
from .models import ConsumerReceipt, DeliveryAttempt, OutboxEvent, PeriodicTask, WebhookSubscription
from .outbox import NOTIFY_CHANNEL
from .webhooks import deliver_webhook

log = logging.getLogger("shenguan.worker")


def _setting(name: str, default):
    return getattr(settings, name, default)


def backoff(attempts: int) -> dt.timedelta:
    """Exponential: base × 2^(attempts-1), capped (defaults 2 s … 1 h)."""
    base = float(_setting("SHENGUAN_OUTBOX_BACKOFF_SECONDS", 2.0))
    cap = float(_setting("SHENGUAN_OUTBOX_BACKOFF_CAP_SECONDS", 3600.0))
    return dt.timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


class Worker:
    def __init__(self, *, batch: int = 50, lease_seconds: float = 60.0, name: str = ""):
        self.batch = batch
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.max_attempts = int(_setting("SHENGUAN_OUTBOX_MAX_ATTEMPTS", 15))
        self.stopping = False
        load_consumers()

    # -- events ---------------------------------------------------------------------------
    def claim(self, due_by: dt.datetime | None = None) -> list:
        """Lease a batch of events due by ``due_by`` (default now)."""
        now = timezone.now()
        with transaction.atomic():
            qs = OutboxEvent.objects.filter(
                status=OutboxEvent.Status.PENDING, next_attempt_at__lte=due_by or now
            ).order_by("next_attempt_at", "created")
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True, no_key=True)
            ids = list(qs.values_list("id", flat=True)[: self.batch])
            if ids:
                OutboxEvent.objects.filter(id__in=ids).update(next_attempt_at=now + self.lease)
        return ids

    def targets(self, event: OutboxEvent, subscriptions=None) -> list[tuple[str, object]]:
        found: list[tuple[str, object]] = [
            (c.name, c) for c in CONSUMERS.values() if c.wants(event.type)
        ]
        if subscriptions is None:
            subscriptions = self.subscriptions()
        for sub in subscriptions:
            if sub.wants(event.type):
                found.append((sub.consumer_name, sub))
        return found

    @staticmethod
    def subscriptions() -> list[WebhookSubscription]:
        """Active webhook subscriptions, read once per claimed batch (not once per event)."""
        return list(WebhookSubscription.objects.filter(is_active=True))

    def process(self, event_id, subscriptions=None) -> bool:
        event = OutboxEvent.objects.filter(id=event_id).first()
        if event is None or event.status != OutboxEvent.Status.PENDING:
            return True
        targets = self.targets(event, subscriptions)
        done = (
            set(ConsumerReceipt.objects.filter(event=event).values_list("consumer", flat=True))
            if targets
            else set()
        )
        all_ok = True
        errors = []
        for name, target in targets:
            if name in done:
                continue
            ok, error = self._deliver_one(event, name, target)
            if not ok:
                all_ok = False
                errors.append(f"{name}: {error}")
        now = timezone.now()
        if all_ok:
            OutboxEvent.objects.filter(id=event.id).update(
                status=OutboxEvent.Status.DELIVERED, delivered_at=now, last_error=""
            )
        else:
            attempts = event.attempts + 1
            status = (
                OutboxEvent.Status.FAILED
                if attempts >= self.max_attempts
                else OutboxEvent.Status.PENDING
            )
            OutboxEvent.objects.filter(id=event.id).update(
                attempts=attempts,
                status=status,
                next_attempt_at=now + backoff(attempts),
                last_error="\n".join(errors)[:4000],
            )
        return all_ok

    def _deliver_one(self, event: OutboxEvent, name: str, target) -> tuple[bool, str]:
        number = DeliveryAttempt.objects.filter(event=event, consumer=name).count() + 1
        started = time.monotonic()
        status_code = None
        try:
            if isinstance(target, WebhookSubscription):
                status_code = deliver_webhook(target, event)
                ConsumerReceipt.objects.get_or_create(event=event, consumer=name)
                ok, error = True, ""
            else:
                with (
                    acting_as(
                        source="worker",
                        request_id=(event.request_id or f"evt-{event.id.hex[:20]}")[:64],
                        name=f"worker:{name}",
                    ),
                    transaction.atomic(),
                ):
                    ConsumerReceipt.objects.create(event=event, consumer=name)
                    target.handler(event)
                    # the attempt is recorded with the effect: one commit, not two
                    self._record_attempt(event, name, number, True, None, "", started)
                return True, ""
        except IntegrityError:
            ok, error = True, ""  # another delivery already applied it for this consumer
        except Exception as exc:  # a consumer's failure must not stop the others
            log.warning("event %s to %s failed: %s", event.id, name, exc)
            ok, error = False, f"{type(exc).__name__}: {exc}"[:2000]
            status_code = getattr(exc, "status_code", status_code)
        self._record_attempt(event, name, number, ok, status_code, error, started)
        return ok, error

    def _record_attempt(self, event, name, number, ok, status_code, error, started) -> None:
        DeliveryAttempt.objects.create(
            event=event,
            consumer=name,
            number=number,
            ok=ok,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            worker=self.name[:100],
        )

    def deliver_pending(self, limit: int | None = None) -> int:
        """Deliver what is due now, in this process (tests, ``--once``). An event that fails
        is not retried within the same pass, whatever its backoff."""
        handled = 0
        due_by = timezone.now()
        while not self.stopping:
            ids = self.claim(due_by)
            if not ids:
                break
            subscriptions = self.subscriptions()
            for event_id in ids:
                self.process(event_id, subscriptions)
                handled += 1
                if limit is not None and handled >= limit:
                    return handled
        return handled

    # -- periodic tasks -------------------------------------------------------------------
    def run_due_periodic(self) -> list[str]:
        ran = []
        now = timezone.now()
        for task in PERIODIC.values():
            PeriodicTask.objects.get_or_create(name=task.name)
            with transaction.atomic():
                qs = PeriodicTask.objects.filter(name=task.name, next_run_at__lte=now)
                if connection.vendor == "postgresql":
                    qs = qs.select_for_update(skip_locked=True, no_key=True)
                row = qs.first()
                if row is None:
                    continue
                PeriodicTask.objects.filter(pk=row.pk).update(
                    next_run_at=now + task.every, last_run_at=now
                )
            error = ""
            try:
                with acting_as(source="worker", name=f"worker:{task.name}"):
                    task.func()
            except Exception as exc:
                log.exception("periodic task %s failed", task.name)
                error = f"{type(exc).__name__}: {exc}"[:2000]
            PeriodicTask.objects.filter(pk=row.pk).update(last_error=error)
            ran.append(task.name)
        return ran

    # -- the loop -------------------------------------------------------------------------
    def run(self, *, once: bool = False, poll: float = 1.0, max_seconds: float | None = None):
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        started = time.monotonic()
        log.info(
            "worker %s started (%d consumers, %d periodic tasks)",
            self.name,
            len(CONSUMERS),
            len(PERIODIC),
        )
        listener = None if once else Listener.open()
        try:
            while not self.stopping:
                handled = self.deliver_pending()
                self.run_due_periodic()
                if once:
                    break
                if max_seconds is not None and time.monotonic() - started > max_seconds:
                    break
                if not handled:
                    if listener is not None:
                        listener.wait(poll)
                    else:
                        time.sleep(poll)
        finally:
            if listener is not None:
                listener.close()
        log.info("worker %s stopped", self.name)

    def _stop(self, signum, frame):
        self.stopping = True


class Listener:
    """On PostgreSQL an idle worker waits for ``NOTIFY shenguan_outbox`` (sent by
    ``outbox.emit`` in the business transaction, so it arrives at commit) instead of sleeping
    the whole poll interval: a new event is picked up within milliseconds. The poll interval
    stays the upper bound (retries come due by time, not by notification). On SQLite, or while
    the listening connection is down, the worker polls."""

    def __init__(self, conn):
        self.conn = conn

    @staticmethod
    def _connect():
        try:
            conn = connection.get_new_connection(connection.get_connection_params())
            conn.autocommit = True
            conn.execute("LISTEN " + NOTIFY_CHANNEL)
        except Exception as exc:  # polling still works
            log.warning("worker cannot LISTEN, polling instead: %s", exc)
            return None
        return conn

    @classmethod
    def open(cls) -> Listener | None:
        if connection.vendor != "postgresql":
            return None
        return cls(cls._connect())

    def wait(self, timeout: float) -> None:
        if self.conn is None:
            self.conn = self._connect()
            if self.conn is None:
                time.sleep(timeout)
                return
        try:
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception as exc:
            log.warning("LISTEN connection lost, polling until it is back: %s", exc)
            self.close()
            time.sleep(timeout)

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception as exc:  # closing a broken connection
                log.debug("closing the LISTEN connection: %s", exc)
