"""Application endpoints: list/detail (scoped), create (Idempotency-Key), checklist and
uploads, intake, routes and commitments, review and decision, documents."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Query, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.api import minimal_response, prefers_minimal
from shenguan.core.errors import Forbidden, NotFound
from shenguan.core.idempotency import idempotent
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from .. import documents, services
from ..choices import CommitmentKind, Route, Status
from ..models import (
    Application,
    Commitment,
    DeadlineWarning,
    MaterialSubmission,
    Receipt,
    RoutePolicy,
)
from .base import router
from .schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationOut,
    ApproveIn,
    CommitmentIn,
    CommitmentOut,
    LicenceOut,
    MaterialOut,
    MaterialStateIn,
    NoteIn,
    NotRequiredIn,
    PolicyOut,
    ReasonIn,
    RedirectIn,
    RefuseIn,
    ReviewIn,
    RouteIn,
    RouteOption,
    SuspendIn,
    SweepOut,
    ToleranceIn,
    WarningOut,
    _one,
)

Detail = ApplicationDetailOut
# A step on an application answers the whole application, or — when the caller sends
# ``Prefer: return=minimal`` (RFC 7240) — 204 with its address: serialising the detail
# (clock, route options, materials, history, receipts, …) costs more than most steps.
Step = {200: Detail, 204: None}


def visible(request: HttpRequest):
    return Application.objects.restrict(request.user, "view")


def get_visible(request: HttpRequest, application_id: int) -> Application:
    app = visible(request).with_related().filter(pk=application_id).first()
    if app is None:
        raise NotFound(f"申请 {application_id} 不存在")
    return app


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- list, detail, create ---------------------------------------------------------------------


class ApplicationFilter(Schema):
    status: Status | None = None
    route: Route | None = None
    applicant_id: int | None = None
    power_id: int | None = None
    mine: bool = False
    number: str = ""


@router.get(
    "/applications",
    response=list[ApplicationOut],
    summary="Applications visible to the caller (applicants: their own)",
)
@paginate(Pagination)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter]):
    qs = visible(request).for_list().order_by("-created", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.route:
        qs = qs.filter(route=filters.route)
    if filters.applicant_id:
        qs = qs.filter(applicant_id=filters.applicant_id)
    if filters.power_id:
        qs = qs.filter(power_id=filters.power_id)
    if filters.number:
        qs = qs.filter(number__icontains=filters.number.strip())
    if filters.mine:
        scope = Scope.of(request.user)
        qs = qs.filter(responsible_id=scope.staff_id) if scope.staff_id else qs.none()
    return qs


@router.post(
    "/applications",
    response={201: Detail},
    summary="Create a draft application (honours Idempotency-Key)",
)
def create_application(request: HttpRequest, payload: ApplicationIn):
    def action():
        app = services.create_application(**payload.dict(), user=request.user)
        return 201, get_visible(request, app.pk)

    status, body = idempotent(
        request,
        payload.dict(),
        action,
        serialize=lambda app: Detail.from_orm(app).model_dump(mode="json"),
    )
    return Reply(status, body)


@router.get("/applications/{application_id}", response=Detail, summary="One application")
def application_detail(request: HttpRequest, application_id: int):
    return get_visible(request, application_id)


@router.get(
    "/applications/{application_id}/checklist",
    response=list[MaterialOut],
    summary="The material checklist with each item's state",
)
def checklist(request: HttpRequest, application_id: int):
    app = get_visible(request, application_id)
    return list(app.materials.select_related("material", "file").order_by("material__seq"))


@router.get(
    "/applications/{application_id}/routes",
    response=list[RouteOption],
    summary="Which routes are open to this application, and why not",
)
def routes(request: HttpRequest, application_id: int):
    return services.route_options(get_visible(request, application_id))


# --- materials --------------------------------------------------------------------------------


@router.post(
    "/applications/{application_id}/materials/{material_id}/file",
    response=MaterialOut,
    summary="Upload a material (multipart field 'file'; PDF, PNG or JPEG)",
)
def upload_material(
    request: HttpRequest, application_id: int, material_id: int, file: File[UploadedFile]
):
    return services.upload_material(
        application_id, material_id, content=file, filename=file.name, user=request.user
    )


@router.get(
    "/applications/{application_id}/materials/{material_id}/file",
    summary="Download an uploaded material",
)
def download_material(request: HttpRequest, application_id: int, material_id: int):
    app = get_visible(request, application_id)
    sub = (
        MaterialSubmission.objects.select_related("file")
        .filter(application=app, material_id=material_id)
        .first()
    )
    if sub is None or sub.file is None:
        raise NotFound("该材料没有上传文件")
    return FileResponse(
        sub.file.file.open("rb"),
        content_type=sub.file.content_type,
        filename=sub.file.original_name,
    )


@router.post(
    "/applications/{application_id}/materials/{material_id}/state",
    response=MaterialOut,
    summary="Clerk's check of a material: provided, missing or faulty",
)
def set_material_state(
    request: HttpRequest, application_id: int, material_id: int, payload: MaterialStateIn
):
    return services.set_material_state(
        application_id, material_id, state=payload.state, note=payload.note, user=request.user
    )


# --- intake -----------------------------------------------------------------------------------


def _after(request, application_id):
    if prefers_minimal(request):
        return minimal_response(reverse("api:application_detail", args=[application_id]))
    return get_visible(request, application_id)


@router.post("/applications/{application_id}/submit", response=Step, summary="Submit")
def submit(request: HttpRequest, application_id: int):
    services.submit(application_id, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/notice",
    response=Step,
    summary="The one-time notice of all missing or faulty materials (art 32)",
)
def notify_deficiency(request: HttpRequest, application_id: int, payload: NoteIn):
    services.notify_deficiency(application_id, note=payload.note, user=request.user)
    return _after(request, application_id)


@router.get("/applications/{application_id}/notice/pdf", summary="The one-time notice, printable")
def notice_pdf(request: HttpRequest, application_id: int):
    app = get_visible(request, application_id)
    notice = _one(app, "deficiency_notice")
    if notice is None:
        raise NotFound("该申请没有一次性告知书")
    return pdf_response(documents.notice_pdf(notice), f"notice-{app.number}.pdf")


@router.post("/applications/{application_id}/resubmit", response=Step, summary="Resubmit")
def resubmit(request: HttpRequest, application_id: int):
    services.resubmit(application_id, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/accept",
    response=Step,
    summary="Accept with a numbered receipt (art 32)",
)
def accept(request: HttpRequest, application_id: int):
    services.accept(application_id, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/refuse-intake",
    response=Step,
    summary="Refuse to accept (written receipt with reasons and remedies)",
)
def refuse_intake(request: HttpRequest, application_id: int, payload: RefuseIn):
    services.refuse_intake(
        application_id, reasons=payload.reasons, remedies=payload.remedies, user=request.user
    )
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/redirect",
    response=Step,
    summary="Not this body's power: name the competent body (art 32)",
)
def redirect(request: HttpRequest, application_id: int, payload: RedirectIn):
    services.redirect(
        application_id,
        competent_body=payload.competent_body,
        reasons=payload.reasons,
        user=request.user,
    )
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/not-required",
    response=Step,
    summary="No licence needed (art 32)",
)
def not_required(request: HttpRequest, application_id: int, payload: NotRequiredIn):
    services.declare_not_required(application_id, reasons=payload.reasons, user=request.user)
    return _after(request, application_id)


@router.post("/applications/{application_id}/withdraw", response=Step, summary="Withdraw")
def withdraw(request: HttpRequest, application_id: int, payload: ReasonIn):
    services.withdraw(application_id, reason=payload.reason, user=request.user)
    return _after(request, application_id)


@router.get("/receipts/{receipt_id}/pdf", summary="A receipt, printable")
def receipt_pdf(request: HttpRequest, receipt_id: int):
    receipt = (
        Receipt.objects.select_related("application__applicant", "application__power_version")
        .filter(application__in=visible(request), pk=receipt_id)
        .first()
    )
    if receipt is None:
        raise NotFound(f"凭证 {receipt_id} 不存在")
    return pdf_response(documents.receipt_pdf(receipt), f"receipt-{receipt.pk}.pdf")


# --- routes and commitments -------------------------------------------------------------------


@router.post(
    "/applications/{application_id}/route",
    response=Step,
    summary="Choose the route (the commitment route issues its written notice)",
)
def choose_route(request: HttpRequest, application_id: int, payload: RouteIn):
    services.choose_route(application_id, payload.route, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/tolerance",
    response=CommitmentOut,
    summary="Sign the tolerance commitment (deferred materials and due dates)",
)
def sign_tolerance(request: HttpRequest, application_id: int, payload: ToleranceIn):
    return services.sign_tolerance(
        application_id,
        signer_name=payload.signer_name,
        deferrals=[d.dict() for d in payload.deferrals],
        user=request.user,
    )


@router.post(
    "/applications/{application_id}/commitment/sign",
    response=CommitmentOut,
    summary="Sign the notification-commitment (name, time and IP recorded)",
)
def sign_commitment(request: HttpRequest, application_id: int, payload: CommitmentIn):
    return services.sign_commitment(
        application_id,
        signer_name=payload.signer_name,
        deferrals=[d.dict() for d in payload.deferrals],
        user=request.user,
    )


@router.post(
    "/applications/{application_id}/commitment/scan",
    response=CommitmentOut,
    summary="Attach a scan of the signed commitment (multipart field 'file')",
)
def commitment_scan(request: HttpRequest, application_id: int, file: File[UploadedFile]):
    return services.attach_commitment_scan(
        application_id, content=file, filename=file.name, user=request.user
    )


@router.post(
    "/applications/{application_id}/commitment/withdraw",
    response=CommitmentOut,
    summary="Withdraw the commitment before completion (ordinary route follows)",
)
def withdraw_commitment(request: HttpRequest, application_id: int, payload: ReasonIn):
    return services.withdraw_commitment(application_id, reason=payload.reason, user=request.user)


@router.get(
    "/applications/{application_id}/commitments/{kind}/pdf",
    summary="A commitment notice or signed commitment, printable",
)
def commitment_pdf(request: HttpRequest, application_id: int, kind: CommitmentKind):
    app = get_visible(request, application_id)
    commitment = (
        Commitment.objects.select_related("application").filter(application=app, kind=kind).first()
    )
    if commitment is None:
        raise NotFound("该申请没有此类承诺书")
    return pdf_response(documents.commitment_pdf(commitment), f"{kind}-{app.number}.pdf")


@router.post(
    "/applications/{application_id}/supplements/{material_id}",
    response=MaterialOut,
    summary="Supplement a deferred material (multipart field 'file')",
)
def supplement(
    request: HttpRequest, application_id: int, material_id: int, file: File[UploadedFile]
):
    services.supplement(
        application_id, material_id, content=file, filename=file.name, user=request.user
    )
    return (
        MaterialSubmission.objects.select_related("material", "file")
        .filter(application_id=application_id, material_id=material_id)
        .get()
    )


# --- review and decision ----------------------------------------------------------------------


@router.post("/applications/{application_id}/review/start", response=Step, summary="Start review")
def start_review(request: HttpRequest, application_id: int):
    services.start_review(application_id, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/reviews",
    response=Step,
    summary="Record a reviewer's opinion (strict review needs two)",
)
def record_review(request: HttpRequest, application_id: int, payload: ReviewIn):
    services.record_review(
        application_id, conclusion=payload.conclusion, opinion=payload.opinion, user=request.user
    )
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/suspend",
    response=Step,
    summary="Stop the clock for hearing, testing, expert review… (art 45)",
)
def suspend(request: HttpRequest, application_id: int, payload: SuspendIn):
    services.suspend(
        application_id,
        kind=payload.kind,
        reason=payload.reason,
        expected_working_days=payload.expected_working_days,
        user=request.user,
    )
    return _after(request, application_id)


@router.post("/applications/{application_id}/resume", response=Step, summary="Restart clock")
def resume(request: HttpRequest, application_id: int):
    services.resume(application_id, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/extend",
    response=Step,
    summary="+10 working days, bureau head only (art 42)",
)
def extend(request: HttpRequest, application_id: int, payload: ReasonIn):
    services.extend(application_id, reason=payload.reason, user=request.user)
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/approve",
    response=Step,
    summary="Approve (responsible staff; commitment route issues the licence on the spot)",
)
def approve(request: HttpRequest, application_id: int, payload: ApproveIn):
    services.approve(
        application_id,
        opinion=payload.opinion,
        conditions=payload.conditions,
        issue_now=payload.issue_now,
        user=request.user,
    )
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/refuse",
    response=Step,
    summary="Refuse with reasons and remedies (art 38)",
)
def refuse(request: HttpRequest, application_id: int, payload: RefuseIn):
    services.refuse(
        application_id, reasons=payload.reasons, remedies=payload.remedies, user=request.user
    )
    return _after(request, application_id)


@router.post(
    "/applications/{application_id}/licence",
    response={201: LicenceOut},
    summary="Issue the licence after approval (art 44)",
)
def issue_licence(request: HttpRequest, application_id: int):
    return Reply(201, services.issue_licence(application_id, user=request.user))


# --- warnings, policy, sweep ------------------------------------------------------------------


@router.get(
    "/warnings",
    response=list[WarningOut],
    summary="Deadline warnings (staff; mine=true for the caller's own)",
)
@paginate(Pagination)
def warnings(request: HttpRequest, mine: bool = False):
    qs = DeadlineWarning.objects.restrict(request.user, "view").select_related(
        "application", "staff"
    )
    if mine:
        scope = Scope.of(request.user)
        qs = qs.filter(staff_id=scope.staff_id) if scope.staff_id else qs.none()
    return qs.order_by("-created", "-id")


@router.get("/policies", response=list[PolicyOut], summary="Route policy versions (staff)")
def policies(request: HttpRequest):
    scope = Scope.of(request.user)
    if not scope.is_staff_member:
        raise Forbidden("只有工作人员可以查看办理路径政策")
    return list(RoutePolicy.objects.prefetch_related("rules").order_by("-version"))


@router.get("/policies/current", response=PolicyOut, summary="The route policy in force today")
def current_policy(request: HttpRequest):
    policy = RoutePolicy.in_force()
    if policy is None:
        raise NotFound("尚未配置办理路径政策")
    return policy


@router.post("/sweep", response=SweepOut, summary="Run the deadline sweep now (administrators)")
def run_sweep(request: HttpRequest):
    if not Scope.of(request.user).is_admin:
        raise Forbidden("只有系统管理员可以手动运行时限扫描")
    from ..clocks import sweep

    return sweep().as_dict()
