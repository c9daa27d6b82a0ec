"""The Guang'an district service items, imported as published (issue 2 acceptance)."""

import csv
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import uscc

from shenguan.catalog import services
from shenguan.catalog.importer import ImportRejected, export_catalog, import_catalog
from shenguan.catalog.models import Power, PowerVersion
from shenguan.core.models import JournalEntry
from shenguan.org.models import Department

from .conftest import catalogue_state

pytestmark = pytest.mark.django_db

# The portal's taskType codes (data/README.md).
TASK_KINDS = {
    "1": "licensing",
    "5": "payment",
    "7": "confirmation",
    "8": "reward",
    "9": "adjudication",
    "10": "other",
    "20": "public_service",
}


def _rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_gives_1135_powers_344_in_the_approval_bureau(guangan_catalog):
    report = guangan_catalog.report
    assert report.format == "guangan"
    assert (report.created, report.revised, report.unchanged) == (1135, 0, 0)
    assert Power.objects.count() == 1135
    bureau = Department.objects.get(name="区行政审批局")
    assert bureau.kind == "approval_bureau"
    assert Power.objects.filter(department=bureau).count() == 344
    assert PowerVersion.objects.count() == 1135
    # One journal entry per power and per department created, plus the import's own entry.
    departments = len({r["department"] for r in _rows(guangan_catalog.path)})
    assert len(report.departments_created) == departments
    assert JournalEntry.objects.filter(action="catalog.power.created").count() == 1135
    assert JournalEntry.objects.filter(action="org.department.created").count() == departments
    assert JournalEntry.objects.filter(action="catalog.import.applied").count() == 1


def test_import_is_well_under_a_minute(guangan_catalog):
    assert guangan_catalog.elapsed < 60


def test_each_row_as_published(guangan_catalog):
    rows = _rows(guangan_catalog.path)
    powers = {
        p.code: p for p in Power.objects.select_related("department").prefetch_related("versions")
    }
    assert set(powers) == {r["itemCode"] for r in rows}
    for row in rows:
        power = powers[row["itemCode"]]
        version = power.versions.all()[0]
        assert power.kind == TASK_KINDS[row["taskType"]]
        assert power.department.name == row["department"]
        assert version.name == row["item_name"]
        assert version.main_item == ("" if row["main_item"] == "未分类" else row["main_item"])
        assert version.extra == {k: row[k] for k in ("areaCode", "deptCode", "link", "taskType")}
        assert power.source == guangan_catalog.path.name
    assert Counter(p.kind for p in powers.values()) == Counter(
        TASK_KINDS[r["taskType"]] for r in rows
    )


def test_departments_created_by_name(guangan_catalog):
    rows = _rows(guangan_catalog.path)
    for name in {r["department"] for r in rows}:
        dep = Department.objects.get(name=name)
        valid = sorted(
            {
                uscc.compact(r["deptCode"])
                for r in rows
                if r["department"] == name and uscc.is_valid(r["deptCode"])
            }
        )
        if valid:
            assert dep.code in valid and dep.credit_code == dep.code
        else:
            assert dep.code.startswith("GEN-") and dep.credit_code == ""
        expected = (
            "approval_bureau"
            if "行政审批局" in name
            else "enforcement_bureau"
            if "综合执法局" in name
            else "business"
        )
        assert dep.kind == expected
    assert Department.objects.get(name="区综合执法局").kind == "enforcement_bureau"


def test_importing_again_changes_nothing(guangan_catalog):
    before = catalogue_state()
    report = import_catalog(guangan_catalog.path)
    assert (report.created, report.revised, report.updated, report.unchanged) == (0, 0, 0, 1135)
    assert report.departments_created == []
    assert catalogue_state() == before


def test_reimport_keeps_what_was_added_later(guangan_catalog):
    """The demo fills classes and materials the list does not carry; re-importing the list
    must not take them away."""
    power = Power.objects.filter(department__name="区行政审批局").first()
    services.revise_power(
        power.pk,
        changes={"approval_class": "cautious", "promised_limit_days": 5},
        materials=[{"name": "申请书"}],
        generated_fields=["approval_class", "promised_limit_days", "materials"],
    )
    before = catalogue_state()
    report = import_catalog(guangan_catalog.path)
    assert report.unchanged == 1135
    assert catalogue_state() == before


def _broken_copy(src, tmp_path, line_no, column, value):
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    cells = lines[line_no - 1].rstrip("\r\n").split(",")
    assert len(cells) == len(header)  # the published file has no quoted commas on this line
    cells[header.index(column)] = value
    lines[line_no - 1] = ",".join(cells) + "\n"
    path = tmp_path / "broken.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_one_broken_row_rejects_the_file_and_names_the_row(guangan_catalog, tmp_path):
    broken = _broken_copy(guangan_catalog.path, tmp_path, 101, "taskType", "99")
    before = catalogue_state()
    with pytest.raises(CommandError) as info:
        call_command("catalog", "import", str(broken))
    message = str(info.value)
    assert "第 101 行" in message and "taskType" in message and "99" in message
    assert "第 100 行" not in message and "第 102 行" not in message
    assert catalogue_state() == before


def test_a_changed_row_makes_a_new_version(guangan_catalog, tmp_path):
    rows = _rows(guangan_catalog.path)
    target = rows[49]  # file line 51
    changed = _broken_copy(guangan_catalog.path, tmp_path, 51, "item_name", "新的事项名称")
    journal_before = JournalEntry.objects.count()
    report = import_catalog(changed)
    assert (report.created, report.revised, report.unchanged) == (0, 1, 1134)
    power = Power.objects.get(code=target["itemCode"])
    v1, v2 = power.versions.order_by("version")
    assert (v1.name, v2.name) == (target["item_name"], "新的事项名称")
    assert v2.extra == v1.extra and v1.effective_to is not None
    assert JournalEntry.objects.count() == journal_before + 2  # the revision and the import
    assert JournalEntry.objects.filter(action="catalog.power.revised").count() == 1


def test_dry_run_counts_without_writing(guangan_catalog, tmp_path):
    changed = _broken_copy(guangan_catalog.path, tmp_path, 7, "item_name", "试运行的新名称")
    before = catalogue_state()
    report = import_catalog(changed, dry_run=True)
    assert report.dry_run and (report.revised, report.unchanged) == (1, 1134)
    assert catalogue_state() == before


def test_export_and_reimport_into_the_same_catalogue_changes_nothing(guangan_catalog, tmp_path):
    path = tmp_path / "catalog.csv"
    assert export_catalog(path) == 1135
    before = catalogue_state()
    report = import_catalog(path)
    assert report.format == "shenguan" and report.unchanged == 1135
    assert catalogue_state() == before


def _versions():
    return sorted(
        PowerVersion.objects.values_list(
            "power__code",
            "power__kind",
            "power__department__name",
            "power__source",
            "content_hash",
            "effective_from",
        )
    )


def test_export_into_an_emptied_catalogue_reproduces_it(guangan_catalog, tmp_path):
    """The approval bureau's 344 powers are deleted and come back from the export with the
    same content; the other 791 are left as they are."""
    path = tmp_path / "catalog.json"
    export_catalog(path)
    expected = _versions()
    journal_before = JournalEntry.objects.count()
    bureau = Power.objects.filter(department__name="区行政审批局")
    assert services.delete_powers(bureau.values_list("pk", flat=True)) == 344
    assert Power.objects.count() == 1135 - 344
    assert JournalEntry.objects.count() == journal_before + 344
    report = import_catalog(path)
    assert (report.created, report.revised, report.unchanged) == (344, 0, 791)
    assert _versions() == expected


def test_guangan_faults_are_all_reported(guangan_catalog, tmp_path):
    lines = guangan_catalog.path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    bad = []
    for line_no, column, value in (
        (3, "itemCode", ""),
        (9, "item_name", ""),
        (12, "taskType", "x"),
    ):
        cells = lines[line_no - 1].rstrip("\n").split(",")
        cells[header.index(column)] = value
        lines[line_no - 1] = ",".join(cells) + "\n"
        bad.append(line_no)
    lines.append(lines[20])  # a duplicate of line 21 becomes the last line
    path = tmp_path / "faults.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_catalog(path)
    where = [f.row for f in info.value.report.faults]
    assert where == [3, 9, 12, len(lines)]
    assert "第 21 行" in info.value.report.faults[-1].message
