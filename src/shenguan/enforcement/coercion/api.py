"""Sealing and seizure endpoints, mounted at /api/enforcement/. Every change calls
``coercion.services``."""

import datetime as dt

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import NotFound
from shenguan.core.pagination import Pagination

from . import services
from .models import CoerciveMeasure, MeasureKind, MeasureStatus, ReleaseReason

router = Router(tags=["enforcement: coercive measures"])


class MeasureOut(Schema):
    id: int
    number: str
    kind: MeasureKind
    status: MeasureStatus
    party_id: int
    case_id: int | None
    inspection_id: int | None
    squad_id: int
    place: str
    items: list[dict]
    reason: str
    basis: str
    officers: list[dict]
    emergency: bool
    approved_at: dt.datetime | None
    taken_at: dt.datetime | None
    report_due_at: dt.datetime | None
    reported_at: dt.datetime | None
    reported_late: bool
    starts_on: dt.date | None
    ends_on: dt.date | None
    extended_on: dt.date | None
    released_on: dt.date | None
    release_reason: str


class MeasureIn(Schema):
    kind: MeasureKind
    party_id: int
    place: str
    items: list[dict]
    reason: str
    basis: str
    officer_ids: list[int]
    case_id: int | None = None
    inspection_id: int | None = None


class MeasureNoteIn(Schema):
    note: str = ""


class MeasureReasonIn(Schema):
    reason: str


class MeasureRatifyIn(Schema):
    approve: bool
    note: str = ""


class MeasureReleaseIn(Schema):
    reason: ReleaseReason
    note: str = ""


def _get(request, measure_id: int) -> CoerciveMeasure:
    m = CoerciveMeasure.objects.restrict(request.user, "view").filter(pk=measure_id).first()
    if m is None:
        raise NotFound(f"强制措施 {measure_id} 不存在")
    return m


@router.get(
    "/measures", response=list[MeasureOut], summary="Sealing and seizure in the caller's scope"
)
@paginate(Pagination)
def list_measures(request: HttpRequest, status: MeasureStatus | None = None):
    qs = CoerciveMeasure.objects.restrict(request.user, "view").order_by("-requested_at", "-id")
    return qs.filter(status=status) if status else qs


@router.get("/measures/{int:measure_id}", response=MeasureOut)
def get_measure(request: HttpRequest, measure_id: int):
    return _get(request, measure_id)


@router.post("/measures", response={201: MeasureOut}, summary="Ask the head's approval (art 18)")
def request_measure(request: HttpRequest, payload: MeasureIn):
    return Reply(201, services.request_measure(**payload.dict(), user=request.user))


@router.post(
    "/measures/emergency", response={201: MeasureOut}, summary="Taken on the spot (art 19)"
)
def emergency(request: HttpRequest, payload: MeasureIn):
    return Reply(201, services.take_emergency_measure(**payload.dict(), user=request.user))


@router.post("/measures/{measure_id}/approval", response=MeasureOut)
def approve(request: HttpRequest, measure_id: int):
    return services.approve_measure(measure_id, user=request.user)


@router.post("/measures/{measure_id}/refusal", response=MeasureOut)
def refuse(request: HttpRequest, measure_id: int, payload: MeasureReasonIn):
    return services.refuse_measure(measure_id, reason=payload.reason, user=request.user)


@router.post("/measures/{measure_id}/report", response=MeasureOut, summary="Report within 24 hours")
def report(request: HttpRequest, measure_id: int, payload: MeasureNoteIn):
    return services.report_emergency(measure_id, note=payload.note, user=request.user)


@router.post("/measures/{measure_id}/ratification", response=MeasureOut)
def ratify(request: HttpRequest, measure_id: int, payload: MeasureRatifyIn):
    return services.ratify_emergency(measure_id, **payload.dict(), user=request.user)


@router.post(
    "/measures/{measure_id}/extension", response=MeasureOut, summary="+30 days once (art 25)"
)
def extend(request: HttpRequest, measure_id: int, payload: MeasureReasonIn):
    return services.extend_measure(measure_id, reason=payload.reason, user=request.user)


@router.post("/measures/{measure_id}/release", response=MeasureOut, summary="Release (art 28)")
def release(request: HttpRequest, measure_id: int, payload: MeasureReleaseIn):
    return services.release_measure(
        measure_id, reason=payload.reason, note=payload.note, user=request.user
    )


@router.post("/measures/{measure_id}/evidence", response=MeasureOut)
def evidence(
    request: HttpRequest,
    measure_id: int,
    file: File[UploadedFile],
    place: Form[str] = "",
    description: Form[str] = "",
):
    services.add_measure_evidence(
        measure_id,
        content=file,
        filename=file.name,
        place=place,
        description=description,
        user=request.user,
    )
    return _get(request, measure_id)
