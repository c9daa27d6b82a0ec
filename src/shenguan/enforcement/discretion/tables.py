"""One published benchmark entry → its model, its rows by kind, its weight schemes or fine
columns, and the legal limits each is held to. Pure functions, no database.

The shape of an entry (see docs/discretion-format.md)::

    {"code": "§1.1", "chapter": …, "violation": …, "violated_provision": …,
     "penalty_basis": …, "table_header": [...], "table_rows": [[...], ...],
     "note": … | null, "pdf_page": 16, "model": "fine_band" | "percentage_weight" (optional)}

What the PDF extraction left behind and how it is read (each case leaves a note on the entry
or the row, so an administrator can see what was read generously):

* a row whose first cell is empty, before the table body: text of the fields above that spilled
  into the table (kind ``stray``); it is kept, and used when reading the statutory range;
* a row with no fine (fine_band) or no weight (percentage_weight) after the body started: the
  rest of the row above, split at a page break (kind ``continuation``), merged column by column
  into that row; a fine cell that is only 「以下」 counts as such a fragment;
* a 「备注：」 row: the note, which holds the formula when the ``note`` field is empty;
* 裁量起点 rows with labels (限期内改正 / 逾期未改正, 对单位 / 对个人): one weight scheme per
  column; a factor's single weight applies to every scheme (a merged cell in the PDF);
* a secondary fine column (对个人罚款) left empty under a value: a merged cell; the value above
  applies, and the row says where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .choices import BenchmarkModel, RowKind
from .parsing import (
    Amount,
    Limits,
    decimal_text,
    normalise_subject,
    parse_amount,
    parse_base_floor,
    parse_caps,
    parse_formulas,
    parse_statutory_ranges,
    parse_weight,
)

START = "裁量起点"
MODEL_INFERRED = "模式由表格内容推定"
REQUIRED_TEXT = ("code", "violation", "penalty_basis")
ENTRY_FIELDS = (
    "code",
    "chapter",
    "violation",
    "violated_provision",
    "penalty_basis",
    "table_header",
    "table_rows",
    "note",
    "pdf_page",
    "model",
)


class EntryFault(Exception):
    """A fault that makes the entry unusable; ``row`` is the 1-based table row, if any."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass
class ParsedRow:
    position: int
    cells: list
    kind: str
    conduct: str = ""
    factor: str = ""
    degree: str = ""
    circumstances: list[dict] = field(default_factory=list)
    weight_text: str = ""
    weight: Fraction | None = None
    weights: dict[str, str] = field(default_factory=dict)
    fines: list[dict] = field(default_factory=list)
    continues: int | None = None
    note: str = ""

    @property
    def fine(self) -> Amount | None:
        return Amount.from_dict(self.fines[0]) if self.fines else None


@dataclass
class ParsedBenchmark:
    position: int
    source: dict
    code: str
    chapter: str
    violation: str
    violated_provision: str
    penalty_basis: str
    note: str
    pdf_page: int | None
    header: list
    model: str
    model_given: bool
    rows: list[ParsedRow]
    schemes: list[dict] = field(default_factory=list)
    fine_columns: list[dict] = field(default_factory=list)
    statutory_ranges: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def primary_limits(self) -> Limits:
        holder = self.schemes or self.fine_columns
        return Limits.from_dict(holder[0]["limits"]) if holder else Limits()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _is_start(row: list) -> bool:
    return any(_text(c) == START for c in row[:2])


def infer_model(rows: list[list]) -> str:
    """A table with a 裁量起点 row is a percentage_weight table; any other, fine_band. (The
    header is not enough: §2.27 of the Guangdong table has a fine_band header over weights.)"""
    return (
        BenchmarkModel.PERCENTAGE_WEIGHT
        if any(_is_start(r) for r in rows)
        else BenchmarkModel.FINE_BAND
    )


def _check_shape(entry, position: int) -> None:
    if not isinstance(entry, dict):
        raise EntryFault("条目不是对象")
    for name in REQUIRED_TEXT:
        if not _text(entry.get(name)):
            raise EntryFault(f"缺少「{name}」")
    header, rows = entry.get("table_header"), entry.get("table_rows")
    if not isinstance(header, list) or not header:
        raise EntryFault("table_header 不是非空数组")
    if not isinstance(rows, list) or not rows:
        raise EntryFault("table_rows 不是非空数组")
    for i, row in enumerate(rows, 1):
        if not isinstance(row, list) or not row:
            raise EntryFault("表格行不是非空数组", i)
        for cell in row:
            if cell is not None and not isinstance(cell, str | int | float):
                raise EntryFault("单元格只能是文字、数字或 null", i)
    model = entry.get("model")
    if model not in (None, "", *BenchmarkModel.values):
        raise EntryFault(f"未知的 model「{model}」（应为 fine_band 或 percentage_weight）")
    page = entry.get("pdf_page")
    if page is not None and (not isinstance(page, int) or page < 0):
        raise EntryFault("pdf_page 应为非负整数")


def _cells(row: list) -> list:
    return [None if c is None or _text(c) == "" else _text(c) for c in row]


def _merge_into(target: list, fragment: list) -> list:
    """A row split at a page break: append each fragment cell to the cell above it, unless the
    PDF repeated the same text (merged cells are repeated on every row)."""
    merged = list(target) + [None] * max(0, len(fragment) - len(target))
    for j, cell in enumerate(fragment):
        if cell is None or cell == merged[j]:
            continue
        merged[j] = (merged[j] or "") + cell
    return merged


def parse_entry(entry: dict, position: int) -> ParsedBenchmark:
    """Structure one entry, or raise ``EntryFault``."""
    _check_shape(entry, position)
    rows = [_cells(r) for r in entry["table_rows"]]
    given = entry.get("model") or ""
    inferred = infer_model(rows)
    if given and given != inferred:
        first_start = next((i for i, r in enumerate(rows, 1) if _is_start(r)), None)
        if given == BenchmarkModel.FINE_BAND:
            raise EntryFault("声明为 fine_band，但有「裁量起点」行", first_start)
        raise EntryFault("声明为 percentage_weight，但没有「裁量起点」行")
    parsed = ParsedBenchmark(
        position=position,
        source={k: entry.get(k) for k in ENTRY_FIELDS if k in entry},
        code=_text(entry["code"]),
        chapter=_text(entry.get("chapter")),
        violation=_text(entry["violation"]),
        violated_provision=_text(entry.get("violated_provision")),
        penalty_basis=_text(entry["penalty_basis"]),
        note=_text(entry.get("note")),
        pdf_page=entry.get("pdf_page"),
        header=list(entry["table_header"]),
        model=given or inferred,
        model_given=bool(given),
        rows=[],
    )
    if not given:
        parsed.notes.append(f"{MODEL_INFERRED}为 {parsed.model}")
    if parsed.model == BenchmarkModel.PERCENTAGE_WEIGHT:
        _weight_table(parsed, rows)
    else:
        _band_table(parsed, rows)
    return parsed


# --- percentage_weight --------------------------------------------------------------------------

WEIGHT_FROM = 3  # 违法行为 | 裁量要素 | 违法程度 | 裁量权重 …


def _weight_table(parsed: ParsedBenchmark, rows: list[list]) -> None:
    body_started = False
    start_rows: list[tuple[int, list]] = []
    data: list[ParsedRow] = []
    for i, cells in enumerate(rows, 1):
        first = cells[0] or ""
        if first.startswith("备注"):
            text = "".join(c for c in cells[1:] if c)
            parsed.rows.append(ParsedRow(i, cells, RowKind.NOTE, note=text))
            if not parsed.note:
                parsed.note = text
                parsed.notes.append(f"公式取自表内第 {i} 行备注")
            continue
        if _is_start(cells):
            body_started = True
            start_rows.append((i, cells))
            has_weight = any(parse_weight(c) is not None for c in cells[WEIGHT_FROM:])
            kind = RowKind.START if has_weight else RowKind.LABELS
            parsed.rows.append(ParsedRow(i, cells, kind, conduct=_conduct(cells)))
            continue
        weight_cells = [c for c in cells[WEIGHT_FROM:] if c is not None]
        if not weight_cells:
            if not body_started or cells[0] is None and not data:
                parsed.rows.append(ParsedRow(i, cells, RowKind.STRAY, note="表外文字"))
                continue
            if not data:
                raise EntryFault("续行之前没有裁量要素行", i)
            prev = data[-1]
            prev_cells = _merge_into([prev.conduct, prev.factor, prev.degree], cells[:WEIGHT_FROM])
            prev.conduct, prev.factor, prev.degree = (_text(c) for c in prev_cells[:3])
            prev.circumstances = [{"name": prev.factor, "value": prev.degree}]
            prev.note = _join(prev.note, f"已并入第 {i} 行（分页续行）")
            parsed.rows.append(ParsedRow(i, cells, RowKind.CONTINUATION, continues=prev.position))
            continue
        if not start_rows:
            raise EntryFault("裁量要素行出现在「裁量起点」之前", i)
        values = [parse_weight(c) for c in weight_cells]
        if any(v is None for v in values):
            bad = weight_cells[values.index(None)]
            raise EntryFault(f"裁量权重「{bad}」无法读取（应为 20% 或 1/3 之类）", i)
        if len(set(values)) > 1:
            raise EntryFault("同一要素行给出了不同的裁量权重", i)
        row = ParsedRow(
            i,
            cells,
            RowKind.FACTOR,
            conduct=_conduct(cells),
            factor=_text(cells[1]),
            degree=_text(cells[2]) if len(cells) > 2 else "",
            weight_text=weight_cells[0],
            weight=values[0],
        )
        if not row.factor and data:
            # the factor cell is merged over rows that a page break separated
            row.factor = data[-1].factor
            row.note = f"裁量要素为合并单元格，取第 {data[-1].position} 行"
        if not row.factor or not row.degree:
            raise EntryFault("裁量要素行缺少要素或违法程度", i)
        row.circumstances = [{"name": row.factor, "value": row.degree}]
        parsed.rows.append(row)
        data.append(row)
    if not start_rows or not any(r.kind == RowKind.START for r in parsed.rows):
        raise EntryFault("「裁量起点」行没有可读的起点权重")
    if not data:
        raise EntryFault("没有裁量要素行")
    parsed.schemes = _schemes(parsed, start_rows)
    _formulas_and_limits(parsed)
    parsed.rows.sort(key=lambda r: r.position)


def _conduct(cells: list) -> str:
    first = _text(cells[0])
    return "" if first == START else first


def _join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def _schemes(parsed: ParsedBenchmark, start_rows: list[tuple[int, list]]) -> list[dict]:
    """One scheme per column of starting weights; its label is the labels above it."""
    width = max(len(cells) for _, cells in start_rows) - WEIGHT_FROM
    labels: list[list[str]] = [[] for _ in range(width)]
    starts: list[tuple[str, Fraction] | None] = [None] * width
    for _, cells in start_rows:
        region = list(cells[WEIGHT_FROM:]) + [None] * (width - len(cells[WEIGHT_FROM:]))
        is_label_row = any(c is not None and parse_weight(c) is None for c in region)
        carry = None
        for j, cell in enumerate(region):
            weight = parse_weight(cell)
            if weight is not None:
                starts[j] = (cell, weight)
                carry = None
            elif cell is not None and cell != "/":
                labels[j].append(cell)
                carry = cell
            elif cell is None and is_label_row and carry is not None and starts[j] is None:
                # a group label over several columns (「对单位」 over 限期内改正 / 逾期未改正)
                labels[j].append(carry)
    schemes = []
    for j in range(width):
        if starts[j] is None:
            continue
        text, weight = starts[j]
        schemes.append(
            {
                "key": str(len(schemes) + 1),
                "column": j,
                "label": " · ".join(dict.fromkeys(labels[j])),
                "label_parts": list(dict.fromkeys(labels[j])),
                "start_text": text,
                "start_weight": decimal_text(weight),
            }
        )
    start_row = next(r for r in parsed.rows if r.kind == RowKind.START)
    start_row.weights = {s["key"]: s["start_text"] for s in schemes}
    start_row.weight_text = schemes[0]["start_text"]
    start_row.weight = parse_weight(schemes[0]["start_text"])
    return schemes


def _match(subject: str, scheme: dict, single: bool) -> bool:
    wanted = normalise_subject(subject)
    if not wanted:
        return single
    for part in scheme["label_parts"]:
        have = normalise_subject(part)
        if have and (have == wanted or have in wanted or wanted in have):
            return True
    return False


def _formulas_and_limits(parsed: ParsedBenchmark) -> None:
    formulas, problems = parse_formulas(parsed.note)
    parsed.notes.extend(problems)
    caps = parse_caps(parsed.note)
    single = len(parsed.schemes) == 1
    ranges = _statutory(parsed)
    for scheme in parsed.schemes:
        found = [f for f in formulas if _match(f.subject, scheme, single)]
        if single and not found and len(formulas) == 1:
            found = formulas
        if len(found) != 1:
            scheme.update(multiplier=None, base="", formula="", base_floor=None)
            parsed.notes.append(
                f"权重栏「{scheme['label'] or '裁量起点'}」未能从备注读出计算公式"
                if not found
                else f"权重栏「{scheme['label']}」对应多个公式"
            )
        else:
            f = found[0]
            floor = parse_base_floor(parsed.penalty_basis, f.base)
            scheme.update(
                multiplier=decimal_text(f.multiplier),
                base=f.base,
                formula=f.text,
                base_floor=decimal_text(floor),
            )
        scheme["min_weight"] = scheme["max_weight"] = None
        for cap in caps:
            if not cap.subject or _match(cap.subject, scheme, single):
                scheme[f"{cap.kind}_weight"] = decimal_text(cap.value)
        scheme["limits"] = _scheme_limits(scheme, ranges).as_dict()


def _statutory(parsed: ParsedBenchmark) -> list:
    stray = "".join(r.cells[1] or "" for r in parsed.rows if r.kind == RowKind.STRAY)
    ranges = parse_statutory_ranges(parsed.penalty_basis)
    extra = parse_statutory_ranges(stray) if stray else []
    if extra:
        parsed.notes.append("表内溢出的处罚依据文字已用于读取法定幅度")
    ranges = ranges + extra
    parsed.statutory_ranges = [r.as_dict() for r in ranges]
    if not ranges:
        parsed.notes.append("处罚依据中未读出法定罚款幅度")
    return ranges


def _scheme_limits(scheme: dict, ranges: list) -> Limits:
    """The statutory range whose ceiling is this scheme's 100 % (the tables are built so that
    100 % of the weight reaches the statutory maximum); otherwise the scheme's own span."""
    if scheme.get("multiplier") is None:
        return Limits(notes=["无计算公式"])
    ceiling = Decimal(scheme["multiplier"])
    person = "个人" in scheme["label"]
    candidates = [r for r in ranges if r.base == scheme["base"] and r.max == ceiling]
    if len(candidates) > 1:
        candidates = [r for r in candidates if r.person == person] or candidates
    if candidates:
        r = candidates[0]
        return Limits(r.min, r.max, r.base, "statute", r.text)
    start = Fraction(scheme["start_weight"])
    low = Decimal(start.numerator) / Decimal(start.denominator) * ceiling
    return Limits(low.quantize(Decimal("0.0001")), ceiling, scheme["base"], "table", "")


# --- fine_band --------------------------------------------------------------------------------


def _fine_columns(header: list) -> list[int]:
    return [
        i
        for i, h in enumerate(header)
        if i > 0 and h is not None and ("罚款" in str(h) or "处罚标准" in str(h))
    ]


_FRAGMENT = re.compile(r"^(以下|以上|元|万元|罚款|的罚款)+$")


def _band_table(parsed: ParsedBenchmark, rows: list[list]) -> None:
    header = [None if h is None else str(h).strip() for h in parsed.header]
    fine_idx = _fine_columns(header)
    if not fine_idx:
        fine_idx = [len(header) - 1]
        parsed.notes.append("表头未标明罚款栏，取最后一栏")
    fine_names = [header[i] or "罚款" for i in fine_idx]
    circ_idx = [i for i in range(1, len(header)) if i not in fine_idx]
    scales = [10000 if "（万）" in (header[i] or "") else 1 for i in fine_idx]
    data: list[ParsedRow] = []
    for i, cells in enumerate(rows, 1):
        aligned = _align(cells, header, fine_idx, circ_idx)
        first = cells[0] or ""
        fine_cell = aligned["fines"][0]
        if first.startswith("备注"):
            parsed.rows.append(
                ParsedRow(i, cells, RowKind.NOTE, note="".join(filter(None, cells[1:])))
            )
            continue
        fragment = fine_cell is None or bool(_FRAGMENT.match(re.sub(r"\s", "", fine_cell)))
        if fragment:
            if not data:
                parsed.rows.append(ParsedRow(i, cells, RowKind.STRAY, note="表外文字"))
                continue
            prev = data[-1]
            merged = _merge_into(prev.cells_aligned, aligned["flat"])
            _fill_band(prev, merged, header, fine_idx, circ_idx, fine_names, scales, data[:-1])
            prev.note = _join(prev.note, f"已并入第 {i} 行（分页续行）")
            parsed.rows.append(ParsedRow(i, cells, RowKind.CONTINUATION, continues=prev.position))
            continue
        row = ParsedRow(i, cells, RowKind.BAND)
        _fill_band(row, aligned["flat"], header, fine_idx, circ_idx, fine_names, scales, data)
        parsed.rows.append(row)
        data.append(row)
    if not data:
        raise EntryFault("没有可用的情形档次行")
    if not any(Amount.from_dict(f).numeric for r in data for f in r.fines):
        raise EntryFault("情形档次表中没有一个可读的罚款数额")
    for row in data:
        del row.cells_aligned
    parsed.fine_columns = _band_columns(parsed, data, fine_names)


def _align(cells: list, header: list, fine_idx: list[int], circ_idx: list[int]) -> dict:
    """Map a row onto the header. Short rows: a header column named null that the rows do not
    fill is dropped; otherwise the fines are the last cells and the circumstances come first."""
    width = len(header)
    flat = list(cells)
    if len(flat) < width:
        empty_headers = [i for i in range(1, width) if header[i] is None]
        if empty_headers and len(flat) == width - len(empty_headers):
            it = iter(flat)
            flat = [None if i in empty_headers else next(it) for i in range(width)]
        else:
            head, tail = flat[: len(flat) - len(fine_idx)], flat[len(flat) - len(fine_idx) :]
            flat = head + [None] * (width - len(flat)) + tail
    elif len(flat) > width:
        flat = flat[: width - 1] + ["".join(c for c in flat[width - 1 :] if c) or None]
    return {"flat": flat, "fines": [flat[i] for i in fine_idx]}


def _fill_band(row, flat, header, fine_idx, circ_idx, fine_names, scales, earlier) -> None:
    row.cells_aligned = flat
    row.conduct = _text(flat[0])
    row.circumstances = [
        {"name": header[i] or "", "value": flat[i]} for i in circ_idx if flat[i] is not None
    ]
    row.factor = " / ".join(c["name"] for c in row.circumstances if c["name"])
    row.degree = " / ".join(c["value"] for c in row.circumstances)
    fines, notes = [], []
    for k, (i, name, scale) in enumerate(zip(fine_idx, fine_names, scales, strict=True)):
        cell = flat[i]
        filled_from = None
        if cell is None and k > 0:
            above = next((r for r in reversed(earlier) if r.fines[k]["text"]), None)
            if above is not None:
                cell = above.fines[k]["text"]
                filled_from = above.fines[k]["filled_from"] or above.position
        amount = parse_amount(cell, default_scale=scale)
        entry = {"column": name, **amount.as_dict(), "filled_from": filled_from}
        fines.append(entry)
        if amount.note and cell:
            notes.append(f"{name}「{cell}」：{amount.note}")
        if filled_from:
            notes.append(f"{name}为合并单元格，取第 {filled_from} 行")
    row.fines = fines
    row.note = _join(*notes)


def _band_columns(parsed: ParsedBenchmark, data: list[ParsedRow], names: list[str]) -> list[dict]:
    ranges = _statutory(parsed)
    columns = []
    for k, name in enumerate(names):
        amounts = [Amount.from_dict(r.fines[k]) for r in data]
        numeric = [a for a in amounts if a.numeric]
        bases = {a.base for a in numeric}
        person = k > 0 or any(w in name for w in ("个人", "人员"))
        limits_by_base = {}
        for base in sorted(bases):
            limits_by_base[base or "yuan"] = _band_limits(
                [a for a in numeric if a.base == base], ranges, base, person
            ).as_dict()
        columns.append(
            {
                "key": str(k + 1),
                "name": name,
                "bases": sorted(bases),
                "limits": limits_by_base.get("yuan")
                or next(iter(limits_by_base.values()), Limits().as_dict()),
                "limits_by_base": limits_by_base,
            }
        )
    return columns


def _band_limits(amounts: list[Amount], ranges: list, base: str, person: bool) -> Limits:
    """The narrowest statutory range (same base) that holds every band of the column; else the
    column's own span, since nothing the table gives may be stepped past."""
    lo = min((a.min if a.min is not None else Decimal(0)) for a in amounts)
    hi_values = [a.max if a.max is not None else a.min for a in amounts]
    hi = max(v for v in hi_values if v is not None)
    fits = [r for r in ranges if r.base == base and (r.min or Decimal(0)) <= lo and r.max >= hi]
    if len(fits) > 1:
        fits = [r for r in fits if r.person == person] or fits
    if fits:
        best = min(fits, key=lambda r: r.max - (r.min or Decimal(0)))
        return Limits(best.min, best.max, base, "statute", best.text)
    table_min = None if all(a.min is None for a in amounts) else lo
    return Limits(table_min, hi, base, "table", "")
