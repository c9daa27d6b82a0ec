"""Pages of the oversight app: the home page (my alerts, my team's alerts, accountability
records with their review and appeal forms) and the monthly performance report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shenguan.core.errors import DomainError
from shenguan.core.permissions import Role, Scope
from shenguan.portal.access import staff_required
from shenguan.portal.queries import paginate

from . import reports, services, workflow
from .choices import AccountabilityStatus, AlertLevel
from .models import AccountabilityRecord, Alert


@require_GET
@staff_required
def home(request):
    scope = Scope.of(request.user)
    visible = Alert.objects.restrict(request.user, "view").open().with_related()
    mine = visible.filter(staff_id=scope.staff_id or 0).order_by("due_on", "id")
    level = request.GET.get("level") or ""
    team = visible.exclude(staff_id=scope.staff_id or 0).order_by("-level", "due_on", "id")
    if level in AlertLevel.values:
        team = team.filter(level=level)
    records = (
        AccountabilityRecord.objects.restrict(request.user, "view")
        .select_related("staff", "section")
        .order_by("-created", "-id")
    )
    status = request.GET.get("status") or ""
    if status in AccountabilityStatus.values:
        records = records.filter(status=status)
    return render(
        request,
        "oversight/home.html",
        {
            "mine": mine[:50],
            "team": paginate(request, team),
            "records": records[:50],
            "level": level,
            "levels": AlertLevel.choices,
            "status": status,
            "statuses": AccountabilityStatus.choices,
            "today": timezone.localdate(),
            "policy": services.policy_in_force(),
            "may_report": reports.may_view(scope),
            "is_bureau_head": scope.has_role(Role.BUREAU_HEAD),
        },
    )


@require_GET
@staff_required
def record_detail(request, pk: int):
    record = (
        AccountabilityRecord.objects.restrict(request.user, "view")
        .select_related("staff", "section", "department", "alert", "policy")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    actors = services._actors(record, request.user)
    allowed = {
        t.action for t in workflow.TRANSITIONS if t.source == record.status and t.actors & actors
    }
    return render(
        request,
        "oversight/record.html",
        {"record": record, "allowed": allowed},
    )


@require_POST
@staff_required
def record_action(request, pk: int, action: str):
    post = request.POST
    try:
        if action in ("confirm", "dismiss"):
            services.review(
                pk, confirm=action == "confirm", note=post.get("note", ""), user=request.user
            )
        elif action == "appeal":
            services.appeal(pk, grounds=post.get("grounds", ""), user=request.user)
        elif action in ("uphold", "overturn"):
            services.decide_appeal(
                pk, uphold=action == "uphold", note=post.get("note", ""), user=request.user
            )
        else:
            raise Http404
        messages.success(request, _("已办理"))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404
        if exc.status == 403:  # visible, not theirs to decide
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    return redirect("oversight:record", pk=pk)


@require_POST
@staff_required
def propose(request, alert_id: int):
    alert = Alert.objects.restrict(request.user, "view").filter(pk=alert_id).first()
    if alert is None or alert.staff_id is None:
        raise Http404
    try:
        record = services.propose(
            alert.staff_id,
            reason=request.POST.get("reason", ""),
            alert_id=alert.pk,
            user=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("oversight:home")
    messages.success(request, _("已提出效能问责：%(n)s") % {"n": record.number})
    return redirect("oversight:record", pk=record.pk)


@require_GET
@staff_required
def report(request):
    from .api import parse_month

    scope = Scope.of(request.user)
    if not reports.may_view(scope):
        raise Http404
    month_text = request.GET.get("month") or ""
    try:
        month = parse_month(month_text)
    except DomainError:
        month = timezone.localdate().replace(day=1)
    data = reports.monthly(month, request.user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reports.to_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="oversight-{data.label}.xlsx"'
        return response
    levels = [
        (level, reports.level_labels()[level], data.rows.get(level, [])) for level in reports.LEVELS
    ]
    return render(request, "oversight/report.html", {"data": data, "levels": levels})
