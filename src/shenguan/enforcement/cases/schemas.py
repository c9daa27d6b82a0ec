"""Schemas of the case and lead endpoints (``cases/api.py``)."""

import datetime as dt
from decimal import Decimal

from ninja import Schema

from . import services, workflow
from .choices import (
    CaseProcedure,
    CaseStatus,
    DecisionOutcome,
    LeadSource,
    LeadStatus,
    ServiceMethod,
)


class CaseRef(Schema):
    id: int
    name: str


class CaseLeadOut(Schema):
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


class CaseLeadIn(Schema):
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
    party: CaseRef
    power_id: int
    squad: CaseRef
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


class CaseStepOut(Schema):
    action: str
    from_status: str
    to_status: str
    article: str
    actor_kind: str
    actor_name: str
    officers: list[dict]
    note: str
    at: dt.datetime


class CaseDocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    issued_on: dt.date
    url: str

    @staticmethod
    def resolve_url(obj):
        return f"/api/enforcement/documents/{obj.pk}.pdf"


class CaseOfficerOut(Schema):
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
    officers: list[CaseOfficerOut]
    steps: list[CaseStepOut]
    documents: list[CaseDocumentOut]

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


class CaseOpenIn(Schema):
    power_id: int
    title: str
    officer_ids: list[int]
    party_id: int | None = None
    facts: str = ""
    public_interest: bool = False
    complex: bool = False
    late_reason: str = ""


class SimpleCaseIn(Schema):
    party_id: int
    power_id: int
    facts: str
    violated_provision: str
    penalty_basis: str
    sanction: str
    fine_amount: Decimal | None = None
    place: str
    officer_ids: list[int]


class CaseOfficersIn(Schema):
    officer_ids: list[int]


class CaseProposalIn(Schema):
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


class CaseRevisionIn(Schema):
    sanctions: list[str]
    fine_amount: Decimal | None = None
    confiscation_amount: Decimal | None = None
    benchmark_id: int | None = None
    discretion_inputs: dict = {}
    no_benchmark_reason: str = ""
    reasons: str


class CaseStatementIn(Schema):
    text: str
    adopted: bool = False
    review: str = ""


class CaseNoteIn(Schema):
    note: str = ""


class CaseReasonIn(Schema):
    reason: str


class HearingScheduleIn(Schema):
    hearing_on: dt.date
    place: str
    host_id: int
    public: bool = True


class HearingHeldIn(Schema):
    attended: bool
    record: str = ""


class ReviewOpinionIn(Schema):
    opinion: str
    text: str = ""


class CaseDecideIn(Schema):
    outcome: DecisionOutcome = DecisionOutcome.PENALTY


class CaseServeIn(Schema):
    method: ServiceMethod
    officer_ids: list[int]
    late_reason: str = ""


class CasePaymentIn(Schema):
    amount: Decimal


class CaseStaffIn(Schema):
    staff_id: int


class CaseRecusalIn(Schema):
    staff_id: int
    reason: str


class CaseAssignLeadIn(Schema):
    squad_id: int
