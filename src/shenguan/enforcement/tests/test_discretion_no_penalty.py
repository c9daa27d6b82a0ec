"""No penalty (行政处罚法 art 33) and the Guangdong no-penalty list in the calculator."""

from __future__ import annotations

import pytest

from shenguan.core.errors import DomainError
from shenguan.enforcement.discretion import testing
from shenguan.enforcement.discretion.calculator import calculate
from shenguan.enforcement.discretion.choices import Harm, NoPenaltyOutcome, RowKind
from shenguan.enforcement.discretion.models import NoPenaltyRule
from shenguan.enforcement.discretion.services import find_benchmark

pytestmark = pytest.mark.django_db
guangdong = testing.guangdong  # the real table, imported once for this module


def _band(bench):
    return bench.rows.filter(kind=RowKind.BAND).order_by("position").first().position


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        # art 33 ¶1, first sentence: minor, corrected in time, no harmful consequence → shall not
        ({"minor": True, "corrected": True, "harm": Harm.NONE}, NoPenaltyOutcome.SHALL),
        ({"minor": True, "corrected": False, "harm": Harm.NONE}, ""),
        ({"minor": True, "corrected": True, "harm": Harm.MINOR}, ""),
        # art 33 ¶1, second sentence: first offence, minor harm, corrected in time → may not
        ({"first_offence": True, "corrected": True, "harm": Harm.MINOR}, NoPenaltyOutcome.MAY),
        ({"first_offence": True, "corrected": False, "harm": Harm.MINOR}, ""),
        ({"first_offence": True, "corrected": True, "harm": Harm.HARMFUL}, ""),
        ({"first_offence": False, "corrected": True, "harm": Harm.MINOR}, ""),
        # both apply: the mandatory one wins
        (
            {"first_offence": True, "minor": True, "corrected": True, "harm": Harm.NONE},
            NoPenaltyOutcome.SHALL,
        ),
        # art 33 ¶2: no fault proved → shall not
        ({"no_fault": True}, NoPenaltyOutcome.SHALL),
        ({}, ""),
    ],
)
def test_article_33(guangdong, flags, expected):
    bench = find_benchmark(guangdong.table, "§2.4")
    calc = calculate(bench, positions=[_band(bench)], **flags)
    assert calc.no_penalty == expected
    assert calc.education_required == bool(expected)  # art 33 ¶3
    assert bool(calc.no_penalty_reasons) == bool(expected)
    assert all(r["basis"].startswith("行政处罚法第三十三条") for r in calc.no_penalty_reasons)
    assert calc.range is not None  # the range is still shown to the reviewer


def test_without_rows_only_the_no_penalty_question_is_answered(guangdong):
    bench = find_benchmark(guangdong.table, "§2.4")
    calc = calculate(bench, minor=True, corrected=True, harm=Harm.NONE)
    assert calc.no_penalty == NoPenaltyOutcome.SHALL and not calc.ranges
    with pytest.raises(DomainError):
        calculate(bench, minor=True, corrected=False, harm=Harm.NONE)


def _rule(guangdong, seq):
    return NoPenaltyRule.objects.get(table=guangdong.table, seq=seq)


def test_a_linked_rule_is_offered_and_honoured_when_all_conditions_are_met(guangdong):
    rule = _rule(guangdong, 1)
    bench = rule.benchmarks.get()
    assert bench.code == "§1.3"
    offered = calculate(bench, positions=[_band(bench)])
    assert [c["seq"] for c in offered.no_penalty_candidates] == [1]
    assert offered.no_penalty_candidates[0]["items"] == rule.condition_items
    assert offered.no_penalty == ""
    every = list(range(1, len(rule.condition_items) + 1))
    calc = calculate(bench, positions=[_band(bench)], no_penalty_rule=rule.pk, conditions_met=every)
    assert calc.no_penalty == NoPenaltyOutcome.SHALL
    assert calc.no_penalty_reasons[0]["basis"] == "不予处罚清单第 1 项"
    assert calc.no_penalty_reasons[0]["text"] == "；".join(rule.condition_items)
    partial = calculate(
        bench, positions=[_band(bench)], no_penalty_rule=rule.pk, conditions_met=[1]
    )
    assert partial.no_penalty == ""
    assert any("缺第 2 项" in n for n in partial.notes)


def test_a_may_rule_gives_discretion(guangdong):
    rule = _rule(guangdong, 7)  # 「依法可以不予行政处罚」
    bench = rule.benchmarks.get()
    factors = {}
    for row in bench.rows.filter(kind=RowKind.FACTOR).order_by("position"):
        factors.setdefault(row.factor, row.position)
    calc = calculate(
        bench,
        positions=list(factors.values()),
        no_penalty_rule=rule.pk,
        conditions_met=range(1, len(rule.condition_items) + 1),
    )
    assert calc.no_penalty == NoPenaltyOutcome.MAY
    assert calc.amount is not None


def test_an_any_rule_needs_one_condition(guangdong):
    rule = _rule(guangdong, 10)  # 「有下列情形之一的，不予行政处罚」
    bench = rule.benchmarks.get()
    none = calculate(bench, positions=[_band(bench)], no_penalty_rule=rule.pk)
    one = calculate(bench, positions=[_band(bench)], no_penalty_rule=rule.pk, conditions_met=[2])
    assert none.no_penalty == "" and one.no_penalty == NoPenaltyOutcome.SHALL


def test_an_unlinked_rule_may_be_named_by_the_officer(guangdong):
    rule = _rule(guangdong, 20)
    assert not rule.benchmarks.exists()
    bench = find_benchmark(guangdong.table, "§8.36")
    calc = calculate(
        bench,
        positions=[_band(bench)],
        no_penalty_rule=rule.pk,
        conditions_met=range(1, len(rule.condition_items) + 1),
    )
    assert calc.no_penalty == NoPenaltyOutcome.SHALL
    assert any("未与本基准对应" in n for n in calc.notes)


def test_rule_input_is_checked(guangdong):
    rule = _rule(guangdong, 1)
    bench = rule.benchmarks.get()
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=[_band(bench)], no_penalty_rule=rule.pk, conditions_met=[9])
    assert exc.value.code == "invalid_condition"
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=[_band(bench)], conditions_met=[1])
    assert exc.value.code == "rule_required"
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=[_band(bench)], no_penalty_rule=987654)
    assert exc.value.status == 404
