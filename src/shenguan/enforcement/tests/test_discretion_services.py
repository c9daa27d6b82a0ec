"""Revisions: every change is a new table version made by a service (journal + outbox); the old
version stays as it was; only administrators change benchmarks; the admin goes through the
services."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from shenguan.core.errors import Conflict, DomainError, Forbidden
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.enforcement.discretion.choices import RowKind
from shenguan.enforcement.discretion.models import (
    Benchmark,
    BenchmarkRow,
    BenchmarkTable,
    NoPenaltyRule,
)
from shenguan.enforcement.discretion.services import (
    close_table,
    import_files,
    revise_benchmark,
    revise_row,
    revise_rule,
    revise_table,
    table_in_force,
)
from shenguan.enforcement.discretion.testing import NO_PENALTY_CSV, data_path, load_entries

pytestmark = pytest.mark.django_db

NAME = "样例基准"
CODES = ("§1.1", "§1.3", "§8.35")


@pytest.fixture
def small_table(tmp_path) -> BenchmarkTable:
    """Three real entries (one percentage_weight, two fine_band) and the real no-penalty list."""
    entries = [e for e in load_entries() if e["code"] in CODES]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    report = import_files(
        [path, data_path(NO_PENALTY_CSV)], table_name=NAME, effective_from=dt.date(2022, 1, 1)
    )
    return BenchmarkTable.objects.get(name=NAME, version=report.version)


def test_revising_a_benchmark_makes_a_new_version(small_table, admin_user):
    old = Benchmark.objects.get(table=small_table, code="§1.3")
    journal_before = JournalEntry.objects.count()
    new = revise_benchmark(
        old.pk,
        {"violation": old.violation + "（修订）"},
        user=admin_user,
        effective_from=dt.date(2025, 1, 1),
    )
    assert new.pk != old.pk
    assert new.table.version == small_table.version + 1
    assert new.violation.endswith("（修订）")
    old.refresh_from_db()
    assert not old.violation.endswith("（修订）")  # the version a case used is untouched
    small_table.refresh_from_db()
    assert small_table.effective_to == dt.date(2024, 12, 31)
    assert Benchmark.objects.filter(table=new.table).count() == len(CODES)
    assert NoPenaltyRule.objects.filter(table=new.table).count() == 20
    # links follow into the new version
    assert list(new.no_penalty_rules.values_list("seq", flat=True)) == [1]
    actions = set(
        JournalEntry.objects.filter(seq__gt=journal_before).values_list("action", flat=True)
    )
    assert actions == {
        "enforcement.benchmark_table.created",
        "enforcement.benchmark_table.superseded",
    }
    assert OutboxEvent.objects.filter(
        type="enforcement.benchmark_table.created", subject_id=str(new.table_id)
    ).exists()
    assert table_in_force(NAME, dt.date(2024, 12, 31)) == small_table
    assert table_in_force(NAME, dt.date(2025, 1, 1)) == new.table


def test_revising_a_row_reads_the_entry_again(small_table, admin_user):
    bench = Benchmark.objects.get(table=small_table, code="§8.35")
    row = bench.rows.filter(kind=RowKind.BAND).order_by("position").first()
    cells = list(row.cells)
    cells[-1] = "3万元以上5万元以下"
    new = revise_row(row.pk, cells, user=admin_user)
    assert (new.fine_min, new.fine_max) == (30000, 50000)
    row.refresh_from_db()
    assert row.fine_text != "3万元以上5万元以下"
    assert new.benchmark.table.version == small_table.version + 1


def test_a_revision_that_breaks_the_table_is_refused(small_table, admin_user):
    bench = Benchmark.objects.get(table=small_table, code="§1.1")
    row = bench.rows.filter(kind=RowKind.FACTOR).first()
    cells = list(row.cells)
    cells[3] = "很多"
    before = BenchmarkTable.objects.count()
    with pytest.raises(DomainError) as exc:
        revise_row(row.pk, cells, user=admin_user)
    assert f"第 {row.position} 行" in exc.value.message and "很多" in exc.value.message
    assert BenchmarkTable.objects.count() == before


def test_revising_a_rule_and_the_table(small_table, admin_user):
    rule = NoPenaltyRule.objects.get(table=small_table, seq=1)
    new = revise_rule(rule.pk, {"notes": "首次违法按行政处罚法认定"}, user=admin_user)
    assert new.notes == "首次违法按行政处罚法认定" and new.table.version == small_table.version + 1
    assert list(new.benchmarks.values_list("code", flat=True)) == ["§1.3"]
    newer = revise_table(new.table_id, {"band_count": 5}, user=admin_user)
    assert newer.band_count == 5 and newer.version == small_table.version + 2
    with pytest.raises(DomainError) as exc:
        revise_table(newer.pk, {"band_count": 5}, user=admin_user)
    assert exc.value.code == "no_change"
    with pytest.raises(DomainError):
        revise_rule(rule.pk, {"seq": 3}, user=admin_user)


def test_only_the_newest_version_is_revised(small_table, admin_user):
    bench = Benchmark.objects.get(table=small_table, code="§1.3")
    revise_benchmark(bench.pk, {"chapter": "环评"}, user=admin_user)
    with pytest.raises(Conflict):
        revise_benchmark(bench.pk, {"chapter": "又改"}, user=admin_user)


@pytest.mark.parametrize("role", ["enforcement_officer", "legal_reviewer", "bureau_head"])
def test_only_administrators_change_benchmarks(small_table, make_user, role):
    user = make_user(role, staff=True)
    bench = Benchmark.objects.get(table=small_table, code="§1.3")
    with pytest.raises(Forbidden):
        revise_benchmark(bench.pk, {"chapter": "x"}, user=user)
    with pytest.raises(Forbidden):
        close_table(small_table.pk, dt.date(2030, 1, 1), user=user)
    with pytest.raises(Forbidden):
        import_files([data_path(NO_PENALTY_CSV)], table_name=NAME, user=user)
    assert BenchmarkTable.objects.filter(name=NAME).count() == 1


def test_closing_a_table_ends_it_in_place(small_table, admin_user):
    close_table(small_table.pk, dt.date(2025, 6, 30), user=admin_user)
    small_table.refresh_from_db()
    assert small_table.effective_to == dt.date(2025, 6, 30)
    assert JournalEntry.objects.filter(
        action="enforcement.benchmark_table.closed", object_id=str(small_table.pk)
    ).exists()
    with pytest.raises(DomainError):
        table_in_force(NAME, dt.date(2025, 7, 1))
    with pytest.raises(DomainError):
        close_table(small_table.pk, dt.date(2021, 1, 1), user=admin_user)  # before it starts


def test_a_new_version_may_not_start_before_the_one_it_replaces(small_table, admin_user):
    bench = Benchmark.objects.get(table=small_table, code="§1.3")
    with pytest.raises(DomainError) as exc:
        revise_benchmark(
            bench.pk, {"chapter": "x"}, user=admin_user, effective_from=dt.date(2021, 1, 1)
        )
    assert exc.value.code == "effective_from_order"


def test_the_admin_saves_through_the_services(small_table, client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(superuser)
    bench = Benchmark.objects.get(table=small_table, code="§1.3")
    url = reverse("admin:enforcement_benchmark_change", args=[bench.pk])
    assert client.get(url).status_code == 200
    data = {
        "code": bench.code,
        "chapter": bench.chapter,
        "violation": bench.violation + "（后台修订）",
        "violated_provision": bench.violated_provision,
        "penalty_basis": bench.penalty_basis,
        "note": bench.note,
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    bench.refresh_from_db()
    assert not bench.violation.endswith("（后台修订）")
    new = Benchmark.objects.get(
        table__name=NAME, table__version=small_table.version + 1, code="§1.3"
    )
    assert new.violation.endswith("（后台修订）")
    assert JournalEntry.objects.filter(
        action="enforcement.benchmark_table.created", actor_id=superuser.pk
    ).exists()
    for name in ("benchmarktable", "benchmark", "benchmarkrow", "nopenaltyrule"):
        assert client.get(reverse(f"admin:enforcement_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:enforcement_{name}_add")).status_code == 403
    row = BenchmarkRow.objects.filter(benchmark=new).first()
    rule = NoPenaltyRule.objects.filter(table=new.table).first()
    for name, pk in (
        ("benchmarkrow", row.pk),
        ("nopenaltyrule", rule.pk),
        ("benchmarktable", new.table_id),
    ):
        assert client.get(reverse(f"admin:enforcement_{name}_change", args=[pk])).status_code == 200
