"""Two imports of the same table at once: one version is written, never two with one number."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from shenguan.core.errors import Conflict
from shenguan.enforcement.discretion.models import BenchmarkTable
from shenguan.enforcement.discretion.services import import_files
from shenguan.enforcement.discretion.testing import load_entries


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True])
def test_concurrent_imports_write_one_version(tmp_path, existing):
    name = "并发导入"
    entries = load_entries()[:5]
    first = tmp_path / "first.json"
    first.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    if existing:
        import_files([first], table_name=name)
        entries[0]["note"] = "（修订）"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            report = import_files([changed], table_name=name)
            outcomes.append("created" if report.created else "unchanged")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("created") == 1
    assert sorted(outcomes) in (["created", "unchanged"], ["conflict", "created"])
    versions = list(BenchmarkTable.objects.filter(name=name).values_list("version", flat=True))
    assert sorted(versions) == ([1, 2] if existing else [1])
