"""Reading the published text: numbers, amounts, weights, the note's formulas and caps, the
statutory ranges, the no-penalty conditions, and the structure of real entries. No database."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from shenguan.enforcement.discretion.choices import (
    BenchmarkModel,
    ConditionMode,
    NoPenaltyOutcome,
    RowKind,
)
from shenguan.enforcement.discretion.parsing import (
    parse_amount,
    parse_base_floor,
    parse_caps,
    parse_formulas,
    parse_number,
    parse_statutory_ranges,
    parse_weight,
)
from shenguan.enforcement.discretion.rules import link, parse_rule
from shenguan.enforcement.discretion.tables import EntryFault, parse_entry
from shenguan.enforcement.discretion.testing import load_entries

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("20", 20),
        ("0.5", D("0.5")),
        ("二十", 20),
        ("一百", 100),
        ("五千", 5000),
        ("十", 10),
        ("三十五", 35),
        ("两", 2),
        ("一千五百", 1500),
    ],
)
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "lo", "hi", "base", "noted"),
    [
        ("10万元以上20万元以下", D(100000), D(200000), "", False),
        ("3万元", D(30000), D(30000), "", False),
        ("1万元以下", None, D(10000), "", False),
        ("2000元以上5000元以下", D(2000), D(5000), "", False),
        ("5000元以上2万元以下", D(5000), D(20000), "", False),
        ("违法所得1倍以上3倍以下", D(1), D(3), "违法所得", False),
        ("货值金额2.5倍以上3倍以下", D("2.5"), D(3), "货值金额", False),
        ("直接经济损失的5倍", D(5), D(5), "直接经济损失", False),
        (
            "上一年度从本单位取得的收入10%以上30%以下",
            D("0.1"),
            D("0.3"),
            "上一年度从本单位取得的收入",
            False,
        ),
        ("500元/车次", D(500), D(500), "车次", False),
        ("给予警告，可以并处1000元以下罚款", None, D(1000), "", False),
        # read generously, with a note
        ("5万元以上10万元以上", D(50000), D(100000), "", True),
        ("11000元以上13000以下", D(11000), D(13000), "", True),
        ("2.5元万以上3.5万元以下", D(25000), D(35000), "", True),
        ("7.5万元元以上8.5万元元以下", D(75000), D(85000), "", True),
        ("1000元以2000元以下", D(1000), D(2000), "", True),
    ],
)
def test_amounts(text, lo, hi, base, noted):
    amount = parse_amount(text)
    assert (amount.min, amount.max, amount.base) == (lo, hi, base)
    assert bool(amount.note) == noted


@pytest.mark.parametrize("text", ["/", "警告", "", "以下"])
def test_non_amounts_stay_text(text):
    amount = parse_amount(text)
    assert not amount.numeric and amount.text == text


def test_column_unit_for_bare_numbers():
    assert parse_amount("2以上5以下", default_scale=10000).max == 50000


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("20%", Fraction(1, 5)),
        ("0%", 0),
        ("1/3", Fraction(1, 3)),
        ("1/24", Fraction(1, 24)),
        ("12.5%", Fraction(1, 8)),
        ("0", 0),
        ("二成", None),
        ("", None),
        (None, None),
        ("1/0", None),
    ],
)
def test_weights(text, value):
    assert parse_weight(text) == value


def test_formulas_of_several_columns():
    note = (
        "1.本表的裁量计算方法如下：（1）限期内改正的罚款金额=限期内改正的裁量百分值总和×100万；"
        "（2）逾期未改正的罚款金额=逾期未改正的裁量百分值总和×200万。（3）直接负责的主管人员和"
        "其他责任人员的罚款金额=对个人裁量百分值总和×20万。2.逾期未改正裁量百分值总和超过100%的，"
        "按100%计算。3.对个人裁量百分值总和超过100%的，按100%计算。"
    )
    formulas, problems = parse_formulas(note)
    assert not problems
    assert [(f.subject, f.multiplier) for f in formulas] == [
        ("限期内改正的", 1000000),
        ("逾期未改正的", 2000000),
        ("对个人", 200000),
    ]
    caps = parse_caps(note)
    assert [(c.subject, c.kind, c.value) for c in caps] == [
        ("逾期未改正", "max", 1),
        ("对个人", "max", 1),
    ]


def test_formula_with_a_base_and_a_floor_cap():
    formulas, _ = parse_formulas(
        "本表裁量的计算方法为：罚款金额＝裁量百分值总和×建设项目总投资额×5%。"
    )
    assert (formulas[0].multiplier, formulas[0].base) == (D("0.05"), "建设项目总投资额")
    formulas, _ = parse_formulas("罚款金额=裁量百分值总和×所需处置费用×3倍。")
    assert (formulas[0].multiplier, formulas[0].base) == (3, "所需处置费用")
    caps = parse_caps("2.裁量百分值总和不足20%的，按20%计算。")
    assert [(c.subject, c.kind, c.value) for c in caps] == [("", "min", Fraction(1, 5))]


def test_statutory_ranges_in_chinese_numerals():
    basis = (
        "由县级以上人民政府环境保护主管部门责令限期内改正，处二万元以上二十万元以下的罚款；"
        "逾期未改正的，处二十万元以上一百万元以下的罚款；对直接负责的主管人员和其他直接责任人员"
        "处五千元以上二万元以下的罚款"
    )
    ranges = parse_statutory_ranges(basis)
    assert [(r.min, r.max, r.person) for r in ranges] == [
        (20000, 200000, False),
        (200000, 1000000, False),
        (5000, 20000, True),
    ]
    rel = parse_statutory_ranges("处建设项目总投资额百分之一以上百分之五以下的罚款")
    assert [(r.min, r.max, r.base) for r in rel] == [(D("0.01"), D("0.05"), "建设项目总投资额")]
    upto = parse_statutory_ranges("责令改正，可以处五万元以下的罚款。")
    assert [(r.min, r.max) for r in upto] == [(None, 50000)]


def test_the_floor_on_a_base():
    basis = "处所需处置费用一倍以上三倍以下的罚款，所需处置费用不足十万元的，按十万元计算。"
    assert parse_base_floor(basis, "所需处置费用") == 100000
    assert parse_base_floor(basis, "违法所得") is None


def _rule(conditions, provision="《中华人民共和国环境影响评价法》第二十五条 …", codes=""):
    return parse_rule(
        {
            "seq": "1",
            "violation": "v",
            "violated_provision": provision,
            "no_penalty_conditions": conditions,
            "benchmark_codes": codes,
        },
        2,
    )


def test_no_penalty_conditions():
    rule = _rule(
        "同时满足下列情形的，不予行政处罚：（1）属于首次违法；（2）在责令改正期限内改正违法行为，危害后果轻微。"
    )
    assert rule.condition_items == ["属于首次违法", "在责令改正期限内改正违法行为，危害后果轻微"]
    assert rule.condition_mode == ConditionMode.ALL and rule.outcome == NoPenaltyOutcome.SHALL
    may = _rule("同时满足下列情形的，依法可以不予行政处罚：（1）a；（2）b。")
    assert may.outcome == NoPenaltyOutcome.MAY
    anyone = _rule("有下列情形之一的，不予行政处罚：（1）a。（2）b。")
    assert anyone.condition_mode == ConditionMode.ANY
    with pytest.raises(ValueError):
        _rule("应当处罚")


def test_linking_a_rule():
    benchmarks = [
        ("§1", "《中华人民共和国环境影响评价法》第二十五条 建设项目的…"),
        ("§2", "《中华人民共和国环境影响评价法》第二十四条第一款 …"),
        ("§3", "《中华人民共和国环境影响评价法》第二十四条第二款 …"),
    ]
    assert link(_rule("不予行政处罚：（1）a"), benchmarks)[0] == ["§1"]
    para = _rule("不予行政处罚：（1）a", "《环境影响评价法》第二十四条第二款 …")
    assert link(para, benchmarks)[0] == ["§3"]
    article = _rule("不予行政处罚：（1）a", "《环境影响评价法》第二十四条 …")
    assert link(article, benchmarks)[0] == ["§2", "§3"]
    given = _rule("不予行政处罚：（1）a", codes="§2")
    assert link(given, benchmarks) == (["§2"], "来源文件给出")
    with pytest.raises(ValueError):
        link(_rule("不予行政处罚：（1）a", codes="§9"), benchmarks)


# --- real entries ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def entries():
    return {(e["code"], i): e for i, e in enumerate(load_entries(), 1)}


def _entry(entries, code):
    ((position, entry),) = [(i, e) for (c, i), e in entries.items() if c == code]
    return parse_entry(entry, position)


def test_weight_columns_under_group_labels(entries):
    parsed = _entry(entries, "§1.8")
    assert [s["label"] for s in parsed.schemes] == [
        "对单位 · 限期内改正",
        "对单位 · 逾期未改正",
        "对个人",
    ]
    assert [s["start_text"] for s in parsed.schemes] == ["20%", "50%", "25%"]
    assert [s["multiplier"] for s in parsed.schemes] == ["1000000", "2000000", "200000"]
    assert [s["max_weight"] for s in parsed.schemes] == [None, "1", "1"]


def test_a_mislabelled_header_is_read_from_its_rows(entries):
    parsed = _entry(entries, "§2.27")
    assert parsed.header[-1] == "罚款"
    assert parsed.model == BenchmarkModel.PERCENTAGE_WEIGHT and not parsed.model_given
    assert parsed.schemes[0]["multiplier"] == "200000"
    assert parsed.rows[-1].kind == RowKind.NOTE


def test_a_merged_factor_cell_over_a_page_break(entries):
    parsed = _entry(entries, "§4.9")
    row6 = next(r for r in parsed.rows if r.position == 6)
    assert row6.factor == "涉及量" and row6.degree == "100吨以上" and "合并单元格" in row6.note


def test_a_header_with_an_empty_column(entries):
    parsed = _entry(entries, "§4.36")
    band = next(r for r in parsed.rows if r.kind == RowKind.BAND)
    assert [c["name"] for c in band.circumstances][-1] == "配合调查情况"
    assert band.fine.numeric


def test_a_split_circumstance_is_joined(entries):
    parsed = _entry(entries, "§3.13")
    row2 = next(r for r in parsed.rows if r.position == 2)
    assert "环境敏感区或限批区" in row2.degree
    assert next(r for r in parsed.rows if r.position == 3).kind == RowKind.CONTINUATION


def test_structural_faults_name_the_row():
    base = {
        "code": "§9.9",
        "violation": "v",
        "penalty_basis": "处一万元以上三万元以下的罚款",
        "table_header": ["违法行为", "裁量要素", "违法程度", "裁量权重"],
    }
    with pytest.raises(EntryFault) as exc:
        parse_entry(
            {**base, "table_rows": [["裁量起点", None, None, "10%"], ["v", "a", "b", "x%"]]}, 1
        )
    assert exc.value.row == 2
    with pytest.raises(EntryFault) as exc:
        parse_entry(
            {**base, "model": "percentage_weight", "table_rows": [["v", "a", "b", "10%"]]}, 1
        )
    assert "裁量起点" in exc.value.message
    with pytest.raises(EntryFault) as exc:  # read as fine_band: no fine it can read
        parse_entry({**base, "table_rows": [["v", "a", "b", "10%"]]}, 1)
    assert "罚款数额" in exc.value.message
    with pytest.raises(EntryFault):
        parse_entry({**base, "table_rows": []}, 1)
    with pytest.raises(EntryFault):
        parse_entry({**base, "model": "other", "table_rows": [["v", "a", "5万元"]]}, 1)
    with pytest.raises(EntryFault):
        parse_entry({**base, "code": " ", "table_rows": [["v", "a", "5万元"]]}, 1)
