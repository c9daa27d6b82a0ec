"""Fixtures of the enforcement tests (cases, inspections, coercion, legal review, publication).
The discretion tests use their own fixtures in ``discretion/testing.py``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction

CHINA = dt.timezone(dt.timedelta(hours=8))
# A Monday in a year whose holidays are known; Qingming (Apr 4-6) and Labour Day (May 1-5)
# fall inside the 90-day decision period of a case opened that day.
START = dt.date(2026, 3, 2)
SMALL_TABLE = "测试用生态环境裁量基准"
SMALL_CODES = ("§1.1", "§1.3", "§8.35")


@pytest.fixture
def travel():
    """``travel(date)`` moves the clock to 09:00 China time on that day (last call wins)."""
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
def bureau(db):
    from shenguan.enforcement.factories import bureau as make

    return make()


@pytest.fixture(scope="module")
def small_table(django_db_setup, django_db_blocker, tmp_path_factory):
    """Three real Guangdong entries (one percentage_weight, two fine_band) imported once for
    the module inside a transaction rolled back afterwards."""
    from shenguan.enforcement.discretion.models import BenchmarkTable
    from shenguan.enforcement.discretion.services import import_files
    from shenguan.enforcement.discretion.testing import NO_PENALTY_CSV, data_path, load_entries

    path = tmp_path_factory.mktemp("bench") / "small.json"
    entries = [e for e in load_entries() if e["code"] in SMALL_CODES]
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    with django_db_blocker.unblock(), transaction.atomic():
        report = import_files(
            [path, data_path(NO_PENALTY_CSV)],
            table_name=SMALL_TABLE,
            effective_from=dt.date(2022, 1, 1),
        )
        yield BenchmarkTable.objects.get(name=SMALL_TABLE, version=report.version)
        transaction.set_rollback(True)


@pytest.fixture
def flow(bureau, small_table, travel):
    from .flows import Flow

    f = Flow(bureau, small_table, travel)
    f.go(START)
    return f
