"""Pages of the supervision app: the live feed of approval acts (polled with ``?after=``,
no held connection), one application as a supervisor sees it with the objection form, the
objection inbox and one objection with the head's decision forms. Every change goes through
``supervision.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shenguan.core.errors import DomainError
from shenguan.core.permissions import Role, Scope

from . import feed, services, workflow
from .choices import ObjectionStatus, RequestedAction
from .models import Objection

POLL_SECONDS = 5
REVIEW_ROLES = (Role.APPROVAL_OFFICER, Role.BUREAU_HEAD)


def _watcher(request) -> Scope:
    if not request.user.is_authenticated:
        raise _Login
    scope = Scope.of(request.user)
    if not feed.can_watch(scope):
        raise PermissionDenied
    return scope


class _Login(Exception):
    pass


def watchers_only(view):
    def wrapper(request, *args, **kwargs):
        try:
            scope = _watcher(request)
        except _Login:
            return redirect_to_login(request.get_full_path())
        return view(request, scope, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request) -> dict:
    return {
        "item": (request.GET.get("item") or "").strip(),
        "act": (request.GET.get("act") or "").strip(),
    }


@require_GET
@watchers_only
def feed_page(request, scope):
    filters = _filters(request)
    before = _int(request.GET.get("before"))
    rows = feed.acts(scope, before=before, **filters)
    latest = rows[0].seq if rows and before is None else _latest(scope, filters)
    return render(
        request,
        "supervision/feed.html",
        {
            "acts": rows,
            "filters": filters,
            "latest": latest,
            "oldest": rows[-1].seq if len(rows) == feed.PAGE else None,
            "paging_back": before is not None,
            "act_choices": sorted(
                ((k, str(v)) for k, v in feed.ACT_LABELS.items()), key=lambda kv: kv[0]
            ),
            "poll_seconds": POLL_SECONDS,
            "sees_all": feed.sees_all(scope),
            "department": getattr(scope, "department_id", None),
            "is_supervisor": scope.has_role(Role.DEPARTMENT_SUPERVISOR) and not scope.is_admin,
        },
    )


def _latest(scope, filters) -> int:
    newest = feed.acts(scope, limit=1, **filters)
    return newest[0].seq if newest else 0


@require_GET
@watchers_only
def feed_poll(request, scope):
    """The htmx poll: acts after ``?after=``, prepended to the list out of band, and the
    poller itself with the new cursor."""
    filters = _filters(request)
    after = _int(request.GET.get("after")) or 0
    rows = feed.acts(scope, after=after, **filters)
    return render(
        request,
        "supervision/_poll.html",
        {
            "acts": rows,
            "latest": rows[0].seq if rows else after,
            "filters": filters,
            "poll_seconds": POLL_SECONDS,
            "is_supervisor": scope.has_role(Role.DEPARTMENT_SUPERVISOR) and not scope.is_admin,
        },
    )


def _application(scope, pk):
    app = (
        feed.domain_applications(scope)
        .select_related("power", "power_version", "applicant")
        .filter(pk=pk)
        .first()
    )
    if app is None:
        raise Http404
    return app


def _application_page(request, scope, app, form=None, errors=None, status=200):
    rows = [
        a for a in feed.acts(scope, item=app.power.code, limit=200) if a.application_id == app.pk
    ]
    objections = Objection.objects.restrict(request.user, "view").filter(application=app)
    return render(
        request,
        "supervision/application.html",
        {
            "app": app,
            "acts": rows,
            "objections": objections.select_related("department"),
            "can_raise": scope.has_role(Role.DEPARTMENT_SUPERVISOR)
            and scope.department_id is not None,
            "review_link": scope.has_role(*REVIEW_ROLES),
            "requested_actions": RequestedAction.choices,
            "form": form or {"act_seq": request.GET.get("act", "")},
            "errors": errors or {},
        },
        status=status,
    )


@require_GET
@watchers_only
def application(request, scope, pk: int):
    return _application_page(request, scope, _application(scope, pk))


@require_POST
@watchers_only
def raise_objection(request, scope, pk: int):
    app = _application(scope, pk)
    form = {
        k: request.POST.get(k, "")
        for k in ("act_seq", "grounds", "legal_basis", "requested_action")
    }
    try:
        obj = services.raise_objection(
            app.pk,
            user=request.user,
            grounds=form["grounds"],
            legal_basis=form["legal_basis"],
            requested_action=form["requested_action"],
            act_seq=_int(form["act_seq"]),
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        errors = dict(getattr(exc, "field_errors", None) or {})
        errors.setdefault("__all__", [exc.message])
        return _application_page(request, scope, app, form, errors, status=exc.status)
    messages.success(request, _("异议已提出并转局领导"))
    return redirect(obj.get_absolute_url())


@require_GET
@watchers_only
def objections(request, scope):
    status = request.GET.get("status", "")
    qs = (
        Objection.objects.restrict(request.user, "view")
        .select_related("application", "department")
        .order_by("-raised_at", "-pk")
    )
    if status == "open":
        qs = qs.filter(status__in=workflow.OPEN_STATES)
    elif status in ObjectionStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/objections.html",
        {
            "page": page,
            "status": status,
            "statuses": ObjectionStatus.choices,
            "is_head": scope.has_role(Role.BUREAU_HEAD),
        },
    )


def _objection(request, pk) -> Objection:
    obj = (
        Objection.objects.restrict(request.user, "view")
        .select_related("application", "application__power_version", "department", "licence")
        .filter(pk=pk)
        .first()
    )
    if obj is None:
        raise Http404
    return obj


def _objection_page(request, scope, obj, errors=None, status=200):
    is_head = scope.has_role(Role.BUREAU_HEAD)
    return render(
        request,
        "supervision/objection.html",
        {
            "obj": obj,
            "act_label": feed.act_label(obj.act_action) if obj.act_action else "",
            "history": obj.status,
            "can_start": is_head and obj.status == ObjectionStatus.ROUTED,
            "can_decide": is_head and obj.status == ObjectionStatus.UNDER_REVIEW,
            "can_withdraw": obj.raised_by_id == request.user.pk
            and obj.status in (ObjectionStatus.RAISED, ObjectionStatus.ROUTED),
            "review_link": scope.has_role(*REVIEW_ROLES),
            "errors": errors or {},
        },
        status=status,
    )


@require_GET
@watchers_only
def objection(request, scope, pk: int):
    return _objection_page(request, scope, _objection(request, pk))


ACTIONS = {
    "start-review": lambda pk, user, post: services.start_review(pk, user=user),
    "uphold": lambda pk, user, post: services.uphold(
        pk, user=user, decision=post.get("decision", "")
    ),
    "reject": lambda pk, user, post: services.reject(
        pk, user=user, reasons=post.get("reasons", "")
    ),
    "withdraw": lambda pk, user, post: services.withdraw(
        pk, user=user, reason=post.get("reason", "")
    ),
}


@require_POST
@watchers_only
def objection_action(request, scope, pk: int, action: str):
    call = ACTIONS.get(action)
    if call is None:
        raise Http404
    obj = _objection(request, pk)
    try:
        call(obj.pk, request.user, request.POST)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        errors = {action: [exc.message]}
        return _objection_page(request, scope, _objection(request, pk), errors, exc.status)
    messages.success(request, _("已保存"))
    return redirect(reverse("supervision:objection", args=[pk]))
