import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction


def data_file(name: str) -> Path:
    return Path(settings.DATA_DIR) / "power_lists" / name


@pytest.fixture(scope="session")
def guangan_path() -> Path:
    return data_file("guangan_district_service_items.csv")


@pytest.fixture(scope="session")
def xian_path() -> Path:
    return data_file("xian_power_responsibility_sample.json")


@pytest.fixture(scope="module")
def guangan_catalog(django_db_setup, django_db_blocker, guangan_path):
    """The Guang'an list imported once for a whole test module (it takes seconds). The import
    runs inside an outer transaction that is rolled back after the module, so nothing leaks —
    not even journal entries, which the database refuses to delete. Each test still runs in its
    own savepoint (the ``db`` fixture) on top of it."""
    from shenguan.catalog.importer import import_catalog

    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        report = import_catalog(guangan_path)
        elapsed = time.monotonic() - started
        yield SimpleNamespace(report=report, elapsed=elapsed, path=guangan_path)
        transaction.set_rollback(True)


def catalogue_state() -> dict:
    """Everything an import could change, to compare before and after."""
    from shenguan.catalog.models import Duty, Material, Power, PowerVersion, Responsibility
    from shenguan.core.models import JournalEntry, OutboxEvent
    from shenguan.org.models import Department

    return {
        "powers": sorted(Power.objects.values_list("code", "kind", "department_id", "section_id")),
        "versions": sorted(
            PowerVersion.objects.values_list(
                "power__code", "version", "content_hash", "effective_from", "effective_to"
            )
        ),
        "materials": Material.objects.count(),
        "duties": Duty.objects.count(),
        "responsibilities": Responsibility.objects.count(),
        "departments": sorted(Department.objects.values_list("code", "name", "kind")),
        "journal": JournalEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }
