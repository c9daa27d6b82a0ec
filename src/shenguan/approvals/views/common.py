"""What the approval pages share: who may open them, how a service's refusal becomes a form
error, the clock figures shown on every queue, and the status colours.

Pages never change anything themselves: every POST handler calls one function of
``shenguan.approvals.services`` and, when it refuses, shows its message next to the field it
names (``DomainError.field_errors``) or above the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone

from shenguan.core.errors import DomainError, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.portal import badges

from .. import clocks, workflow
from ..choices import Status
from ..models import Application
from ..models.applications import IN_REVIEW

badges.register(
    "application_status",
    {
        "draft": "secondary",
        "submitted": "blue",
        "deficiency_notified": "yellow",
        "resubmitted": "azure",
        "accepted": "indigo",
        "deemed_accepted": "indigo",
        "under_review": "purple",
        "suspended": "orange",
        "extended": "pink",
        "approved": "teal",
        "licence_issued": "green",
        "refused": "red",
        "withdrawn": "secondary",
        "terminated": "red",
        "redirected": "secondary",
        "not_required": "secondary",
    },
)
badges.register("route", {"ordinary": "blue", "tolerance": "orange", "commitment": "purple"})
badges.register("channel", {"window": "cyan", "online": "indigo", "agent": "teal"})
badges.register(
    "material_state",
    {
        "provided": "green",
        "missing": "red",
        "faulty": "orange",
        "deferred": "yellow",
        "supplemented": "teal",
    },
)
badges.register(
    "licence_status",
    {"valid": "green", "revoked": "red", "expired": "secondary", "cancelled": "orange"},
)
badges.register(
    "commitment_status",
    {
        "notified": "blue",
        "signed": "indigo",
        "fulfilled": "green",
        "withdrawn": "secondary",
        "breached": "red",
    },
)
badges.register("clock", {"warned": "yellow", "overdue": "red", "stopped": "orange"})

# Who opens which set of pages (the services decide again, per action, who may act).
CLERK_ROLES = (Role.WINDOW_CLERK,)
REVIEW_ROLES = (Role.APPROVAL_OFFICER, Role.BUREAU_HEAD)
HEAD_ROLES = (Role.BUREAU_HEAD,)
APPLICANT_ROLES = (Role.APPLICANT,)

INTAKE_STATES = (Status.SUBMITTED, Status.RESUBMITTED, Status.DEFICIENCY_NOTIFIED)
REVIEW_STATES = tuple(IN_REVIEW)  # the partial index application_queue_idx matches it


def role_required(*roles):
    """Anonymous → the login page; logged in without one of ``roles`` → 403. Administrators
    pass (``Scope.has_role``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not Scope.of(request.user).has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def visible_applications(request):
    return Application.objects.restrict(request.user, "view").with_related()


def get_application(request, pk: int) -> Application:
    app = visible_applications(request).filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


# --- forms and service errors -----------------------------------------------------------------


def failed_form(*bound: dict | None):
    """The one form a refused post left bound, for the summary at the top of the page (its
    own place on the page may not be shown in the current state)."""
    for forms in bound:
        for form in (forms or {}).values():
            return form
    return None


def error_status(exc: DomainError) -> int:
    return exc.status if exc.status in (400, 403, 409) else 400


@dataclass
class Outcome:
    """What happened to a posted form: ``ok`` (then redirect) or the HTTP status to answer
    with while showing the errors."""

    ok: bool
    status: int = 200
    result: object = None


def perform(request, form, call: Callable[[dict], object], success: str) -> Outcome:
    """Validate ``form``; call the service with its cleaned data; on refusal put the message on
    the form. NotFound from the service is a 404 page."""
    if not form.is_valid():
        return Outcome(False, 400)
    try:
        result = call(form.cleaned_data)
    except NotFound:
        raise Http404
    except DomainError as exc:
        form.add_domain_error(exc)
        return Outcome(False, error_status(exc))
    if success:
        messages.success(request, success)
    return Outcome(True, 200, result)


def pdf_response(data: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


# --- clocks -----------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def working_days_left(day: dt.date, due: dt.date | None) -> int | None:
    """Working days from ``day`` to ``due`` (negative once past); None if unknown (no due
    date, or a year without a published holiday arrangement)."""
    if due is None:
        return None
    try:
        if due >= day:
            return clocks.working_days_between(day, due)
        return -clocks.working_days_between(due, day)
    except clocks.CalendarUnknown:
        return None


@dataclass
class ClockView:
    statutory_due_on: dt.date | None
    promised_due_on: dt.date | None
    days_left: int | None
    statutory_days_left: int | None
    warned: bool
    overdue: bool
    statutory_overdue: bool
    stopped: bool
    running: bool


def clock_of(app: Application, day: dt.date | None = None) -> ClockView:
    """The figures of the queues: due dates, working days left to the promised date, the
    80 % warning (``warn_on`` reached while the clock runs) and overdue."""
    day = day or today()
    running = app.status in workflow.CLOCK_RUNNING
    stopped = app.status == Status.SUSPENDED
    live = running or stopped
    promised = app.promised_due_on
    statutory = app.statutory_due_on
    return ClockView(
        statutory_due_on=statutory,
        promised_due_on=promised,
        days_left=working_days_left(day, promised) if live else None,
        statutory_days_left=working_days_left(day, statutory) if live else None,
        warned=bool(running and app.warn_on and app.warn_on <= day),
        overdue=bool(running and promised and day > promised),
        statutory_overdue=bool(running and statutory and day > statutory),
        stopped=stopped,
        running=running,
    )


def notice_deadline(app: Application) -> dt.date | None:
    """The last day for the one-time notice: 5 working days after receipt (行政许可法
    art 32); later the application counts as accepted on the day it was received."""
    received = app.resubmitted_on if app.status == Status.RESUBMITTED else app.received_on
    if received is None or app.status not in (Status.SUBMITTED, Status.RESUBMITTED):
        return None
    try:
        return clocks.deemed_acceptance_after(received)
    except clocks.CalendarUnknown:
        return None
