"""Schemas of the verification API. They only translate: every value is read from rows
loaded with ``select_related``/``prefetch_related`` by the endpoints."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Schema

from shenguan.core.labels import choice_label

from ..choices import (
    DrawStatus,
    FindingOutcome,
    FindingStatus,
    LeadKind,
    LeadStatus,
    Method,
    PoolStatus,
    PushKind,
    TaskOrigin,
    TaskResult,
    TaskStatus,
)


class PushOut(Schema):
    id: int
    kind: PushKind
    kind_label: str
    event_type: str
    party_id: int
    party_name: str
    application_id: int | None
    licence_id: int | None
    squad_id: int | None
    squad_name: str
    grid_id: int | None
    task_id: int | None
    task_number: str
    summary: dict
    pushed_at: dt.datetime
    ack_due_on: dt.date | None
    acknowledged_at: dt.datetime | None
    acknowledged_by_name: str
    acknowledged_late: bool
    ack_note: str
    overdue: bool
    policy_version: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return choice_label(obj, "kind")

    @staticmethod
    def resolve_party_name(obj) -> str:
        return obj.party.name

    @staticmethod
    def resolve_squad_name(obj) -> str:
        return obj.squad.name if obj.squad_id else ""

    @staticmethod
    def resolve_task_number(obj) -> str:
        return obj.task.number if obj.task_id else ""

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_policy_version(obj) -> int:
        return obj.policy.version


class AcknowledgeIn(Schema):
    note: str = ""


class AssignIn(Schema):
    squad_id: int


class TaskOut(Schema):
    id: int
    number: str
    origin: TaskOrigin
    method: Method
    status: TaskStatus
    status_label: str
    result: TaskResult | None
    party_id: int
    party_name: str
    application_id: int
    application_number: str
    licence_id: int
    licence_number: str
    licence_status: str
    approval_class: str
    route: str
    credit_tier: str
    squad_id: int | None
    squad_name: str
    grid_id: int | None
    grid_name: str
    policy_version: int
    basis: str
    draw_id: int | None
    draw_number: str
    planned_on: dt.date
    due_on: dt.date | None
    overdue: bool
    closed_on: dt.date | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return choice_label(obj, "status")

    @staticmethod
    def resolve_result(obj):
        return obj.result or None

    @staticmethod
    def resolve_party_name(obj) -> str:
        return obj.party.name

    @staticmethod
    def resolve_application_number(obj) -> str:
        return obj.application.number

    @staticmethod
    def resolve_licence_number(obj) -> str:
        return obj.licence.number

    @staticmethod
    def resolve_licence_status(obj) -> str:
        return obj.licence.status

    @staticmethod
    def resolve_squad_name(obj) -> str:
        return obj.squad.name if obj.squad_id else ""

    @staticmethod
    def resolve_grid_name(obj) -> str:
        return obj.grid.name if obj.grid_id else ""

    @staticmethod
    def resolve_policy_version(obj) -> int:
        return obj.policy.version

    @staticmethod
    def resolve_draw_number(obj) -> str:
        return obj.draw.number if obj.draw_id else ""

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class SignatureOut(Schema):
    staff_id: int
    name: str
    cert_no: str
    signed_at: dt.datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.staff.name


class FindingOut(Schema):
    id: int
    task_id: int
    round: int
    outcome: FindingOutcome
    outcome_label: str
    facts: str
    requirements: str
    inspected_on: dt.date
    status: FindingStatus
    recorded_by_id: int
    recorded_by_name: str
    co_inspector_id: int
    co_inspector_name: str
    signatures: list[SignatureOut]
    finalised_at: dt.datetime | None
    credit_event_id: int | None

    @staticmethod
    def resolve_outcome_label(obj) -> str:
        return choice_label(obj, "outcome")

    @staticmethod
    def resolve_recorded_by_name(obj) -> str:
        return obj.recorded_by.name

    @staticmethod
    def resolve_co_inspector_name(obj) -> str:
        return obj.co_inspector.name

    @staticmethod
    def resolve_signatures(obj):
        return list(obj.signatures.all())


class FindingIn(Schema):
    outcome: FindingOutcome
    facts: str = Field(min_length=1)
    co_inspector_id: int
    inspected_on: dt.date | None = None
    requirements: str = ""


class TaskRevokeIn(Schema):
    reason: str = ""


class InspectorOut(Schema):
    staff_id: int
    name: str
    drawn: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.staff.name


class OrderOut(Schema):
    id: int
    number: str
    finding_id: int
    requirements: str
    issued_on: dt.date
    due_on: dt.date | None


class LeadOut(Schema):
    id: int
    number: str
    kind: LeadKind
    status: LeadStatus
    party_id: int
    party_name: str
    licence_id: int
    licence_number: str
    application_id: int
    application_number: str
    task_id: int
    task_number: str
    finding_id: int
    credit_event_id: int | None
    facts: str
    created: dt.datetime

    @staticmethod
    def resolve_party_name(obj) -> str:
        return obj.party.name

    @staticmethod
    def resolve_licence_number(obj) -> str:
        return obj.licence.number

    @staticmethod
    def resolve_application_number(obj) -> str:
        return obj.application.number

    @staticmethod
    def resolve_task_number(obj) -> str:
        return obj.task.number


class TaskDetailOut(TaskOut):
    revocation_grounds: str
    inspectors: list[InspectorOut]
    findings: list[FindingOut]
    rectification_orders: list[OrderOut]
    leads: list[LeadOut]
    push_ids: list[int]
    credit_event_ids: list[int]

    @staticmethod
    def resolve_inspectors(obj):
        return list(obj.inspectors.all())

    @staticmethod
    def resolve_findings(obj):
        return list(obj.findings.all())

    @staticmethod
    def resolve_rectification_orders(obj):
        return list(obj.rectification_orders.all())

    @staticmethod
    def resolve_leads(obj):
        return list(obj.leads.all())

    @staticmethod
    def resolve_push_ids(obj):
        return [p.pk for p in obj.pushes.all()]

    @staticmethod
    def resolve_credit_event_ids(obj):
        return [f.credit_event_id for f in obj.findings.all() if f.credit_event_id]


class PoolEntryOut(Schema):
    id: int
    party_id: int
    party_name: str
    credit_tier: str
    licence_id: int
    licence_number: str
    entered_on: dt.date
    status: PoolStatus
    risk_weight: str
    policy_version: int
    draw_id: int | None

    @staticmethod
    def resolve_party_name(obj) -> str:
        return obj.party.name

    @staticmethod
    def resolve_credit_tier(obj) -> str:
        return obj.party.credit_tier

    @staticmethod
    def resolve_licence_number(obj) -> str:
        return obj.licence.number

    @staticmethod
    def resolve_risk_weight(obj) -> str:
        return str(obj.risk_weight)

    @staticmethod
    def resolve_policy_version(obj) -> int:
        return obj.policy.version


class DrawOut(Schema):
    id: int
    number: str
    status: DrawStatus
    algorithm: str
    seed: str
    drawn_on: dt.date
    created_by_name: str
    note: str
    inputs_sha256: str
    result_sha256: str
    targets: int
    published_at: dt.datetime | None

    @staticmethod
    def resolve_targets(obj) -> int:
        return len((obj.result or {}).get("targets", []))


class DrawDetailOut(DrawOut):
    inputs: dict
    result: dict
    task_ids: list[int]

    @staticmethod
    def resolve_task_ids(obj):
        return [t.pk for t in obj.tasks.all()]


class DrawIn(Schema):
    size: int = Field(ge=1)
    inspectors_per_target: int = Field(2, ge=2)
    squad_ids: list[int] = []
    seed: str | None = None
    note: str = ""


class CheckOut(Schema):
    name: str
    ok: bool
    detail: str


class ReplayOut(Schema):
    draw_id: int
    number: str
    ok: bool
    checks: list[CheckOut]


class RecusalOut(Schema):
    id: int
    staff_id: int
    staff_name: str
    party_id: int
    party_name: str
    reason: str
    created: dt.datetime

    @staticmethod
    def resolve_staff_name(obj) -> str:
        return obj.staff.name

    @staticmethod
    def resolve_party_name(obj) -> str:
        return obj.party.name


class RecusalIn(Schema):
    staff_id: int
    party_id: int
    reason: str = Field(min_length=1)


class RuleOut(Schema):
    approval_class: str
    route: str
    credit_tier: str
    method: Method
    deadline_working_days: int
    inspector_pool_id: int | None
    risk_weight: str

    @staticmethod
    def resolve_risk_weight(obj) -> str:
        return str(obj.risk_weight)


class PolicyOut(Schema):
    id: int
    version: int
    effective_from: dt.date
    note: str
    ack_working_days: int
    rectification_working_days: int
    fallback_squad_id: int | None
    rules: list[RuleOut]

    @staticmethod
    def resolve_rules(obj):
        return list(obj.rules.order_by("approval_class", "route", "credit_tier"))


class PublicTargetOut(Schema):
    name: str = Field(description="the enterprise's name; individuals are not named")
    item_name: str
    inspectors: list[str]
    result: str = Field(description="the verification result once the inspection finished")
    closed_on: dt.date | None


class PublicDrawOut(Schema):
    number: str
    drawn_on: dt.date
    published_at: dt.datetime
    algorithm: str
    seed: str
    inputs_sha256: str
    result_sha256: str
    targets: list[PublicTargetOut]
