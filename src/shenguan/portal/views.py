"""Home page (public introduction or a role-aware dashboard) and the health check."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render

from shenguan.catalog.choices import ENFORCEMENT_KINDS
from shenguan.core.models import JournalEntry
from shenguan.core.permissions import Scope
from shenguan.org.models import Department, Grid
from shenguan.parties.models import Party, PartyAccount

from .access import can_see_journal, can_see_staff_pages
from .dashboard import cards_for
from .queries import current_versions


def _power_counts(user) -> dict:
    by_kind = dict(
        current_versions(user)
        .order_by()
        .values_list("power__kind")
        .annotate(n=Count("pk"))
        .values_list("power__kind", "n")
    )
    enforcement = {str(k) for k in ENFORCEMENT_KINDS}
    return {
        "total": sum(by_kind.values()),
        "enforcement": sum(n for k, n in by_kind.items() if k in enforcement),
        "approval": sum(n for k, n in by_kind.items() if k not in enforcement),
    }


def home(request):
    user = request.user
    context = {"powers": _power_counts(user)}
    if not user.is_authenticated:
        return render(request, "portal/home_public.html", context)
    scope = Scope.of(user)
    stats = {}
    if can_see_staff_pages(scope):
        stats["departments"] = Department.objects.restrict(user, "view").count()
        stats["grids"] = Grid.objects.restrict(user, "view").count()
        stats["parties"] = Party.objects.restrict(user, "view").count()
    if can_see_journal(scope):
        stats["journal"] = JournalEntry.objects.restrict(user, "view").count()
    accounts = (
        PartyAccount.objects.restrict(user, "view")
        .filter(user=user)
        .select_related("party__grid")
        .order_by("party__name")
    )
    own_parties = [(a, a.party.identifier_for(scope)) for a in accounts]
    context.update(
        {
            "scope": scope,
            "cards": cards_for(scope),
            "stats": stats,
            "own_parties": own_parties,
        }
    )
    return render(request, "portal/home_staff.html", context)


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
