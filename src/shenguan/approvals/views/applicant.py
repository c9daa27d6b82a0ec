"""The applicant portal (/apply/): the approval catalogue, applying online with uploads, the
route choice with the reason a route is closed, the tolerance commitment and the
notification-commitment, tracking (status, history, due dates, the one-time notice),
supplements of deferred materials, withdrawal, and the licence certificate.

An applicant sees only the applications of the parties their account is linked to
(``Application.restrict``): anyone else's is a 404."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from shenguan.catalog.choices import ENFORCEMENT_KINDS
from shenguan.catalog.models import Power
from shenguan.core.permissions import Scope
from shenguan.parties.models import Party
from shenguan.portal.queries import current_versions, paginate
from shenguan.portal.rendering import render_list

from .. import services
from ..choices import MaterialState
from ..forms import CatalogueForm, NewApplicationForm, UploadForm
from ..models import Licence
from .actions import make_form, pick, unbound_forms
from .common import (
    APPLICANT_ROLES,
    failed_form,
    get_application,
    perform,
    role_required,
    visible_applications,
)
from .detail import application_parts, route_parts

applicant_required = role_required(*APPLICANT_ROLES)

APPLICANT_ACTIONS = pick(
    "submit",
    "resubmit",
    "route",
    "tolerance",
    "commitment",
    "withdraw-commitment",
    "withdraw",
)


def own_parties(request) -> list[Party]:
    scope = Scope.of(request.user)
    return list(Party.objects.restrict(request.user, "view").filter(pk__in=scope.party_ids))


@applicant_required
def home(request):
    apps = visible_applications(request).order_by("-created", "-id")
    page = paginate(request, apps)
    licences = list(
        Licence.objects.restrict(request.user, "view")
        .with_related()
        .order_by("-issued_at", "-id")[:50]
    )
    return render(
        request,
        "approvals/apply/home.html",
        {"page": page, "licences": licences, "parties": own_parties(request)},
    )


@applicant_required
def catalogue(request):
    form = CatalogueForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    versions = current_versions(request.user).exclude(power__kind__in=ENFORCEMENT_KINDS)
    if q := (data.get("q") or "").strip():
        versions = versions.filter(Q(name__icontains=q) | Q(power__code__icontains=q))
    if klass := data.get("approval_class"):
        versions = versions.filter(approval_class=klass)
    versions = versions.annotate(material_count=Count("materials")).order_by("power__code")
    page = paginate(request, versions)
    return render_list(
        request,
        "approvals/apply/catalogue.html",
        "approvals/apply/_catalogue.html",
        {"form": form, "page": page},
    )


@require_http_methods(["GET", "POST"])
@applicant_required
def new(request, code: str):
    power = Power.objects.restrict(request.user, "view").filter(code=code).first()
    version = power.current if power is not None else None
    if power is None or version is None or power.kind in ENFORCEMENT_KINDS:
        raise Http404
    parties = own_parties(request)
    status = 200
    if request.method == "POST":
        form = NewApplicationForm(request.POST, parties=parties)
        outcome = perform(
            request,
            form,
            lambda d: services.create_application(
                power_id=power.pk,
                applicant_id=d["applicant"],
                channel="online",
                description=d["description"],
                user=request.user,
            ),
            "",
        )
        if outcome.ok:
            return redirect("apply:detail", pk=outcome.result.pk)
        status = outcome.status
    else:
        form = NewApplicationForm(parties=parties)
    return render(
        request,
        "approvals/apply/new.html",
        {
            "power": power,
            "version": version,
            "materials": list(version.materials.order_by("seq")),
            "form": form,
            "parties": parties,
        },
        status=status,
    )


def _upload_rows(parts, bound=None):
    bound = bound or {}
    return [
        (sub, bound.get(sub.material_id) or UploadForm(prefix=f"u{sub.material_id}"))
        for sub in parts["materials"]
    ]


def render_detail(request, app, *, bound=None, upload_bound=None, status=200):
    parts = application_parts(app)
    context = {
        **parts,
        **(route_parts(app) if parts["before_acceptance"] else {}),
        "forms": unbound_forms(APPLICANT_ACTIONS, app, bound),
        "failed": failed_form(bound, upload_bound),
        "upload_rows": _upload_rows(parts, upload_bound),
        "MaterialState": MaterialState,
    }
    return render(request, "approvals/apply/detail.html", context, status=status)


@applicant_required
def detail(request, pk: int):
    return render_detail(request, get_application(request, pk))


@require_POST
@applicant_required
def action(request, pk: int, action: str):
    spec = APPLICANT_ACTIONS.get(action)
    if spec is None:
        raise Http404
    app = get_application(request, pk)
    form = make_form(spec, app, action, request.POST, request.FILES)
    outcome = perform(request, form, lambda d: spec.call(request, app, d), spec.success)
    if outcome.ok:
        return redirect(reverse("apply:detail", args=[pk]) + f"#{spec.anchor}")
    return render_detail(request, app, bound={action: form}, status=outcome.status)


@require_POST
@applicant_required
def upload(request, pk: int, material_id: int):
    """A material before acceptance, or a deferred one supplemented afterwards (the service
    records it against the commitment)."""
    app = get_application(request, pk)
    form = UploadForm(request.POST, request.FILES, prefix=f"u{material_id}", app=app)
    outcome = perform(
        request,
        form,
        lambda d: services.upload_material(
            app.pk, material_id, content=d["file"], filename=d["file"].name, user=request.user
        ),
        "",
    )
    if outcome.ok:
        return redirect(reverse("apply:detail", args=[pk]) + f"#material-{material_id}")
    return render_detail(request, app, upload_bound={material_id: form}, status=outcome.status)
