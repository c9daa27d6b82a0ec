"""API of the grid app, mounted at /api/grid/. Every change calls ``grid.services``.

- ``GET /events`` (paginated; ``box=mine|inbox|overdue``, ``status``, ``category``,
  ``grid_id``): events in the caller's scope — grid workers their grids', receivers those
  routed to their department/section, zone-wide roles all, applicants none.
- ``POST /events`` (multipart, grid workers; honours Idempotency-Key): report an event with
  photos (``photos``, JPEG/PNG/WebP); it is routed at once by the policy in force.
- ``POST /events/{id}/accept|close|return|recall|dispatch|route|confirm|reopen``.
- ``GET /photos/{id}``: a photo (its SHA-256 in ``X-Content-SHA256``).
- ``GET /policy``: the routing policy in force.
- ``GET|POST /proxy-filings``: applications filed on behalf of residents (代办)."""

import datetime as dt
import hashlib

from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, JsonResponse
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import NotFound
from shenguan.core.idempotency import idempotent
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Role, Scope

from . import services
from .choices import OPEN_STATUSES, Category, EventStatus
from .models import EventPhoto, EventStep, GridEvent, ProxyFiling, _receiver_q

router = Router(tags=["grid"])


# --- schemas ----------------------------------------------------------------------------------


class PhotoOut(Schema):
    id: int
    stage: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    url: str

    @staticmethod
    def resolve_url(obj):
        return f"/api/grid/photos/{obj.pk}"


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    article: str
    actor_name: str
    note: str
    created: dt.datetime


class EventOut(Schema):
    id: int
    number: str
    category: Category
    title: str
    place: str
    status: EventStatus
    grid_id: int
    grid_name: str
    reporter_id: int
    party_id: int | None
    reported_at: dt.datetime
    reported_on: dt.date
    assigned_department_id: int | None
    assigned_section_id: int | None
    assigned_to: str = Field(description="the receiving section/squad or department")
    assignee_id: int | None
    routed_power_id: int | None
    limit_days: int | None
    due_on: dt.date | None
    is_overdue: bool
    closed_at: dt.datetime | None
    closed_overdue: bool
    confirmed_at: dt.datetime | None
    rating: int | None
    reopen_count: int
    url: str

    @staticmethod
    def resolve_grid_name(obj):
        return obj.grid.name

    @staticmethod
    def resolve_assigned_to(obj):
        target = obj.assigned_section or obj.assigned_department
        return str(target) if target else ""

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class EventDetailOut(EventOut):
    description: str
    latitude: float | None
    longitude: float | None
    routing_basis: str
    policy_version: int | None
    return_reason: str
    closure_report: str
    feedback: str
    photos: list[PhotoOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_policy_version(obj):
        return obj.policy.version if obj.policy_id else None


class EventFilter(Schema):
    box: str = Field("", description="mine | inbox | overdue (empty: everything in scope)")
    status: EventStatus | None = None
    category: Category | None = None
    grid_id: int | None = None


class GridReasonIn(Schema):
    reason: str


class DispatchIn(Schema):
    section_id: int | None = None
    power_id: int | None = None
    limit_days: int | None = None
    note: str = ""


class ConfirmIn(Schema):
    rating: int | None = Field(None, ge=1, le=5)
    comment: str = ""


class RuleOut(Schema):
    order: int
    category: Category
    keywords: str
    power_id: int | None
    power_kind: str
    power_keywords: str
    to_grid_squad: bool
    limit_days: int


class PolicyOut(Schema):
    version: int
    effective_from: dt.date
    note: str
    rules: list[RuleOut]


class ProxyIn(Schema):
    party_id: int
    power_id: int
    consent_note: str
    description: str = ""


class ProxyOut(Schema):
    id: int
    grid_id: int
    worker_id: int
    worker_name: str
    party_id: int
    party_name: str
    application_id: int
    application_number: str
    application_status: str
    channel: str
    consent_note: str
    created: dt.datetime

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.name

    @staticmethod
    def resolve_party_name(obj):
        return obj.party.name

    @staticmethod
    def resolve_application_number(obj):
        return obj.application.number

    @staticmethod
    def resolve_application_status(obj):
        return obj.application.status

    @staticmethod
    def resolve_channel(obj):
        return obj.application.channel


# --- events -----------------------------------------------------------------------------------


def _visible(request):
    return GridEvent.objects.restrict(request.user, "view").select_related(
        "grid", "assigned_section__department", "assigned_department"
    )


def _detail(request, event_id: int) -> GridEvent:
    event = (
        _visible(request)
        .select_related("policy")
        .prefetch_related(
            Prefetch("photos", queryset=EventPhoto.objects.order_by("created", "id")),
            Prefetch("steps", queryset=EventStep.objects.order_by("created", "id")),
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise NotFound(f"事件 {event_id} 不存在")
    return event


@router.get("/events", response=list[EventOut], summary="Grid events in the caller's scope")
@paginate(Pagination)
def list_events(request: HttpRequest, filters: Query[EventFilter]):
    scope = Scope.of(request.user)
    qs = _visible(request).order_by("-reported_at", "-id")
    if filters.box == "mine":
        worker = Role.GRID_WORKER.value in scope.roles
        qs = qs.filter(grid_id__in=scope.grid_ids) if worker else qs.none()
    elif filters.box == "inbox":
        qs = qs.filter(_receiver_q(scope), status__in=OPEN_STATUSES)
    elif filters.box == "overdue":
        qs = qs.filter(is_overdue=True, closed_at__isnull=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.grid_id:
        qs = qs.filter(grid_id=filters.grid_id)
    return qs


def _reply(status: int, body):
    """A replayed answer (Idempotency-Key) is the stored JSON; send it as it was."""
    if isinstance(body, dict):
        return JsonResponse(body, status=status)
    return Reply(status, body)


def _file_hashes(files) -> list[str]:
    out = []
    for f in files:
        digest = hashlib.sha256()
        for chunk in f.chunks():
            digest.update(chunk)
        out.append(digest.hexdigest())
    return out


@router.post(
    "/events",
    response={201: EventDetailOut},
    summary="Report an event (multipart; photos JPEG/PNG/WebP; honours Idempotency-Key)",
)
def report(
    request: HttpRequest,
    grid_id: Form[int],
    category: Form[Category],
    title: Form[str],
    place: Form[str],
    description: Form[str] = "",
    latitude: Form[str] = "",
    longitude: Form[str] = "",
    party_id: Form[int | None] = None,
    photos: File[list[UploadedFile]] = None,
):
    files = list(photos or [])
    data = {
        "grid_id": grid_id,
        "category": category,
        "title": title,
        "place": place,
        "description": description,
        "latitude": latitude,
        "longitude": longitude,
        "party_id": party_id,
        "photos": _file_hashes(files),
    }

    def action():
        event = services.report_event(
            grid_id=grid_id,
            category=category,
            title=title,
            place=place,
            description=description,
            latitude=latitude or None,
            longitude=longitude or None,
            party_id=party_id,
            photos=[(f, f.name) for f in files],
            user=request.user,
        )
        return 201, _detail(request, event.pk)

    status, body = idempotent(
        request,
        data,
        action,
        serialize=lambda e: EventDetailOut.from_orm(e).model_dump(mode="json"),
    )
    return _reply(status, body)


@router.get("/events/{event_id}", response=EventDetailOut)
def get_event(request: HttpRequest, event_id: int):
    return _detail(request, event_id)


@router.post("/events/{event_id}/accept", response=EventDetailOut, summary="Receiver accepts")
def accept(request: HttpRequest, event_id: int):
    services.accept_event(event_id, user=request.user)
    return _detail(request, event_id)


@router.post(
    "/events/{event_id}/close",
    response=EventDetailOut,
    summary="Receiver closes with a report (multipart; optional photos)",
)
def close(
    request: HttpRequest,
    event_id: int,
    report: Form[str],
    photos: File[list[UploadedFile]] = None,
):
    files = list(photos or [])
    services.close_event(
        event_id, report=report, photos=[(f, f.name) for f in files], user=request.user
    )
    return _detail(request, event_id)


@router.post(
    "/events/{event_id}/return",
    response=EventDetailOut,
    summary="Receiver returns it to the command centre (not its remit)",
)
def return_(request: HttpRequest, event_id: int, payload: GridReasonIn):
    services.return_event(event_id, reason=payload.reason, user=request.user)
    return _detail(request, event_id)


@router.post("/events/{event_id}/recall", response=EventDetailOut, summary="Centre recalls")
def recall(request: HttpRequest, event_id: int, payload: GridReasonIn):
    services.recall_event(event_id, reason=payload.reason, user=request.user)
    return _detail(request, event_id)


@router.post(
    "/events/{event_id}/dispatch", response=EventDetailOut, summary="Centre dispatches by hand"
)
def dispatch(request: HttpRequest, event_id: int, payload: DispatchIn):
    services.dispatch_event(event_id, **payload.dict(), user=request.user)
    return _detail(request, event_id)


@router.post(
    "/events/{event_id}/route", response=EventDetailOut, summary="Run the routing table again"
)
def route(request: HttpRequest, event_id: int):
    services.route_event(event_id, user=request.user)
    return _detail(request, event_id)


@router.post("/events/{event_id}/confirm", response=EventDetailOut, summary="Grid worker confirms")
def confirm(request: HttpRequest, event_id: int, payload: ConfirmIn):
    services.confirm_event(
        event_id, rating=payload.rating, comment=payload.comment, user=request.user
    )
    return _detail(request, event_id)


@router.post("/events/{event_id}/reopen", response=EventDetailOut, summary="Back for rework")
def reopen(request: HttpRequest, event_id: int, payload: GridReasonIn):
    services.reopen_event(event_id, reason=payload.reason, user=request.user)
    return _detail(request, event_id)


@router.get("/photos/{photo_id}", summary="An event photo (its SHA-256 in the header)")
def photo(request: HttpRequest, photo_id: int):
    item = EventPhoto.objects.restrict(request.user, "view").filter(pk=photo_id).first()
    if item is None:
        raise NotFound(f"照片 {photo_id} 不存在")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="grid-photo-{item.pk}"'
    response["X-Content-SHA256"] = item.sha256
    return response


@router.get("/policy", response=PolicyOut, summary="The routing policy in force")
def policy(request: HttpRequest):
    if not Scope.of(request.user).is_staff_member:
        raise NotFound("分派政策不存在")
    found = services.ensure_policy()
    found = type(found).objects.prefetch_related("rules").get(pk=found.pk)
    return found


# --- 代办 -------------------------------------------------------------------------------------


@router.get("/proxy-filings", response=list[ProxyOut], summary="Applications filed as agent")
@paginate(Pagination)
def list_proxy(request: HttpRequest):
    return (
        ProxyFiling.objects.restrict(request.user, "view")
        .select_related("worker", "party", "application")
        .order_by("-created", "-id")
    )


@router.post(
    "/proxy-filings",
    response={201: ProxyOut},
    summary="File an application for a party of the worker's grid (honours Idempotency-Key)",
)
def create_proxy(request: HttpRequest, payload: ProxyIn):
    def action():
        filing = services.file_on_behalf(**payload.dict(), user=request.user)
        filing = ProxyFiling.objects.select_related("worker", "party", "application").get(
            pk=filing.pk
        )
        return 201, filing

    status, body = idempotent(
        request,
        payload.dict(),
        action,
        serialize=lambda f: ProxyOut.from_orm(f).model_dump(mode="json"),
    )
    return _reply(status, body)
