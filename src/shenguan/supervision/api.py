"""API of the supervision app, mounted at /api/supervision/.

- ``GET /feed?after=&before=&item=&act=&application_id=&limit=``: approval acts in the caller's domain,
  newest first. ``after`` is the ``latest`` of the previous answer (poll every few seconds;
  no connection is held open); ``before`` pages back. The cursor is the journal ``seq``.
- ``GET /objections`` (paginated), ``GET /objections/{id}``; ``POST /objections`` (department
  supervisors); ``POST /objections/{id}/start-review``, ``/uphold``, ``/reject`` (bureau
  heads); ``POST /objections/{id}/withdraw`` (the supervisor who raised it).
Every change goes through ``supervision.services``."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shenguan.core.errors import Forbidden, NotFound
from shenguan.core.labels import choice_label
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from . import feed, services
from .choices import ObjectionStatus, RequestedAction
from .models import Objection

router = Router(tags=["supervision"])


class ActOut(Schema):
    seq: int = Field(description="journal sequence number: the feed cursor")
    time: dt.datetime
    action: str
    label: str
    actor_name: str
    status: str
    application_id: int | None
    application_number: str | None
    item_code: str | None
    item_name: str | None
    applicant_name: str | None
    route: str | None
    licence_id: int | None
    licence_number: str | None


class FeedOut(Schema):
    items: list[ActOut]
    count: int
    latest: int | None = Field(description="pass as ?after= on the next poll")
    oldest: int | None = Field(description="pass as ?before= for the next older page")


def _act_out(a: feed.Act) -> dict:
    app = a.application
    return {
        "seq": a.seq,
        "time": a.time,
        "action": a.action,
        "label": a.label,
        "actor_name": a.actor_name,
        "status": a.status,
        "application_id": app.pk if app else None,
        "application_number": app.number if app else None,
        "item_code": app.power.code if app else None,
        "item_name": app.power_version.name if app else None,
        "applicant_name": app.applicant.name if app else None,
        "route": app.route if app else None,
        "licence_id": a.licence.pk if a.licence else None,
        "licence_number": a.licence.number if a.licence else None,
    }


@router.get("/feed", response=FeedOut, summary="Approval acts in the caller's domain")
def get_feed(
    request: HttpRequest,
    after: int | None = None,
    before: int | None = None,
    item: str = "",
    act: str = "",
    application_id: int | None = None,
    limit: int = feed.PAGE,
):
    rows = feed.acts(
        Scope.of(request.user),
        after=after,
        before=before,
        item=item,
        act=act,
        application_id=application_id,
        limit=limit,
    )
    return {
        "items": [_act_out(a) for a in rows],
        "count": len(rows),
        "latest": rows[0].seq if rows else after,
        "oldest": rows[-1].seq if rows else None,
    }


class ObjectionOut(Schema):
    id: int
    application_id: int
    application_number: str
    licence_id: int | None
    act_seq: int | None
    act_action: str
    act_label: str
    department_id: int
    department_name: str
    raised_by_name: str
    grounds: str
    legal_basis: str
    requested_action: RequestedAction
    status: ObjectionStatus
    status_label: str
    raised_at: dt.datetime
    routed_at: dt.datetime | None
    review_started_at: dt.datetime | None
    reviewer_name: str
    decision: str
    rejection_reasons: str
    decided_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str

    @staticmethod
    def resolve_application_number(obj: Objection) -> str:
        return obj.application.number

    @staticmethod
    def resolve_department_name(obj: Objection) -> str:
        return obj.department.name

    @staticmethod
    def resolve_act_label(obj: Objection) -> str:
        return feed.act_label(obj.act_action) if obj.act_action else ""

    @staticmethod
    def resolve_status_label(obj: Objection) -> str:
        return choice_label(obj, "status")


class ObjectionIn(Schema):
    application_id: int
    act_seq: int | None = Field(None, description="the journal seq of the act objected to")
    grounds: str
    legal_basis: str
    requested_action: RequestedAction


class ObjectionDecisionIn(Schema):
    decision: str = Field(description="the head's decision or instruction")


class RejectIn(Schema):
    reasons: str


class WithdrawIn(Schema):
    reason: str = ""


def _objections(request: HttpRequest):
    scope = Scope.of(request.user)
    if not feed.can_watch(scope):
        raise Forbidden("only department supervisors, bureau heads and the command centre")
    return Objection.objects.restrict(request.user, "view").select_related(
        "application", "department"
    )


def _one(request: HttpRequest, objection_id: int) -> Objection:
    obj = _objections(request).filter(pk=objection_id).first()
    if obj is None:
        raise NotFound(f"objection {objection_id} not found")
    return obj


@router.get("/objections", response=list[ObjectionOut], summary="Objections within scope")
@paginate(Pagination)
def list_objections(
    request: HttpRequest,
    status: ObjectionStatus | None = None,
    application_id: int | None = None,
    open: bool | None = None,
):
    from .workflow import OPEN_STATES

    qs = _objections(request)
    if status:
        qs = qs.filter(status=status)
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    if open is not None:
        qs = qs.filter(status__in=OPEN_STATES) if open else qs.exclude(status__in=OPEN_STATES)
    return qs.order_by("-raised_at", "-pk")


@router.get("/objections/{int:objection_id}", response=ObjectionOut, summary="One objection")
def get_objection(request: HttpRequest, objection_id: int):
    return _one(request, objection_id)


@router.post("/objections", response={201: ObjectionOut}, summary="Raise an objection")
def raise_objection(request: HttpRequest, payload: ObjectionIn):
    obj = services.raise_objection(
        payload.application_id,
        user=request.user,
        grounds=payload.grounds,
        legal_basis=payload.legal_basis,
        requested_action=payload.requested_action,
        act_seq=payload.act_seq,
    )
    return Status(201, _one(request, obj.pk))


@router.post(
    "/objections/{int:objection_id}/start-review",
    response=ObjectionOut,
    summary="Open the review (bureau head)",
)
def start_review(request: HttpRequest, objection_id: int):
    services.start_review(objection_id, user=request.user)
    return _one(request, objection_id)


@router.post(
    "/objections/{int:objection_id}/uphold", response=ObjectionOut, summary="Uphold (head)"
)
def uphold(request: HttpRequest, objection_id: int, payload: ObjectionDecisionIn):
    services.uphold(objection_id, user=request.user, decision=payload.decision)
    return _one(request, objection_id)


@router.post(
    "/objections/{int:objection_id}/reject", response=ObjectionOut, summary="Reject (head)"
)
def reject(request: HttpRequest, objection_id: int, payload: RejectIn):
    services.reject(objection_id, user=request.user, reasons=payload.reasons)
    return _one(request, objection_id)


@router.post(
    "/objections/{int:objection_id}/withdraw",
    response=ObjectionOut,
    summary="Withdraw (the raiser, before review)",
)
def withdraw(request: HttpRequest, objection_id: int, payload: WithdrawIn):
    services.withdraw(objection_id, user=request.user, reason=payload.reason)
    return _one(request, objection_id)
