"""Pages of the verification app: the squad inbox of pushes (签收), the task list and detail
with the finding form, the draws (staff), and the public results of finished draws."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shenguan.approvals.choices import Route
from shenguan.core.errors import DomainError
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Staff
from shenguan.portal.access import staff_required
from shenguan.portal.queries import paginate

from . import services
from .choices import FindingStatus, TaskStatus
from .forms import DrawForm, FindingForm, PushFilterForm, RevokeForm
from .models import Draw, Finding, FindingSignature, Lead, Push, VerificationTask
from .models.scoping import sees_all
from .public import public_draw, published_draws, with_targets
from .services._base import DRAW_ROLES

# --- inbox ------------------------------------------------------------------------------------


@require_GET
@staff_required
def inbox(request):
    form = PushFilterForm(request.GET or {"state": "pending"})
    state = form.data.get("state") or "pending"
    today = timezone.localdate()
    qs = Push.objects.restrict(request.user, "view").select_related(
        "party", "squad", "task", "licence"
    )
    counts = {
        "pending": qs.filter(acknowledged_at__isnull=True).count(),
        "overdue": qs.overdue(today).count(),
    }
    if state == "pending":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif state == "overdue":
        qs = qs.overdue(today)
    elif state == "acknowledged":
        qs = qs.filter(acknowledged_at__isnull=False)
    qs = qs.order_by("acknowledged_at", "ack_due_on", "-pushed_at", "-pk")
    scope = Scope.of(request.user)
    page = paginate(request, qs)
    routes = dict(Route.choices)
    for push in page:
        push.route_label = routes.get(push.summary.get("route"), "")
    return render(
        request,
        "verification/inbox.html",
        {
            "form": form,
            "state": state,
            "page": page,
            "counts": counts,
            "today": today,
            "can_ack_squads": scope.section_ids,
            "is_admin": scope.is_admin,
        },
    )


@require_POST
@staff_required
def acknowledge(request, pk: int):
    try:
        push = services.acknowledge_push(pk, note=request.POST.get("note", ""), user=request.user)
        messages.success(request, _("已签收：%(push)s") % {"push": push})
    except DomainError as exc:
        if exc.status == 404:
            raise Http404
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "verification:inbox")


# --- tasks ------------------------------------------------------------------------------------


@require_GET
@staff_required
def task_list(request):
    status = request.GET.get("status") or ""
    qs = VerificationTask.objects.restrict(request.user, "view").select_related(
        "party", "licence", "squad", "grid", "draw"
    )
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "verification/tasks.html",
        {
            "page": paginate(request, qs.order_by("status", "due_on", "-pk")),
            "status": status,
            "statuses": TaskStatus.choices,
            "today": timezone.localdate(),
        },
    )


def _task(request, pk: int) -> VerificationTask:
    findings = Finding.objects.select_related("recorded_by", "co_inspector", "credit_event")
    findings = findings.prefetch_related(
        Prefetch("signatures", queryset=FindingSignature.objects.select_related("staff"))
    )
    task = (
        VerificationTask.objects.restrict(request.user, "view")
        .select_related("party", "application", "licence", "squad", "grid", "policy", "draw")
        .prefetch_related(
            "inspectors__staff",
            Prefetch("findings", queryset=findings),
            "rectification_orders",
            Prefetch("leads", queryset=Lead.objects.select_related("credit_event")),
            "pushes",
        )
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def _co_inspectors(task, staff):
    """Whom the finding form offers as the second inspector: the drawn ones for a drawn task,
    else the certified officers of the task's squad (the service checks again)."""
    drawn = [i.staff_id for i in task.inspectors.all() if i.drawn]
    qs = Staff.objects.filter(is_active=True).exclude(enforcement_cert_no="")
    qs = qs.filter(pk__in=drawn) if drawn else qs.filter(section_id=task.squad_id)
    return qs.exclude(pk=staff.pk if staff else None).order_by("name")


@require_http_methods(["GET", "POST"])
@staff_required
def task_detail(request, pk: int):
    task = _task(request, pk)
    scope = Scope.of(request.user)
    staff = Staff.objects.filter(pk=scope.staff_id).first() if scope.staff_id else None
    finding_form = FindingForm(inspectors=_co_inspectors(task, staff))
    revoke_form = RevokeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "finding":
                finding_form = FindingForm(request.POST, inspectors=_co_inspectors(task, staff))
                if finding_form.is_valid():
                    data = finding_form.cleaned_data
                    services.record_finding(
                        task.pk,
                        outcome=data["outcome"],
                        facts=data["facts"],
                        requirements=data["requirements"],
                        co_inspector_id=data["co_inspector"].pk,
                        inspected_on=data["inspected_on"],
                        user=request.user,
                    )
                    messages.success(request, _("核查结论已记录，待协办执法人员会签"))
                    return redirect("verification:task", pk=task.pk)
            elif action == "sign":
                services.sign_finding(int(request.POST.get("finding", 0)), user=request.user)
                messages.success(request, _("已会签，核查结论生效"))
                return redirect("verification:task", pk=task.pk)
            elif action == "revoke":
                revoke_form = RevokeForm(request.POST)
                if revoke_form.is_valid():
                    services.revoke_licence(
                        task.pk, reason=revoke_form.cleaned_data["reason"], user=request.user
                    )
                    messages.success(request, _("许可已撤销"))
                    return redirect("verification:task", pk=task.pk)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404
            for name, errors in exc.field_errors.items():
                target = finding_form if action == "finding" else revoke_form
                if name in target.fields:
                    target.add_error(name, errors)
            messages.error(request, exc.message)
    drafts = [f for f in task.findings.all() if f.status == FindingStatus.DRAFT]
    return render(
        request,
        "verification/task.html",
        {
            "task": task,
            "today": timezone.localdate(),
            "finding_form": finding_form,
            "revoke_form": revoke_form,
            "can_record": bool(staff)
            and scope.has_role(Role.ENFORCEMENT_OFFICER)
            and task.status in (TaskStatus.OPEN, TaskStatus.RECTIFYING)
            and not drafts,
            "to_sign": [f for f in drafts if staff and f.co_inspector_id == staff.pk],
            "can_revoke": task.status == TaskStatus.REVOCATION_PENDING
            and scope.has_role(Role.BUREAU_HEAD),
        },
    )


# --- draws (staff) ----------------------------------------------------------------------------


@require_GET
@staff_required
def draw_manage(request):
    scope = Scope.of(request.user)
    qs = Draw.objects.restrict(request.user, "view").defer("inputs")
    return render(
        request,
        "verification/draws_manage.html",
        {
            "page": paginate(request, qs),
            "can_draw": scope.has_role(*DRAW_ROLES),
            "sees_all": sees_all(scope),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def draw_new(request):
    if not Scope.of(request.user).has_role(*DRAW_ROLES):
        raise Http404
    form = DrawForm(request.POST or None, initial={"size": 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = services.make_draw(
                size=data["size"],
                inspectors_per_target=data["inspectors_per_target"],
                squad_ids=[s.pk for s in data["squads"]] or None,
                seed=data["seed"] or None,
                note=data["note"],
                user=request.user,
            )
            messages.success(request, _("已完成抽取：%(n)s") % {"n": draw.number})
            return redirect("verification:draw", pk=draw.pk)
        except DomainError as exc:
            for name, errors in exc.field_errors.items():
                if name in form.fields:
                    form.add_error(name, errors)
            if not exc.field_errors:
                form.add_error(None, exc.message)
    return render(
        request,
        "verification/draw_new.html",
        {"form": form, "directory": services.directory().count()},
    )


@require_GET
@staff_required
def draw_staff(request, pk: int):
    draw = with_targets(Draw.objects.restrict(request.user, "view")).filter(pk=pk).first()
    if draw is None:
        raise Http404
    return render(
        request,
        "verification/draw_staff.html",
        {"draw": draw, "replay": services.replay(draw.pk), "tasks": draw.tasks.all()},
    )


# --- public -----------------------------------------------------------------------------------


@require_GET
def public_list(request):
    page = paginate(request, with_targets(published_draws()), per_page=20)
    return render(
        request,
        "verification/public_draws.html",
        {"page": page, "draws": [public_draw(d) | {"pk": d.pk} for d in page]},
    )


@require_GET
def public_detail(request, pk: int):
    draw = with_targets(published_draws()).filter(pk=pk).first()
    if draw is None:
        raise Http404
    return render(request, "verification/public_draw.html", {"draw": public_draw(draw)})
