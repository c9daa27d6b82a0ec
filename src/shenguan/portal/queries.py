"""Read-only queries of the pages, built so that a page costs a fixed number of queries
whatever its length (select_related / prefetch_related, no per-row lookups)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shenguan.catalog.models import Power, PowerVersion

PAGE_SIZE = 50


def _in_force(day: dt.date) -> Q:
    return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))


def current_versions(user, day: dt.date | None = None):
    """The version in force of every power the caller may see — the same choice as
    ``Power.version_at`` (the highest version number in force that day), as one query."""
    day = day or timezone.localdate()
    newer = PowerVersion.objects.filter(
        _in_force(day), power_id=OuterRef("power_id"), version__gt=OuterRef("version")
    )
    return (
        PowerVersion.objects.restrict(user, "view")
        .filter(_in_force(day), power__in=Power.objects.restrict(user, "view"))
        .exclude(Exists(newer))
        .select_related("power__department", "power__section")
    )


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """A page of ``queryset`` from ``?page=``; out-of-range or malformed pages give the
    nearest valid page rather than an error (a shared link outlives the data it counted)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
