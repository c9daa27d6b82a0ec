import datetime as dt

import pytest
import time_machine

from shenguan.core import calendar
from shenguan.oversight import services
from shenguan.oversight.factories import accepted_application, desk

ACCEPTED = dt.date(2026, 9, 22)


def sweep_on(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9, 0)), tick=False):
        return services.sweep(day)


@pytest.fixture
def overdue_record(db):
    """An application 3 working days past its promised date (16 Oct 2026): overdue alert,
    both escalations and a proposed accountability record against the holder."""
    d = desk(promised=10)
    app = accepted_application(d, ACCEPTED, calendar.add_working_days(ACCEPTED, 10))
    for day in (dt.date(2026, 10, 14), dt.date(2026, 10, 15), dt.date(2026, 10, 16)):
        sweep_on(day)
    from shenguan.oversight.models import AccountabilityRecord

    return d, app, AccountabilityRecord.objects.get()
