"""The records behind every figure: one filter per kind of record, shared by the drill-down
page and the links the figures carry, so that a number on a chart and the list it opens are
the same query.

Every queryset starts from ``restrict(user, "view")``. Filters come from the query string as
plain strings; a malformed value is ignored (a shared link outlives the data it counted)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.approvals import workflow
from shenguan.approvals.choices import Route
from shenguan.approvals.models import Application
from shenguan.enforcement.cases.choices import DecisionOutcome as CaseOutcome
from shenguan.enforcement.cases.models import PenaltyCase
from shenguan.verification.models import Finding, Push

NONE = "none"  # the value of a department/grid filter that asks for "not set"


def records_url(kind: str, /, **params) -> str:
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    base = reverse("command:records", args=[kind])
    return f"{base}?{urlencode(query)}" if query else base


def _date(params, name) -> dt.date | None:
    raw = params.get(name) or ""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _range(qs, params, prefix: str, field: str):
    if start := _date(params, f"{prefix}_from"):
        qs = qs.filter(**{f"{field}__gte": start})
    if end := _date(params, f"{prefix}_to"):
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


def _fk(qs, params, name: str, field: str):
    raw = params.get(name) or ""
    if raw == NONE:
        return qs.filter(**{f"{field}__isnull": True})
    if raw.isdigit():
        return qs.filter(**{field: int(raw)})
    return qs


def open_overdue_applications(qs, day: dt.date):
    """Applications whose clock runs and whose promised date has passed (the fallback of the
    overdue heat map while no oversight alert exists)."""
    return qs.filter(status__in=workflow.CLOCK_RUNNING, promised_due_on__lt=day)


def applications(user, params):
    qs = Application.objects.restrict(user, "view")
    qs = _range(qs, params, "received", "received_on")
    qs = _range(qs, params, "accepted", "accepted_on")
    qs = _range(qs, params, "decided", "decided_on")
    if (route := params.get("route")) in Route.values:
        qs = qs.filter(route=route)
    late = params.get("late")
    if late == "promised":
        qs = qs.filter(promised_due_on__isnull=False, decided_on__gt=F("promised_due_on"))
    elif late == "statutory":
        qs = qs.filter(statutory_due_on__isnull=False, decided_on__gt=F("statutory_due_on"))
    if params.get("overdue") == "1":
        qs = open_overdue_applications(qs, timezone.localdate())
    qs = _fk(qs, params, "department", "power__department_id")
    qs = _fk(qs, params, "grid", "applicant__grid_id")
    return qs.select_related("applicant", "power__department", "power_version").order_by(
        "-received_on", "-id"
    )


def cases(user, params):
    qs = PenaltyCase.objects.restrict(user, "view")
    qs = _range(qs, params, "opened", "opened_on")
    qs = _range(qs, params, "decided", "decided_on")
    qs = _range(qs, params, "paid", "paid_on")
    if status := params.get("status"):
        qs = qs.filter(status=status)
    if params.get("penalty") == "1":
        qs = qs.filter(outcome=CaseOutcome.PENALTY)
    return qs.select_related("party", "squad").order_by("-opened_on", "-id")


def pushes(user, params):
    qs = Push.objects.restrict(user, "view")
    if start := _date(params, "pushed_from"):
        qs = qs.filter(pushed_at__gte=_day_start(start))
    if end := _date(params, "pushed_to"):
        qs = qs.filter(pushed_at__lt=_day_start(end + dt.timedelta(days=1)))
    if kind := params.get("kind"):
        qs = qs.filter(kind=kind)
    covered = params.get("covered")
    if covered in ("0", "1"):
        qs = qs.filter(task__isnull=covered == "0")
    return qs.select_related("party", "task", "squad").order_by("-pushed_at", "-id")


def findings(user, params):
    qs = Finding.objects.restrict(user, "view")
    qs = _range(qs, params, "inspected", "inspected_on")
    if outcome := params.get("outcome"):
        qs = qs.filter(outcome=outcome)
    return qs.select_related("task__party", "recorded_by").order_by("-inspected_on", "-id")


def alerts(user, params):
    from .figures import alert_model

    model = alert_model()
    if model is None:
        return None
    qs = model.objects.restrict(user, "view").filter(resolved_at__isnull=True)
    if level := params.get("level"):
        qs = qs.filter(level=level)
    qs = _fk(qs, params, "department", "department_id")
    qs = _fk(qs, params, "grid", "grid_id")
    return qs.select_related("department", "grid").order_by("due_on", "id")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


KINDS = {
    "applications": (applications, _("许可申请")),
    "cases": (cases, _("行政处罚案件")),
    "pushes": (pushes, _("批后推送")),
    "findings": (findings, _("核查结论")),
    "alerts": (alerts, _("超期预警")),
}

# Conditions readable on the page above the list (parameter → label).
FILTER_LABELS = {
    "received_from": _("收件自"),
    "received_to": _("收件至"),
    "accepted_from": _("受理自"),
    "accepted_to": _("受理至"),
    "decided_from": _("决定自"),
    "decided_to": _("决定至"),
    "opened_from": _("立案自"),
    "opened_to": _("立案至"),
    "paid_from": _("缴款自"),
    "paid_to": _("缴款至"),
    "pushed_from": _("推送自"),
    "pushed_to": _("推送至"),
    "inspected_from": _("核查自"),
    "inspected_to": _("核查至"),
    "route": _("办理路径"),
    "late": _("超期类型"),
    "overdue": _("超承诺期限在办"),
    "department": _("部门"),
    "grid": _("网格"),
    "status": _("状态"),
    "penalty": _("给予处罚"),
    "kind": _("推送类型"),
    "covered": _("已派核查任务"),
    "outcome": _("核查结论"),
    "level": _("预警级别"),
}


def period_q(field: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})
