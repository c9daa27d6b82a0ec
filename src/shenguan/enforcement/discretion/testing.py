"""Test fixtures for discretion benchmarks (imported by ``enforcement/tests/test_discretion_*``).

The real Guangdong table is imported once per test module inside an outer transaction that is
rolled back afterwards, so nothing leaks — not even journal entries, which the database refuses
to delete. Each test still runs in its own savepoint on top of it."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction

TABLE_NAME = "广东省生态环境行政处罚自由裁量权基准"
ISSUING_DOCUMENT = "粤环发〔2021〕7号"


def data_path(name: str) -> Path:
    return Path(settings.DATA_DIR) / "discretion" / name


BENCHMARKS_JSON = "guangdong_eco_env_fine_benchmarks_2022.json"
ROWS_CSV = "guangdong_eco_env_fine_benchmarks_2022_rows.csv"
NO_PENALTY_CSV = "guangdong_eco_env_no_penalty_list_2022.csv"


def load_entries() -> list[dict]:
    return json.loads(data_path(BENCHMARKS_JSON).read_text(encoding="utf-8"))


def load_flat_rows() -> list[dict]:
    with data_path(ROWS_CSV).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def import_real(**options):
    from .services import import_files

    options.setdefault("table_name", TABLE_NAME)
    options.setdefault("issuing_document", ISSUING_DOCUMENT)
    options.setdefault("effective_from", dt.date(2022, 1, 1))
    return import_files([data_path(BENCHMARKS_JSON), data_path(NO_PENALTY_CSV)], **options)


@pytest.fixture(scope="module")
def guangdong(django_db_setup, django_db_blocker):
    """The Guangdong table and no-penalty list, imported once for the module."""
    from .models import BenchmarkTable

    with django_db_blocker.unblock(), transaction.atomic():
        report = import_real()
        table = BenchmarkTable.objects.get(name=TABLE_NAME, version=report.version)
        yield SimpleNamespace(report=report, table=table, entries=load_entries())
        transaction.set_rollback(True)
