"""Pushes, tasks, findings and leads."""

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import NotFound
from shenguan.core.pagination import Pagination

from .. import services
from ..choices import LeadStatus, Method, PushKind, TaskOrigin, TaskStatus
from ..models import Finding, FindingSignature, Lead, Push, VerificationTask
from .base import router
from .schemas import (
    AcknowledgeIn,
    AssignIn,
    FindingIn,
    FindingOut,
    LeadOut,
    PushOut,
    TaskDetailOut,
    TaskOut,
    TaskRevokeIn,
)

# --- pushes -----------------------------------------------------------------------------------


def pushes(request: HttpRequest):
    return Push.objects.restrict(request.user, "view").select_related(
        "party", "squad", "task", "policy"
    )


def get_push(request: HttpRequest, push_id: int) -> Push:
    push = pushes(request).filter(pk=push_id).first()
    if push is None:
        raise NotFound(f"推送 {push_id} 不存在")
    return push


class PushFilter(Schema):
    state: str = "all"  # pending | overdue | acknowledged | all
    kind: PushKind | None = None
    squad_id: int | None = None
    licence_id: int | None = None
    application_id: int | None = None


@router.get("/pushes", response=list[PushOut], summary="Pushes within scope (the squad inbox)")
@paginate(Pagination)
def list_pushes(request: HttpRequest, filters: Query[PushFilter]):
    qs = pushes(request)
    today = timezone.localdate()
    if filters.state == "pending":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif filters.state == "overdue":
        qs = qs.overdue(today)
    elif filters.state == "acknowledged":
        qs = qs.filter(acknowledged_at__isnull=False)
    for name in ("kind", "squad_id", "licence_id", "application_id"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    return qs.order_by("acknowledged_at", "ack_due_on", "-pushed_at", "-pk")


@router.get("/pushes/{int:push_id}", response=PushOut, summary="One push")
def get_one_push(request: HttpRequest, push_id: int):
    return get_push(request, push_id)


@router.post(
    "/pushes/{int:push_id}/acknowledge", response=PushOut, summary="Acknowledge a push (签收)"
)
def acknowledge(request: HttpRequest, push_id: int, payload: AcknowledgeIn):
    services.acknowledge_push(push_id, note=payload.note, user=request.user)
    return get_push(request, push_id)


@router.post("/pushes/{int:push_id}/assign", response=PushOut, summary="Route a push to a squad")
def assign(request: HttpRequest, push_id: int, payload: AssignIn):
    services.assign_squad(push_id, payload.squad_id, user=request.user)
    return get_push(request, push_id)


# --- tasks ------------------------------------------------------------------------------------


def tasks(request: HttpRequest):
    return VerificationTask.objects.restrict(request.user, "view").select_related(
        "party", "application", "licence", "squad", "grid", "policy", "draw"
    )


def detail_qs(request: HttpRequest):
    findings = Finding.objects.select_related("recorded_by", "co_inspector").prefetch_related(
        Prefetch("signatures", queryset=FindingSignature.objects.select_related("staff"))
    )
    return tasks(request).prefetch_related(
        "inspectors__staff",
        Prefetch("findings", queryset=findings),
        "rectification_orders",
        Prefetch(
            "leads",
            queryset=Lead.objects.select_related("party", "licence", "application", "task"),
        ),
        "pushes",
    )


def get_task(request: HttpRequest, task_id: int) -> VerificationTask:
    task = detail_qs(request).filter(pk=task_id).first()
    if task is None:
        raise NotFound(f"核查任务 {task_id} 不存在")
    return task


class TaskFilter(Schema):
    status: TaskStatus | None = None
    origin: TaskOrigin | None = None
    method: Method | None = None
    licence_id: int | None = None
    application_id: int | None = None
    party_id: int | None = None
    draw_id: int | None = None
    squad_id: int | None = None
    overdue: bool | None = None


@router.get("/tasks", response=list[TaskOut], summary="Verification tasks within scope")
@paginate(Pagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]):
    qs = tasks(request)
    for name in (
        "status",
        "origin",
        "method",
        "licence_id",
        "application_id",
        "party_id",
        "draw_id",
        "squad_id",
    ):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.overdue is not None:
        overdue = qs.overdue(timezone.localdate()).values("pk")
        qs = qs.filter(pk__in=overdue) if filters.overdue else qs.exclude(pk__in=overdue)
    return qs.order_by("due_on", "-created", "-pk")


@router.get(
    "/tasks/{int:task_id}",
    response=TaskDetailOut,
    summary="A task with its inspectors, findings, orders, leads, pushes and credit events",
)
def get_one_task(request: HttpRequest, task_id: int):
    return get_task(request, task_id)


@router.post(
    "/tasks/{int:task_id}/findings",
    response={201: FindingOut},
    summary="Record a finding (signed by the caller, awaiting the co-inspector)",
)
def record_finding(request: HttpRequest, task_id: int, payload: FindingIn):
    finding = services.record_finding(
        task_id,
        outcome=payload.outcome,
        facts=payload.facts,
        co_inspector_id=payload.co_inspector_id,
        inspected_on=payload.inspected_on,
        requirements=payload.requirements,
        user=request.user,
    )
    return Reply(201, _finding(finding.pk))


def _finding(finding_id: int) -> Finding:
    return (
        Finding.objects.select_related("recorded_by", "co_inspector")
        .prefetch_related(
            Prefetch("signatures", queryset=FindingSignature.objects.select_related("staff"))
        )
        .get(pk=finding_id)
    )


@router.post(
    "/findings/{int:finding_id}/sign",
    response=FindingOut,
    summary="Second signature: the finding becomes final and takes effect",
)
def sign_finding(request: HttpRequest, finding_id: int):
    visible = Finding.objects.restrict(request.user, "view").filter(pk=finding_id).exists()
    if not visible:
        raise NotFound(f"核查结论 {finding_id} 不存在")
    services.sign_finding(finding_id, user=request.user)
    return _finding(finding_id)


@router.post(
    "/tasks/{int:task_id}/revoke",
    response=TaskDetailOut,
    summary="Bureau head: complete the revocation the finding opened",
)
def revoke(request: HttpRequest, task_id: int, payload: TaskRevokeIn):
    services.revoke_licence(task_id, reason=payload.reason, user=request.user)
    return get_task(request, task_id)


# --- leads ------------------------------------------------------------------------------------


def leads(request: HttpRequest):
    return Lead.objects.restrict(request.user, "view").select_related(
        "party", "licence", "application", "task"
    )


@router.get("/leads", response=list[LeadOut], summary="Penalty-case leads within scope")
@paginate(Pagination)
def list_leads(request: HttpRequest, status: LeadStatus | None = None, party_id: int | None = None):
    qs = leads(request)
    if status:
        qs = qs.filter(status=status)
    if party_id:
        qs = qs.filter(party_id=party_id)
    return qs


@router.get("/leads/{int:lead_id}", response=LeadOut, summary="One lead")
def get_lead(request: HttpRequest, lead_id: int):
    lead = leads(request).filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(f"案件线索 {lead_id} 不存在")
    return lead
