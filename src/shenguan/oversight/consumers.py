"""The oversight app's periodic task, run by ``shenguan worker``: the deadline sweep over
every clock (warnings, overdue alerts, escalation, accountability proposals)."""

from __future__ import annotations

import datetime as dt

from shenguan.core.consumers import periodic

from . import services


@periodic("oversight.sweep", every=dt.timedelta(minutes=15))
def sweep() -> None:
    services.sweep()
