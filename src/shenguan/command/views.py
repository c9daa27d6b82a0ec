"""Pages of the command app: the centre (charts filled by the page from /api/command/, and a
live feed it polls) and the drill-down list of the records behind any figure."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shenguan.core.permissions import Role, Scope
from shenguan.portal.queries import paginate

from . import figures
from .access import centre_required
from .records import FILTER_LABELS, KINDS

POLL_SECONDS = 5
# (figure, Bootstrap column class, chart height in px), in page order
LAYOUT = [
    ("intake", "col-12", 280),
    ("on_time", "col-md-6", 280),
    ("time_to_decision", "col-md-6", 280),
    ("routes", "col-md-6", 280),
    ("verification", "col-md-6", 280),
    ("findings", "col-md-6", 280),
    ("credit_tiers", "col-md-6", 280),
    ("fines", "col-12", 280),
    ("enforcement_stages", "col-12", 420),
    ("overdue_heatmap", "col-12", 360),
]


@require_GET
@centre_required
def centre(request):
    period = figures.Period.default()
    context = {
        "api_base": "/api/command/",
        "layout": LAYOUT,
        "start": period.start,
        "end": period.end,
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "command/centre.html", context)


@require_GET
@centre_required
def records(request, kind: str):
    if kind not in KINDS:
        raise Http404
    build, title = KINDS[kind]
    qs = build(request.user, request.GET)
    if qs is None:  # alerts before the oversight app has them
        raise Http404
    scope = Scope.of(request.user)
    conditions = [(FILTER_LABELS[k], v) for k, v in request.GET.items() if k in FILTER_LABELS and v]
    context = {
        "kind": kind,
        "title": title,
        "page": paginate(request, qs, exact=True),
        "conditions": conditions,
        # bureau heads and administrators open an application's review page; the command
        # centre reads the list only (the review pages belong to the approval staff)
        "open_applications": scope.has_role(Role.BUREAU_HEAD),
    }
    return render(request, "command/records.html", context)
