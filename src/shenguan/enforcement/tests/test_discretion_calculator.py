"""The calculator against the table's own rows, for entries of both Guangdong models picked
programmatically; the band moves and their clamps at the legal limits.

Expected values are read here from the published JSON with this file's own small readers (not
the importer's), so that a wrong reading in the importer shows up as a mismatch."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from shenguan.core.errors import DomainError
from shenguan.enforcement.discretion import testing
from shenguan.enforcement.discretion.calculation import percent
from shenguan.enforcement.discretion.calculator import calculate, calculate_for
from shenguan.enforcement.discretion.choices import BenchmarkModel, RowKind
from shenguan.enforcement.discretion.models import Benchmark, BenchmarkRow
from shenguan.enforcement.discretion.services import find_benchmark

pytestmark = pytest.mark.django_db
guangdong = testing.guangdong  # the real table, imported once for this module

BASE_AMOUNT = Decimal("3000000")  # a base for formulas that multiply one (总投资额, 违法所得 …)


# --- this file's own reading of the published text --------------------------------------------


def weight(text: str) -> Fraction:
    text = text.strip()
    if text.endswith("%"):
        return Fraction(Decimal(text[:-1])) / 100
    num, den = text.split("/")
    return Fraction(int(num), int(den))


def is_weight(text) -> bool:
    return bool(text) and bool(re.fullmatch(r"\s*\d+(\.\d+)?%\s*|\s*\d+/\d+\s*", str(text)))


def raw_weight_table(entry: dict) -> tuple[list[Fraction], dict[str, list[tuple[int, Fraction]]]]:
    """(starting weight per column, {factor: [(row number, weight), ...]}) from the raw rows."""
    starts: dict[int, Fraction] = {}
    factors: dict[str, list[tuple[int, Fraction]]] = {}
    last_factor = None
    for number, row in enumerate(entry["table_rows"], 1):
        if "裁量起点" in row[:2]:
            for j, cell in enumerate(row[3:]):
                if is_weight(cell):
                    starts[j] = weight(cell)
            continue
        weights = [c for c in row[3:] if is_weight(c)]
        if not weights or (row[0] or "").startswith("备注"):
            continue
        factor = row[1] or last_factor
        last_factor = factor
        factors.setdefault(factor, []).append((number, weight(weights[0])))
    return [starts[j] for j in sorted(starts)], factors


def note_text(entry: dict) -> str:
    if entry["note"]:
        return entry["note"]
    return "".join(
        "".join(c for c in row[1:] if c)
        for row in entry["table_rows"]
        if (row[0] or "").startswith("备注")
    )


def wan(text: str) -> Decimal:
    text = text.strip()
    if text.endswith("万"):
        return Decimal(text[:-1]) * 10000
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    if text.endswith("倍"):
        return Decimal(text[:-1])
    return Decimal(text)


def note_multiplier(entry: dict, label: str) -> tuple[Decimal, str]:
    """(multiplier, base name) of the formula for the scheme labelled ``label``."""
    clauses = re.findall(r"([^=＝；;。]*?)裁量百分值总和\s*[×xX]\s*([^；;。]+)", note_text(entry))
    if len(clauses) > 1:
        last = label.split(" · ")[-1].removeprefix("对").rstrip("的")
        clauses = [(s, r) for s, r in clauses if last in s] or [
            (s, r) for s, r in clauses if "个人" in label and "个人" in s
        ]
    assert len(clauses) == 1, (entry["code"], label, clauses)
    multiplier, base = Decimal(1), ""
    for part in re.split(r"[×xX]", clauses[0][1]):
        part = part.strip()
        if re.match(r"^[\d.]+(万|%|倍)?$", part):
            multiplier *= wan(part)
        else:
            base = part
    return multiplier, base


def fine_range(text: str) -> tuple[Decimal | None, Decimal | None] | None:
    """The common shapes only: 「A万元以上B万元以下」「A万元」「A元以上B元以下」「A元」「A万元以下」."""
    t = re.sub(r"\s", "", text)
    unit = {"万元": Decimal(10000), "元": Decimal(1)}
    if m := re.fullmatch(r"([\d.]+)(万元|元)以上([\d.]+)(万元|元)以下", t):
        return Decimal(m[1]) * unit[m[2]], Decimal(m[3]) * unit[m[4]]
    if m := re.fullmatch(r"([\d.]+)(万元|元)", t):
        return Decimal(m[1]) * unit[m[2]], Decimal(m[1]) * unit[m[2]]
    if m := re.fullmatch(r"([\d.]+)(万元|元)以下", t):
        return None, Decimal(m[1]) * unit[m[2]]
    return None


# --- percentage_weight -------------------------------------------------------------------------


def test_percentage_weight_entries_match_their_own_rows(guangdong):
    chosen = list(
        Benchmark.objects.filter(
            table=guangdong.table, model=BenchmarkModel.PERCENTAGE_WEIGHT
        ).order_by("position")
    )[::5]
    assert len(chosen) >= 9
    checked = 0
    for n, bench in enumerate(chosen):
        entry = guangdong.entries[bench.position - 1]
        starts, factors = raw_weight_table(entry)
        assert len(starts) == len(bench.schemes), bench.code
        # one degree per factor, varied from entry to entry
        picks = [rows[(n + i) % len(rows)] for i, rows in enumerate(factors.values())]
        for k, scheme in enumerate(bench.schemes):
            calc = calculate(
                bench,
                positions=[p for p, _ in picks],
                scheme=scheme["key"],
                base_amount=BASE_AMOUNT,
            )
            total = starts[k] + sum(w for _, w in picks)
            assert calc.weight_total == percent(total), bench.code
            assert calc.start_weight == percent(starts[k])
            used = [r.position for r in calc.rows if r.kind == RowKind.FACTOR]
            assert used == sorted(p for p, _ in picks)
            note = note_text(entry)
            applied = total
            if "按100%计算" not in note:
                assert calc.weight_applied == percent(total)
            elif len(bench.schemes) == 1 and total > 1:
                applied = Fraction(1)
                assert calc.weight_applied == "100%"
            if "不足20%的，按20%计算" in note and total < Fraction(1, 5):
                applied = Fraction(1, 5)
                assert calc.weight_applied == "20%"
            if calc.weight_applied != percent(applied):  # a cap of another scheme's subject
                assert len(bench.schemes) > 1
                applied = Fraction(calc.weight_applied.rstrip("%")) / 100
            multiplier, base = note_multiplier(entry, scheme["label"])
            assert calc.base == base, bench.code
            base_value = BASE_AMOUNT if base else Decimal(1)
            if base and calc.base_applied != BASE_AMOUNT:  # the statute's floor on the base
                assert calc.base_applied > BASE_AMOUNT
                base_value = calc.base_applied
            expected = (
                Decimal(applied.numerator) / Decimal(applied.denominator) * multiplier * base_value
            ).quantize(Decimal("0.01"))
            assert calc.amount_computed == expected, bench.code
            lo, hi = Decimal(calc.legal["min_amount"]), Decimal(calc.legal["max_amount"])
            assert calc.legal["text"] in re.sub(r"\s", "", bench.penalty_basis).replace(
                "（", "("
            ).replace("）", ")")
            assert calc.amount == min(max(expected, lo), hi)
            assert calc.clamped == (calc.amount != expected)
            checked += 1
    assert checked == sum(len(b.schemes) for b in chosen) > len(chosen)


def test_every_percentage_weight_entry_gives_its_lowest_and_highest_sums(guangdong):
    for bench in Benchmark.objects.filter(
        table=guangdong.table, model=BenchmarkModel.PERCENTAGE_WEIGHT
    ):
        starts, factors = raw_weight_table(guangdong.entries[bench.position - 1])
        for choose in (min, max):
            picks = [choose(rows, key=lambda r: r[1]) for rows in factors.values()]
            calc = calculate(
                bench,
                positions=[p for p, _ in picks],
                scheme=bench.schemes[0]["key"],
                base_amount=BASE_AMOUNT,
            )
            assert calc.weight_total == percent(starts[0] + sum(w for _, w in picks)), bench.code
            assert calc.amount is not None


def test_a_floor_on_the_base_is_applied(guangdong):
    """§4.7: 「所需处置费用不足十万元的，按十万元计算」 (固体废物污染环境防治法 art 102)."""
    bench = find_benchmark(guangdong.table, "§4.7")
    _, factors = raw_weight_table(guangdong.entries[bench.position - 1])
    picks = [rows[0][0] for rows in factors.values()]
    small = calculate(bench, positions=picks, base_amount=50000)
    assert small.base_amount == 50000 and small.base_applied == 100000
    large = calculate(bench, positions=picks, base_amount=200000)
    assert large.base_applied == 200000
    assert large.amount_computed == 2 * small.amount_computed


# --- fine_band ---------------------------------------------------------------------------------


def raw_fine_cell(entry: dict, number: int) -> str | None:
    row = entry["table_rows"][number - 1]
    header = entry["table_header"]
    fines = [i for i, h in enumerate(header) if h and ("罚款" in h or "处罚标准" in h)]
    if len(row) == len(header):
        return row[fines[0]]
    return row[len(row) - len(fines)]


def test_fine_band_entries_match_their_own_rows(guangdong):
    chosen = list(
        Benchmark.objects.filter(table=guangdong.table, model=BenchmarkModel.FINE_BAND).order_by(
            "position"
        )
    )[::40]
    assert len(chosen) >= 6
    compared = numeric = 0
    for bench in chosen:
        entry = guangdong.entries[bench.position - 1]
        for row in bench.rows.filter(kind=RowKind.BAND).order_by("position"):
            if "并入" in row.note:
                continue  # merged with a page-break fragment; see the continuation test
            calc = calculate(bench, positions=[row.position])
            raw = raw_fine_cell(entry, row.position)
            assert calc.range.text == raw, (bench.code, row.position)
            assert [r.position for r in calc.rows] == [row.position]
            assert calc.rows[0].id == row.pk
            compared += 1
            expected = fine_range(raw)
            if expected is not None:
                assert (calc.range.min, calc.range.max) == expected, (bench.code, raw)
                numeric += 1
            assert not calc.range.moved and not calc.no_penalty
    assert compared >= 30 and numeric >= 25


def test_every_fine_band_entry_reads_its_first_and_last_band(guangdong):
    for bench in Benchmark.objects.filter(table=guangdong.table, model=BenchmarkModel.FINE_BAND):
        entry = guangdong.entries[bench.position - 1]
        bands = list(bench.rows.filter(kind=RowKind.BAND).exclude(note__contains="并入"))
        for row in (bands[0], bands[-1]):
            calc = calculate(bench, positions=[row.position])
            assert calc.range.text == raw_fine_cell(entry, row.position), bench.code
            expected = fine_range(calc.range.text)
            if expected is not None and not row.note:
                assert (calc.range.min, calc.range.max) == expected, bench.code


def test_a_row_split_by_a_page_break_is_read_whole(guangdong):
    """§1.3 row 3 「3万元以上5万元」 continues in row 4 「以下」."""
    bench = find_benchmark(guangdong.table, "§1.3")
    row3 = bench.rows.get(position=3)
    assert row3.fine_text == "3万元以上5万元以下"
    assert "限期内完成备案手续" in row3.degree
    assert bench.rows.get(position=4).kind == RowKind.CONTINUATION
    calc = calculate(bench, positions=[3])
    assert (calc.range.min, calc.range.max) == (Decimal(30000), Decimal(50000))
    with pytest.raises(DomainError):
        calculate(bench, positions=[4])


def test_several_circumstances_take_the_heaviest(guangdong):
    bench = find_benchmark(guangdong.table, "§8.35")
    rows = list(bench.rows.filter(kind=RowKind.BAND).order_by("position"))
    calc = calculate(bench, positions=[rows[0].position, rows[2].position])
    heavier = max(rows[0], rows[2], key=lambda r: (r.fine_max, r.fine_min))
    assert (calc.range.min, calc.range.max) == (heavier.fine_min, heavier.fine_max)
    assert len(calc.rows) == 2


def test_a_second_fine_column_is_returned_too(guangdong):
    """§6.11 fines the unit and the persons responsible; the persons' fine is a merged cell."""
    bench = find_benchmark(guangdong.table, "§6.11")
    calc = calculate(bench, positions=[3])
    assert [r.column for r in calc.ranges] == [c["name"] for c in bench.fine_columns]
    assert calc.ranges[1].text == guangdong.entries[bench.position - 1]["table_rows"][0][4]


def test_a_multiple_of_a_base_gives_yuan_once_the_base_is_known(guangdong):
    bench = find_benchmark(guangdong.table, "§3.20")
    row = bench.rows.filter(kind=RowKind.BAND).order_by("position").first()
    calc = calculate(bench, positions=[row.position], base_amount=1000000)
    assert calc.range.base == "货值金额"
    assert calc.range.min_amount == row.fine_min * 1000000
    assert calc.range.max_amount == row.fine_max * 1000000
    without = calculate(bench, positions=[row.position])
    assert without.range.min_amount is None and without.notes


# --- band moves and the legal limits ------------------------------------------------------------


def _distinct_bands(bench: Benchmark) -> list[tuple[Decimal, Decimal]]:
    rows = BenchmarkRow.objects.filter(
        benchmark=bench, kind=RowKind.BAND, fine_base="", fine_min__isnull=False
    )
    return sorted(
        {(r.fine_min, r.fine_max if r.fine_max is not None else r.fine_min) for r in rows}
    )


def _statute_entries(guangdong, minimum=3) -> list[Benchmark]:
    found = []
    for bench in Benchmark.objects.filter(
        table=guangdong.table, model=BenchmarkModel.FINE_BAND, limits_source="statute"
    ).order_by("position"):
        if bench.legal_base == "" and len(_distinct_bands(bench)) >= minimum:
            found.append(bench)
    return found


def _row_with(bench, band) -> BenchmarkRow:
    for row in bench.rows.filter(kind=RowKind.BAND, fine_base="").order_by("position"):
        if (row.fine_min, row.fine_max if row.fine_max is not None else row.fine_min) == band:
            return row
    raise AssertionError(band)


def test_mitigating_and_aggravating_move_one_band(guangdong):
    entries = _statute_entries(guangdong)[::20]
    assert len(entries) >= 5
    for bench in entries:
        bands = _distinct_bands(bench)
        middle = bands[len(bands) // 2]
        row = _row_with(bench, middle)
        down = calculate(bench, positions=[row.position], mitigating=["主动消除违法后果"])
        up = calculate(bench, positions=[row.position], aggravating=["拒不配合调查"])
        both = calculate(bench, positions=[row.position], mitigating=["a"], aggravating=["b"])
        i = bands.index(middle)
        assert (down.range.min, down.range.max) == bands[i - 1], bench.code
        assert (up.range.min, up.range.max) == bands[i + 1], bench.code
        assert (both.range.min, both.range.max) == middle
        assert down.band_move == -1 and up.band_move == 1 and both.band_move == 0


def test_moves_never_leave_the_legal_range(guangdong):
    for bench in _statute_entries(guangdong, minimum=2):
        bands = _distinct_bands(bench)
        lowest, highest = _row_with(bench, bands[0]), _row_with(bench, bands[-1])
        down = calculate(bench, positions=[lowest.position], mitigating=["x"])
        up = calculate(bench, positions=[highest.position], aggravating=["x"])
        legal_min = bench.legal_min or Decimal(0)
        assert down.range.min is None or down.range.min >= legal_min, bench.code
        assert up.range.max <= bench.legal_max, bench.code
        if bands[0][0] == legal_min:  # the lowest band already starts at the legal minimum
            assert (down.range.min, down.range.max) == bands[0]
            assert down.clamped
        else:  # there is room down to the legal minimum, and no further
            assert (down.range.min, down.range.max) == (legal_min, bands[0][0])
        if bands[-1][1] == bench.legal_max:
            assert (up.range.min, up.range.max) == bands[-1]
            assert up.clamped
        else:
            assert (up.range.min, up.range.max) == (bands[-1][1], bench.legal_max)


def _extremes(guangdong, code):
    bench = find_benchmark(guangdong.table, code)
    _, factors = raw_weight_table(guangdong.entries[bench.position - 1])
    low = [min(rows, key=lambda r: r[1])[0] for rows in factors.values()]
    high = [max(rows, key=lambda r: r[1])[0] for rows in factors.values()]
    return bench, low, high


@pytest.mark.parametrize("code", ["§2.5.1", "§3.8", "§1.9"])
def test_weighted_amounts_move_by_one_band_within_the_legal_range(guangdong, code):
    bench, low, high = _extremes(guangdong, code)
    scheme = bench.schemes[0]
    legal_min = Decimal(scheme["limits"]["min"])
    legal_max = Decimal(scheme["limits"]["max"])
    width = (legal_max - legal_min) / guangdong.table.band_count
    plain_low = calculate(bench, positions=low)
    down = calculate(bench, positions=low, mitigating=["x"])
    assert down.amount == legal_min  # never below the legal minimum
    assert down.amount <= plain_low.amount and down.clamped
    plain_high = calculate(bench, positions=high)
    up = calculate(bench, positions=high, aggravating=["x"])
    assert up.amount == legal_max and up.clamped  # never above the legal maximum
    assert plain_high.amount <= legal_max
    # in between: exactly one band
    middle = calculate(bench, positions=[low[0], *high[1:]])
    if legal_min + width <= middle.amount <= legal_max - width:
        moved_down = calculate(bench, positions=[low[0], *high[1:]], mitigating=["x"])
        moved_up = calculate(bench, positions=[low[0], *high[1:]], aggravating=["x"])
        assert moved_down.amount == (middle.amount - width).quantize(Decimal("0.01"))
        assert moved_up.amount == (middle.amount + width).quantize(Decimal("0.01"))


# --- refusals -----------------------------------------------------------------------------------


def test_weighted_input_is_checked(guangdong):
    bench, low, _ = _extremes(guangdong, "§2.5.1")
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=low[:-1])
    assert exc.value.code == "factor_missing"
    rows = list(bench.rows.filter(kind=RowKind.FACTOR).order_by("position"))
    same_factor = [r.position for r in rows if r.factor == rows[0].factor][:2]
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=[*low, same_factor[1]])
    assert exc.value.code == "factor_twice"
    start = bench.rows.get(kind=RowKind.START)
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=[*low, start.position])
    assert exc.value.code == "not_a_factor"
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=low, harm="dreadful")
    assert exc.value.code == "invalid_harm"


def test_a_table_with_several_weight_columns_needs_one_chosen(guangdong):
    bench, low, _ = _extremes(guangdong, "§1.8")
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=low)
    assert exc.value.code == "scheme_required" and "逾期未改正" in exc.value.message
    by_label = calculate(bench, positions=low, scheme="对个人")
    by_key = calculate(bench, positions=low, scheme=bench.schemes[-1]["key"])
    assert by_label.amount == by_key.amount
    assert by_label.scheme["label"] == "对个人"


def test_a_base_is_needed_when_the_formula_multiplies_one(guangdong):
    bench, low, _ = _extremes(guangdong, "§1.1")
    with pytest.raises(DomainError) as exc:
        calculate(bench, positions=low)
    assert exc.value.code == "base_required" and "总投资额" in exc.value.message


def test_rows_of_another_benchmark_are_not_found(guangdong):
    bench = find_benchmark(guangdong.table, "§1.3")
    other = find_benchmark(guangdong.table, "§1.4").rows.first()
    with pytest.raises(DomainError) as exc:
        calculate(bench, rows=[other.pk])
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        calculate(bench)
    assert exc.value.code == "rows_required"


def test_a_code_printed_twice_needs_its_position(guangdong):
    with pytest.raises(DomainError) as exc:
        find_benchmark(guangdong.table, "§8.17")
    assert exc.value.code == "ambiguous_code"
    twins = list(Benchmark.objects.filter(table=guangdong.table, code="§8.17"))
    assert len(twins) == 2
    assert find_benchmark(guangdong.table, "§8.17", twins[1].position) == twins[1]


def test_the_calculation_is_json_safe_and_complete(guangdong):
    import json

    bench, low, _ = _extremes(guangdong, "§1.1")
    data = calculate(bench, positions=low, base_amount="12345678.9", mitigating=["x"]).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["table"] == {
        "id": guangdong.table.pk,
        "name": guangdong.table.name,
        "version": guangdong.table.version,
    }
    assert data["benchmark"]["code"] == "§1.1"
    assert all({"id", "position", "text"} <= set(r) for r in data["rows"])
    assert data["formula"] and data["inputs"]["base_amount"] == "12345678.9"


def test_the_documented_example(guangdong):
    """docs/discretion-format.md: §1.9 with 限期内未改正, 不如实公开, 5天以下."""
    bench = find_benchmark(guangdong.table, "§1.9")
    calc = calculate(bench, positions=[3, 5, 7])
    assert calculate_for(guangdong.table, "§1.9", positions=[3, 5, 7]) == calc
    assert calc.weight_total == "85%"
    assert calc.amount == Decimal("170000")
    assert not calc.clamped
