"""The bureau head's page (局领导): extensions of the decision limit to approve (行政许可法
art 42, the reason told to the applicant), strict-review cases, warned and overdue
applications across the bureau, and licences whose revocation the sweep has started
(art 69, completed here with a reason)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services, workflow
from ..choices import LicenceStatus, ReviewConclusion, Status
from ..forms import ReasonForm
from ..models import Licence
from .common import (
    HEAD_ROLES,
    REVIEW_STATES,
    clock_of,
    get_application,
    perform,
    role_required,
    today,
    visible_applications,
)

head_required = role_required(*HEAD_ROLES)
LIMIT = 100


def _extension_candidates(request, day):
    """Under review, not yet extended, and past the 80 % mark of the promised limit: the
    cases where the head may have to grant the +10 days before the statutory limit runs
    out."""
    return (
        visible_applications(request)
        .filter(status=Status.UNDER_REVIEW, extension__isnull=True, warn_on__lte=day)
        .order_by("statutory_due_on", "id")
    )


def render_head(request, *, bound=None, status=200):
    bound = bound or {}
    day = today()
    extensions = list(_extension_candidates(request, day)[:LIMIT])
    strict = list(
        visible_applications(request)
        .filter(strict_review=True, status__in=REVIEW_STATES)
        .exclude(status=Status.APPROVED)
        .annotate(agreeing=Count("reviews", filter=Q(reviews__conclusion=ReviewConclusion.APPROVE)))
        .order_by("promised_due_on", "id")[:LIMIT]
    )
    late = list(
        visible_applications(request)
        .filter(status__in=workflow.CLOCK_RUNNING, warn_on__lte=day)
        .order_by("promised_due_on", "id")[:LIMIT]
    )
    revocations = list(
        Licence.objects.restrict(request.user, "view")
        .with_related()
        .filter(
            revocation_started_on__isnull=False,
            status__in=[LicenceStatus.VALID, LicenceStatus.EXPIRED],
        )
        .order_by("revocation_started_on", "id")[:LIMIT]
    )
    context = {
        "today": day,
        "extensions": [
            (
                app,
                clock_of(app, day),
                bound.get(("extend", app.pk)) or ReasonForm(prefix=f"extend-{app.pk}", app=app),
            )
            for app in extensions
        ],
        "strict": [(app, clock_of(app, day)) for app in strict],
        "late": [(app, clock_of(app, day)) for app in late],
        "revocations": [
            (
                licence,
                bound.get(("revoke", licence.pk)) or ReasonForm(prefix=f"revoke-{licence.pk}"),
            )
            for licence in revocations
        ],
    }
    return render(request, "approvals/head/dashboard.html", context, status=status)


@head_required
def dashboard(request):
    return render_head(request)


@require_POST
@head_required
def extend(request, pk: int):
    app = get_application(request, pk)
    form = ReasonForm(request.POST, prefix=f"extend-{pk}", app=app)
    outcome = perform(
        request,
        form,
        lambda d: services.extend(app.pk, reason=d["reason"], user=request.user),
        _("审批期限已延长，延长理由已告知申请人"),
    )
    if outcome.ok:
        return redirect(reverse("approvals:head") + "#extensions")
    return render_head(request, bound={("extend", pk): form}, status=outcome.status)


@require_POST
@head_required
def revoke(request, licence_id: int):
    licence = Licence.objects.restrict(request.user, "view").filter(pk=licence_id).first()
    if licence is None:
        raise Http404
    form = ReasonForm(request.POST, prefix=f"revoke-{licence_id}")
    outcome = perform(
        request,
        form,
        lambda d: services.revoke_licence(licence.pk, reason=d["reason"], user=request.user),
        _("许可已撤销"),
    )
    if outcome.ok:
        return redirect(reverse("approvals:head") + "#revocations")
    return render_head(request, bound={("revoke", licence_id): form}, status=outcome.status)
