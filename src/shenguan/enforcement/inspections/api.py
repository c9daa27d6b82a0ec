"""Inspection endpoints, mounted at /api/enforcement/. Every change calls
``inspections.services``."""

import datetime as dt

from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import NotFound
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from ..evidence.models import Evidence
from . import services
from .models import (
    Answer,
    Inspection,
    InspectionOfficer,
    InspectionResult,
    InspectionSource,
    InspectionStatus,
)

router = Router(tags=["enforcement: inspections"])


class InspectionOfficerOut(Schema):
    staff_id: int
    name: str
    signed_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj):
        return obj.staff.name


class InspectionAnswerOut(Schema):
    seq: int
    text: str
    basis: str
    requires_evidence: bool
    answer: str
    note: str


class InspectionEvidenceOut(Schema):
    id: int
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    place: str
    taken_at: dt.datetime
    answer_seq: int | None
    url: str

    @staticmethod
    def resolve_url(obj):
        return f"/api/enforcement/evidence/{obj.pk}"


class InspectionOut(Schema):
    id: int
    number: str
    source: InspectionSource
    source_type: str
    source_id: str
    status: InspectionStatus
    result: str
    subject: str
    party_id: int | None
    power_id: int | None
    squad_id: int
    place: str
    due_on: dt.date | None
    completed_at: dt.datetime | None
    officers: list[InspectionOfficerOut]

    @staticmethod
    def resolve_officers(obj):
        return list(obj.officers.all())


class InspectionDetailOut(InspectionOut):
    findings: str
    rectify_days: int | None
    rectify_requirements: str
    answers: list[InspectionAnswerOut]
    evidence: list[InspectionEvidenceOut]
    missing: list[str]

    @staticmethod
    def resolve_answers(obj):
        return list(obj.answers.all())

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())

    @staticmethod
    def resolve_missing(obj):
        return [text for _code, text in services.missing_for_signature(obj)]


class InspectionIn(Schema):
    source: InspectionSource
    subject: str
    squad_id: int | None = None
    party_id: int | None = None
    power_id: int | None = None
    officer_ids: list[int] = []
    due_on: dt.date | None = None
    place: str = ""
    source_type: str = ""
    source_id: str = ""


class InspectionAnswerIn(Schema):
    seq: int
    answer: Answer
    note: str = ""


class InspectionResultIn(Schema):
    result: InspectionResult
    findings: str
    rectify_days: int | None = None
    rectify_requirements: str = ""


class InspectionReasonIn(Schema):
    reason: str


class InspectionOfficersIn(Schema):
    officer_ids: list[int]


def _visible(request):
    officers = InspectionOfficer.objects.select_related("staff")
    return Inspection.objects.restrict(request.user, "view").prefetch_related(
        Prefetch("officers", queryset=officers)
    )


def _detail(request, inspection_id: int) -> Inspection:
    insp = (
        _visible(request).prefetch_related("answers", "evidence").filter(pk=inspection_id).first()
    )
    if insp is None:
        raise NotFound(f"检查 {inspection_id} 不存在")
    return insp


class InspectionFilter(Schema):
    status: InspectionStatus | None = None
    source: InspectionSource | None = None
    source_type: str = ""
    source_id: str = ""
    mine: bool = False


@router.get(
    "/inspections", response=list[InspectionOut], summary="Inspections in the caller's scope"
)
@paginate(Pagination)
def list_inspections(request: HttpRequest, filters: Query[InspectionFilter]):
    qs = _visible(request).order_by("-created", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.source_type:
        qs = qs.for_source(filters.source_type, filters.source_id)
    if filters.mine:
        staff_id = Scope.of(request.user).staff_id
        qs = qs.filter(officers__staff_id=staff_id).distinct() if staff_id else qs.none()
    return qs


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def get_inspection(request: HttpRequest, inspection_id: int):
    return _detail(request, inspection_id)


@router.post(
    "/inspections", response={201: InspectionDetailOut}, summary="Create an inspection task"
)
def create(request: HttpRequest, payload: InspectionIn):
    insp = services.create_inspection(**payload.dict(), user=request.user)
    return Reply(201, _detail(request, insp.pk))


@router.post("/inspections/{inspection_id}/start", response=InspectionDetailOut)
def start(request: HttpRequest, inspection_id: int):
    services.start_inspection(inspection_id, user=request.user)
    return _detail(request, inspection_id)


@router.post("/inspections/{inspection_id}/answers", response=InspectionDetailOut)
def answers(request: HttpRequest, inspection_id: int, payload: list[InspectionAnswerIn]):
    for item in payload:
        services.answer_item(
            inspection_id, seq=item.seq, answer=item.answer, note=item.note, user=request.user
        )
    return _detail(request, inspection_id)


@router.post(
    "/inspections/{inspection_id}/evidence",
    response=InspectionDetailOut,
    summary="Evidence (multipart 'file'; JPEG, PNG, WebP, PDF, MP4, MP3)",
)
def evidence(
    request: HttpRequest,
    inspection_id: int,
    file: File[UploadedFile],
    place: Form[str] = "",
    description: Form[str] = "",
    answer_seq: Form[int | None] = None,
    latitude: Form[str] = "",
    longitude: Form[str] = "",
):
    services.add_inspection_evidence(
        inspection_id,
        content=file,
        filename=file.name,
        place=place,
        description=description,
        answer_seq=answer_seq,
        latitude=latitude or None,
        longitude=longitude or None,
        user=request.user,
    )
    return _detail(request, inspection_id)


@router.post("/inspections/{inspection_id}/result", response=InspectionDetailOut)
def result(request: HttpRequest, inspection_id: int, payload: InspectionResultIn):
    services.record_result(inspection_id, **payload.dict(), user=request.user)
    return _detail(request, inspection_id)


@router.post(
    "/inspections/{inspection_id}/signature",
    response=InspectionDetailOut,
    summary="Sign (two officers)",
)
def sign(request: HttpRequest, inspection_id: int):
    services.sign_inspection(inspection_id, user=request.user)
    return _detail(request, inspection_id)


@router.post("/inspections/{inspection_id}/reopen", response=InspectionDetailOut)
def reopen(request: HttpRequest, inspection_id: int, payload: InspectionReasonIn):
    services.reopen_inspection(inspection_id, reason=payload.reason, user=request.user)
    return _detail(request, inspection_id)


@router.post("/inspections/{inspection_id}/officers", response=InspectionDetailOut)
def officers(request: HttpRequest, inspection_id: int, payload: InspectionOfficersIn):
    services.assign_officers(inspection_id, officer_ids=payload.officer_ids, user=request.user)
    return _detail(request, inspection_id)


@router.post("/inspections/{inspection_id}/cancellation", response=InspectionDetailOut)
def cancel(request: HttpRequest, inspection_id: int, payload: InspectionReasonIn):
    services.cancel_inspection(inspection_id, reason=payload.reason, user=request.user)
    return _detail(request, inspection_id)


@router.post("/rectifications/{order_id}/recheck", response={201: InspectionDetailOut})
def recheck(request: HttpRequest, order_id: int, payload: InspectionOfficersIn):
    insp = services.schedule_recheck(order_id, officer_ids=payload.officer_ids, user=request.user)
    return Reply(201, _detail(request, insp.pk))


@router.get("/evidence/{evidence_id}", summary="An evidence file (its SHA-256 in the header)")
def evidence_file(request: HttpRequest, evidence_id: int):
    item = Evidence.objects.restrict(request.user, "view").filter(pk=evidence_id).first()
    if item is None:
        raise NotFound(f"证据 {evidence_id} 不存在")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{item.pk}"'
    response["X-Content-SHA256"] = item.sha256
    return response
