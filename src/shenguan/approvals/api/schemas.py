"""Schemas of the approvals API. Output schemas read model objects through resolvers; each
resolver also accepts the dict form of its own output, so that an answer stored for an
``Idempotency-Key`` retry validates the same way as a fresh one."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from shenguan.core.labels import choice_label

from ..choices import (
    CancellationReason,
    Channel,
    LicenceStatus,
    ReviewConclusion,
    Route,
    Status,
    SuspensionKind,
)
from ..services import DEFAULT_REMEDIES


def r(name: str, fn):
    """A resolver for field ``name``: ``fn(obj)`` for a model object, the value for a dict."""

    def resolve(obj):
        if isinstance(obj, dict):
            return obj.get(name)
        return fn(obj)

    return staticmethod(resolve)


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _one(obj, name):
    """A reverse one-to-one, or None."""
    try:
        return getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist is per relation
        return None


class Ref(Schema):
    id: int
    name: str


class ItemRef(Schema):
    power_id: int
    code: str
    name: str
    approval_class: str
    version: int


# --- output -----------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    number: str
    status: Status
    status_label: str
    route: Route
    channel: Channel
    applicant: Ref
    item: ItemRef
    received_on: dt.date | None
    accepted_on: dt.date | None
    decided_on: dt.date | None
    closed_on: dt.date | None
    statutory_due_on: dt.date | None
    promised_due_on: dt.date | None
    responsible: Ref | None
    green_channel: bool
    strict_review: bool
    created: dt.datetime

    resolve_status_label = r("status_label", lambda a: choice_label(a, "status"))
    resolve_applicant = r("applicant", lambda a: _ref(a.applicant))
    resolve_item = r(
        "item",
        lambda a: {
            "power_id": a.power_id,
            "code": a.power.code,
            "name": a.power_version.name,
            "approval_class": a.power_version.approval_class,
            "version": a.power_version.version,
        },
    )
    resolve_responsible = r("responsible", lambda a: _ref(a.responsible))


class FileOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str


def _file(f) -> dict | None:
    if f is None:
        return None
    return {
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
    }


class MaterialOut(Schema):
    material_id: int
    seq: int
    name: str
    essential: bool
    deferrable: bool
    state: str
    state_label: str
    note: str
    file: FileOut | None

    resolve_seq = r("seq", lambda s: s.material.seq)
    resolve_name = r("name", lambda s: s.material.name)
    resolve_essential = r("essential", lambda s: s.material.essential)
    resolve_deferrable = r("deferrable", lambda s: s.material.deferrable)
    resolve_state_label = r("state_label", lambda s: choice_label(s, "state"))
    resolve_file = r("file", lambda s: _file(s.file))


class HistoryOut(Schema):
    from_status: str
    to_status: str
    action: str
    article: str
    actor_kind: str
    actor_name: str
    at: dt.datetime
    note: str


class ReceiptOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    issued_on: dt.date
    reasons: str
    remedies: str
    competent_body: str
    issuing_body: str

    resolve_kind_label = r("kind_label", lambda x: choice_label(x, "kind"))


class NoticeOut(Schema):
    number: str
    issued_on: dt.date
    items: list[dict]
    note: str
    issuing_body: str


class DeferralOut(Schema):
    material_id: int
    name: str
    due_on: dt.date
    supplemented_at: dt.datetime | None

    resolve_material_id = r("material_id", lambda d: d.submission.material_id)
    resolve_name = r("name", lambda d: d.submission.material.name)


class CommitmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    notice_text: str
    notice_issued_at: dt.datetime | None
    signer_name: str
    signed_at: dt.datetime | None
    signer_ip: str
    scan: FileOut | None
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    fulfilled_at: dt.datetime | None
    breached_at: dt.datetime | None
    deferrals: list[DeferralOut]

    resolve_kind_label = r("kind_label", lambda c: choice_label(c, "kind"))
    resolve_scan = r("scan", lambda c: _file(c.scan))
    resolve_deferrals = r("deferrals", lambda c: list(c.deferrals.all()))


class SuspensionOut(Schema):
    kind: str
    reason: str
    expected_working_days: int
    started_on: dt.date
    ended_on: dt.date | None
    paused_days: int
    notice_text: str


class ExtensionOut(Schema):
    days: int
    reason: str
    approved_at: dt.datetime
    notice_text: str


class ReviewOut(Schema):
    reviewer: Ref
    conclusion: str
    opinion: str
    created: dt.datetime

    resolve_reviewer = r("reviewer", lambda v: _ref(v.reviewer))


class DecisionOut(Schema):
    outcome: str
    reasons: str
    remedies: str
    conditions: str
    decided_by: Ref
    decided_on: dt.date
    on_the_spot: bool

    resolve_decided_by = r("decided_by", lambda d: _ref(d.decided_by))


class LicenceOut(Schema):
    id: int
    number: str
    verification_number: str
    verify_url: str
    title: str
    item_name: str
    holder: Ref
    application_id: int
    conditions: str
    route: Route
    valid_from: dt.date
    valid_until: dt.date | None
    status: LicenceStatus
    status_label: str
    issued_on: dt.date
    issuing_body: str
    revocation_started_on: dt.date | None
    revocation_grounds: str
    revoked_on: dt.date | None
    revocation_reason: str
    cancelled_on: dt.date | None
    cancellation_reason: str
    expired_on: dt.date | None

    resolve_holder = r("holder", lambda x: {"id": x.holder_id, "name": x.holder_name})
    resolve_status_label = r("status_label", lambda x: choice_label(x, "status"))


class RouteOption(Schema):
    route: Route
    allowed: bool
    reason: str


class ClockOut(Schema):
    statutory_limit_days: int | None
    promised_limit_days: int | None
    extension_days: int
    suspended_days: int
    statutory_due_on: dt.date | None
    promised_due_on: dt.date | None
    warn_on: dt.date | None
    licence_due_on: dt.date | None
    clock_stopped: bool


def _clock(a) -> dict:
    return {
        "statutory_limit_days": a.statutory_limit_days,
        "promised_limit_days": a.promised_limit_days,
        "extension_days": a.extension_days,
        "suspended_days": a.suspended_days,
        "statutory_due_on": a.statutory_due_on,
        "promised_due_on": a.promised_due_on,
        "warn_on": a.warn_on,
        "licence_due_on": a.licence_due_on,
        "clock_stopped": a.status == Status.SUSPENDED,
    }


def _route_options(a):
    from ..services import route_options

    return route_options(a)


class ApplicationDetailOut(ApplicationOut):
    description: str
    closing_note: str
    policy_version: int
    clock: ClockOut
    route_options: list[RouteOption]
    materials: list[MaterialOut]
    history: list[HistoryOut]
    receipts: list[ReceiptOut]
    deficiency_notice: NoticeOut | None
    commitments: list[CommitmentOut]
    suspensions: list[SuspensionOut]
    extension: ExtensionOut | None
    reviews: list[ReviewOut]
    decision: DecisionOut | None
    licences: list[LicenceOut]

    resolve_policy_version = r("policy_version", lambda a: a.route_policy.version)
    resolve_clock = r("clock", _clock)
    resolve_route_options = r("route_options", _route_options)
    resolve_materials = r(
        "materials",
        lambda a: list(a.materials.select_related("material", "file").order_by("material__seq")),
    )
    resolve_history = r("history", lambda a: list(a.history.order_by("at", "id")))
    resolve_receipts = r("receipts", lambda a: list(a.receipts.all()))
    resolve_deficiency_notice = r("deficiency_notice", lambda a: _one(a, "deficiency_notice"))
    resolve_commitments = r(
        "commitments",
        lambda a: list(
            a.commitments.select_related("scan").prefetch_related("deferrals__submission__material")
        ),
    )
    resolve_suspensions = r("suspensions", lambda a: list(a.suspensions.all()))
    resolve_extension = r("extension", lambda a: _one(a, "extension"))
    resolve_reviews = r("reviews", lambda a: list(a.reviews.select_related("reviewer")))
    resolve_decision = r("decision", lambda a: _one(a, "decision"))
    resolve_licences = r("licences", lambda a: list(a.licences.all()))


class RenewalOut(Schema):
    id: int
    licence_id: int
    applied_on: dt.date
    status: str
    previous_valid_until: dt.date
    new_valid_until: dt.date | None
    decided_on: dt.date | None
    reasons: str


class WarningOut(Schema):
    id: int
    application_id: int
    application_number: str
    kind: str
    staff: Ref | None
    due_on: dt.date
    created: dt.datetime

    resolve_application_number = r("application_number", lambda w: w.application.number)
    resolve_staff = r("staff", lambda w: _ref(w.staff))


class PolicyRuleOut(Schema):
    approval_class: str
    credit_tier: str
    allowed_routes: list[str]
    allow_tolerance: bool
    allow_commitment: bool
    max_deferred: int | None
    green_channel: bool
    promised_reduction_percent: int
    strict_review: bool


class PolicyOut(Schema):
    version: int
    effective_from: dt.date
    note: str
    rules: list[PolicyRuleOut]

    resolve_rules = r("rules", lambda p: list(p.rules.all()))


class VerifyOut(Schema):
    number: str
    verification_number: str
    status: str
    status_label: str
    title: str
    item_name: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    issuing_body: str
    issued_on: dt.date


class SweepOut(Schema):
    today: dt.date
    deemed_accepted: list[str]
    terminated: list[str]
    revocations_started: list[str]
    warnings: list[str]
    renewals_deemed: list[str]
    licences_expired: list[str]
    errors: list[str]


# --- input ------------------------------------------------------------------------------------


class ApplicationIn(Schema):
    power_id: int
    applicant_id: int
    channel: Channel = Channel.ONLINE
    route: Route = Route.ORDINARY
    description: str = Field("", max_length=2000)


class MaterialStateIn(Schema):
    state: Literal["provided", "missing", "faulty"]
    note: str = Field("", max_length=300)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class RefuseIn(Schema):
    reasons: str = Field(..., max_length=4000)
    remedies: str = Field(DEFAULT_REMEDIES, max_length=2000)


class RedirectIn(Schema):
    competent_body: str = Field(..., max_length=200)
    reasons: str = Field("", max_length=4000)


class NotRequiredIn(Schema):
    reasons: str = Field(..., max_length=4000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=4000)


class RouteIn(Schema):
    route: Route


class DeferralIn(Schema):
    material_id: int
    due_on: dt.date


class ToleranceIn(Schema):
    signer_name: str = Field(..., max_length=100)
    deferrals: list[DeferralIn]


class CommitmentIn(Schema):
    signer_name: str = Field(..., max_length=100)
    deferrals: list[DeferralIn] = []


class SuspendIn(Schema):
    kind: SuspensionKind
    reason: str = Field(..., max_length=4000)
    expected_working_days: int = Field(..., ge=1, le=365)


class ReviewIn(Schema):
    conclusion: ReviewConclusion
    opinion: str = Field("", max_length=4000)


class ApproveIn(Schema):
    opinion: str = Field("", max_length=4000)
    conditions: str = Field("", max_length=4000)
    issue_now: bool | None = None


class RenewalDecisionIn(Schema):
    approve: bool
    reasons: str = Field("", max_length=4000)


class CancelIn(Schema):
    reason: CancellationReason
    note: str = Field("", max_length=4000)


class RevokeIn(Schema):
    reason: str = Field(..., max_length=4000)


class StartRevocationIn(Schema):
    grounds: str = Field(..., max_length=4000)
