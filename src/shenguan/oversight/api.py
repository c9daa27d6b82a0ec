"""API of the oversight app, mounted at /api/oversight/.

- ``GET /alerts`` (paginated; ``level``, ``open``, ``clock_kind``, ``mine``), ``GET /alerts/{id}``
  with its escalations: within the caller's scope (own, headed sections, escalated to them;
  bureau heads and the command centre all).
- ``GET /accountability`` (paginated; ``status``), ``GET /accountability/{id}``,
  ``POST /accountability`` (section head or bureau head), ``POST /accountability/{id}/review``,
  ``POST /accountability/{id}/appeal`` (the staff member), ``POST /accountability/{id}/appeal-decision``
  (a bureau head).
- ``GET /policy``: the version in force. ``POST /sweep``: run the sweep now (administrators).
- ``GET /reports/monthly?month=2026-11`` and ``GET /reports/monthly.xlsx?month=2026-11``.
Every change goes through ``oversight.services``."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.labels import choice_label
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from . import reports, services
from .choices import AccountabilityOrigin, AccountabilityStatus, AlertLevel, EscalationTarget
from .models import AccountabilityRecord, Alert, Escalation

router = Router(tags=["oversight"])


class OversightEscalationOut(Schema):
    id: int
    target_kind: EscalationTarget
    target_id: int
    target_name: str
    overdue_working_days: int
    on: dt.date

    @staticmethod
    def resolve_target_name(obj: Escalation) -> str:
        return obj.target.name


class OversightAlertOut(Schema):
    id: int
    clock_kind: str
    level: AlertLevel
    object_type: str
    object_id: str
    object_label: str
    url: str
    department_id: int | None
    section_id: int | None
    grid_id: int | None
    staff_id: int | None
    staff_name: str | None
    started_on: dt.date
    due_on: dt.date
    limit_days: int
    working_days: bool
    created: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str

    @staticmethod
    def resolve_staff_name(obj: Alert) -> str | None:
        return obj.staff.name if obj.staff_id else None


class OversightAlertDetailOut(OversightAlertOut):
    escalations: list[OversightEscalationOut]

    @staticmethod
    def resolve_escalations(obj: Alert):
        return list(obj.escalations.select_related("target"))


class OversightRecordOut(Schema):
    id: int
    number: str
    status: AccountabilityStatus
    status_label: str
    origin: AccountabilityOrigin
    staff_id: int
    staff_name: str
    department_id: int | None
    section_id: int | None
    alert_id: int | None
    object_type: str
    object_id: str
    object_label: str
    reason: str
    proposed_on: dt.date
    proposed_by_name: str
    reviewed_at: dt.datetime | None
    reviewed_by_name: str
    review_note: str
    appealed_at: dt.datetime | None
    appeal_grounds: str
    appeal_decided_at: dt.datetime | None
    appeal_decided_by_name: str
    appeal_note: str

    @staticmethod
    def resolve_status_label(obj: AccountabilityRecord) -> str:
        return choice_label(obj, "status")

    @staticmethod
    def resolve_staff_name(obj: AccountabilityRecord) -> str:
        return obj.staff.name


class OversightProposeIn(Schema):
    staff_id: int
    reason: str = Field(min_length=1)
    alert_id: int | None = None


class OversightReviewIn(Schema):
    confirm: bool
    note: str = ""


class OversightAppealIn(Schema):
    grounds: str


class OversightAppealDecisionIn(Schema):
    uphold: bool
    note: str


class OversightPolicyOut(Schema):
    version: int
    effective_from: dt.date
    warning_share: float
    backup_after_days: int
    section_head_after_days: int
    accountability_after_days: int
    note: str


class OversightSweepOut(Schema):
    day: dt.date
    policy_version: int
    clocks: int
    warnings: list[str]
    overdue: list[str]
    resolved: list[str]
    backup_escalations: list[str]
    head_escalations: list[str]
    accountability: list[str]
    errors: list[str]


class OversightReportRowOut(Schema):
    level: str
    id: int | None
    name: str
    kind: str
    kind_label: str
    volume: int
    on_time: int
    on_time_rate: float | None
    median_days: float | None
    median_limit: float | None
    unit: str


class OversightReportOut(Schema):
    month: str
    first: dt.date
    last: dt.date
    department: list[OversightReportRowOut]
    section: list[OversightReportRowOut]
    person: list[OversightReportRowOut]


def _alerts(request):
    return Alert.objects.restrict(request.user, "view").with_related()


def _records(request):
    return AccountabilityRecord.objects.restrict(request.user, "view").select_related("staff")


@router.get("/alerts", response=list[OversightAlertOut], summary="Deadline alerts within scope")
@paginate(Pagination)
def list_alerts(
    request: HttpRequest,
    level: AlertLevel | None = None,
    open: bool | None = None,  # noqa: A002 - the query parameter's name
    clock_kind: str = "",
    mine: bool = False,
):
    qs = _alerts(request)
    if level:
        qs = qs.filter(level=level)
    if open is not None:
        qs = qs.filter(resolved_at__isnull=open)
    if clock_kind:
        qs = qs.filter(clock_kind=clock_kind)
    if mine:
        qs = qs.filter(staff_id=Scope.of(request.user).staff_id or 0)
    return qs


@router.get("/alerts/{int:alert_id}", response=OversightAlertDetailOut, summary="One alert")
def get_alert(request: HttpRequest, alert_id: int):
    alert = _alerts(request).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert


@router.get(
    "/accountability",
    response=list[OversightRecordOut],
    summary="Accountability records within scope",
)
@paginate(Pagination)
def list_records(request: HttpRequest, status: AccountabilityStatus | None = None):
    qs = _records(request)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get(
    "/accountability/{int:record_id}",
    response=OversightRecordOut,
    summary="One accountability record",
)
def get_record(request: HttpRequest, record_id: int):
    record = _records(request).filter(pk=record_id).first()
    if record is None:
        raise NotFound(f"accountability record {record_id} not found")
    return record


@router.post(
    "/accountability", response={201: OversightRecordOut}, summary="Propose accountability"
)
def propose(request: HttpRequest, payload: OversightProposeIn):
    record = services.propose(
        payload.staff_id, reason=payload.reason, alert_id=payload.alert_id, user=request.user
    )
    return Status(201, _records(request).get(pk=record.pk))


@router.post(
    "/accountability/{int:record_id}/review",
    response=OversightRecordOut,
    summary="Confirm or dismiss a proposal",
)
def review(request: HttpRequest, record_id: int, payload: OversightReviewIn):
    services.review(record_id, confirm=payload.confirm, note=payload.note, user=request.user)
    return _records(request).get(pk=record_id)


@router.post(
    "/accountability/{int:record_id}/appeal", response=OversightRecordOut, summary="Appeal a record"
)
def appeal(request: HttpRequest, record_id: int, payload: OversightAppealIn):
    services.appeal(record_id, grounds=payload.grounds, user=request.user)
    return _records(request).get(pk=record_id)


@router.post(
    "/accountability/{int:record_id}/appeal-decision",
    response=OversightRecordOut,
    summary="Uphold or overturn an appealed record",
)
def appeal_decision(request: HttpRequest, record_id: int, payload: OversightAppealDecisionIn):
    services.decide_appeal(record_id, uphold=payload.uphold, note=payload.note, user=request.user)
    return _records(request).get(pk=record_id)


@router.get("/policy", response=OversightPolicyOut, summary="The oversight policy in force")
def policy(request: HttpRequest):
    if not Scope.of(request.user).is_staff_member:
        raise NotFound("policy not found")
    return services.policy_in_force()


@router.post("/sweep", response=OversightSweepOut, summary="Run the deadline sweep now")
def run_sweep(request: HttpRequest):
    if not Scope.of(request.user).is_admin:
        raise Forbidden("only administrators may run the sweep by hand")
    return services.sweep().as_dict()


def parse_month(month: str) -> dt.date:
    if not month:
        return timezone.localdate().replace(day=1)
    try:
        year, mon = month.split("-")
        return dt.date(int(year), int(mon), 1)
    except ValueError:
        raise DomainError(
            "month must look like 2026-11", code="invalid", field_errors={"month": ["YYYY-MM"]}
        )


def _report(request, month: str):
    if not reports.may_view(Scope.of(request.user)):
        raise Forbidden(
            "the performance report is for section heads, bureau heads and the command centre"
        )
    return reports.monthly(parse_month(month), request.user)


@router.get("/reports/monthly", response=OversightReportOut, summary="Monthly performance report")
def monthly_report(request: HttpRequest, month: str = ""):
    return reports.as_json(_report(request, month))


@router.get("/reports/monthly.xlsx", summary="Monthly performance report as XLSX")
def monthly_report_xlsx(request: HttpRequest, month: str = ""):
    data = _report(request, month)
    response = HttpResponse(
        reports.to_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="oversight-{data.label}.xlsx"'
    return response
