"""Penalty case and lead endpoints, mounted at /api/enforcement/. Every change calls a service
in ``cases.services`` (or ``legal.services`` for review opinions). Scope: officers see their
squad's work; legal reviewers, heads and the command centre see all (404 outside the scope,
403 when visible but not allowed)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import DomainError, NotFound
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from ..common.documents import filename, render
from ..common.models import Document
from ..legal import services as legal
from . import services
from .choices import (
    CaseProcedure,
    CaseStatus,
    LeadStatus,
)
from .models import CaseLead, CaseOfficer, PenaltyCase
from .schemas import (
    CaseAssignLeadIn,
    CaseDecideIn,
    CaseDetailOut,
    CaseLeadIn,
    CaseLeadOut,
    CaseNoteIn,
    CaseOfficersIn,
    CaseOpenIn,
    CaseOut,
    CasePaymentIn,
    CaseProposalIn,
    CaseReasonIn,
    CaseRecusalIn,
    CaseRevisionIn,
    CaseServeIn,
    CaseStaffIn,
    CaseStatementIn,
    HearingHeldIn,
    HearingScheduleIn,
    ReviewOpinionIn,
    SimpleCaseIn,
)

router = Router(tags=["enforcement: cases"])


# --- reading ------------------------------------------------------------------------------------


def visible_cases(request):
    return PenaltyCase.objects.restrict(request.user, "view").select_related("party", "squad")


def detail(request, case_id: int) -> PenaltyCase:
    case = (
        visible_cases(request)
        .prefetch_related(
            Prefetch("officers", queryset=CaseOfficer.objects.select_related("staff")),
            "steps",
            "documents",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    return case


class CaseFilter(Schema):
    status: CaseStatus | None = None
    procedure: CaseProcedure | None = None
    squad_id: int | None = None
    party_id: int | None = None
    mine: bool = False


@router.get("/cases", response=list[CaseOut], summary="Penalty cases in the caller's scope")
@paginate(Pagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]):
    qs = visible_cases(request).order_by("-opened_on", "-id")
    for name in ("status", "procedure", "squad_id", "party_id"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.mine:
        staff_id = Scope.of(request.user).staff_id
        qs = (
            qs.filter(officers__staff_id=staff_id, officers__recused_on__isnull=True).distinct()
            if staff_id
            else qs.none()
        )
    return qs


@router.get(
    "/cases/{int:case_id}", response=CaseDetailOut, summary="One case with its steps and documents"
)
def get_case(request: HttpRequest, case_id: int):
    return detail(request, case_id)


@router.get(
    "/documents/{document_id}.pdf", summary="A numbered document as PDF (CJK font embedded)"
)
def document_pdf(request: HttpRequest, document_id: int):
    doc = Document.objects.restrict(request.user, "view").filter(pk=document_id).first()
    if doc is None:
        raise NotFound(f"文书 {document_id} 不存在")
    response = HttpResponse(render(doc, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(doc)}"'
    return response


class EnforcementPolicyOut(Schema):
    version: int
    effective_from: dt.date
    lead_open_working_days: int
    decision_extension_days: int
    statement_working_days: int
    large_fine_person: Decimal
    large_fine_organisation: Decimal
    large_confiscation_person: Decimal
    large_confiscation_organisation: Decimal
    review_grounds: list[str]
    small_fine_person: Decimal
    small_fine_organisation: Decimal
    publication_working_days: int
    publication_short_months: int
    publication_long_months: int
    remedy_period_months: int
    court_application_months: int


@router.get(
    "/policy", response=EnforcementPolicyOut, summary="The enforcement policy in force today"
)
def current_policy(request: HttpRequest):
    from ..common.models import EnforcementPolicy
    from ..common.policy import policy_in_force

    policy = policy_in_force()
    if not EnforcementPolicy.objects.restrict(request.user, "view").filter(pk=policy.pk).exists():
        raise NotFound("执法政策不存在")
    return policy


@router.get("/leads", response=list[CaseLeadOut], summary="Leads in the caller's scope")
@paginate(Pagination)
def list_leads(request: HttpRequest, status: LeadStatus | None = None):
    qs = CaseLead.objects.restrict(request.user, "view").order_by("-received_on", "-id")
    return qs.filter(status=status) if status else qs


@router.get("/leads/{lead_id}", response=CaseLeadOut)
def get_lead(request: HttpRequest, lead_id: int):
    lead = CaseLead.objects.restrict(request.user, "view").filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(f"线索 {lead_id} 不存在")
    return lead


# --- changes --------------------------------------------------------------------------------------


@router.post(
    "/leads", response={201: CaseLeadOut}, summary="Register a lead (complaint, grid report …)"
)
def create_lead(request: HttpRequest, payload: CaseLeadIn):
    return Reply(201, services.receive_lead(**payload.dict(), user=request.user))


@router.post("/leads/{lead_id}/assign", response=CaseLeadOut)
def assign_lead(request: HttpRequest, lead_id: int, payload: CaseAssignLeadIn):
    return services.assign_lead(lead_id, squad_id=payload.squad_id, user=request.user)


@router.post("/leads/{lead_id}/dismiss", response=CaseLeadOut, summary="Not opened, with reasons")
def dismiss_lead(request: HttpRequest, lead_id: int, payload: CaseReasonIn):
    return services.dismiss_lead(lead_id, reason=payload.reason, user=request.user)


@router.post("/leads/{lead_id}/open", response={201: CaseDetailOut}, summary="Open a case (art 54)")
def open_case(request: HttpRequest, lead_id: int, payload: CaseOpenIn):
    case = services.open_case(lead_id, **payload.dict(), user=request.user)
    return Reply(201, detail(request, case.pk))


@router.post(
    "/cases/simple", response={201: CaseDetailOut}, summary="On-the-spot decision (art 51)"
)
def simple_case(request: HttpRequest, payload: SimpleCaseIn):
    case = services.decide_on_the_spot(**payload.dict(), user=request.user)
    return Reply(201, detail(request, case.pk))


def _then(request, case_id):
    return detail(request, case_id)


@router.post(
    "/cases/{case_id}/investigation", response=CaseDetailOut, summary="Start (two officers)"
)
def start_investigation(request: HttpRequest, case_id: int, payload: CaseOfficersIn):
    services.start_investigation(case_id, officer_ids=payload.officer_ids, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/evidence", response=CaseDetailOut, summary="Evidence (multipart 'file')"
)
def case_evidence(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    place: Form[str],
    officer_ids: Form[str],
    description: Form[str] = "",
):
    try:
        ids = [int(x) for x in officer_ids.replace(" ", "").split(",") if x]
    except ValueError:
        raise DomainError(
            "officer_ids must be staff ids separated by commas",
            field_errors={"officer_ids": ["not a comma-separated list of staff ids"]},
        )
    services.add_evidence(
        case_id,
        content=file,
        filename=file.name,
        place=place,
        officer_ids=ids,
        description=description,
        user=request.user,
    )
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/officers", response=CaseDetailOut, summary="Assign an officer (head)"
)
def assign_officer(request: HttpRequest, case_id: int, payload: CaseStaffIn):
    services.assign_officer(case_id, staff_id=payload.staff_id, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/recusals", response=CaseDetailOut, summary="Recusal (head, art 43)")
def recuse(request: HttpRequest, case_id: int, payload: CaseRecusalIn):
    services.recuse_officer(
        case_id, staff_id=payload.staff_id, reason=payload.reason, user=request.user
    )
    return _then(request, case_id)


@router.post("/cases/{case_id}/proposal", response=CaseDetailOut, summary="Propose with discretion")
def propose(request: HttpRequest, case_id: int, payload: CaseProposalIn):
    services.propose(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/proposal/revision", response=CaseDetailOut, summary="Never heavier (art 45)"
)
def revise(request: HttpRequest, case_id: int, payload: CaseRevisionIn):
    services.revise_proposal(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/notice", response=CaseDetailOut, summary="Notice of rights (art 44)")
def notify(request: HttpRequest, case_id: int, payload: CaseOfficersIn):
    services.notify(case_id, officer_ids=payload.officer_ids, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/statements", response=CaseDetailOut, summary="Statement and defence")
def statement(request: HttpRequest, case_id: int, payload: CaseStatementIn):
    services.record_statement(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/waiver", response=CaseDetailOut, summary="Rights expressly waived (art 62)"
)
def waive(request: HttpRequest, case_id: int, payload: CaseNoteIn):
    services.waive_rights(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/hearing/request", response=CaseDetailOut, summary="Within 5 days (art 64)"
)
def request_hearing(request: HttpRequest, case_id: int):
    services.request_hearing(case_id, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/hearing/schedule", response=CaseDetailOut, summary="7 days' notice")
def schedule_hearing(request: HttpRequest, case_id: int, payload: HearingScheduleIn):
    services.schedule_hearing(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/hearing/record", response=CaseDetailOut, summary="Hold the hearing")
def hold_hearing(request: HttpRequest, case_id: int, payload: HearingHeldIn):
    services.hold_hearing(
        case_id, attended=payload.attended, record_text=payload.record, user=request.user
    )
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/review", response=CaseDetailOut, summary="Submit to legal review (art 58)"
)
def submit_review(request: HttpRequest, case_id: int, payload: CaseNoteIn):
    services.submit_for_review(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/review/resubmission", response=CaseDetailOut)
def resubmit_review(request: HttpRequest, case_id: int, payload: CaseNoteIn):
    services.resubmit_for_review(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/review/opinion", response=CaseDetailOut, summary="approve / amend / reject"
)
def review_opinion(request: HttpRequest, case_id: int, payload: ReviewOpinionIn):
    legal.give_opinion(case_id, opinion=payload.opinion, text=payload.text, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/extension", response=CaseDetailOut, summary="+30 days (head, art 60)"
)
def extend(request: HttpRequest, case_id: int, payload: CaseReasonIn):
    services.extend_deadline(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/decision", response=CaseDetailOut, summary="Decide (head, art 57)")
def decide(request: HttpRequest, case_id: int, payload: CaseDecideIn):
    services.decide(case_id, outcome=payload.outcome, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/service", response=CaseDetailOut, summary="Serve (art 61)")
def serve(request: HttpRequest, case_id: int, payload: CaseServeIn):
    services.serve(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/payment", response=CaseDetailOut, summary="Payment with late fee (art 72)"
)
def payment(request: HttpRequest, case_id: int, payload: CasePaymentIn):
    services.record_payment(case_id, amount=payload.amount, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/demand", response=CaseDetailOut, summary="Written demand (强制法 art 54)"
)
def demand(request: HttpRequest, case_id: int):
    services.demand_payment(case_id, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/court-application", response=CaseDetailOut, summary="Apply to court")
def court(request: HttpRequest, case_id: int):
    services.apply_to_court(case_id, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/execution", response=CaseDetailOut, summary="Closed after execution")
def executed(request: HttpRequest, case_id: int, payload: CaseNoteIn):
    services.close_after_execution(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/annulment", response=CaseDetailOut, summary="Decision annulled (art 48)"
)
def annul(request: HttpRequest, case_id: int, payload: CaseReasonIn):
    services.annul_decision(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/transfer", response=CaseDetailOut, summary="To the judicial organs")
def transfer(request: HttpRequest, case_id: int, payload: CaseReasonIn):
    services.transfer(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/termination", response=CaseDetailOut, summary="Case dropped (art 57)"
)
def terminate(request: HttpRequest, case_id: int, payload: CaseReasonIn):
    services.terminate(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)
