"""The transactional outbox: ``emit`` writes an event row in the business transaction.
Delivery (``shenguan worker``) reads the rows afterwards; see docs/decisions/0003-outbox.md."""

from __future__ import annotations

from django.db import connection, models, transaction
from django.utils import timezone

from . import journal
from .context import current_actor
from .journal import jsonable
from .models import OutboxEvent

NOTIFY_CHANNEL = "shenguan_outbox"


class OutboxError(RuntimeError):
    pass


def _notify_mark() -> None:
    """Marks (among the on-commit callbacks) that this transaction has sent its NOTIFY."""


def _notified() -> bool:
    return any(func is _notify_mark for _sids, func, _robust in connection.run_on_commit)


def emit(
    event_type: str,
    subject: models.Model | None = None,
    payload: dict | None = None,
    *,
    channel: str | None = None,
) -> OutboxEvent:
    if not connection.in_atomic_block:
        raise OutboxError("outbox.emit must be called inside the business transaction")
    if connection.vendor == "postgresql" and not _notified():
        # Wakes listening workers when (and only if) the transaction commits. One NOTIFY per
        # transaction is enough (PostgreSQL would fold the rest into it anyway); the mark
        # that says it was sent is dropped with a savepoint that rolls back, exactly as
        # PostgreSQL drops the notification itself.
        with connection.cursor() as cursor:
            cursor.execute("NOTIFY " + NOTIFY_CHANNEL)
        transaction.on_commit(_notify_mark)
    return OutboxEvent.objects.create(
        channel=channel or event_type.split(".", 1)[0],
        type=event_type,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=jsonable(payload or {}),
        request_id=current_actor().request_id[:64],
    )


def resend(event_ids: list) -> int:
    """Put events back in the queue (an administrator, after fixing a receiver)."""
    with transaction.atomic():
        events = list(OutboxEvent.objects.select_for_update(no_key=True).filter(id__in=event_ids))
        for event in events:
            before = {"status": event.status, "attempts": event.attempts}
            OutboxEvent.objects.filter(id=event.id).update(
                status=OutboxEvent.Status.PENDING,
                attempts=0,
                next_attempt_at=timezone.now(),
            )
            journal.record(
                "core.outbox.resent",
                event,
                before=before,
                after={"status": OutboxEvent.Status.PENDING, "attempts": 0},
            )
        return len(events)
