"""Staff pages: the organisation directory and the parties register (read-only for now)."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render

from shenguan.core.permissions import Scope
from shenguan.org.models import Department, Grid, Post, Section, Staff
from shenguan.parties.models import Address, Contact, Party

from .access import staff_required
from .forms import PartyFilterForm
from .queries import paginate
from .rendering import render_list


@staff_required
def org_directory(request):
    user = request.user
    posts = Post.objects.restrict(user, "view").select_related("holder", "backup")
    sections = (
        Section.objects.restrict(user, "view")
        .select_related("head")
        .prefetch_related(Prefetch("posts", queryset=posts.order_by("code")))
        .order_by("code")
    )
    departments = list(
        Department.objects.restrict(user, "view")
        .prefetch_related(Prefetch("sections", queryset=sections))
        .order_by("code")
    )
    selected = request.GET.get("department", "")
    shown = [d for d in departments if str(d.pk) == selected] or departments
    # Departments with sections get a card each; the many business departments that only
    # implement powers (no sections of their own in the system) share one compact table.
    organised = [d for d in shown if d.sections.all()]
    bare = [d for d in shown if not d.sections.all()]
    grids = (
        Grid.objects.restrict(user, "view")
        .select_related("worker", "squad__department")
        .order_by("code")
    )
    staff_count = Staff.objects.restrict(user, "view").filter(is_active=True).count()
    return render(
        request,
        "portal/org/directory.html",
        {
            "departments": departments,
            "organised": organised,
            "bare": bare,
            "selected": selected,
            "grids": grids,
            "staff_count": staff_count,
        },
    )


@staff_required
def party_list(request):
    user = request.user
    scope = Scope.of(user)
    parties = Party.objects.restrict(user, "view").select_related("grid")
    grids = (
        Grid.objects.restrict(user, "view")
        .filter(pk__in=parties.values("grid_id"))
        .order_by("code")
    )
    form = PartyFilterForm(request.GET, grids=grids, full_identifiers=scope.sees_full_identifiers)
    if q := form.value("q"):
        cond = Q(name__icontains=q) | Q(uscc__icontains=q)
        if scope.sees_full_identifiers:
            cond |= Q(id_number__icontains=q)
        parties = parties.filter(cond)
    if kind := form.value("kind"):
        parties = parties.filter(kind=kind)
    if grid := form.value("grid"):
        parties = parties.filter(grid_id=grid)
    if tier := form.value("credit_tier"):
        parties = parties.filter(credit_tier=tier)
    page = paginate(request, parties.order_by("name", "pk"))
    rows = [(p, p.identifier_for(scope)) for p in page]
    return render_list(
        request,
        "portal/parties/list.html",
        "portal/parties/_results.html",
        {"form": form, "page": page, "rows": rows, "scope": scope},
    )


@staff_required
def party_detail(request, pk: int):
    user = request.user
    scope = Scope.of(user)
    party = Party.objects.restrict(user, "view").select_related("grid__worker").filter(pk=pk)
    party = party.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.restrict(user, "view").order_by("pk")),
        Prefetch(
            "addresses",
            queryset=Address.objects.restrict(user, "view").select_related("grid").order_by("pk"),
        ),
    ).first()
    if party is None:
        raise Http404
    return render(
        request,
        "portal/parties/detail.html",
        {"party": party, "identifier": party.identifier_for(scope), "scope": scope},
    )
