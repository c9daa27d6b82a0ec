"""The verification app's consumer and sweep, run by ``shenguan worker``.

Every approval outcome (licence issued, tolerance granted, commitment taken, revocation
started or done) becomes a push to the enforcement bureau and, for a new licence, a
verification task or a place in the sampling directory (``services.receive_event``). The
worker applies each event once (receipt + unique constraint); ``receive_event`` is idempotent
on its own as well (one push per event id, one planned task per licence)."""

from __future__ import annotations

import datetime as dt

from shenguan.core.consumers import consumer, periodic

from . import services


@consumer(
    "verification.push",
    "approvals.licence.issued",
    "approvals.tolerance.granted",
    "approvals.commitment.taken",
    "approvals.licence.revocation_started",
    "approvals.licence.revoked",
)
def push(event) -> None:
    services.receive_event(event)


@periodic("verification.sweep", every=dt.timedelta(minutes=10))
def sweep() -> None:
    services.sweep()
