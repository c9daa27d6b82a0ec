"""The Xi'an power-and-responsibility sample: stages become duties."""

import html
import json
from collections import Counter

import pytest

from shenguan.catalog.importer import import_catalog
from shenguan.catalog.importer.duties import split_duties
from shenguan.catalog.models import Power

from .conftest import catalogue_state

pytestmark = pytest.mark.django_db

KINDS = {"行政处罚": "penalty", "行政许可": "licensing", "行政确认": "confirmation"}


@pytest.fixture
def entries(xian_path):
    return json.loads(xian_path.read_text(encoding="utf-8"))


@pytest.fixture
def imported(xian_path):
    return import_catalog(xian_path)


def test_fifteen_powers_with_their_kinds(imported, entries):
    assert imported.format == "xian" and imported.created == 15 == len(entries)
    powers = {p.code: p for p in Power.objects.select_related("department")}
    assert set(powers) == {e["统一发布平台unid"] for e in entries}
    assert Counter(p.kind for p in powers.values()) == Counter(
        KINDS[e["权力类型"]] for e in entries
    )
    for entry in entries:
        power = powers[entry["统一发布平台unid"]]
        version = power.latest
        assert power.department.name == entry["行驶主体"] == version.acting_body
        assert version.name == entry["服务事项"]
        assert version.handling_unit == entry["承办机构"]
        assert version.supervision_phone == entry["监管电话"]
        assert version.legal_basis == html.unescape(entry["实施依据"]).strip()
        if power.kind == "penalty":
            assert version.enforcement_class == "penalty"
            assert version.day_counting == "penalty"
        else:
            assert version.enforcement_class == ""
            assert version.day_counting == "licensing"


def test_html_entities_are_unescaped(imported):
    version = Power.objects.get(code="DD64208A0D837845631AADC861501598").latest
    assert "《中华人民共和国水土保持法》(2010修订)第五十七条" in version.legal_basis
    assert "&#" not in version.legal_basis


def test_stages_become_duties(imported):
    version = Power.objects.get(code="E06FCBC8B4E263C04595AD197B9A8718").latest
    duties = list(version.duties.order_by("seq"))
    assert [d.stage for d in duties] == [
        "intake",
        "investigation",
        "review",
        "notice",
        "decision",
        "service",
        "execution",
        "other",
    ]
    assert duties[0].stage_label == "受案阶段责任"
    assert duties[0].text.startswith("在举报、上级交办")
    assert (
        duties[-1].stage_label == "" and duties[-1].text == "其他法律法规规章文件规定应履行的责任。"
    )


def test_every_entry_has_its_numbered_duties(imported, entries):
    for entry in entries:
        version = Power.objects.get(code=entry["统一发布平台unid"]).latest
        text = entry["责任事项"]
        assert version.duties.count() == len(split_duties(text)) > 0
        # Every published stage label survives, in order.
        labels = [d.stage_label for d in version.duties.order_by("seq") if d.stage_label]
        positions = [text.index(label) for label in labels]
        assert positions == sorted(positions)


def test_reimport_changes_nothing(imported, xian_path):
    before = catalogue_state()
    report = import_catalog(xian_path)
    assert report.unchanged == 15 and not report.changed
    assert catalogue_state() == before


def test_the_two_lists_live_side_by_side(imported, guangan_path):
    """Codes of the two lists never clash; the Xi'an powers are untouched by a Guang'an run."""
    before = {p.code: p.latest.content_hash for p in Power.objects.all()}
    # Only a dry run: the full import is covered once in test_import_guangan.
    report = import_catalog(guangan_path, dry_run=True)
    assert report.created == 1135 and report.unchanged == 0
    assert {p.code: p.latest.content_hash for p in Power.objects.all()} == before


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "1.受案阶段责任：甲。\n2.调查阶段责任：乙\n8.其他法律法规规章文件规定应履行的责任。",
            [
                ("intake", "受案阶段责任", "甲。"),
                ("investigation", "调查阶段责任", "乙"),
                ("other", "", "其他法律法规规章文件规定应履行的责任。"),
            ],
        ),
        (
            "1、立案阶段责任：在7日内核查。\n5 .听证阶段责任：告知听证权利。",
            [
                ("case_filing", "立案阶段责任", "在7日内核查。"),
                ("other", "听证阶段责任", "告知听证权利。"),
            ],
        ),
        (
            "1.立案责任：甲。2.调查责任：乙。3.审查责任：丙。",
            [
                ("case_filing", "立案责任", "甲。"),
                ("investigation", "调查责任", "乙。"),
                ("review", "审查责任", "丙。"),
            ],
        ),
        (
            "①受理：查验。②审核：审查。 ③登簿：记载。④送达：邮寄。",
            [
                ("intake", "受理", "查验。"),
                ("review", "审核", "审查。"),
                ("other", "登簿", "记载。"),
                ("service", "送达", "邮寄。"),
            ],
        ),
        (
            "1.决定阶段责任：作出决定。\n2.事后监管责任：开展检查。\n3.执行阶段责任：处罚2000元。",
            [
                ("decision", "决定阶段责任", "作出决定。"),
                ("supervision", "事后监管责任", "开展检查。"),
                ("execution", "执行阶段责任", "处罚2000元。"),
            ],
        ),
        ("依法履行职责。", [("other", "", "依法履行职责。")]),
        ("", []),
    ],
)
def test_split_duties(text, expected):
    assert [(d["stage"], d["stage_label"], d["text"]) for d in split_duties(text)] == expected
