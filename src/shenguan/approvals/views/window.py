"""The window clerk's workspace (综合窗口): the intake queue, a new application taken at the
window, and the intake page of one application with its material checklist and the outcomes
of 行政许可法 art 32 (one-time notice, acceptance, refusal, redirection, no licence needed)."""

from __future__ import annotations

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from shenguan.catalog.choices import ENFORCEMENT_KINDS
from shenguan.core.permissions import Scope
from shenguan.parties.models import Party
from shenguan.portal.queries import current_versions, paginate
from shenguan.portal.rendering import render_list

from .. import services
from ..choices import Channel, Status
from ..forms import MaterialStateForm, SearchForm, UploadForm, WindowApplicationForm
from .actions import make_form, pick, unbound_forms
from .common import (
    CLERK_ROLES,
    INTAKE_STATES,
    failed_form,
    get_application,
    notice_deadline,
    perform,
    role_required,
    today,
    visible_applications,
)
from .detail import application_parts, route_parts

clerk_required = role_required(*CLERK_ROLES)

INTAKE_ACTIONS = pick(
    "submit",
    "notice",
    "resubmit",
    "accept",
    "refuse-intake",
    "redirect",
    "not-required",
    "route",
    "tolerance",
    "commitment",
    "withdraw",
)
SEARCH_LIMIT = 20


@clerk_required
def queue(request):
    """Submitted, resubmitted and notified applications, oldest receipt first, with the last
    day for the one-time notice; drafts opened at the window come last."""
    qs = (
        visible_applications(request)
        .select_related("deficiency_notice")
        .filter(
            Q(status__in=INTAKE_STATES)
            | Q(status=Status.DRAFT, channel__in=[Channel.WINDOW, Channel.AGENT])
        )
        .annotate(received=Coalesce("resubmitted_on", "received_on"))
        .order_by(F("received").asc(nulls_last=True), "created", "id")
    )
    status = request.GET.get("status", "")
    if status in {*INTAKE_STATES, Status.DRAFT}:
        qs = qs.filter(status=status)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q))
    page = paginate(request, qs)
    day = today()
    rows = [(app, notice_deadline(app)) for app in page]
    return render_list(
        request,
        "approvals/window/queue.html",
        "approvals/window/_queue.html",
        {
            "page": page,
            "rows": rows,
            "today": day,
            "status": status,
            "q": q,
            "statuses": [(s.value, s.label) for s in (*INTAKE_STATES, Status.DRAFT)],
        },
    )


def _approval_versions(request, term: str):
    versions = current_versions(request.user).exclude(power__kind__in=ENFORCEMENT_KINDS)
    if term:
        versions = versions.filter(Q(name__icontains=term) | Q(power__code__icontains=term))
    return versions.order_by("power__code")


def _search(request, source) -> dict:
    search = SearchForm(source)
    search.is_valid()
    party_q = search.cleaned_data.get("party_q", "").strip()
    item_q = search.cleaned_data.get("item_q", "").strip()
    parties = []
    if party_q:
        scope = Scope.of(request.user)
        key = party_q.upper().replace(" ", "")
        found = (
            Party.objects.restrict(request.user, "view")
            .filter(Q(name__icontains=party_q) | Q(uscc=key) | Q(id_number=key))
            .order_by("name")[:SEARCH_LIMIT]
        )
        parties = [(p, p.identifier_for(scope)) for p in found]
    versions = list(_approval_versions(request, item_q)[:SEARCH_LIMIT]) if item_q else []
    return {
        "search": search,
        "party_q": party_q,
        "item_q": item_q,
        "parties": parties,
        "versions": versions,
    }


@require_http_methods(["GET", "POST"])
@clerk_required
def new_application(request):
    """Take an application at the window: find the applicant (name or credit code) and the
    item, then the checklist follows on the intake page."""
    status = 200
    if request.method == "POST":
        form = WindowApplicationForm(request.POST)
        context = _search(request, request.POST)
        outcome = perform(
            request,
            form,
            lambda d: services.create_application(
                power_id=d["power"],
                applicant_id=d["applicant"],
                channel=d["channel"],
                description=d["description"],
                user=request.user,
            ),
            "",
        )
        if outcome.ok:
            return redirect("approvals:intake", pk=outcome.result.pk)
        status = outcome.status
    else:
        form = WindowApplicationForm()
        context = _search(request, request.GET)
    selected_party = form.data.get("applicant") if form.is_bound else None
    selected_power = form.data.get("power") if form.is_bound else None
    context.update(
        {"form": form, "selected_party": selected_party, "selected_power": selected_power}
    )
    template = (
        "approvals/window/_choices.html"
        if request.headers.get("HX-Request") and request.method == "GET"
        else "approvals/window/new.html"
    )
    return render(request, template, context, status=status)


def _material_forms(parts, bound=None):
    bound = bound or {}
    rows = []
    for sub in parts["materials"]:
        mid = sub.material_id
        state = bound.get(("state", mid)) or MaterialStateForm(
            prefix=f"m{mid}", initial={"state": sub.state, "note": sub.note}
        )
        upload = bound.get(("upload", mid)) or UploadForm(prefix=f"u{mid}")
        rows.append((sub, state, upload))
    return rows


def render_intake(request, app, *, bound=None, material_bound=None, status=200):
    parts = application_parts(app)
    context = {
        **parts,
        **route_parts(app),
        "forms": unbound_forms(INTAKE_ACTIONS, app, bound),
        "failed": failed_form(bound, material_bound),
        "material_rows": _material_forms(parts, material_bound),
    }
    return render(request, "approvals/window/intake.html", context, status=status)


@clerk_required
def intake(request, pk: int):
    return render_intake(request, get_application(request, pk))


@require_POST
@clerk_required
def intake_action(request, pk: int, action: str):
    spec = INTAKE_ACTIONS.get(action)
    if spec is None:
        raise Http404
    app = get_application(request, pk)
    form = make_form(spec, app, action, request.POST, request.FILES)
    outcome = perform(request, form, lambda d: spec.call(request, app, d), spec.success)
    if outcome.ok:
        return redirect(reverse("approvals:intake", args=[pk]) + f"#{spec.anchor}")
    return render_intake(request, app, bound={action: form}, status=outcome.status)


@require_POST
@clerk_required
def material_action(request, pk: int, material_id: int, op: str):
    """The clerk's check of one checklist item, or a file for it."""
    app = get_application(request, pk)
    if op == "state":
        form = MaterialStateForm(request.POST, prefix=f"m{material_id}", app=app)

        def call(d):
            return services.set_material_state(
                app.pk, material_id, state=d["state"], note=d["note"], user=request.user
            )

        success = ""
    elif op == "upload":
        form = UploadForm(request.POST, request.FILES, prefix=f"u{material_id}", app=app)

        def call(d):
            return services.upload_material(
                app.pk, material_id, content=d["file"], filename=d["file"].name, user=request.user
            )

        success = ""
    else:
        raise Http404
    outcome = perform(request, form, call, success)
    if outcome.ok:
        return redirect(reverse("approvals:intake", args=[pk]) + f"#material-{material_id}")
    return render_intake(
        request, app, material_bound={(op, material_id): form}, status=outcome.status
    )
