"""Everything one application page shows, loaded in a fixed number of queries whatever the
length of the checklist or the history."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from .. import clocks, services, workflow
from ..choices import CommitmentKind, CommitmentStatus, Route, Status
from ..models import (
    Commitment,
    Decision,
    DeferredMaterial,
    DeficiencyNotice,
    Extension,
    RoutePolicyRule,
)
from ..services._base import approval_class_of, bureau_name
from .common import clock_of, notice_deadline, today


def policy_rule(app) -> RoutePolicyRule | None:
    return RoutePolicyRule.objects.filter(
        policy_id=app.route_policy_id,
        approval_class=approval_class_of(app),
        credit_tier=app.applicant.credit_tier,
    ).first()


def latest_cure_date(app, rule: RoutePolicyRule | None, day: dt.date | None = None):
    """The latest due date a deferred material may get if the application is accepted on
    ``day``: the promised due date (local practice, DOMAIN §5 #7). None if unknown."""
    day = day or today()
    version = app.power_version
    try:
        return clocks.compute(
            app.accepted_on or day,
            statutory_days=clocks.statutory_limit(version),
            promised_days=clocks.promised_limit(version, rule),
        ).promised_due_on
    except clocks.CalendarUnknown:
        return None


def application_parts(app) -> dict:
    """The application's checklist, commitments, documents, reviews and history."""
    commitments = list(
        Commitment.objects.filter(application=app)
        .select_related("scan")
        .prefetch_related(
            Prefetch(
                "deferrals",
                queryset=DeferredMaterial.objects.select_related("submission__material").order_by(
                    "due_on", "id"
                ),
            )
        )
        .order_by("kind")
    )
    live_deferrals = {
        d.submission_id: d
        for c in commitments
        if c.status != CommitmentStatus.WITHDRAWN
        for d in c.deferrals.all()
    }
    materials = list(app.materials.select_related("material", "file").order_by("material__seq"))
    for sub in materials:
        sub.deferral = live_deferrals.get(sub.pk)
    by_kind = {c.kind: c for c in commitments}
    route_kind = {
        Route.TOLERANCE: CommitmentKind.TOLERANCE,
        Route.COMMITMENT: CommitmentKind.NOTIFICATION,
    }.get(app.route)
    return {
        "app": app,
        "materials": materials,
        "missing": [s for s in materials if s.state in ("missing", "faulty")],
        "deferrals": sorted(live_deferrals.values(), key=lambda d: (d.due_on, d.pk)),
        "commitments": commitments,
        "route_commitment": by_kind.get(route_kind) if route_kind else None,
        "history": list(app.history.select_related("user").order_by("at", "id")),
        "receipts": list(app.receipts.order_by("issued_at")),
        "notice": DeficiencyNotice.objects.filter(application=app).first(),
        "reviews": list(app.reviews.select_related("reviewer").order_by("created")),
        "suspensions": list(app.suspensions.order_by("started_on", "id")),
        "extension": Extension.objects.filter(application=app).first(),
        "decision": Decision.objects.filter(application=app).select_related("decided_by").first(),
        "licences": list(app.licences.order_by("-issued_at")),
        "clock": clock_of(app),
        "notice_deadline": notice_deadline(app),
        "before_acceptance": app.status in workflow.BEFORE_ACCEPTANCE,
        "is_open": app.status in workflow.OPEN_STATES,
        "Status": Status,
        "today": today(),
        "bureau": bureau_name(),
    }


def route_parts(app) -> dict:
    """Which routes are open and why not, and the policy figures the route forms need."""
    rule = policy_rule(app)
    options = services.route_options(app)
    for option in options:
        option["label"] = Route(option["route"]).label
    return {
        "route_options": options,
        "rule": rule,
        "deferral_limit": rule.deferral_limit() if rule is not None else 0,
        "cure_limit": latest_cure_date(app, rule),
    }
