"""The figures of the command centre, each aggregated in the database (GROUP BY with
conditional aggregates; no loop over rows in Python) and each value carrying the link to the
records behind it (``records.py``, the same filters).

A figure is a dict shaped like ``api.FigureOut``: ``labels`` (the x axis or the pie slices),
``series`` (each with ``data`` and one drill-down ``links`` entry per label), ``summary``
(headline numbers) and, for the heat map, ``y_labels`` and ``cells``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Func, IntegerField, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.approvals.choices import Route
from shenguan.approvals.models import Application
from shenguan.enforcement.cases.choices import CaseStatus
from shenguan.enforcement.cases.choices import DecisionOutcome as CaseOutcome
from shenguan.enforcement.cases.models import PenaltyCase
from shenguan.org.models import Department, Grid
from shenguan.parties.choices import CreditTier
from shenguan.parties.models import Party
from shenguan.verification.choices import FindingOutcome, FindingStatus, PushKind
from shenguan.verification.models import Finding, Push

from .records import NONE, open_overdue_applications, records_url

MAX_SPAN_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def default(cls, today: dt.date | None = None) -> Period:
        """The last twelve months: from the first day of the month eleven months ago."""
        today = today or timezone.localdate()
        month = today.month - 11
        year = today.year
        while month < 1:
            month += 12
            year -= 1
        return cls(dt.date(year, month, 1), today)

    def months(self) -> list[dt.date]:
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
        return out

    def month_bounds(self, month: dt.date) -> tuple[dt.date, dt.date]:
        last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return max(month, self.start), min(last, self.end)

    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    def end_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )


def alert_model():
    """The oversight app's ``Alert`` when it exists (it is being built beside this app)."""
    try:
        from shenguan.oversight.models import Alert
    except ImportError:
        return None
    return Alert


def _series(key, name, data, links, **extra) -> dict:
    return {"key": key, "name": name, "data": data, "links": links, **extra}


def _figure(name, title, period, labels, series, summary=None, **extra) -> dict:
    return {
        "figure": name,
        "title": title,
        "start": period.start if period else None,
        "end": period.end if period else None,
        "labels": [str(x) for x in labels],
        "series": series,
        "summary": summary or {},
        **extra,
    }


# Counts are COUNT(*), never COUNT(id): the id is not in the covering indexes of the approvals
# figures, and COUNT(*) lets PostgreSQL answer them with index-only scans.
def _by_month(qs, field: str, **aggregates) -> dict[dt.date, dict]:
    """Additive aggregates (counts, sums) per month. The database groups by the day itself —
    the indexed column, no date function per row, three times faster than grouping by
    ``TruncMonth`` on 100,000 rows — and the at most ~1,100 day totals are added up here."""
    rows = qs.values(day=F(field)).annotate(**aggregates).order_by()
    out: dict[dt.date, dict] = {}
    for row in rows:
        month = row.pop("day").replace(day=1)
        into = out.setdefault(month, dict.fromkeys(aggregates, 0))
        for key, value in row.items():
            into[key] += value or 0
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _apps(user):
    return Application.objects.restrict(user, "view")


# --- approvals --------------------------------------------------------------------------------


def intake(user, period: Period) -> dict:
    """Applications received and decisions taken, per month."""
    apps = _apps(user)
    received = _by_month(
        apps.filter(received_on__gte=period.start, received_on__lte=period.end),
        "received_on",
        n=Count("*"),
    )
    decided = _by_month(
        apps.filter(decided_on__gte=period.start, decided_on__lte=period.end),
        "decided_on",
        n=Count("*"),
    )
    months = period.months()
    bounds = [period.month_bounds(m) for m in months]
    series = [
        _series(
            "received",
            _("收件"),
            [received.get(m, {}).get("n", 0) for m in months],
            [records_url("applications", received_from=a, received_to=b) for a, b in bounds],
        ),
        _series(
            "decided",
            _("作出决定"),
            [decided.get(m, {}).get("n", 0) for m in months],
            [records_url("applications", decided_from=a, decided_to=b) for a, b in bounds],
        ),
    ]
    summary = {"received": sum(series[0]["data"]), "decided": sum(series[1]["data"])}
    return _figure("intake", _("收件与决定"), period, _month_labels(months), series, summary)


def on_time(user, period: Period) -> dict:
    """Of the decisions of each month (accepted applications, so with a clock), the share
    taken within the promised limit and within the statutory limit."""
    qs = _apps(user).filter(
        decided_on__gte=period.start, decided_on__lte=period.end, promised_due_on__isnull=False
    )
    rows = _by_month(
        qs,
        "decided_on",
        n=Count("*"),
        # decided_on is never null here and sits in the covering index
        promised=Count("decided_on", filter=Q(decided_on__lte=F("promised_due_on"))),
        statutory=Count("decided_on", filter=Q(decided_on__lte=F("statutory_due_on"))),
    )
    months = period.months()
    bounds = [period.month_bounds(m) for m in months]
    total = sum(r["n"] for r in rows.values())
    promised = sum(r["promised"] for r in rows.values())
    statutory = sum(r["statutory"] for r in rows.values())
    series = [
        _series(
            "promised",
            _("承诺时限内办结率(%)"),
            [_pct(rows[m]["promised"], rows[m]["n"]) if m in rows else None for m in months],
            [
                records_url("applications", decided_from=a, decided_to=b, late="promised")
                for a, b in bounds
            ],
        ),
        _series(
            "statutory",
            _("法定时限内办结率(%)"),
            [_pct(rows[m]["statutory"], rows[m]["n"]) if m in rows else None for m in months],
            [
                records_url("applications", decided_from=a, decided_to=b, late="statutory")
                for a, b in bounds
            ],
        ),
    ]
    summary = {
        "decided": total,
        "on_promised": promised,
        "on_statutory": statutory,
        "promised_rate": _pct(promised, total),
        "statutory_rate": _pct(statutory, total),
    }
    return _figure("on_time", _("按时办结率"), period, _month_labels(months), series, summary)


class DaysBetween(Func):
    """Whole calendar days from ``start`` to ``end`` (two date columns) as an integer, so the
    average is a plain numeric AVG (averaging intervals costs PostgreSQL twice as much)."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({end[0]} - {start[0]})", [*end[1], *start[1]]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)", [
            *end[1],
            *start[1],
        ]


def _as_days(value) -> float | None:
    return None if value is None else round(float(value), 1)


def time_to_decision(user, period: Period) -> dict:
    """Per route: the average calendar days from acceptance to decision, beside the average
    calendar days the promise allowed (acceptance to the promised date, which the clock
    computed in working days)."""
    rows = (
        _apps(user)
        .filter(
            decided_on__gte=period.start,
            decided_on__lte=period.end,
            accepted_on__isnull=False,
            promised_due_on__isnull=False,
        )
        .values("route")
        .annotate(
            n=Count("*"),
            taken=Avg(DaysBetween("decided_on", "accepted_on")),
            allowed=Avg(DaysBetween("promised_due_on", "accepted_on")),
        )
    )
    by_route = {r["route"]: r for r in rows}
    routes = list(Route)
    links = [
        records_url("applications", decided_from=period.start, decided_to=period.end, route=r.value)
        for r in routes
    ]
    series = [
        _series(
            "taken",
            _("实际用时(日历日)"),
            [_as_days(by_route.get(r.value, {}).get("taken")) for r in routes],
            links,
        ),
        _series(
            "allowed",
            _("承诺时限(日历日)"),
            [_as_days(by_route.get(r.value, {}).get("allowed")) for r in routes],
            links,
        ),
    ]
    summary = {"decided": sum(r["n"] for r in by_route.values())}
    return _figure(
        "time_to_decision",
        _("办理用时与承诺时限"),
        period,
        [r.label for r in routes],
        series,
        summary,
    )


def routes(user, period: Period) -> dict:
    """Applications accepted in the period by route: the share of tolerance (容缺受理) and
    notification-commitment (告知承诺) acceptances."""
    rows = (
        _apps(user)
        .filter(accepted_on__gte=period.start, accepted_on__lte=period.end)
        .values("route")
        .annotate(n=Count("*"))
    )
    counts = {r["route"]: r["n"] for r in rows}
    choices = list(Route)
    data = [counts.get(r.value, 0) for r in choices]
    total = sum(data)
    special = counts.get(Route.TOLERANCE, 0) + counts.get(Route.COMMITMENT, 0)
    series = [
        _series(
            "accepted",
            _("受理件数"),
            data,
            [
                records_url(
                    "applications",
                    accepted_from=period.start,
                    accepted_to=period.end,
                    route=r.value,
                )
                for r in choices
            ],
        )
    ]
    summary = {"accepted": total, "special": special, "special_share": _pct(special, total)}
    return _figure("routes", _("办理路径占比"), period, [r.label for r in choices], series, summary)


# --- verification -----------------------------------------------------------------------------


def verification(user, period: Period) -> dict:
    """Approval outcomes pushed to the enforcement bureau in the period, by kind, and how many
    of them have a verification task (coverage; the rest went to the random-draw pool or were
    exempt under the verification policy)."""
    rows = (
        Push.objects.restrict(user, "view")
        .filter(pushed_at__gte=period.start_at(), pushed_at__lt=period.end_at())
        .values("kind")
        .annotate(n=Count("*"), covered=Count("task"))
    )
    by_kind = {r["kind"]: r for r in rows}
    kinds = list(PushKind)
    span = {"pushed_from": period.start, "pushed_to": period.end}
    series = [
        _series(
            "pushed",
            _("推送"),
            [by_kind.get(k.value, {}).get("n", 0) for k in kinds],
            [records_url("pushes", kind=k.value, **span) for k in kinds],
        ),
        _series(
            "covered",
            _("已派核查任务"),
            [by_kind.get(k.value, {}).get("covered", 0) for k in kinds],
            [records_url("pushes", kind=k.value, covered=1, **span) for k in kinds],
        ),
    ]
    pushed = sum(series[0]["data"])
    covered = sum(series[1]["data"])
    summary = {"pushed": pushed, "covered": covered, "coverage": _pct(covered, pushed)}
    return _figure(
        "verification", _("批后核查覆盖率"), period, [k.label for k in kinds], series, summary
    )


def findings(user, period: Period) -> dict:
    """Countersigned findings of the period by outcome."""
    rows = (
        Finding.objects.restrict(user, "view")
        .filter(
            inspected_on__gte=period.start,
            inspected_on__lte=period.end,
            status=FindingStatus.FINAL,
        )
        .values("outcome")
        .annotate(n=Count("*"))
    )
    counts = {r["outcome"]: r["n"] for r in rows}
    outcomes = list(FindingOutcome)
    data = [counts.get(o.value, 0) for o in outcomes]
    series = [
        _series(
            "findings",
            _("核查结论"),
            data,
            [
                records_url(
                    "findings",
                    inspected_from=period.start,
                    inspected_to=period.end,
                    outcome=o.value,
                )
                for o in outcomes
            ],
        )
    ]
    total = sum(data)
    bad = total - counts.get(FindingOutcome.COMPLIANT, 0)
    summary = {"findings": total, "problems": bad, "problem_share": _pct(bad, total)}
    return _figure("findings", _("核查发现"), period, [o.label for o in outcomes], series, summary)


# --- enforcement ------------------------------------------------------------------------------


def enforcement_stages(user, period: Period) -> dict:
    """Cases opened in the period by the stage they are in now."""
    rows = (
        PenaltyCase.objects.restrict(user, "view")
        .filter(opened_on__gte=period.start, opened_on__lte=period.end)
        .values("status")
        .annotate(n=Count("*"))
    )
    counts = {r["status"]: r["n"] for r in rows}
    stages = list(CaseStatus)
    data = [counts.get(s.value, 0) for s in stages]
    series = [
        _series(
            "cases",
            _("案件数"),
            data,
            [
                records_url("cases", opened_from=period.start, opened_to=period.end, status=s.value)
                for s in stages
            ],
        )
    ]
    open_ = sum(counts.get(s.value, 0) for s in stages if s not in _CASE_ENDED)
    summary = {"cases": sum(data), "open": open_}
    return _figure(
        "enforcement_stages", _("执法案件阶段"), period, [s.label for s in stages], series, summary
    )


_CASE_ENDED = {CaseStatus.CLOSED, CaseStatus.TRANSFERRED}


def fines(user, period: Period) -> dict:
    """Fines imposed by the decisions of each month and amounts paid in each month (yuan)."""
    cases = PenaltyCase.objects.restrict(user, "view")
    imposed = _by_month(
        cases.filter(
            decided_on__gte=period.start,
            decided_on__lte=period.end,
            outcome=CaseOutcome.PENALTY,
        ),
        "decided_on",
        amount=Sum("fine_amount"),
        n=Count("*"),
    )
    paid = _by_month(
        cases.filter(paid_on__gte=period.start, paid_on__lte=period.end),
        "paid_on",
        amount=Sum("paid_amount"),
        n=Count("*"),
    )
    months = period.months()
    bounds = [period.month_bounds(m) for m in months]

    def amounts(rows):
        return [float(rows.get(m, {}).get("amount") or 0) for m in months]

    series = [
        _series(
            "imposed",
            _("处罚决定罚款(元)"),
            amounts(imposed),
            [records_url("cases", decided_from=a, decided_to=b, penalty=1) for a, b in bounds],
        ),
        _series(
            "paid",
            _("已缴纳(元)"),
            amounts(paid),
            [records_url("cases", paid_from=a, paid_to=b) for a, b in bounds],
        ),
    ]
    summary = {
        "imposed": round(sum(series[0]["data"]), 2),
        "paid": round(sum(series[1]["data"]), 2),
        "decisions": sum(r["n"] for r in imposed.values()),
    }
    return _figure("fines", _("罚没款"), period, _month_labels(months), series, summary)


# --- credit -----------------------------------------------------------------------------------


def credit_tiers(user, period: Period | None = None) -> dict:
    """Parties by their current credit tier (a snapshot: the period does not apply)."""
    rows = Party.objects.restrict(user, "view").values("credit_tier").annotate(n=Count("*"))
    counts = {r["credit_tier"]: r["n"] for r in rows}
    tiers = list(CreditTier)
    base = reverse("portal:parties")
    series = [
        _series(
            "parties",
            _("市场主体数"),
            [counts.get(t.value, 0) for t in tiers],
            [f"{base}?credit_tier={t.value}" for t in tiers],
        )
    ]
    summary = {"parties": sum(series[0]["data"])}
    return _figure(
        "credit_tiers", _("信用等级分布"), None, [t.label for t in tiers], series, summary
    )


# --- overdue heat map -------------------------------------------------------------------------


def overdue_heatmap(user, period: Period | None = None) -> dict:
    """Open overdue clocks by department and grid, now. Read from the oversight app's alerts
    (level ``overdue``, not resolved) once its sweep has written any alert; before that (a new
    installation, or the app absent), from the approvals themselves: applications whose clock
    runs past the promised date (department of the item, grid of the applicant)."""
    model = alert_model()
    if model is not None and model.objects.exists():
        qs = model.objects.restrict(user, "view").filter(resolved_at__isnull=True, level="overdue")
        rows = list(qs.values("department_id", "grid_id").annotate(n=Count("*")).order_by())
        source, kind, extra = "alerts", "alerts", {"level": "overdue"}
    else:
        qs = open_overdue_applications(_apps(user), timezone.localdate())
        rows = list(
            qs.values(department_id=F("power__department_id"), grid_id=F("applicant__grid_id"))
            .annotate(n=Count("*"))
            .order_by()
        )
        source, kind, extra = "applications", "applications", {"overdue": 1}
    dept_ids = sorted({r["department_id"] for r in rows if r["department_id"]})
    grid_ids = sorted({r["grid_id"] for r in rows if r["grid_id"]})
    dept_names = dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name"))
    grid_names = dict(Grid.objects.filter(pk__in=grid_ids).values_list("pk", "name"))
    xs = dept_ids + ([None] if any(r["department_id"] is None for r in rows) else [])
    ys = grid_ids + ([None] if any(r["grid_id"] is None for r in rows) else [])
    unset = _("未划分")
    cells = []
    for r in rows:
        cells.append(
            {
                "x": xs.index(r["department_id"]),
                "y": ys.index(r["grid_id"]),
                "value": r["n"],
                "link": records_url(
                    kind,
                    department=r["department_id"] or NONE,
                    grid=r["grid_id"] or NONE,
                    **extra,
                ),
            }
        )
    total = sum(r["n"] for r in rows)
    return _figure(
        "overdue_heatmap",
        _("超期热力图（部门 × 网格）"),
        None,
        [dept_names.get(d, unset) if d else unset for d in xs],
        [],
        {"overdue": total, "source": source},
        y_labels=[grid_names.get(g, unset) if g else unset for g in ys],
        cells=cells,
    )


def _month_labels(months: list[dt.date]) -> list[str]:
    return [m.strftime("%Y-%m") for m in months]


FIGURES = {
    "intake": intake,
    "on_time": on_time,
    "time_to_decision": time_to_decision,
    "routes": routes,
    "verification": verification,
    "findings": findings,
    "enforcement_stages": enforcement_stages,
    "fines": fines,
    "credit_tiers": credit_tiers,
    "overdue_heatmap": overdue_heatmap,
}
