"""Penalty case and lead endpoints, mounted at /api/enforcement/. Every change calls a service
in ``cases.services`` (or ``legal.services`` for review opinions). Scope: officers see their
squad's work; legal reviewers, heads and the command centre see all (404 outside the scope,
403 when visible but not allowed)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status as Reply

from shenguan.core.errors import NotFound
from shenguan.core.permissions import Scope

from ..common.documents import filename, render
from ..common.models import Document
from ..legal import services as legal
from . import services, workflow
from .choices import (
    CaseProcedure,
    CaseStatus,
    DecisionOutcome,
    LeadSource,
    LeadStatus,
    ServiceMethod,
)
from .models import CaseLead, CaseOfficer, PenaltyCase

router = Router(tags=["enforcement: cases"])


# --- schemas ------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class LeadOut(Schema):
    id: int
    source: LeadSource
    source_type: str
    source_id: str
    status: LeadStatus
    party_id: int | None
    power_id: int | None
    squad_id: int | None
    description: str
    received_on: dt.date
    open_due_on: dt.date
    closed_on: dt.date | None
    dismissal_reason: str


class LeadIn(Schema):
    source: LeadSource
    description: str
    party_id: int | None = None
    power_id: int | None = None
    squad_id: int | None = None
    reporter: str = ""


class CaseOut(Schema):
    id: int
    number: str
    procedure: CaseProcedure
    status: CaseStatus
    status_label: str
    title: str
    party: Ref
    power_id: int
    squad: Ref
    opened_on: dt.date
    decision_due_on: dt.date | None
    extended_on: dt.date | None
    fine_amount: Decimal | None
    review_required: bool
    decision_number: str
    decided_on: dt.date | None
    payment_due_on: dt.date | None
    closed_on: dt.date | None

    @staticmethod
    def resolve_status_label(obj):
        return str(CaseStatus(obj.status).label)

    @staticmethod
    def resolve_party(obj):
        return {"id": obj.party_id, "name": obj.party.name}

    @staticmethod
    def resolve_squad(obj):
        return {"id": obj.squad_id, "name": obj.squad.name}


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    article: str
    actor_kind: str
    actor_name: str
    officers: list[dict]
    note: str
    at: dt.datetime


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    issued_on: dt.date
    url: str

    @staticmethod
    def resolve_url(obj):
        return f"/api/enforcement/documents/{obj.pk}.pdf"


class OfficerOut(Schema):
    staff_id: int
    name: str
    cert_no: str
    recused_on: dt.date | None

    @staticmethod
    def resolve_name(obj):
        return obj.staff.name

    @staticmethod
    def resolve_cert_no(obj):
        return obj.staff.enforcement_cert_no


class CaseDetailOut(CaseOut):
    facts: str
    violated_provision: str
    penalty_basis: str
    sanctions: list[str]
    confiscation_amount: Decimal | None
    discretion: dict
    no_benchmark_reason: str
    notified_on: dt.date | None
    statement_due_on: dt.date | None
    hearing_eligible: bool
    hearing_request_due_on: dt.date | None
    rights_waived: bool
    review_grounds: list[str]
    outcome: str
    served_on: dt.date | None
    late_fee: Decimal
    amount_owed: dict
    allowed_actions: list[str]
    officers: list[OfficerOut]
    steps: list[StepOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_officers(obj):
        return list(obj.officers.all())

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())

    @staticmethod
    def resolve_allowed_actions(obj):
        return workflow.actions_from(obj.status)

    @staticmethod
    def resolve_amount_owed(obj):
        if obj.status not in workflow.AWAITING_PAYMENT:
            return {}
        principal, fee = services.amount_owed(obj)
        return {"principal": str(principal), "late_fee": str(fee), "total": str(principal + fee)}


class OpenIn(Schema):
    power_id: int
    title: str
    officer_ids: list[int]
    party_id: int | None = None
    facts: str = ""
    public_interest: bool = False
    complex: bool = False
    late_reason: str = ""


class SimpleIn(Schema):
    party_id: int
    power_id: int
    facts: str
    violated_provision: str
    penalty_basis: str
    sanction: str
    fine_amount: Decimal | None = None
    place: str
    officer_ids: list[int]


class OfficersIn(Schema):
    officer_ids: list[int]


class ProposalIn(Schema):
    facts: str
    violated_provision: str
    penalty_basis: str
    sanctions: list[str]
    fine_amount: Decimal | None = None
    confiscation_amount: Decimal | None = None
    benchmark_id: int | None = None
    discretion_inputs: dict = {}
    no_benchmark_reason: str = ""
    reasons: str = ""


class RevisionIn(Schema):
    sanctions: list[str]
    fine_amount: Decimal | None = None
    confiscation_amount: Decimal | None = None
    benchmark_id: int | None = None
    discretion_inputs: dict = {}
    no_benchmark_reason: str = ""
    reasons: str


class StatementIn(Schema):
    text: str
    adopted: bool = False
    review: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class HearingIn(Schema):
    hearing_on: dt.date
    place: str
    host_id: int
    public: bool = True


class HeldIn(Schema):
    attended: bool
    record: str = ""


class OpinionIn(Schema):
    opinion: str
    text: str = ""


class DecideIn(Schema):
    outcome: DecisionOutcome = DecisionOutcome.PENALTY


class ServeIn(Schema):
    method: ServiceMethod
    officer_ids: list[int]
    late_reason: str = ""


class PaymentIn(Schema):
    amount: Decimal


class StaffIn(Schema):
    staff_id: int


class RecusalIn(Schema):
    staff_id: int
    reason: str


class AssignLeadIn(Schema):
    squad_id: int


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
@paginate(LimitOffsetPagination)
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
    "/cases/{case_id}", response=CaseDetailOut, summary="One case with its steps and documents"
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
    response = HttpResponse(render(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(doc)}"'
    return response


class PolicyOut(Schema):
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


@router.get("/policy", response=PolicyOut, summary="The enforcement policy in force today")
def current_policy(request: HttpRequest):
    from ..common.models import EnforcementPolicy
    from ..common.policy import policy_in_force

    policy = policy_in_force()
    if not EnforcementPolicy.objects.restrict(request.user, "view").filter(pk=policy.pk).exists():
        raise NotFound("执法政策不存在")
    return policy


@router.get("/leads", response=list[LeadOut], summary="Leads in the caller's scope")
@paginate(LimitOffsetPagination)
def list_leads(request: HttpRequest, status: LeadStatus | None = None):
    qs = CaseLead.objects.restrict(request.user, "view").order_by("-received_on", "-id")
    return qs.filter(status=status) if status else qs


@router.get("/leads/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, lead_id: int):
    lead = CaseLead.objects.restrict(request.user, "view").filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(f"线索 {lead_id} 不存在")
    return lead


# --- changes --------------------------------------------------------------------------------------


@router.post(
    "/leads", response={201: LeadOut}, summary="Register a lead (complaint, grid report …)"
)
def create_lead(request: HttpRequest, payload: LeadIn):
    return Reply(201, services.receive_lead(**payload.dict(), user=request.user))


@router.post("/leads/{lead_id}/assign", response=LeadOut)
def assign_lead(request: HttpRequest, lead_id: int, payload: AssignLeadIn):
    return services.assign_lead(lead_id, squad_id=payload.squad_id, user=request.user)


@router.post("/leads/{lead_id}/dismiss", response=LeadOut, summary="Not opened, with reasons")
def dismiss_lead(request: HttpRequest, lead_id: int, payload: ReasonIn):
    return services.dismiss_lead(lead_id, reason=payload.reason, user=request.user)


@router.post("/leads/{lead_id}/open", response={201: CaseDetailOut}, summary="Open a case (art 54)")
def open_case(request: HttpRequest, lead_id: int, payload: OpenIn):
    case = services.open_case(lead_id, **payload.dict(), user=request.user)
    return Reply(201, detail(request, case.pk))


@router.post(
    "/cases/simple", response={201: CaseDetailOut}, summary="On-the-spot decision (art 51)"
)
def simple_case(request: HttpRequest, payload: SimpleIn):
    case = services.decide_on_the_spot(**payload.dict(), user=request.user)
    return Reply(201, detail(request, case.pk))


def _then(request, case_id):
    return detail(request, case_id)


@router.post(
    "/cases/{case_id}/investigation", response=CaseDetailOut, summary="Start (two officers)"
)
def start_investigation(request: HttpRequest, case_id: int, payload: OfficersIn):
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
    ids = [int(x) for x in officer_ids.replace(" ", "").split(",") if x]
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
def assign_officer(request: HttpRequest, case_id: int, payload: StaffIn):
    services.assign_officer(case_id, staff_id=payload.staff_id, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/recusals", response=CaseDetailOut, summary="Recusal (head, art 43)")
def recuse(request: HttpRequest, case_id: int, payload: RecusalIn):
    services.recuse_officer(
        case_id, staff_id=payload.staff_id, reason=payload.reason, user=request.user
    )
    return _then(request, case_id)


@router.post("/cases/{case_id}/proposal", response=CaseDetailOut, summary="Propose with discretion")
def propose(request: HttpRequest, case_id: int, payload: ProposalIn):
    services.propose(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/proposal/revision", response=CaseDetailOut, summary="Never heavier (art 45)"
)
def revise(request: HttpRequest, case_id: int, payload: RevisionIn):
    services.revise_proposal(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/notice", response=CaseDetailOut, summary="Notice of rights (art 44)")
def notify(request: HttpRequest, case_id: int, payload: OfficersIn):
    services.notify(case_id, officer_ids=payload.officer_ids, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/statements", response=CaseDetailOut, summary="Statement and defence")
def statement(request: HttpRequest, case_id: int, payload: StatementIn):
    services.record_statement(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/waiver", response=CaseDetailOut, summary="Rights expressly waived (art 62)"
)
def waive(request: HttpRequest, case_id: int, payload: NoteIn):
    services.waive_rights(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/hearing/request", response=CaseDetailOut, summary="Within 5 days (art 64)"
)
def request_hearing(request: HttpRequest, case_id: int):
    services.request_hearing(case_id, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/hearing/schedule", response=CaseDetailOut, summary="7 days' notice")
def schedule_hearing(request: HttpRequest, case_id: int, payload: HearingIn):
    services.schedule_hearing(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/hearing/record", response=CaseDetailOut, summary="Hold the hearing")
def hold_hearing(request: HttpRequest, case_id: int, payload: HeldIn):
    services.hold_hearing(
        case_id, attended=payload.attended, record_text=payload.record, user=request.user
    )
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/review", response=CaseDetailOut, summary="Submit to legal review (art 58)"
)
def submit_review(request: HttpRequest, case_id: int, payload: NoteIn):
    services.submit_for_review(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/review/resubmission", response=CaseDetailOut)
def resubmit_review(request: HttpRequest, case_id: int, payload: NoteIn):
    services.resubmit_for_review(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/review/opinion", response=CaseDetailOut, summary="approve / amend / reject"
)
def review_opinion(request: HttpRequest, case_id: int, payload: OpinionIn):
    legal.give_opinion(case_id, opinion=payload.opinion, text=payload.text, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/extension", response=CaseDetailOut, summary="+30 days (head, art 60)"
)
def extend(request: HttpRequest, case_id: int, payload: ReasonIn):
    services.extend_deadline(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/decision", response=CaseDetailOut, summary="Decide (head, art 57)")
def decide(request: HttpRequest, case_id: int, payload: DecideIn):
    services.decide(case_id, outcome=payload.outcome, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/service", response=CaseDetailOut, summary="Serve (art 61)")
def serve(request: HttpRequest, case_id: int, payload: ServeIn):
    services.serve(case_id, **payload.dict(), user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/payment", response=CaseDetailOut, summary="Payment with late fee (art 72)"
)
def payment(request: HttpRequest, case_id: int, payload: PaymentIn):
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
def executed(request: HttpRequest, case_id: int, payload: NoteIn):
    services.close_after_execution(case_id, note=payload.note, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/annulment", response=CaseDetailOut, summary="Decision annulled (art 48)"
)
def annul(request: HttpRequest, case_id: int, payload: ReasonIn):
    services.annul_decision(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)


@router.post("/cases/{case_id}/transfer", response=CaseDetailOut, summary="To the judicial organs")
def transfer(request: HttpRequest, case_id: int, payload: ReasonIn):
    services.transfer(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)


@router.post(
    "/cases/{case_id}/termination", response=CaseDetailOut, summary="Case dropped (art 57)"
)
def terminate(request: HttpRequest, case_id: int, payload: ReasonIn):
    services.terminate(case_id, reason=payload.reason, user=request.user)
    return _then(request, case_id)
