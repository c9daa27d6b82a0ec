"""The transactional outbox: ``emit`` writes an event row in the business transaction.
Delivery (``shenguan worker``) reads the rows afterwards; see docs/decisions/0003-outbox.md."""

from __future__ import annotations

from django.db import connection, models

from .context import current_actor
from .journal import jsonable
from .models import OutboxEvent


class OutboxError(RuntimeError):
    pass


def emit(
    event_type: str,
    subject: models.Model | None = None,
    payload: dict | None = None,
    *,
    channel: str | None = None,
) -> OutboxEvent:
    if not connection.in_atomic_block:
        raise OutboxError("outbox.emit must be called inside the business transaction")
    return OutboxEvent.objects.create(
        channel=channel or event_type.split(".", 1)[0],
        type=event_type,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=jsonable(payload or {}),
        request_id=current_actor().request_id[:64],
    )
