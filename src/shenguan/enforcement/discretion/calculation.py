"""What the calculator returns: a plain record a case stores as its rationale
(``Calculation.to_dict()`` is JSON-safe) and the legal reviewer reads back."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .parsing import decimal_text

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def percent(value: Fraction) -> str:
    """1/5 → 「20%」; 11/24 → 「45.83%」."""
    text = format((as_decimal(value) * 100).quantize(CENT, rounding=ROUND_HALF_UP).normalize(), "f")
    return f"{text}%"


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{money(value):,} 元"


@dataclass
class UsedRow:
    id: int
    position: int
    kind: str
    text: str
    factor: str = ""
    degree: str = ""
    weight: str = ""
    fine: str = ""


@dataclass
class FineRange:
    """The allowed range in one fine column. ``min``/``max`` are yuan when ``base`` is empty,
    otherwise multiples of the base; ``min_amount``/``max_amount`` are yuan once the base amount
    is known."""

    column: str
    text: str
    min: Decimal | None
    max: Decimal | None
    base: str = ""
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    table_min: Decimal | None = None
    table_max: Decimal | None = None
    moved: int = 0
    clamped: bool = False
    limits: dict = field(default_factory=dict)
    note: str = ""


@dataclass
class Calculation:
    table: dict
    benchmark: dict
    model: str
    rows: list[UsedRow] = field(default_factory=list)
    # percentage_weight
    scheme: dict | None = None
    start_weight: str | None = None
    weight_total: str | None = None
    weight_applied: str | None = None
    multiplier: Decimal | None = None
    base: str = ""
    base_amount: Decimal | None = None
    base_applied: Decimal | None = None
    amount_computed: Decimal | None = None
    amount: Decimal | None = None
    # fine_band
    ranges: list[FineRange] = field(default_factory=list)
    # both
    legal: dict = field(default_factory=dict)
    band_move: int = 0
    mitigating: list[str] = field(default_factory=list)
    aggravating: list[str] = field(default_factory=list)
    clamped: bool = False
    formula: list[str] = field(default_factory=list)
    no_penalty: str = ""
    no_penalty_reasons: list[dict] = field(default_factory=list)
    no_penalty_candidates: list[dict] = field(default_factory=list)
    education_required: bool = False
    notes: list[str] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)

    @property
    def range(self) -> FineRange | None:
        return self.ranges[0] if self.ranges else None

    def to_dict(self) -> dict:
        return _jsonable(dataclasses.asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | Fraction):
        return decimal_text(value)
    return value
