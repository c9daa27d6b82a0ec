"""The discretion calculator: a benchmark plus the circumstances (fine_band) or the factors
(percentage_weight) → the allowed range or the amount, the rows used, the formula, and whether
the law says not to penalise at all. Reads only; a case stores ``Calculation.to_dict()`` as its
rationale and the legal reviewer reads it back.

Rules applied, in order:

1. fine_band: the chosen circumstance row gives the range (several rows: the heaviest one);
   percentage_weight: 裁量起点 + one degree per factor = the weight sum; the note's caps
   (「超过100%的，按100%计算」) apply; amount = sum × the note's multiplier (× the base amount,
   e.g. total investment, never below the statute's floor 「不足十万元的，按十万元计算」).
2. Local rule (DOMAIN.md §6): mitigating circumstances move the result down one band,
   aggravating ones up one band (both: no move); never below the legal minimum nor above the
   legal maximum. fine_band bands are the table's own ranges; percentage_weight bands split the
   legal range into ``table.band_count`` equal parts.
3. Legal limits: the statutory range read from the penalty basis; when none could be read, the
   table's own span (the result never leaves what the table gives).
4. No penalty (行政处罚法 art 33): minor + corrected in time + no harmful consequence → shall
   not; first offence + minor harm + corrected in time → may not; no fault proved → shall not;
   an entry of the no-penalty list whose conditions the officer confirmed → as the entry says.
   Not penalising means educating the party (art 33 ¶3)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from shenguan.core.errors import DomainError, NotFound

from .calculation import Calculation, FineRange, UsedRow, as_decimal, money, percent, yuan
from .choices import BenchmarkModel, ConditionMode, Harm, NoPenaltyOutcome, RowKind
from .models import Benchmark, BenchmarkRow, BenchmarkTable, NoPenaltyRule
from .parsing import Amount, Limits, decimal_text

# --- entry point --------------------------------------------------------------------------------


def calculate(
    benchmark: Benchmark,
    *,
    rows: Sequence[int] = (),
    positions: Sequence[int] = (),
    scheme: str | None = None,
    base_amount: Decimal | int | str | None = None,
    mitigating: Sequence[str] = (),
    aggravating: Sequence[str] = (),
    first_offence: bool = False,
    minor: bool = False,
    corrected: bool = False,
    harm: str | None = None,
    no_fault: bool = False,
    no_penalty_rule: int | None = None,
    conditions_met: Sequence[int] = (),
) -> Calculation:
    """Calculate for one benchmark. ``rows`` are BenchmarkRow ids, ``positions`` their table
    row numbers (either may be used): fine_band — the circumstance row(s); percentage_weight —
    one degree per factor. ``scheme`` picks the weight column when a table has several (限期内改正
    / 逾期未改正, 对单位 / 对个人), by key or label. ``base_amount`` is what the note's formula or
    the fine multiplies (总投资额, 所需处置费用, 违法所得 …). ``harm`` is a ``Harm`` value.
    ``no_penalty_rule`` is a NoPenaltyRule id of the same table; ``conditions_met`` the numbers
    (from 1) of its conditions the officer confirmed."""
    table = benchmark.table
    base = _decimal_input(base_amount)
    if harm not in (None, "", *Harm.values):
        raise DomainError(_("危害后果应为 none、minor 或 harmful"), code="invalid_harm")
    calc = Calculation(
        table={"id": table.pk, "name": table.name, "version": table.version},
        benchmark={
            "id": benchmark.pk,
            "code": benchmark.code,
            "position": benchmark.position,
            "violation": benchmark.violation,
            "penalty_basis": benchmark.penalty_basis,
        },
        model=benchmark.model,
        mitigating=[m for m in mitigating if m],
        aggravating=[a for a in aggravating if a],
        inputs={
            "rows": list(rows),
            "positions": list(positions),
            "scheme": scheme,
            "base_amount": decimal_text(base),
            "mitigating": list(mitigating),
            "aggravating": list(aggravating),
            "first_offence": first_offence,
            "minor": minor,
            "corrected": corrected,
            "harm": harm or "",
            "no_fault": no_fault,
            "no_penalty_rule": no_penalty_rule,
            "conditions_met": list(conditions_met),
        },
    )
    calc.band_move = (1 if calc.aggravating else 0) - (1 if calc.mitigating else 0)
    _no_penalty(calc, benchmark, first_offence, minor, corrected, harm, no_fault)
    _rule(calc, benchmark, no_penalty_rule, conditions_met)
    chosen = _chosen_rows(benchmark, rows, positions)
    if not chosen:
        if calc.no_penalty:
            calc.notes.append(_("未选择情形或要素：只判断是否不予处罚"))
            return calc
        raise DomainError(_("请选择适用的情形（或各裁量要素的违法程度）"), code="rows_required")
    if benchmark.model == BenchmarkModel.PERCENTAGE_WEIGHT:
        _weights(calc, benchmark, chosen, scheme, base)
    else:
        _bands(calc, benchmark, chosen, base)
    return calc


def calculate_for(
    table: BenchmarkTable, code: str, *, position: int | None = None, **inputs
) -> Calculation:
    """``calculate`` for the benchmark numbered ``code`` in one table version (a case holds
    the version it started under; ``services.table_in_force(name, day)`` finds it)."""
    from .services import find_benchmark

    return calculate(find_benchmark(table, code, position), **inputs)


def _decimal_input(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(_("基数金额不是数字"), code="invalid_base_amount")
    if not result.is_finite() or result < 0:
        raise DomainError(_("基数金额应为非负数"), code="invalid_base_amount")
    return result


def _chosen_rows(benchmark: Benchmark, ids: Sequence[int], positions: Sequence[int]) -> list:
    wanted_ids, wanted_pos = set(ids), set(positions)
    if not wanted_ids and not wanted_pos:
        return []
    found = list(
        BenchmarkRow.objects.filter(benchmark=benchmark).filter(
            _q(id__in=wanted_ids) | _q(position__in=wanted_pos)
        )
    )
    missing_ids = wanted_ids - {r.pk for r in found}
    missing_pos = wanted_pos - {r.position for r in found}
    if missing_ids or missing_pos:
        raise NotFound(
            _("基准 %(code)s 中没有这些行：%(rows)s")
            % {
                "code": benchmark.code,
                "rows": "、".join(
                    [f"id {i}" for i in sorted(missing_ids)]
                    + [f"第 {p} 行" for p in sorted(missing_pos)]
                ),
            }
        )
    return sorted(found, key=lambda r: r.position)


def _q(**kwargs):
    from django.db.models import Q

    return Q(**kwargs)


def _used(row: BenchmarkRow, weight: str = "") -> UsedRow:
    return UsedRow(
        id=row.pk,
        position=row.position,
        kind=row.kind,
        text=row.text,
        factor=row.factor,
        degree=row.degree,
        weight=weight or row.weight_text,
        fine=row.fine_text,
    )


# --- no penalty (行政处罚法 art 33) --------------------------------------------------------------


def _no_penalty(calc, benchmark, first_offence, minor, corrected, harm, no_fault) -> None:
    reasons = []
    if minor and corrected and harm == Harm.NONE:
        reasons.append(
            (
                NoPenaltyOutcome.SHALL,
                "行政处罚法第三十三条第一款",
                "违法行为轻微并及时改正，没有造成危害后果",
            )
        )
    if first_offence and corrected and harm in (Harm.NONE, Harm.MINOR):
        reasons.append(
            (NoPenaltyOutcome.MAY, "行政处罚法第三十三条第一款", "初次违法且危害后果轻微并及时改正")
        )
    if no_fault:
        reasons.append(
            (NoPenaltyOutcome.SHALL, "行政处罚法第三十三条第二款", "有证据足以证明没有主观过错")
        )
    for outcome, basis, text in reasons:
        _add_reason(calc, outcome, basis, text)
    calc.no_penalty_candidates = [
        {
            "id": rule.pk,
            "seq": rule.seq,
            "violation": rule.violation,
            "conditions": rule.conditions,
            "items": rule.condition_items,
            "mode": rule.condition_mode,
            "outcome": rule.outcome,
            "notes": rule.notes,
        }
        for rule in benchmark.no_penalty_rules.order_by("seq")
    ]


def _add_reason(calc: Calculation, outcome: str, basis: str, text: str) -> None:
    calc.no_penalty_reasons.append({"outcome": outcome, "basis": basis, "text": text})
    if outcome == NoPenaltyOutcome.SHALL or not calc.no_penalty:
        calc.no_penalty = outcome
    calc.education_required = True  # 行政处罚法 art 33 ¶3


def _rule(calc, benchmark, rule_id, conditions_met) -> None:
    if rule_id is None:
        if conditions_met:
            raise DomainError(_("确认了条件但没有指明不予处罚事项"), code="rule_required")
        return
    rule = NoPenaltyRule.objects.filter(pk=rule_id, table_id=benchmark.table_id).first()
    if rule is None:
        raise NotFound(_("本基准表中没有该不予处罚事项"))
    items = rule.condition_items
    met = set(conditions_met)
    bad = [n for n in met if not 1 <= n <= len(items)]
    if bad:
        raise DomainError(
            _("事项 %(seq)d 只有 %(n)d 项条件") % {"seq": rule.seq, "n": len(items)},
            code="invalid_condition",
        )
    if not rule.benchmarks.filter(pk=benchmark.pk).exists():
        calc.notes.append(
            _("不予处罚事项 %(seq)d 未与本基准对应，由执法人员认定适用") % {"seq": rule.seq}
        )
    satisfied = (
        met == set(range(1, len(items) + 1))
        if rule.condition_mode == ConditionMode.ALL
        else bool(met)
    )
    if satisfied:
        _add_reason(
            calc,
            rule.outcome,
            _("不予处罚清单第 %(seq)d 项") % {"seq": rule.seq},
            "；".join(items[n - 1] for n in sorted(met)),
        )
    else:
        missing = [str(n) for n in range(1, len(items) + 1) if n not in met]
        calc.notes.append(
            _("不予处罚清单第 %(seq)d 项的条件未全部满足（缺第 %(m)s 项）")
            % {"seq": rule.seq, "m": "、".join(missing) or "—"}
            if rule.condition_mode == ConditionMode.ALL
            else _("不予处罚清单第 %(seq)d 项的条件一项也未满足") % {"seq": rule.seq}
        )


# --- percentage_weight ---------------------------------------------------------------------------


def _pick_scheme(benchmark: Benchmark, key: str | None) -> dict:
    schemes = benchmark.schemes
    if key:
        found = benchmark.scheme(key)
        if found is None:
            raise DomainError(_("没有权重栏「%(k)s」") % {"k": key}, code="invalid_scheme")
        return found
    if len(schemes) == 1:
        return schemes[0]
    choices = "；".join(f"{s['key']}：{s['label']}" for s in schemes)
    raise DomainError(
        _("本基准有多个权重栏，请选择：%(c)s") % {"c": choices}, code="scheme_required"
    )


def _weights(calc, benchmark, chosen, scheme_key, base) -> None:
    scheme = _pick_scheme(benchmark, scheme_key)
    calc.scheme = {"key": scheme["key"], "label": scheme["label"]}
    factor_rows = list(BenchmarkRow.objects.filter(benchmark=benchmark, kind=RowKind.FACTOR))
    factors = list(dict.fromkeys(r.factor for r in factor_rows))
    bad = [r.position for r in chosen if r.kind != RowKind.FACTOR]
    if bad:
        raise DomainError(
            _("第 %(r)s 行不是裁量要素行") % {"r": "、".join(map(str, bad))}, code="not_a_factor"
        )
    seen: dict[str, BenchmarkRow] = {}
    for row in chosen:
        if row.factor in seen:
            raise DomainError(
                _("要素「%(f)s」选了两个程度（第 %(a)d、%(b)d 行）")
                % {"f": row.factor, "a": seen[row.factor].position, "b": row.position},
                code="factor_twice",
            )
        seen[row.factor] = row
    missing = [f for f in factors if f not in seen]
    if missing:
        raise DomainError(
            _("每个裁量要素都要选一个违法程度，还缺：%(f)s") % {"f": "、".join(missing)},
            code="factor_missing",
        )
    start = Fraction(scheme["start_weight"])
    start_row = BenchmarkRow.objects.filter(benchmark=benchmark, kind=RowKind.START).first()
    if start_row is not None:
        calc.rows.append(_used(start_row, scheme["start_text"]))
    total = start
    parts = [scheme["start_text"]]
    for row in chosen:
        weight = row.weight_for(scheme["key"])
        if weight is None:
            raise DomainError(_("第 %(r)d 行没有可用的权重") % {"r": row.position})
        total += weight
        parts.append(row.weight_text)
        calc.rows.append(_used(row))
    applied = total
    calc.start_weight, calc.weight_total = percent(start), percent(total)
    calc.formula.append(f"裁量百分值总和 = {' + '.join(parts)} = {percent(total)}")
    if scheme.get("max_weight") is not None and applied > Fraction(scheme["max_weight"]):
        applied = Fraction(scheme["max_weight"])
        calc.formula.append(f"超过 {percent(applied)}，按 {percent(applied)} 计算（表注）")
    if scheme.get("min_weight") is not None and applied < Fraction(scheme["min_weight"]):
        applied = Fraction(scheme["min_weight"])
        calc.formula.append(f"不足 {percent(applied)}，按 {percent(applied)} 计算（表注）")
    calc.weight_applied = percent(applied)
    if scheme.get("multiplier") is None:
        calc.notes.append(_("表注中没有可读的计算公式，只给出裁量百分值总和"))
        return
    multiplier = Decimal(scheme["multiplier"])
    calc.multiplier, calc.base = multiplier, scheme.get("base") or ""
    if scheme.get("formula"):
        calc.formula.insert(0, f"表注公式：{scheme['formula']}")
    factor_value = Decimal(1)
    if calc.base:
        if base is None:
            raise DomainError(
                _("本基准按「%(b)s」计算，请给出其金额") % {"b": calc.base}, code="base_required"
            )
        calc.base_amount = base
        applied_base = base
        floor = Decimal(scheme["base_floor"]) if scheme.get("base_floor") else None
        if floor is not None and base < floor:
            applied_base = floor
            calc.formula.append(f"{calc.base}不足 {yuan(floor)}，按 {yuan(floor)} 计算（处罚依据）")
        calc.base_applied = factor_value = applied_base
    computed = money(as_decimal(applied) * multiplier * factor_value)
    calc.amount_computed = computed
    base_part = f" × {calc.base} {yuan(calc.base_applied)}" if calc.base else ""
    calc.formula.append(
        f"罚款金额 = {percent(applied)} × {decimal_text(multiplier)}{base_part} = {yuan(computed)}"
    )
    limits = Limits.from_dict(scheme.get("limits"))
    lo, hi = _limit_amounts(limits, calc.base_applied)
    calc.legal = {
        **limits.as_dict(),
        "min_amount": decimal_text(lo),
        "max_amount": decimal_text(hi),
    }
    amount = computed
    if lo is not None and amount < lo:
        amount, calc.clamped = lo, True
        calc.formula.append(f"低于法定下限，按下限 {yuan(lo)}")
    if hi is not None and amount > hi:
        amount, calc.clamped = hi, True
        calc.formula.append(f"高于法定上限，按上限 {yuan(hi)}")
    amount = _move_amount(calc, amount, lo, hi, benchmark.table.band_count)
    calc.amount = money(amount)


def _limit_amounts(limits: Limits, base: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    factor = base if limits.base else Decimal(1)
    if limits.base and base is None:
        return None, None
    lo = limits.min * factor if limits.min is not None else None
    hi = limits.max * factor if limits.max is not None else None
    return (money(lo) if lo is not None else None, money(hi) if hi is not None else None)


def _move_amount(calc, amount: Decimal, lo, hi, band_count: int) -> Decimal:
    if not calc.band_move:
        if calc.mitigating and calc.aggravating:
            calc.formula.append("从轻与从重情节并存，不调整档次")
        return amount
    if hi is None:
        calc.notes.append(_("法定幅度未知，无法调整档次"))
        return amount
    floor = lo or Decimal(0)
    width = (hi - floor) / band_count
    moved = amount + width * calc.band_move
    word = "从重，上调一档" if calc.band_move > 0 else "从轻，下调一档"
    bounded = min(max(moved, floor), hi)
    calc.formula.append(
        f"{word}（档宽 = ({yuan(hi)} − {yuan(floor)}) ÷ {band_count} = {yuan(width)}）：{yuan(moved)}"
    )
    if bounded != moved:
        calc.clamped = True
        side = "上限" if calc.band_move > 0 else "下限"
        calc.formula.append(f"不得超出法定{side}，按 {yuan(bounded)}")
    return bounded


# --- fine_band ---------------------------------------------------------------------------------


def _band_key(amount: Amount) -> tuple[Decimal, Decimal]:
    lo = amount.min if amount.min is not None else Decimal(0)
    hi = amount.max if amount.max is not None else lo
    return lo, hi


def _bands(calc, benchmark, chosen, base) -> None:
    bad = [r.position for r in chosen if r.kind != RowKind.BAND]
    if bad:
        raise DomainError(
            _("第 %(r)s 行不是情形档次行") % {"r": "、".join(map(str, bad))}, code="not_a_band"
        )
    row = chosen[0]
    if len(chosen) > 1:
        numeric = [r for r in chosen if r.fine_amounts() and r.fine_amounts()[0][1].numeric]
        if numeric:
            row = max(numeric, key=lambda r: _band_key(r.fine_amounts()[0][1]))
        calc.notes.append(
            _("选择了 %(n)d 个情形，按其中较重的第 %(r)d 行裁量")
            % {"n": len(chosen), "r": row.position}
        )
    calc.rows = [_used(r) for r in chosen]
    calc.formula.append(f"第 {row.position} 行「{row.degree or row.conduct}」→ {row.fine_text}")
    all_rows = list(BenchmarkRow.objects.filter(benchmark=benchmark, kind=RowKind.BAND))
    columns = benchmark.fine_columns
    for k, (column, amount) in enumerate(row.fine_amounts()):
        info = columns[k] if k < len(columns) else {}
        by_base = info.get("limits_by_base") or {}
        limits = Limits.from_dict(by_base.get(amount.base or "yuan"))
        result = FineRange(
            column=column,
            text=amount.text,
            min=amount.min,
            max=amount.max,
            base=amount.base,
            table_min=amount.min,
            table_max=amount.max,
            limits=limits.as_dict(),
            note=amount.note,
        )
        if not amount.numeric:
            result.note = result.note or _("该栏不是数额，按原文执行")
            calc.ranges.append(result)
            continue
        same = sorted(
            {
                _band_key(a)
                for r in all_rows
                for j, (_c, a) in enumerate(r.fine_amounts())
                if j == k and a.numeric and a.base == amount.base
            }
        )
        _move_band(calc, result, amount, same, limits)
        _clamp(result, limits)
        if result.base and base is not None and result.base != "车次":
            result.min_amount = money(result.min * base) if result.min is not None else None
            result.max_amount = money(result.max * base) if result.max is not None else None
        elif not result.base:
            result.min_amount, result.max_amount = result.min, result.max
        calc.ranges.append(result)
        calc.clamped = calc.clamped or result.clamped
    first = calc.ranges[0] if calc.ranges else None
    if first is not None:
        calc.legal = first.limits
        if first.moved or first.clamped:
            calc.formula.append(f"调整后：{_range_text(first)}")
        if first.base and base is None and first.base != "车次":
            calc.notes.append(
                _("罚款按「%(b)s」的倍数计算，给出其金额即可算出元数") % {"b": first.base}
            )


def _range_text(r: FineRange) -> str:
    unit = f"倍（{r.base}）" if r.base else "元"
    lo = decimal_text(r.min) if r.min is not None else "—"
    hi = decimal_text(r.max) if r.max is not None else "—"
    return f"{lo} ~ {hi} {unit}"


def _move_band(calc, result: FineRange, amount: Amount, bands: list, limits: Limits) -> None:
    move = calc.band_move
    if not move:
        return
    key = _band_key(amount)
    index = bands.index(key)
    target = index + move
    if 0 <= target < len(bands):
        result.min, result.max = bands[target]
        result.moved = move
        word = "从轻，下调一档" if move < 0 else "从重，上调一档"
        calc.formula.append(f"{result.column}：{word}至 {_range_text(result)}")
        return
    if move < 0:
        lowest = bands[0][0]
        if limits.source == "statute" and limits.min is not None and limits.min < lowest:
            result.min, result.max, result.moved = limits.min, lowest, move
            calc.formula.append(
                f"{result.column}：从轻，低于最低档，至法定下限：{_range_text(result)}"
            )
        else:
            result.clamped = True
            calc.formula.append(f"{result.column}：已是最低档，不得低于法定下限，不再下调")
    else:
        highest = bands[-1][1]
        if limits.source == "statute" and limits.max is not None and limits.max > highest:
            result.min, result.max, result.moved = highest, limits.max, move
            calc.formula.append(
                f"{result.column}：从重，高于最高档，至法定上限：{_range_text(result)}"
            )
        else:
            result.clamped = True
            calc.formula.append(f"{result.column}：已是最高档，不得高于法定上限，不再上调")


def _clamp(result: FineRange, limits: Limits) -> None:
    if limits.source == "none":
        return
    if limits.min is not None and result.min is not None and result.min < limits.min:
        result.min, result.clamped = limits.min, True
    if limits.max is not None and result.max is not None and result.max > limits.max:
        result.max, result.clamped = limits.max, True
