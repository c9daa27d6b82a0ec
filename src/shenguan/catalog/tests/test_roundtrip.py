"""Our own format: export → import reproduces the catalogue, in CSV, XLSX and JSON."""

import csv
import datetime as dt
import json

import pytest

from shenguan.catalog import services
from shenguan.catalog.content import VERSION_FIELDS, version_content
from shenguan.catalog.factories import make_power
from shenguan.catalog.importer import export_catalog, import_catalog
from shenguan.catalog.models import Power
from shenguan.org.factories import DepartmentFactory, SectionFactory

from .conftest import catalogue_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """Powers that use every field, with text that tends to break files."""
    bureau = DepartmentFactory(name="某某行政审批局", kind="approval_bureau", code="AB-1")
    window = SectionFactory(department=bureau, code="WIN-1", name="综合窗口")
    make_power(
        code="511A0138000000-511602000000-000-115113010833722043-1-00",
        section=window,
        name='食品经营许可（含"预包装", 散装）',
        main_item="食品经营许可",
        legal_basis="《食品安全法》第三十五条\n第二款：…\n=SUM(A1) 不是公式",
        acting_body="某某行政审批局",
        handling_unit="综合窗口",
        statutory_limit_days=20,
        promised_limit_days=5,
        approval_class="cautious",
        accountability_clause="逾期未办结的，依法追究责任。",
        supervision_phone="0711-1234567",
        extra={"areaCode": "511602000000", "nested": {"a": [1, 2]}},
        generated_fields=["approval_class", "promised_limit_days", "materials"],
        effective_from=dt.date(2024, 3, 1),
        source="demo",
        materials=[
            {"name": "申请书", "essential": True, "deferrable": False, "copies": 1, "notes": ""},
            {
                "name": "平面图, 复印件",
                "essential": False,
                "deferrable": True,
                "copies": 2,
                "notes": "加盖公章",
            },
        ],
        duties=[{"stage": "intake", "stage_label": "受理阶段责任", "text": "一次性告知"}],
    )
    penalty = make_power(
        code="E06FCBC8B4E263C04595AD197B9A8718",
        kind="penalty",
        department=DepartmentFactory(name="某某综合执法局", kind="enforcement_bureau", code="EB-1"),
        name="对擅自停用消防设施的处罚",
        duties=[
            {"stage": "case_filing", "stage_label": "立案", "text": "决定是否立案"},
            {"stage": "decision", "stage_label": "", "text": "作出决定"},
        ],
        effective_from=dt.date(2023, 1, 1),
    )
    services.revise_power(
        penalty.pk, changes={"statutory_limit_days": 90}, effective_from=dt.date(2024, 1, 1)
    )
    make_power(code="PLAIN-1", kind="public_service", name="咨询")


def snapshot():
    rows = {}
    for power in Power.objects.select_related("department", "section"):
        latest = power.latest
        fields, materials, duties = version_content(latest)
        rows[power.code] = {
            "kind": power.kind,
            "department": (power.department.name, power.department.code, power.department.kind),
            "section": power.section.code if power.section_id else None,
            "source": power.source,
            "effective_from": latest.effective_from,
            "hash": latest.content_hash,
            **{name: fields[name] for name in VERSION_FIELDS},
            "materials": materials,
            "duties": duties,
        }
    return rows


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_export_then_import_into_an_empty_catalogue(catalogue, tmp_path, ext):
    path = tmp_path / f"catalog.{ext}"
    assert export_catalog(path) == 3
    expected = snapshot()
    services.delete_powers(Power.objects.values_list("pk", flat=True))
    assert not Power.objects.exists()
    report = import_catalog(path)
    assert (report.format, report.created) == ("shenguan", 3)
    assert snapshot() == expected


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_export_then_reimport_changes_nothing(catalogue, tmp_path, ext):
    path = tmp_path / f"catalog.{ext}"
    export_catalog(path)
    before = catalogue_state()
    report = import_catalog(path)
    assert report.unchanged == 3 and not report.changed
    assert catalogue_state() == before


def test_new_departments_come_back_with_their_code_and_kind(catalogue, tmp_path):
    path = tmp_path / "catalog.json"
    export_catalog(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for row in document["powers"]:
        row["department"] += "（新）"
        row["department_code"] += "-NEW"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    report = import_catalog(path)
    assert sorted(report.departments_created) == sorted(r["department"] for r in document["powers"])
    moved = Power.objects.select_related("department").get(code="E06FCBC8B4E263C04595AD197B9A8718")
    assert (moved.department.code, moved.department.kind) == ("EB-1-NEW", "enforcement_bureau")
    assert report.updated == 3 and report.revised == 0


def test_an_edited_row_revises_only_that_power(catalogue, tmp_path):
    path = tmp_path / "catalog.csv"
    export_catalog(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[-1]["approval_class"] = "控制类"  # the Chinese label is accepted too
    rows[-1]["materials"] = json.dumps([{"name": "身份证明"}], ensure_ascii=False)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_catalog(path)
    assert (report.revised, report.unchanged) == (1, 2)
    power = Power.objects.get(code=rows[-1]["code"])
    latest = power.latest
    assert latest.version == 2 and latest.approval_class == "controlled"
    assert [m.name for m in latest.materials.all()] == ["身份证明"]


def test_columns_left_out_are_kept(catalogue, tmp_path):
    """A sheet with a few columns updates just those fields."""
    path = tmp_path / "partial.csv"
    path.write_text(
        "code,kind,department,name,promised_limit_days\n"
        "511A0138000000-511602000000-000-115113010833722043-1-00,licensing,某某行政审批局,"
        '"食品经营许可（含""预包装"", 散装）",3\n',
        encoding="utf-8",
    )
    power = Power.objects.get(code__startswith="511A0138")
    v1 = power.latest
    report = import_catalog(path)
    assert report.revised == 1
    v2 = power.latest
    assert v2.promised_limit_days == 3
    assert v2.legal_basis == v1.legal_basis and v2.materials.count() == 2
    power.refresh_from_db()
    assert power.section.code == "WIN-1"  # no section_code column: the section stays
