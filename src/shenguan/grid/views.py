"""Pages of the grid app, phone-first: the grid worker reports events (camera, location),
follows them and gives feedback, and files applications on behalf of residents (代办); the
receiving department or squad accepts, closes or returns; the command centre and heads see
every event and dispatch those no rule could place."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shenguan.core.errors import DomainError
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Grid, Section

from . import services
from .choices import OPEN_STATUSES, Category, EventStatus
from .models import EventPhoto, GridEvent, ProxyFiling, _receiver_q
from .workflow import Actor

BOXES = ("mine", "inbox", "all", "overdue")


def _staff_only(request):
    if not Scope.of(request.user).is_staff_member:
        raise Http404


def _run(request, action, success: str) -> bool:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _events(request):
    return GridEvent.objects.restrict(request.user, "view").select_related(
        "grid", "reporter", "assigned_department", "assigned_section__department", "assignee"
    )


@require_GET
@login_required
def home(request):
    _staff_only(request)
    scope = Scope.of(request.user)
    is_worker = Role.GRID_WORKER.value in scope.roles
    wide = scope.zone_wide
    box = request.GET.get("box") or ("mine" if is_worker else "inbox" if not wide else "all")
    if box not in BOXES:
        box = "all"
    qs = _events(request)
    if box == "mine":
        qs = qs.filter(grid_id__in=scope.grid_ids) if is_worker else qs.none()
    elif box == "inbox":
        qs = qs.filter(_receiver_q(scope)).filter(status__in=OPEN_STATUSES)
    elif box == "overdue":
        qs = qs.filter(is_overdue=True, closed_at__isnull=True)
    status = request.GET.get("status", "")
    if status in EventStatus.values:
        qs = qs.filter(status=status)
    category = request.GET.get("category", "")
    if category in Category.values:
        qs = qs.filter(category=category)
    page = Paginator(qs.order_by("-reported_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "grid/home.html",
        {
            "page": page,
            "box": box,
            "is_worker": is_worker,
            "wide": wide,
            "status": status,
            "category": category,
            "statuses": EventStatus.choices,
            "categories": Category.choices,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def report(request):
    scope = Scope.of(request.user)
    if Role.GRID_WORKER.value not in scope.roles:
        raise Http404
    grids = Grid.objects.filter(pk__in=scope.grid_ids).order_by("code")
    if request.method == "POST":
        files = request.FILES.getlist("photos")
        holder = {}

        def do():
            holder["event"] = services.report_event(
                grid_id=int(request.POST.get("grid_id") or 0),
                category=request.POST.get("category", ""),
                title=request.POST.get("title", ""),
                place=request.POST.get("place", ""),
                description=request.POST.get("description", ""),
                latitude=request.POST.get("latitude") or None,
                longitude=request.POST.get("longitude") or None,
                photos=[(f, f.name) for f in files],
                user=request.user,
            )

        if _run(request, do, _("事件已上报")):
            return redirect(holder["event"].get_absolute_url())
    return render(
        request,
        "grid/report.html",
        {"grids": grids, "categories": Category.choices, "form": request.POST},
    )


def _event(request, pk: int) -> GridEvent:
    event = (
        _events(request)
        .select_related("routed_power", "party", "closed_by", "policy", "grid__squad")
        .prefetch_related("photos", "steps")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    return event


def _act(request, event: GridEvent) -> bool:
    action = request.POST.get("action", "")
    user, pk, post = request.user, event.pk, request.POST
    if action == "accept":
        return _run(request, lambda: services.accept_event(pk, user=user), _("已签收"))
    if action == "close":
        files = request.FILES.getlist("photos")
        return _run(
            request,
            lambda: services.close_event(
                pk, report=post.get("report", ""), photos=[(f, f.name) for f in files], user=user
            ),
            _("已办结，结果已反馈网格员"),
        )
    if action == "return":
        return _run(
            request,
            lambda: services.return_event(pk, reason=post.get("reason", ""), user=user),
            _("已退回指挥中心"),
        )
    if action == "recall":
        return _run(
            request,
            lambda: services.recall_event(pk, reason=post.get("reason", ""), user=user),
            _("已收回"),
        )
    if action == "dispatch":
        section = post.get("section_id") or None
        days = post.get("limit_days") or None
        return _run(
            request,
            lambda: services.dispatch_event(
                pk,
                section_id=int(section) if section and section.isdigit() else None,
                limit_days=int(days) if days and days.isdigit() else None,
                note=post.get("note", ""),
                user=user,
            ),
            _("已分派"),
        )
    if action == "confirm":
        rating = post.get("rating") or None
        return _run(
            request,
            lambda: services.confirm_event(
                pk,
                rating=int(rating) if rating and rating.isdigit() else None,
                comment=post.get("comment", ""),
                user=user,
            ),
            _("已确认办理结果"),
        )
    if action == "reopen":
        return _run(
            request,
            lambda: services.reopen_event(pk, reason=post.get("reason", ""), user=user),
            _("已退回重办"),
        )
    messages.error(request, _("未知操作"))
    return False


@require_http_methods(["GET", "POST"])
@login_required
def event(request, pk: int):
    _staff_only(request)
    obj = _event(request, pk)
    if request.method == "POST":
        if _act(request, obj):
            return redirect(obj.get_absolute_url())
        obj = _event(request, pk)
    actors = services.actors_for(request.user, obj)
    sections = []
    if Actor.CENTRE in actors and obj.status == EventStatus.REPORTED:
        sections = Section.objects.select_related("department").order_by("department__code", "code")
    return render(
        request,
        "grid/event.html",
        {
            "event": obj,
            "as_worker": Actor.WORKER in actors,
            "as_receiver": Actor.RECEIVER in actors,
            "as_centre": Actor.CENTRE in actors,
            "sections": sections,
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
def photo(request, pk: int):
    item = EventPhoto.objects.restrict(request.user, "view").filter(pk=pk).first()
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="grid-photo-{item.pk}"'
    response["X-Content-SHA256"] = item.sha256
    return response


@require_http_methods(["GET", "POST"])
@login_required
def proxy(request):
    """代办: a grid worker files an application for a party of their grid."""
    from shenguan.catalog.choices import ENFORCEMENT_KINDS
    from shenguan.catalog.models import Power
    from shenguan.parties.models import Party

    scope = Scope.of(request.user)
    if Role.GRID_WORKER.value not in scope.roles:
        raise Http404
    if request.method == "POST":
        post = request.POST
        holder = {}

        def do():
            party = post.get("party_id", "")
            power = post.get("power_id", "")
            if not (party.isdigit() and power.isdigit()):
                raise DomainError(_("请选择委托人和申请事项"), code="required")
            holder["f"] = services.file_on_behalf(
                party_id=int(party),
                power_id=int(power),
                consent_note=post.get("consent_note", ""),
                description=post.get("description", ""),
                user=request.user,
            )

        if _run(request, do, _("已代办提交申请")):
            return redirect("grid:proxy")
    q = (request.GET.get("q") or "").strip()
    parties = Party.objects.filter(grid_id__in=scope.grid_ids).order_by("name")
    powers = Power.objects.exclude(kind__in=ENFORCEMENT_KINDS).order_by("code")
    if q:
        powers = powers.filter(Q(code__icontains=q) | Q(versions__name__contains=q)).distinct()
    filings = (
        ProxyFiling.objects.restrict(request.user, "view")
        .select_related("party", "application__power_version", "worker")
        .order_by("-created")[:30]
    )
    return render(
        request,
        "grid/proxy.html",
        {
            "parties": parties[:300],
            "powers": powers[:50],
            "q": q,
            "filings": filings,
            "form": request.POST,
        },
    )
