"""The approval officer's queue and review page: applications for which the user acts today
as the responsible staff member of the item's post (A role, or B role while the holder is
away), with their statutory and promised due dates; the review, clock stops (art 45), the
decision (art 34, 38) and the licence (art 44)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Post
from shenguan.portal.queries import paginate
from shenguan.portal.rendering import render_list

from ..models import Review
from ..services._base import acting_staff
from .actions import make_form, pick, unbound_forms
from .common import (
    REVIEW_ROLES,
    REVIEW_STATES,
    clock_of,
    failed_form,
    get_application,
    perform,
    role_required,
    today,
    visible_applications,
)
from .detail import application_parts

review_required = role_required(*REVIEW_ROLES)

REVIEW_ACTIONS = pick(
    "start-review", "review", "suspend", "resume", "approve", "refuse", "issue", "extend"
)


def acting_post_ids(scope: Scope) -> list[int]:
    """Posts for which the user acts today (a handful of rows, checked in Python with the
    same rule as ``Post.acting_staff``)."""
    if scope.staff_id is None:
        return []
    posts = (
        Post.objects.restrict(scope.user, "view")
        .filter(Q(holder_id=scope.staff_id) | Q(backup_id=scope.staff_id))
        .select_related("holder", "backup")
    )
    out = []
    for post in posts:
        acting = post.acting_staff()
        if acting is not None and acting.pk == scope.staff_id:
            out.append(post.pk)
    return out


def review_queryset(request, scope: Scope, mine: bool):
    qs = (
        visible_applications(request)
        .for_list()
        .filter(status__in=REVIEW_STATES)
        # a correlated count, evaluated for the rows of the page only (an aggregate over the
        # join would group every matching application before the sort and the limit)
        .annotate(
            review_count=Coalesce(
                Subquery(
                    Review.objects.filter(application=OuterRef("pk"))
                    .order_by()
                    .values("application")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            )
        )
    )
    if mine:
        qs = qs.filter(power__responsibility__post_id__in=acting_post_ids(scope))
    return qs


@review_required
def queue(request):
    scope = Scope.of(request.user)
    officer = scope.has_role(Role.APPROVAL_OFFICER) and not scope.is_admin
    show = request.GET.get("show", "mine" if officer else "all")
    mine = show != "all"
    qs = review_queryset(request, scope, mine)
    status = request.GET.get("status", "")
    if status in {s.value for s in REVIEW_STATES}:
        qs = qs.filter(status=status)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q))
    # Soonest promised due date first; those without one (approved, awaiting the licence)
    # after them.
    qs = qs.order_by("promised_due_on", "statutory_due_on", "id")
    page = paginate(request, qs)
    day = today()
    rows = [(app, clock_of(app, day)) for app in page]
    return render_list(
        request,
        "approvals/review/queue.html",
        "approvals/review/_queue.html",
        {
            "page": page,
            "rows": rows,
            "show": "mine" if mine else "all",
            "status": status,
            "q": q,
            "statuses": [(s.value, s.label) for s in REVIEW_STATES],
            "today": day,
        },
    )


def render_review(request, app, *, bound=None, status=200):
    scope = Scope.of(request.user)
    acting = acting_staff(app)
    context = {
        **application_parts(app),
        "forms": unbound_forms(REVIEW_ACTIONS, app, bound),
        "failed": failed_form(bound),
        "acting": acting,
        "i_act": acting is not None and acting.pk == scope.staff_id,
        "is_head": scope.has_role(Role.BUREAU_HEAD),
    }
    return render(request, "approvals/review/detail.html", context, status=status)


@review_required
def detail(request, pk: int):
    return render_review(request, get_application(request, pk))


@require_POST
@review_required
def action(request, pk: int, action: str):
    spec = REVIEW_ACTIONS.get(action)
    if spec is None:
        raise Http404
    app = get_application(request, pk)
    form = make_form(spec, app, action, request.POST, request.FILES)
    outcome = perform(request, form, lambda d: spec.call(request, app, d), spec.success)
    if outcome.ok:
        return redirect(reverse("approvals:review-detail", args=[pk]) + f"#{spec.anchor}")
    return render_review(request, app, bound={action: form}, status=outcome.status)
