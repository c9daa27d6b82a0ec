"""Credit's consumers and periodic task, run by ``shenguan worker``.

``APPROVAL_EVENTS`` maps approval outcomes to credit events. The approvals app's event
payloads are not final: each mapped event must carry ``party_id``; the source object is the
event's subject, named by ``payload["display"]`` (or ``payload["number"]``) when given, and
``payload["occurred_on"]`` (ISO date) dates it. Add a row to map another outcome."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from shenguan.core.consumers import consumer, periodic
from shenguan.core.errors import DomainError

from . import services
from .choices import EventKind, Source


class Outcome(NamedTuple):
    kind: str
    source: str = Source.APPROVAL


APPROVAL_EVENTS: dict[str, Outcome] = {
    "approvals.commitment.fulfilled": Outcome(EventKind.COMMITMENT_KEPT),
    "approvals.commitment.breached": Outcome(EventKind.COMMITMENT_BROKEN),
    "approvals.commitment.falsified": Outcome(EventKind.COMMITMENT_FALSIFIED),
    "approvals.tolerance.cured": Outcome(EventKind.TOLERANCE_CURED),
    "approvals.tolerance.missed": Outcome(EventKind.TOLERANCE_MISSED),
    "approvals.licence.revoked": Outcome(EventKind.LICENCE_REVOKED),
}


def apply_event(event, table: dict[str, Outcome]):
    """Record the credit event an outbox event maps to (none if unmapped). Idempotent twice
    over: the worker's receipt, and one event per kind and source object."""
    mapping = table.get(event.type)
    if mapping is None:
        return None
    payload = event.payload or {}
    party_id = payload.get("party_id")
    if not party_id:
        # fail loudly: the event shows in the outbox failure view instead of being lost
        raise DomainError(f"{event.type} event {event.id} carries no party_id")
    occurred = payload.get("occurred_on")
    display = payload.get("display") or payload.get("number") or ""
    return services.record_event(
        int(party_id),
        mapping.kind,
        source=mapping.source,
        source_ref={
            "type": event.subject_type or event.type,
            "id": event.subject_id or str(event.id),
            "display": display,
        },
        occurred_on=dt.date.fromisoformat(occurred[:10]) if occurred else None,
        description=str(payload.get("description", "")),
    )


@consumer("credit.from_approvals", "approvals.*")
def from_approvals(event) -> None:
    apply_event(event, APPROVAL_EVENTS)


@periodic("credit.sweep", every=dt.timedelta(hours=1))
def hourly_sweep() -> None:
    services.sweep()
