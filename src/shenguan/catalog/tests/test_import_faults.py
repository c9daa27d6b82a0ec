"""Malformed files are refused whole, with a report naming every faulty row."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shenguan.catalog.factories import make_power
from shenguan.catalog.importer import ImportRejected, import_catalog

from .conftest import catalogue_state

pytestmark = pytest.mark.django_db

HEADER = "code,kind,department,name,approval_class,statutory_limit_days,promised_limit_days,effective_from"


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rejected(path, **kwargs):
    before = catalogue_state()
    with pytest.raises(ImportRejected) as info:
        import_catalog(path, **kwargs)
    assert catalogue_state() == before  # nothing at all was written
    return info.value.report


@pytest.fixture(autouse=True)
def existing_power():
    """A catalogue that is not empty, so 'unchanged' means something."""
    return make_power(code="KEEP-1", name="原有事项")


def test_every_faulty_row_is_named_with_its_line(tmp_path):
    text = "\n".join(
        [
            HEADER,
            "OK-1,licensing,审批局,好的一行,cautious,20,5,2025-01-01",  # line 2
            ",licensing,审批局,没有编码,,,,",  # line 3
            "BAD-2,licensing,审批局,,,,,",  # line 4
            "BAD-3,permit,审批局,未知类型,,,,",  # line 5
            "BAD-4,licensing,审批局,坏的分类,lenient,,,",  # line 6
            "BAD-5,licensing,审批局,坏的数字,,twenty,-1,",  # line 7
            "BAD-6,licensing,审批局,坏的日期,,,,2025-13-01",  # line 8
            "OK-1,licensing,审批局,重复编码,,,,",  # line 9
            "BAD 8,licensing,审批局,编码含空格,,,,",  # line 10
            "BAD-9,licensing,审批局,承诺长于法定,,5,9,",  # line 11
            '"BAD-10,licensing,审批局,引号内换行',  # line 12 (a quoted cell spans lines 12-13)
            'x",licensing,审批局,,,,,',
        ]
    )
    report = _rejected(_write(tmp_path, "faults.csv", text + "\n"))
    by_line = {}
    for fault in report.faults:
        by_line.setdefault(fault.row, []).append(fault.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "code 为空" in by_line[3][0]
    assert "name 为空" in by_line[4][0]
    assert "permit" in by_line[5][0]
    assert "lenient" in by_line[6][0] and "cautious" in by_line[6][0]
    assert len(by_line[7]) == 2 and "twenty" in by_line[7][0]
    assert "2025-13-01" in by_line[8][0]
    assert "重复" in by_line[9][0] and "第 2 行" in by_line[9][0]
    assert "连字符" in by_line[10][0]
    assert "承诺时限" in by_line[11][0]
    assert "第 12 行" in str(report.faults[-1])


def test_missing_columns_are_named(tmp_path):
    path = _write(tmp_path, "missing.csv", "code,name,legal_basis\nA-1,某事项,依据\n")
    report = _rejected(path)
    assert len(report.faults) == 1
    message = report.faults[0].message
    assert "kind" in message and "department" in message and "缺少" in message
    assert "code" not in message.split("：", 1)[1].split("（")[0]


def test_missing_guangan_column_is_named(tmp_path, guangan_path):
    lines = guangan_path.read_text(encoding="utf-8").splitlines()[:5]
    header = lines[0].split(",")
    drop = header.index("taskType")
    text = "\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines
    )
    report = _rejected(_write(tmp_path, "guangan.csv", text))
    assert report.format == "guangan"
    assert [f.message for f in report.faults] == ["缺少必需的列：taskType（guangan 格式）"]


def test_unknown_column_in_our_format_is_a_fault(tmp_path):
    report = _rejected(
        _write(
            tmp_path, "typo.csv", "code,kind,department,name,legal_basics\nA-1,licensing,局,名,x\n"
        )
    )
    assert "legal_basics" in report.faults[0].message


def test_unrecognised_file(tmp_path):
    report = _rejected(_write(tmp_path, "other.csv", "foo,bar\n1,2\n"))
    assert "无法识别" in report.faults[0].message


def test_non_utf8_is_refused_and_said_so(tmp_path, guangan_path):
    text = guangan_path.read_text(encoding="utf-8")
    path = _write(tmp_path, "gbk.csv", text, encoding="gb18030")
    report = _rejected(path)
    message = report.faults[0].message
    assert "UTF-8" in message and "GBK" in message and "第 2 行" in message


def test_utf8_with_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text(HEADER + "\nBOM-1,licensing,审批局,带BOM的文件,,,,\n", encoding="utf-8-sig")
    report = import_catalog(path)
    assert report.created == 1


def test_utf16_is_refused(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_text(HEADER + "\n", encoding="utf-16")
    assert "UTF-16" in _rejected(path).faults[0].message


def test_bad_enum_in_json_names_the_index(tmp_path):
    entries = [
        {"code": "J-0", "kind": "licensing", "department": "局", "name": "好"},
        {
            "code": "J-1",
            "kind": "licensing",
            "department": "局",
            "name": "坏的阶段",
            "duties": [{"stage": "intake", "text": "甲"}, {"stage": "dancing", "text": "乙"}],
        },
        {
            "code": "J-2",
            "kind": "licensing",
            "department": "局",
            "name": "坏的材料",
            "materials": [{"name": "甲", "essential": True, "deferrable": True}],
        },
        {"code": "J-3", "kind": "licensing", "name": "缺部门"},
        "not an object",
    ]
    path = _write(tmp_path, "bad.json", json.dumps(entries, ensure_ascii=False))
    report = _rejected(path)
    assert [f.row for f in report.faults] == [1, 2, 3, 4]
    assert "索引 1" in report.faults[0].where and "dancing" in report.faults[0].message
    assert "duties 第 2 项" in report.faults[0].message
    assert "要件不得容缺" in report.faults[1].message
    assert "department" in report.faults[2].message


def test_xian_with_unknown_power_type(tmp_path, xian_path):
    entries = json.loads(xian_path.read_text(encoding="utf-8"))
    entries[3]["权力类型"] = "行政命令"
    path = _write(tmp_path, "xian.json", json.dumps(entries, ensure_ascii=False))
    report = _rejected(path)
    assert [f.row for f in report.faults] == [3]
    assert "行政命令" in report.faults[0].message


def test_bad_xlsx_row_is_named_by_sheet_row(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "powers"
    sheet.append(["code", "kind", "department", "name", "statutory_limit_days"])
    sheet.append(["X-1", "licensing", "局", "甲", 20])
    sheet.append([])
    sheet.append(["X-2", "licensing", "局", "乙", "很多"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    report = _rejected(path)
    assert [(f.row, "第 4 行" in f.where) for f in report.faults] == [(4, True)]


def test_not_an_xlsx_file(tmp_path):
    path = _write(tmp_path, "fake.xlsx", "code,kind\n")
    assert "XLSX" in _rejected(path).faults[0].message


def test_unsupported_extension(tmp_path):
    path = _write(tmp_path, "list.xls", "")
    assert ".xlsx" in _rejected(path).faults[0].message


def test_dry_run_still_reports_faults(tmp_path):
    path = _write(tmp_path, "f.csv", HEADER + "\nD-1,licensing,局,,,,,\n")
    report = _rejected(path, dry_run=True)
    assert report.faults[0].row == 2


def test_unknown_section_code(tmp_path):
    path = _write(
        tmp_path, "s.csv", "code,kind,department,name,section_code\nS-1,licensing,局,甲,NOPE\n"
    )
    assert "NOPE" in _rejected(path).faults[0].message


def test_command_reports_and_exits_with_error(tmp_path):
    path = _write(tmp_path, "c.csv", HEADER + "\nC-1,licensing,局,,,,,\n")
    with pytest.raises(CommandError) as info:
        call_command("catalog", "import", str(path))
    assert "第 2 行" in str(info.value) and "name 为空" in str(info.value)


def test_command_summary(tmp_path, capsys):
    path = _write(tmp_path, "ok.csv", HEADER + "\nC-2,licensing,新部门,甲,,,,\n")
    call_command("catalog", "import", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "试运行" in out and "新增 1" in out and "新部门" in out
    call_command("catalog", "import", str(path), "--progress")
    captured = capsys.readouterr()
    assert "新增 1" in captured.out and "新建部门 1" in captured.out
    assert "1/1" in captured.err and "[" in captured.err  # the bar, forced on


def test_real_cli_exits_non_zero_and_names_the_row(tmp_path, guangan_path):
    """The installed ``shenguan`` script on a fresh SQLite database of its own."""
    lines = guangan_path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[11] = lines[11].replace(",1,行政许可,", ",77,行政许可,", 1)  # file line 12
    assert ",77," in lines[11]
    broken = tmp_path / "broken.csv"
    broken.write_text("".join(lines), encoding="utf-8")
    db = tmp_path / "cli.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SHENGUAN_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "shenguan.settings.base",
    }
    script = str(Path(sys.executable).with_name("shenguan"))
    # Only the catalogue's tables (and what they depend on): a full migrate costs seconds.
    migrate = subprocess.run(
        [script, "migrate", "catalog", "-v0"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [script, "catalog", "import", str(broken)], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "第 12 行" in result.stderr and "77" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM catalog_power").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM org_department").fetchone() == (0,)
