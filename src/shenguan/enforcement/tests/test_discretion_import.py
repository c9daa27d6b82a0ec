"""Importing the real Guangdong benchmark table and no-penalty list: counts, both models,
re-import, all-or-nothing with a row-numbered fault report, new versions."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.enforcement.discretion import testing
from shenguan.enforcement.discretion.choices import BenchmarkModel, RowKind
from shenguan.enforcement.discretion.importer import ImportRejected
from shenguan.enforcement.discretion.models import (
    Benchmark,
    BenchmarkRow,
    BenchmarkTable,
    NoPenaltyRule,
)
from shenguan.enforcement.discretion.services import import_files, table_in_force
from shenguan.enforcement.discretion.testing import (
    BENCHMARKS_JSON,
    NO_PENALTY_CSV,
    data_path,
    import_real,
    load_entries,
    load_flat_rows,
)

pytestmark = pytest.mark.django_db
guangdong = testing.guangdong  # the real table, imported once for this module


def test_the_real_table_imports_whole(guangdong):
    entries = guangdong.entries
    table = guangdong.table
    assert table.version == 1
    assert table.issuing_document == "粤环发〔2021〕7号"
    assert table.effective_from == dt.date(2022, 1, 1)
    benchmarks = Benchmark.objects.filter(table=table)
    assert benchmarks.count() == len(entries) == 281
    # Every published table row is kept, in order, with its cells as published.
    assert BenchmarkRow.objects.filter(benchmark__table=table).count() == sum(
        len(e["table_rows"]) for e in entries
    )
    for bench, entry in zip(benchmarks.order_by("position"), entries, strict=True):
        assert bench.code == entry["code"]
        assert bench.penalty_basis == entry["penalty_basis"].strip()
        cells = list(bench.rows.order_by("position").values_list("cells", flat=True))
        assert len(cells) == len(entry["table_rows"])
    models = Counter(benchmarks.values_list("model", flat=True))
    assert models[BenchmarkModel.FINE_BAND] > 0 and models[BenchmarkModel.PERCENTAGE_WEIGHT] > 0
    assert sum(models.values()) == 281
    assert NoPenaltyRule.objects.filter(table=table).count() == 20


def test_model_agrees_with_the_flattened_csv_except_one_mislabelled_table(guangdong):
    """The published flattened CSV labels each row with a model taken from the header; ours is
    read from the rows. They agree everywhere but §2.27, whose header says 罚款 while its rows
    are a 裁量起点 and weights with a 备注 formula."""
    flat: dict[tuple[str, str], set[str]] = {}
    for row in load_flat_rows():
        flat.setdefault((row["code"], row["violation"]), set()).add(row["model"])
    disagree = []
    for bench in Benchmark.objects.filter(table=guangdong.table):
        labels = flat[(bench.code, bench.violation)]
        assert len(labels) == 1
        if labels != {bench.model}:
            disagree.append(bench.code)
    assert disagree == ["§2.27"]
    b227 = Benchmark.objects.get(table=guangdong.table, code="§2.27")
    assert b227.model == BenchmarkModel.PERCENTAGE_WEIGHT
    assert b227.rows.filter(kind=RowKind.START).exists()
    assert b227.rows.filter(kind=RowKind.NOTE).exists()
    assert b227.schemes[0]["multiplier"] == "200000"  # 「罚款金额＝裁量百分值总和×20万」 in a row


def test_every_percentage_weight_scheme_has_a_formula_and_statutory_limits(guangdong):
    for bench in Benchmark.objects.filter(
        table=guangdong.table, model=BenchmarkModel.PERCENTAGE_WEIGHT
    ):
        assert bench.schemes, bench.code
        for scheme in bench.schemes:
            assert scheme["multiplier"] is not None, (bench.code, scheme["label"])
            assert scheme["formula"], bench.code
            assert scheme["limits"]["source"] == "statute", (bench.code, scheme["label"])
            assert scheme["limits"]["text"] in bench.penalty_basis.replace(" ", "").replace(
                "（", "("
            ).replace("）", ")")


def test_reimporting_the_same_files_changes_nothing(guangdong):
    journal_before = JournalEntry.objects.count()
    events_before = OutboxEvent.objects.count()
    tables_before = BenchmarkTable.objects.count()
    report = import_real(effective_from=None)
    assert not report.created
    assert report.version == guangdong.table.version
    assert BenchmarkTable.objects.count() == tables_before
    assert JournalEntry.objects.count() == journal_before
    assert OutboxEvent.objects.count() == events_before
    assert "未作改动" in report.summary()


def test_the_import_is_journalled_and_announced(guangdong):
    entry = JournalEntry.objects.filter(
        action="enforcement.benchmark_table.created", object_id=str(guangdong.table.pk)
    ).get()
    assert entry.after["benchmarks"] == 281
    assert entry.after["no_penalty_rules"] == 20
    assert OutboxEvent.objects.filter(
        type="enforcement.benchmark_table.created", subject_id=str(guangdong.table.pk)
    ).exists()


def test_no_penalty_rules_are_linked_by_their_provision(guangdong):
    rules = {r.seq: r for r in NoPenaltyRule.objects.filter(table=guangdong.table)}
    # Each linked benchmark really cites the rule's article.
    for rule in rules.values():
        for bench in rule.benchmarks.all():
            article = rule.violated_provision.split("第", 1)[1].split("条", 1)[0]
            assert f"第{article}条" in bench.violated_provision.replace(" ", "")
    linked = [r for r in rules.values() if r.benchmarks.exists()]
    assert len(linked) >= 15
    # Rule 20 cites an article three benchmarks share: left for the officer, with a reason.
    assert not rules[20].benchmarks.exists()
    assert "多个基准" in rules[20].link_note
    assert rules[7].outcome == "may" and rules[1].outcome == "shall"
    assert rules[10].condition_mode == "any" and rules[1].condition_mode == "all"
    assert len(rules[14].condition_items) == 4


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (BenchmarkTable, Benchmark, BenchmarkRow, NoPenaltyRule, JournalEntry, OutboxEvent)
    )


def _write(tmp_path, entries, name=BENCHMARKS_JSON):
    path = tmp_path / name
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_broken_copy_is_refused_with_row_numbers_and_nothing_is_written(tmp_path):
    entries = load_entries()
    broken = copy.deepcopy(entries)
    broken[4]["penalty_basis"] = ""  # entry 5: no basis
    pw = next(i for i, e in enumerate(broken) if e["code"] == "§1.7")
    broken[pw]["table_rows"][3][3] = "二成"  # an unreadable weight in row 4
    fb = next(i for i, e in enumerate(broken) if e["code"] == "§8.17")
    broken[fb]["table_rows"][1] = "not a row"
    pw_227 = next(i for i, e in enumerate(broken) if e["code"] == "§2.27")
    broken[pw_227]["model"] = "fine_band"  # contradicts its 裁量起点 row
    path = _write(tmp_path, broken)
    before = _counts()
    with pytest.raises(ImportRejected) as exc:
        import_files([path, data_path(NO_PENALTY_CSV)], table_name="broken")
    faults = [str(f) for f in exc.value.report.faults]
    assert f"第 5 条（{broken[4]['code']}）: 缺少「penalty_basis」" in faults
    assert any(f.startswith(f"第 {pw + 1} 条（§1.7）第 4 行") and "二成" in f for f in faults)
    assert any(f.startswith(f"第 {fb + 1} 条（§8.17）第 2 行") for f in faults)
    assert any(f.startswith(f"第 {pw_227 + 1} 条（§2.27）第 1 行") for f in faults)
    assert len(faults) == 4
    assert _counts() == before
    assert not BenchmarkTable.objects.filter(name="broken").exists()
    assert "未作任何改动" in exc.value.report.fault_text()


def test_a_broken_no_penalty_list_is_refused_by_line(tmp_path):
    text = data_path(NO_PENALTY_CSV).read_text(encoding="utf-8").splitlines()
    text[3] = "x," + text[3].split(",", 1)[1]  # line 4: seq is not a number
    text.append(text[2])  # a repeated seq (line 22 repeats line 3)
    csv_path = tmp_path / "rules.csv"
    csv_path.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = _counts()
    with pytest.raises(ImportRejected) as exc:
        import_files([data_path(BENCHMARKS_JSON), csv_path], table_name="broken")
    faults = [str(f) for f in exc.value.report.faults]
    assert faults[0].startswith("第 4 行: 序号「x」")
    assert faults[1].startswith("第 22 行: 序号 2 与第 3 行重复")
    assert len(faults) == 2
    assert _counts() == before


def test_a_changed_file_makes_a_new_version_and_ends_the_old_one(tmp_path):
    name = "修订测试"
    first = import_real(table_name=name)
    assert first.created and first.version == 1
    entries = load_entries()
    entries[0]["note"] = entries[0]["note"] + "（修订）"
    path = _write(tmp_path, entries)
    report = import_files([path], table_name=name, effective_from=dt.date(2024, 7, 1))
    assert report.created and report.version == 2
    old = BenchmarkTable.objects.get(name=name, version=1)
    new = BenchmarkTable.objects.get(name=name, version=2)
    assert old.effective_to == dt.date(2024, 6, 30)
    assert new.previous_id == old.pk
    # The JSON alone keeps the no-penalty list of the version it replaces.
    assert NoPenaltyRule.objects.filter(table=new).count() == 20
    assert new.rules_hash == old.rules_hash
    assert table_in_force(name, dt.date(2024, 6, 30)) == old
    assert table_in_force(name, dt.date(2024, 7, 1)) == new
    # The old version's text is untouched.
    assert Benchmark.objects.get(table=old, position=1).note == load_entries()[0]["note"]
    assert Benchmark.objects.get(table=new, position=1).note.endswith("（修订）")
    assert JournalEntry.objects.filter(
        action="enforcement.benchmark_table.superseded", object_id=str(old.pk)
    ).exists()


def test_a_no_penalty_list_alone_needs_an_existing_table():
    with pytest.raises(ImportRejected) as exc:
        import_files([data_path(NO_PENALTY_CSV)], table_name="nothing yet")
    assert "还没有基准表" in str(exc.value)
    with pytest.raises(ImportRejected):
        import_files([data_path(NO_PENALTY_CSV)])


def test_the_list_alone_is_added_as_a_new_version():
    name = "先表后单"
    report = import_files(
        [data_path(BENCHMARKS_JSON)], table_name=name, effective_from=dt.date(2022, 1, 1)
    )
    assert report.created and report.rules == 0
    table = BenchmarkTable.objects.get(name=name, version=report.version)
    assert not NoPenaltyRule.objects.filter(table=table).exists()
    again = import_files([data_path(NO_PENALTY_CSV)], table_name=name)
    assert again.created and again.version == report.version + 1
    new = BenchmarkTable.objects.get(name=name, version=again.version)
    assert NoPenaltyRule.objects.filter(table=new).count() == 20
    assert Benchmark.objects.filter(table=new).count() == 281
    assert new.benchmarks_hash == table.benchmarks_hash
    assert new.effective_from == table.effective_from  # kept, not reset to today
    same = import_files([data_path(NO_PENALTY_CSV)], table_name=name)
    assert not same.created


def test_the_command_imports_and_reports(capsys):
    call_command(
        "discretion",
        "import",
        str(data_path(BENCHMARKS_JSON)),
        str(data_path(NO_PENALTY_CSV)),
        "--table-name",
        "命令导入",
        "--effective-from",
        "2022-01-01",
        "--issuing-document",
        "粤环发〔2021〕7号",
    )
    out = capsys.readouterr().out
    assert "已建立" in out and "基准 281 条" in out and "不予处罚事项 20 条" in out
    table = BenchmarkTable.objects.get(name="命令导入")
    entry = JournalEntry.objects.get(
        action="enforcement.benchmark_table.created", object_id=str(table.pk)
    )
    assert entry.object_id == str(table.pk)
    assert entry.actor_name == "command:discretion"
    call_command(
        "discretion", "import", str(data_path(BENCHMARKS_JSON)), "--table-name", "命令导入"
    )
    assert "未作改动" in capsys.readouterr().out


def test_the_command_fails_with_the_fault_report(tmp_path):
    entries = load_entries()
    del entries[2]["violation"]
    path = _write(tmp_path, entries)
    with pytest.raises(CommandError) as exc:
        call_command("discretion", "import", str(path), "--table-name", "x")
    assert f"第 3 条（{entries[2]['code']}）: 缺少「violation」" in str(exc.value)
    assert not BenchmarkTable.objects.filter(name="x").exists()


def test_dry_run_writes_nothing():
    before = _counts()
    report = import_real(table_name="试运行", dry_run=True)
    assert report.dry_run and not report.created and report.benchmarks == 281
    assert _counts() == before


def test_the_wrapped_json_shape_carries_table_metadata(tmp_path):
    entries = load_entries()[:3]
    wrapped = {
        "table": {
            "name": "样例",
            "issuing_document": "粤环发〔2021〕7号",
            "effective_from": "2023-05-01",
            "band_count": 3,
        },
        "benchmarks": entries,
        "no_penalty_rules": [
            {
                "seq": 1,
                "category": "建设项目管理",
                "violation": "建设单位未依法报批建设项目环境影响报告表",
                "violated_provision": "《中华人民共和国环境影响评价法》第二十五条",
                "no_penalty_conditions": "同时满足下列情形的，不予行政处罚：（1）属于首次违法；"
                "（2）危害后果轻微。",
                "benchmark_codes": entries[0]["code"],
            }
        ],
    }
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps(wrapped, ensure_ascii=False), encoding="utf-8")
    report = import_files([path])
    table = BenchmarkTable.objects.get(name="样例")
    assert report.created and table.band_count == 3
    assert table.effective_from == dt.date(2023, 5, 1)
    rule = NoPenaltyRule.objects.get(table=table)
    assert list(rule.benchmarks.values_list("code", flat=True)) == [entries[0]["code"]]
    assert rule.link_note == "来源文件给出"
