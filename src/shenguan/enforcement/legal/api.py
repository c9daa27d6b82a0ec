"""Legal section endpoints, mounted at /api/enforcement/legal/: the review queue, the live view
of open steps, alerts and guidance."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import Forbidden
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from ..common.scope import ENFORCEMENT_STAFF_ROLES
from . import services
from .models import Alert, Guidance, LegalReview
from .sweep import open_steps

router = Router(tags=["enforcement: legal section"])


def _staff_only(request):
    if not Scope.of(request.user).has_role(*ENFORCEMENT_STAFF_ROLES):
        raise Forbidden("只有执法局工作人员可以查看")


class ReviewQueueOut(Schema):
    review_id: int
    round: int
    case_id: int
    case_number: str
    title: str
    party: str
    grounds: list[str]
    submitted_at: dt.datetime
    decision_due_on: dt.date | None

    @staticmethod
    def resolve_review_id(obj):
        return obj.pk

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_title(obj):
        return obj.case.title

    @staticmethod
    def resolve_party(obj):
        return obj.case.party.name

    @staticmethod
    def resolve_decision_due_on(obj):
        return obj.case.decision_due_on


@router.get(
    "/queue", response=list[ReviewQueueOut], summary="Cases awaiting legal review, oldest first"
)
@paginate(Pagination)
def queue(request: HttpRequest):
    _staff_only(request)
    return (
        LegalReview.objects.restrict(request.user, "view")
        .filter(opinion="")
        .select_related("case__party")
        .order_by("submitted_at", "id")
    )


class OpenStepOut(Schema):
    kind: str
    id: int
    number: str
    step: str
    squad: str
    officers: list[str]
    due_on: dt.date | None
    overdue: bool
    bureau_move: bool
    url: str


@router.get("/open-steps", response=list[OpenStepOut], summary="Officers' open steps (live view)")
def steps(request: HttpRequest):
    _staff_only(request)
    return [s.__dict__ for s in open_steps(request.user)]


class EnforcementAlertOut(Schema):
    id: int
    kind: str
    key: str
    subject_type: str
    subject_id: str
    subject_label: str
    squad_id: int | None
    message: str
    due_on: dt.date | None
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    acknowledged: bool

    @staticmethod
    def resolve_acknowledged(obj):
        return obj.acknowledged_by_id is not None


@router.get(
    "/alerts", response=list[EnforcementAlertOut], summary="Open alerts (all=true: resolved too)"
)
@paginate(Pagination)
def alerts(request: HttpRequest, all: bool = False):  # noqa: A002
    qs = Alert.objects.restrict(request.user, "view").order_by("-raised_at", "-id")
    return qs if all else qs.filter(resolved_at__isnull=True)


@router.post("/alerts/{alert_id}/acknowledgement", response=EnforcementAlertOut)
def acknowledge(request: HttpRequest, alert_id: int):
    return services.acknowledge_alert(alert_id, user=request.user)


class EnforcementGuidanceIn(Schema):
    recipient_id: int
    text: str
    case_id: int | None = None
    inspection_id: int | None = None


class EnforcementGuidanceOut(Schema):
    id: int
    author: str
    recipient: str
    case_id: int | None
    inspection_id: int | None
    text: str
    sent_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_author(obj):
        return obj.author.name

    @staticmethod
    def resolve_recipient(obj):
        return obj.recipient.name


@router.get(
    "/guidance",
    response=list[EnforcementGuidanceOut],
    summary="Guidance (officers: what was sent to them)",
)
@paginate(Pagination)
def guidance(request: HttpRequest):
    return Guidance.objects.restrict(request.user, "view").select_related("author", "recipient")


@router.post("/guidance", response={201: EnforcementGuidanceOut})
def send(request: HttpRequest, payload: EnforcementGuidanceIn):
    return Reply(201, services.send_guidance(**payload.dict(), user=request.user))


@router.post("/guidance/{guidance_id}/read", response=EnforcementGuidanceOut)
def read(request: HttpRequest, guidance_id: int):
    return services.mark_guidance_read(guidance_id, user=request.user)
