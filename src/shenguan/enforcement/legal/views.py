"""Pages of the legal section: the review queue and the review page (with the discretion
calculation), the live view of officers' open steps, alerts and guidance."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Staff
from shenguan.portal.queries import paginate

from ..cases.choices import ReviewOpinion
from ..cases.views import case_context, visible_case
from ..common.access import legal_section, run
from . import services
from .models import Alert, Guidance, LegalReview
from .sweep import open_steps


@legal_section
def queue(request):
    reviews = (
        LegalReview.objects.restrict(request.user, "view")
        .filter(opinion="")
        .select_related("case__party", "case__squad", "submitted_by")
        .order_by("submitted_at", "id")
    )
    done = (
        LegalReview.objects.restrict(request.user, "view")
        .exclude(opinion="")
        .select_related("case", "reviewer")
        .order_by("-answered_at")[:10]
    )
    return render(request, "enforcement/legal/queue.html", {"reviews": reviews, "done": done})


@require_http_methods(["GET", "POST"])
@legal_section
def review(request, pk: int):
    case = visible_case(request, pk)
    pending = next((r for r in case.reviews.all() if not r.opinion), None)
    if request.method == "POST":
        opinion = request.POST.get("opinion", "")
        text = request.POST.get("text", "")
        ok = run(
            request,
            lambda: services.give_opinion(case.pk, opinion=opinion, text=text, user=request.user),
            _("审核意见已提交：%(o)s")
            % {"o": ReviewOpinion(opinion).label if opinion in ReviewOpinion.values else ""},
        )
        if ok:
            return redirect(reverse("enforcement:legal_queue"))
        return redirect(reverse("enforcement:legal_review", args=[case.pk]))
    can_review = Scope.of(request.user).has_role(Role.LEGAL_REVIEWER)
    context = case_context(case) | {
        "pending": pending,
        "can_review": can_review,
        "opinions": ReviewOpinion.choices,
    }
    return render(request, "enforcement/legal/review.html", context)


@legal_section
def live(request):
    steps = open_steps(request.user)
    template = (
        "enforcement/legal/_live.html"
        if request.headers.get("HX-Request")
        else "enforcement/legal/live.html"
    )
    return render(
        request, template, {"steps": steps, "overdue": sum(1 for s in steps if s.overdue)}
    )


@require_http_methods(["GET", "POST"])
@legal_section
def alerts(request):
    if request.method == "POST":
        run(
            request,
            lambda: services.acknowledge_alert(
                int(request.POST.get("alert", 0)), user=request.user
            ),
            _("已确认"),
        )
        return redirect(reverse("enforcement:legal_alerts"))
    qs = Alert.objects.restrict(request.user, "view").select_related("squad", "acknowledged_by")
    show_all = request.GET.get("all") == "1"
    if not show_all:
        qs = qs.filter(resolved_at__isnull=True)
    return render(
        request,
        "enforcement/legal/alerts.html",
        {"page": paginate(request, qs), "show_all": show_all},
    )


@require_http_methods(["GET", "POST"])
@legal_section
def guidance(request):
    if request.method == "POST":
        try:
            recipient = int(request.POST.get("recipient", 0))
        except ValueError:
            raise Http404
        case_id = request.POST.get("case") or None
        run(
            request,
            lambda: services.send_guidance(
                recipient_id=recipient,
                text=request.POST.get("text", ""),
                case_id=int(case_id) if case_id else None,
                user=request.user,
            ),
            _("已发送"),
        )
        return redirect(reverse("enforcement:legal_guidance"))
    sent = Guidance.objects.restrict(request.user, "view").select_related(
        "author", "recipient", "case"
    )
    officers = Staff.objects.filter(
        user__groups__name=Role.ENFORCEMENT_OFFICER, is_active=True
    ).order_by("name")
    return render(
        request,
        "enforcement/legal/guidance.html",
        {"page": paginate(request, sent), "officers": officers},
    )
