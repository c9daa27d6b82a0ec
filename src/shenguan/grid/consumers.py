"""The grid app's periodic work, run by ``shenguan worker``."""

import datetime as dt

from shenguan.core.consumers import periodic

from . import services


@periodic("grid.sweep", every=dt.timedelta(minutes=30))
def sweep() -> None:
    """Mark events past their closing limit as overdue (条例 art 12: 检查督促)."""
    services.sweep()
