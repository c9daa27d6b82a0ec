from __future__ import annotations

import datetime as dt

import pytest
import time_machine

CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def travel():
    """``travel(date, hour=9)`` moves the clock to that hour, China time (last call wins)."""
    travellers = []

    def go(day: dt.date, hour: int = 9):
        if travellers:
            travellers[-1].stop()
        t = time_machine.travel(
            dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=CHINA), tick=False
        )
        t.start()
        travellers.append(t)
        return t

    yield go
    if travellers:
        travellers[-1].stop()


@pytest.fixture
def world(db):
    from shenguan.grid.factories import build_world

    return build_world()
