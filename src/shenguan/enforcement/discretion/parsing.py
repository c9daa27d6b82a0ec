"""Reading the text of a benchmark table: amounts, weights, the note's formula and caps, and the
statutory ranges in the penalty basis. Pure functions, no database.

The published tables are PDF extractions: typos (「5万元以上10万元以上」), units that drift
(「11000元以上13000以下」), Chinese numerals in the statutes (「处十万元以上一百万元以下」).
Each reader returns what it understood plus a note saying what it read generously; what it
cannot read stays text, and the calculator says so instead of guessing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

# --- numbers ---------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "[零〇一二两三四五六七八九十百千]+"
NUM = rf"(?:\d+(?:\.\d+)?|{CN_NUM})"


def parse_number(text: str) -> Decimal:
    """``"20"``, ``"0.5"``, ``"二十"``, ``"一百"``, ``"五千"`` → Decimal (no 万: callers scale)."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    if not re.fullmatch(CN_NUM, text):
        raise ValueError(f"not a number: {text!r}")
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return Decimal(total + digit)


def decimal_text(value: Decimal | Fraction | None) -> str | None:
    """A number as plain text for JSON (no exponent, no trailing zeros)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    text = format(value.normalize(), "f")
    return text


def to_fraction(value: Decimal | Fraction | int | str | None) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return value
    return Fraction(str(value)) if not isinstance(value, Decimal) else Fraction(value)


# --- weights (percentage_weight tables) --------------------------------------------------------


def parse_weight(text: str | None) -> Fraction | None:
    """``"20%"`` → 1/5, ``"1/3"`` → 1/3, ``"0"`` → 0; anything else → None."""
    if text is None:
        return None
    t = re.sub(r"\s", "", str(text)).replace("％", "%")
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)%", t):
        return Fraction(Decimal(m.group(1))) / 100
    if m := re.fullmatch(r"(\d+)/(\d+)", t):
        if int(m.group(2)) == 0:
            return None
        return Fraction(int(m.group(1)), int(m.group(2)))
    if t == "0":
        return Fraction(0)
    return None


# --- amounts (fine cells) ----------------------------------------------------------------------

# The bases a fine may be a multiple or a rate of, as the tables and statutes name them; longest
# first so that 直接经济损失 wins over 直接损失.
BASES = (
    "上一年度从本单位取得的收入",
    "建设项目总投资额",
    "所需处置费用",
    "直接经济损失",
    "直接损失",
    "违法所得",
    "货值金额",
    "所收费用",
)
_BASE_RE = "|".join(BASES)

_TOKEN = re.compile(
    rf"(?P<pct>百分之(?P<pct_n>{NUM}))"
    rf"|(?P<frac>(?P<den>{NUM})分之(?P<num>{NUM}))"
    rf"|(?P<n>{NUM})\s*(?P<unit>万元元|元万|万元|万|元|倍|%)?"
)


@dataclass(frozen=True)
class Amount:
    """One fine as a table cell or a statute gives it. ``base`` empty: ``min``/``max`` are yuan;
    otherwise they multiply the named base (e.g. 违法所得 1–3 倍, 上一年度收入 0–10 %); a fine
    "per 车次" has base ``车次``. ``min`` None with ``max`` set reads「…以下」."""

    text: str
    min: Decimal | None = None
    max: Decimal | None = None
    base: str = ""
    warning: bool = False
    note: str = ""

    @property
    def numeric(self) -> bool:
        return self.min is not None or self.max is not None

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "min": decimal_text(self.min),
            "max": decimal_text(self.max),
            "base": self.base,
            "warning": self.warning,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Amount:
        return cls(
            text=data.get("text") or "",
            min=Decimal(data["min"]) if data.get("min") is not None else None,
            max=Decimal(data["max"]) if data.get("max") is not None else None,
            base=data.get("base") or "",
            warning=bool(data.get("warning")),
            note=data.get("note") or "",
        )


@dataclass
class _Tok:
    value: Decimal
    kind: str  # yuan | multiple | rate | bare
    scale: int
    start: int
    end: int
    odd_unit: str = ""


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        if m.group("pct"):
            out.append(_Tok(parse_number(m.group("pct_n")) / 100, "rate", 1, m.start(), m.end()))
        elif m.group("frac"):
            value = parse_number(m.group("num")) / parse_number(m.group("den"))
            out.append(_Tok(value, "rate", 1, m.start(), m.end()))
        else:
            unit = m.group("unit") or ""
            value = parse_number(m.group("n"))
            odd = unit if unit in ("万元元", "元万") else ""
            if unit in ("万元", "万", "万元元", "元万"):
                out.append(_Tok(value, "yuan", 10000, m.start(), m.end(), odd))
            elif unit == "元":
                out.append(_Tok(value, "yuan", 1, m.start(), m.end()))
            elif unit == "倍":
                out.append(_Tok(value, "multiple", 1, m.start(), m.end()))
            elif unit == "%":
                out.append(_Tok(value / 100, "rate", 1, m.start(), m.end()))
            else:
                out.append(_Tok(value, "bare", 1, m.start(), m.end()))
    return out


def _after(text: str, tok: _Tok, nxt: _Tok | None) -> str:
    return text[tok.end : nxt.start if nxt else len(text)]


def parse_amount(text: str | None, *, default_scale: int = 1) -> Amount:
    """A fine cell: ``"10万元以上20万元以下"``, ``"3万元"``, ``"违法所得1倍以上3倍以下"``,
    ``"500元/车次"``, ``"给予警告，可以并处1000元以下罚款"``. ``default_scale`` is the unit a
    column header sets for bare numbers (``罚款（万）`` → 10000)."""
    raw = "" if text is None else str(text)
    t = re.sub(r"\s", "", raw)
    warning = "警告" in t
    if not t or not re.search(rf"\d|{CN_NUM}", t):
        return Amount(raw, warning=warning, note="非数额" if t else "")
    base = ""
    if m := re.search(_BASE_RE, t):
        base = m.group(0)
    elif "车次" in t:
        base = "车次"
    # the base's own name may hold a numeral (上一年度…): read the numbers without it
    toks = _tokens(t.replace(base, "") if base else t)
    notes: list[str] = []
    if not toks or len(toks) > 2:
        return Amount(raw, warning=warning, base=base, note="未能读出数额")
    for odd in dict.fromkeys(tok.odd_unit for tok in toks if tok.odd_unit):
        notes.append(f"单位「{odd}」按「万元」读")
    # A token without a unit takes its partner's (「11000元以上13000以下」) or the column's.
    if len(toks) == 2:
        a, b = toks
        if a.kind == "bare" and b.kind != "bare":
            a.kind, a.scale = b.kind, b.scale
            notes.append("下限缺单位，按上限单位读")
        if b.kind == "bare" and a.kind != "bare":
            b.kind, b.scale = a.kind, a.scale
            notes.append("上限缺单位，按下限单位读")
    for tok in toks:
        if tok.kind == "bare":
            tok.kind, tok.scale = "yuan", default_scale
    kinds = {tok.kind for tok in toks}
    if len(kinds) > 1:
        return Amount(raw, warning=warning, base=base, note="上下限单位不一致")
    kind = kinds.pop()
    if kind == "yuan" and base != "车次":
        base = ""
    if kind in ("multiple", "rate") and not base:
        return Amount(raw, warning=warning, note="倍数或比例缺少计算基数")
    values = [tok.value * tok.scale for tok in toks]
    if len(toks) == 1:
        rest = _after(t.replace(base, "") if base else t, toks[0], None)
        if rest.startswith("以下"):
            lo, hi = None, values[0]
        elif rest.startswith("以上"):
            lo, hi = values[0], None
        else:
            lo = hi = values[0]
    else:
        lo, hi = values
        plain = t.replace(base, "") if base else t
        first, second = _after(plain, toks[0], toks[1]), _after(plain, toks[1], None)
        if not first.startswith("以上"):
            notes.append(f"「{first or '（空）'}」按「以上」读")
        if not second.startswith("以下"):
            notes.append(f"「{second[:2] or '（空）'}」按「以下」读")
        if lo > hi:
            return Amount(raw, warning=warning, base=base, note="下限高于上限")
    return Amount(raw, lo, hi, base, warning, "；".join(notes))


# --- the note's formula and caps (percentage_weight tables) ------------------------------------


@dataclass(frozen=True)
class Formula:
    """``罚款金额 = subject裁量百分值总和 × multiplier [× base]``."""

    text: str
    subject: str
    multiplier: Decimal
    base: str = ""


@dataclass(frozen=True)
class Cap:
    """``subject裁量百分值总和超过100%的，按100%计算`` (kind max) or ``不足20%的，按20%`` (min)."""

    text: str
    subject: str
    kind: str  # max | min
    value: Fraction


_FACTOR = re.compile(rf"^(?P<n>{NUM})(?P<unit>万元|万|元|倍|%)?$")


def _formula_factor(text: str) -> tuple[Decimal, str] | None:
    """One factor after 「×」: an amount, a rate, a multiple or a named base."""
    t = text.strip()
    for base in BASES:
        if t == base:
            return Decimal(1), base
    if m := _FACTOR.match(t):
        value = parse_number(m.group("n"))
        unit = m.group("unit") or ""
        if unit in ("万元", "万"):
            return value * 10000, ""
        if unit == "%":
            return value / 100, ""
        return value, ""
    return None


def _clean_subject(text: str) -> str:
    t = re.sub(r"\s", "", text)
    t = re.sub(r"^[\d.、（）()]+", "", t)
    return t


def parse_formulas(note: str | None) -> tuple[list[Formula], list[str]]:
    """The formulas in a table's note; returns (formulas, problems)."""
    if not note:
        return [], []
    formulas, problems = [], []
    text = note.replace("＝", "=")
    for clause in re.split(r"[；;。]|(?=（\d+）)", text):
        if "罚款金额" not in clause or "=" not in clause:
            continue
        rhs = clause.split("=", 1)[1]
        m = re.match(r"(?P<subject>.*?)裁量百分值总和(?P<rest>.*)", rhs)
        if not m:
            problems.append(f"公式未含「裁量百分值总和」：{clause.strip()}")
            continue
        parts = [p for p in re.split(r"[×xX*]", m.group("rest")) if p.strip()]
        multiplier, base, ok = Decimal(1), "", bool(parts)
        for part in parts:
            factor = _formula_factor(part)
            if factor is None or (factor[1] and base):
                ok = False
                break
            multiplier *= factor[0]
            base = base or factor[1]
        if not ok:
            problems.append(f"公式无法读出乘数：{clause.strip()}")
            continue
        subject = _clean_subject(m.group("subject"))
        if not subject:  # 「（1）限期内改正的罚款金额=…」: the subject may sit on the left
            left = clause.split("=", 1)[0].replace("罚款金额", "")
            subject = _clean_subject(re.split(r"[：:]", left)[-1])
        formulas.append(Formula(re.sub(r"\s", "", clause), subject, multiplier, base))
    return formulas, problems


def parse_caps(note: str | None) -> list[Cap]:
    if not note:
        return []
    caps = []
    pattern = re.compile(
        r"(?P<subject>[^。；;]*?)裁量百分值总和(?P<op>超过|不足)(?P<a>\d+(?:\.\d+)?)%的?，?"
        r"按(?P<b>\d+(?:\.\d+)?)%计算"
    )
    for m in pattern.finditer(note.replace("％", "%")):
        kind = "max" if m.group("op") == "超过" else "min"
        subject = _clean_subject(m.group("subject"))
        value = Fraction(Decimal(m.group("b"))) / 100
        caps.append(Cap(re.sub(r"\s", "", m.group(0)), subject, kind, value))
    return caps


def normalise_subject(text: str) -> str:
    """For matching a formula's subject with a column label: 「对个人」≈「个人」≈ the persons
    directly responsible; 「…的的」≈「…」."""
    t = re.sub(r"\s", "", text or "")
    t = t.removeprefix("对")
    t = re.sub(r"的+$", "", t)
    if "主管人员" in t or "责任人员" in t:
        return "个人"
    return t


# --- statutory ranges in the penalty basis -----------------------------------------------------

_STAT_TOKEN = rf"(?:百分之{NUM}|{NUM}分之{NUM}|{NUM}\s*(?:万元|元|倍)?)"
_STAT_RANGE = re.compile(
    rf"(?P<pre>[^，；。：]*?)(?P<base>{_BASE_RE})?的?\s*(?P<a>{_STAT_TOKEN})\s*以上\s*"
    rf"(?P<base2>{_BASE_RE})?(?P<b>{_STAT_TOKEN})\s*以下(?:的)?(?:罚款|计算罚款)"
)
_STAT_UPTO = re.compile(
    rf"(?P<pre>[^，；。：]*?)处(?:以)?(?P<base>{_BASE_RE})?的?\s*(?P<b>{_STAT_TOKEN})\s*以下(?:的)?罚款"
)


@dataclass(frozen=True)
class StatutoryRange:
    text: str
    min: Decimal | None
    max: Decimal
    base: str = ""
    person: bool = False  # aimed at the persons responsible, not the unit

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "min": decimal_text(self.min),
            "max": decimal_text(self.max),
            "base": self.base,
            "person": self.person,
        }


def _stat_amount(text: str) -> tuple[Decimal, str] | None:
    toks = _tokens(re.sub(r"\s", "", text))
    if len(toks) != 1 or toks[0].kind == "bare":
        return None
    return toks[0].value * toks[0].scale, toks[0].kind


def _is_person(pre: str) -> bool:
    return bool(re.search("主管人员|责任人员|个人", pre))


def parse_statutory_ranges(basis: str | None) -> list[StatutoryRange]:
    """Every 「处…以上…以下的罚款」 and 「处…以下的罚款」 in the penalty basis, in order."""
    if not basis:
        return []
    found: list[tuple[int, StatutoryRange]] = []
    text = basis.replace("（", "(").replace("）", ")")
    spans = []
    for m in _STAT_RANGE.finditer(text):
        base = m.group("base") or m.group("base2") or ""
        amount = parse_amount(f"{base}{m.group('a')}以上{m.group('b')}以下")
        if amount.min is None or amount.max is None or amount.note:
            continue
        spans.append(m.span())
        clause = re.sub(r"\s", "", m.group(0))
        found.append(
            (
                m.start(),
                StatutoryRange(
                    clause, amount.min, amount.max, amount.base, _is_person(m.group("pre"))
                ),
            )
        )
    for m in _STAT_UPTO.finditer(text):
        if any(s <= m.start() < e or s < m.end() <= e for s, e in spans):
            continue
        base = m.group("base") or ""
        amount = parse_amount(f"{base}{m.group('b')}以下")
        if amount.max is None or amount.note:
            continue
        clause = re.sub(r"\s", "", m.group(0))
        found.append(
            (
                m.start(),
                StatutoryRange(clause, None, amount.max, amount.base, _is_person(m.group("pre"))),
            )
        )
    return [r for _, r in sorted(found, key=lambda x: x[0])]


def parse_base_floor(basis: str | None, base: str) -> Decimal | None:
    """「所需处置费用不足十万元的，按十万元计算」 → 100000 for base 所需处置费用."""
    if not basis or not base:
        return None
    m = re.search(
        rf"{re.escape(base)}不足(?P<a>{NUM}\s*万?元)的，按(?P<b>{NUM}\s*万?元)计算", basis
    )
    if not m:
        return None
    amount = _stat_amount(m.group("b"))
    return amount[0] if amount else None


@dataclass
class Limits:
    """The legal limits one fine column or weight scheme is held to."""

    min: Decimal | None = None
    max: Decimal | None = None
    base: str = ""
    source: str = "none"  # statute | table | none
    text: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "min": decimal_text(self.min),
            "max": decimal_text(self.max),
            "base": self.base,
            "source": self.source,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> Limits:
        data = data or {}
        return cls(
            min=Decimal(data["min"]) if data.get("min") is not None else None,
            max=Decimal(data["max"]) if data.get("max") is not None else None,
            base=data.get("base") or "",
            source=data.get("source") or "none",
            text=data.get("text") or "",
        )
