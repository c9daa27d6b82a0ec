"""Discretion benchmark endpoints, mounted at /api/enforcement/discretion/.

Reading is public: benchmarks must be published (行政处罚法 art 34). Calculating is for the
staff who decide or check penalties: enforcement officers, legal reviewers, bureau heads, the
command centre and administrators. Changes go through ``discretion.services`` (the import
command and the admin site)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shenguan.core.api import PUBLIC
from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Role, Scope

from .calculator import calculate
from .choices import BenchmarkModel, Harm
from .models import Benchmark, BenchmarkRow, BenchmarkTable, NoPenaltyRule
from .services import find_benchmark, table_in_force

router = Router(tags=["enforcement: discretion"])

CALCULATING_ROLES = (
    Role.ENFORCEMENT_OFFICER,
    Role.LEGAL_REVIEWER,
    Role.BUREAU_HEAD,
    Role.COMMAND_CENTRE,
)


def _in_force(day: dt.date) -> Q:
    return Q(table__effective_from__lte=day) & (
        Q(table__effective_to__isnull=True) | Q(table__effective_to__gte=day)
    )


# --- schemas ----------------------------------------------------------------------------------


class TableOut(Schema):
    id: int
    name: str
    version: int
    issuing_document: str
    issuing_authority: str
    effective_from: dt.date
    effective_to: dt.date | None
    band_count: int
    source: str
    change_note: str


class TableRef(Schema):
    id: int
    name: str
    version: int


class NoPenaltyRuleOut(Schema):
    id: int
    seq: int
    category: str
    violation: str
    violated_provision: str
    conditions: str
    condition_items: list[str]
    condition_mode: str
    outcome: str
    notes: str
    benchmark_codes: list[str]
    link_note: str


class BenchmarkOut(Schema):
    id: int
    table: TableRef
    position: int
    code: str
    chapter: str
    violation: str
    model: BenchmarkModel
    legal_min: Decimal | None
    legal_max: Decimal | None
    legal_base: str
    limits_source: str
    pdf_page: int | None


class RowOut(Schema):
    id: int
    position: int
    kind: str
    cells: list
    conduct: str
    factor: str
    degree: str
    circumstances: list
    weight_text: str
    weights: dict
    fine_text: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    fine_base: str
    fines: list
    continues: int | None
    note: str


class BenchmarkDetailOut(BenchmarkOut):
    violated_provision: str
    penalty_basis: str
    header: list
    note: str
    statutory_ranges: list
    schemes: list
    fine_columns: list
    parse_notes: list
    rows: list[RowOut]
    no_penalty_rules: list[NoPenaltyRuleOut]


class TableDetailOut(TableOut):
    benchmarks: int = Field(alias="benchmark_count")
    no_penalty_rules: list[NoPenaltyRuleOut]


class CalculateIn(Schema):
    rows: list[int] = Field(default_factory=list, description="BenchmarkRow ids chosen")
    positions: list[int] = Field(default_factory=list, description="or their table row numbers")
    scheme: str | None = Field(None, description="weight column key or label (percentage_weight)")
    base_amount: Decimal | None = Field(
        None, description="what the formula multiplies: 总投资额, 所需处置费用, 违法所得 …"
    )
    mitigating: list[str] = Field(default_factory=list, description="从轻情节 (art 32)")
    aggravating: list[str] = Field(default_factory=list, description="从重情节")
    first_offence: bool = False
    minor: bool = Field(False, description="违法行为轻微")
    corrected: bool = Field(False, description="及时改正")
    harm: Harm | None = None
    no_fault: bool = Field(False, description="有证据足以证明没有主观过错 (art 33 ¶2)")
    no_penalty_rule: int | None = Field(None, description="NoPenaltyRule id of the same table")
    conditions_met: list[int] = Field(default_factory=list, description="its conditions, from 1")


class CalculateByCodeIn(CalculateIn):
    table: int | None = Field(None, description="table version id")
    table_name: str | None = Field(None, description="or the table's name (version in force)")
    on: dt.date | None = Field(None, description="the day for table_name (default today)")
    code: str
    position: int | None = Field(None, description="needed when a code is printed twice")


class BenchmarkFilter(Schema):
    table: int | None = Field(None, description="table version id")
    table_name: str | None = None
    on: dt.date | None = Field(None, description="versions in force on this day (default today)")
    q: str | None = Field(None, description="search code, violation, provisions")
    model: BenchmarkModel | None = None
    chapter: str | None = None
    code: str | None = None


# --- tables ------------------------------------------------------------------------------------


@router.get("/tables", response=list[TableOut], auth=PUBLIC)
@paginate(Pagination)
def list_tables(request: HttpRequest, name: str | None = None):
    qs = BenchmarkTable.objects.restrict(request.user, "view")
    if name:
        qs = qs.filter(name=name)
    return qs.order_by("name", "-version")


@router.get("/tables/{table_id}", response=TableDetailOut, auth=PUBLIC)
def get_table(request: HttpRequest, table_id: int):
    table = (
        BenchmarkTable.objects.restrict(request.user, "view")
        .annotate(benchmark_count=Count("benchmarks"))
        .prefetch_related(
            Prefetch("no_penalty_rules", queryset=NoPenaltyRule.objects.order_by("seq"))
        )
        .filter(pk=table_id)
        .first()
    )
    if table is None:
        raise NotFound("no such benchmark table")
    return table


# --- benchmarks --------------------------------------------------------------------------------


@router.get("/benchmarks", response=list[BenchmarkOut], auth=PUBLIC)
@paginate(Pagination)
def list_benchmarks(request: HttpRequest, filters: Query[BenchmarkFilter]):
    qs = Benchmark.objects.restrict(request.user, "view").select_related("table")
    if filters.table:
        qs = qs.filter(table_id=filters.table)
    elif filters.table_name:
        qs = qs.filter(table=table_in_force(filters.table_name, filters.on))
    else:
        qs = qs.filter(_in_force(filters.on or timezone.localdate()))
    if filters.model:
        qs = qs.filter(model=filters.model)
    if filters.chapter:
        qs = qs.filter(chapter=filters.chapter)
    if filters.code:
        qs = qs.filter(code=filters.code)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(violation__icontains=q)
            | Q(violated_provision__icontains=q)
            | Q(penalty_basis__icontains=q)
        )
    return qs.order_by("table__name", "-table__version", "position")


def _benchmark(request: HttpRequest, benchmark_id: int) -> Benchmark:
    bench = (
        Benchmark.objects.restrict(request.user, "view")
        .select_related("table")
        .filter(pk=benchmark_id)
        .first()
    )
    if bench is None:
        raise NotFound("no such benchmark")
    return bench


@router.get("/benchmarks/{benchmark_id}", response=BenchmarkDetailOut, auth=PUBLIC)
def get_benchmark(request: HttpRequest, benchmark_id: int):
    bench = (
        Benchmark.objects.restrict(request.user, "view")
        .select_related("table")
        .prefetch_related(
            Prefetch("rows", queryset=BenchmarkRow.objects.order_by("position")),
            Prefetch("no_penalty_rules", queryset=NoPenaltyRule.objects.order_by("seq")),
        )
        .filter(pk=benchmark_id)
        .first()
    )
    if bench is None:
        raise NotFound("no such benchmark")
    return bench


@router.get("/no-penalty-rules", response=list[NoPenaltyRuleOut], auth=PUBLIC)
@paginate(Pagination)
def list_no_penalty_rules(
    request: HttpRequest, table: int | None = None, on: dt.date | None = None
):
    qs = NoPenaltyRule.objects.restrict(request.user, "view")
    day = on or timezone.localdate()
    qs = qs.filter(table_id=table) if table else qs.filter(_in_force(day))
    return qs.order_by("table_id", "seq")


# --- calculation -------------------------------------------------------------------------------


def _check_may_calculate(request: HttpRequest) -> None:
    if not Scope.of(request.user).has_role(*CALCULATING_ROLES):
        raise Forbidden("only enforcement staff, legal reviewers and heads may calculate")


def _run(bench: Benchmark, data: CalculateIn) -> dict:
    return calculate(
        bench,
        rows=data.rows,
        positions=data.positions,
        scheme=data.scheme,
        base_amount=data.base_amount,
        mitigating=data.mitigating,
        aggravating=data.aggravating,
        first_offence=data.first_offence,
        minor=data.minor,
        corrected=data.corrected,
        harm=data.harm,
        no_fault=data.no_fault,
        no_penalty_rule=data.no_penalty_rule,
        conditions_met=data.conditions_met,
    ).to_dict()


@router.post("/benchmarks/{benchmark_id}/calculate", response=dict)
def calculate_benchmark(request: HttpRequest, benchmark_id: int, data: CalculateIn):
    """The allowed range (fine_band) or amount (percentage_weight), the rows used, the
    formula, and whether the law says not to penalise (行政处罚法 art 33)."""
    _check_may_calculate(request)
    return _run(_benchmark(request, benchmark_id), data)


@router.post("/calculate", response=dict)
def calculate_by_code(request: HttpRequest, data: CalculateByCodeIn):
    """As ``/benchmarks/{id}/calculate``, naming the benchmark by table and code."""
    _check_may_calculate(request)
    if data.table:
        table = BenchmarkTable.objects.restrict(request.user, "view").filter(pk=data.table).first()
        if table is None:
            raise NotFound("no such benchmark table")
    elif data.table_name:
        table = table_in_force(data.table_name, data.on)
    else:
        raise DomainError("give table or table_name", code="table_required")
    return _run(find_benchmark(table, data.code, data.position), data)
