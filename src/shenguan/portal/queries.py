"""Read-only queries of the pages, built so that a page costs a fixed number of queries
whatever its length (select_related / prefetch_related, no per-row lookups)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property

from shenguan.catalog.models import Power, PowerVersion
from shenguan.core import pagination
from shenguan.core.pagination import bounded_count

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


class BoundedPaginator(Paginator):
    """A paginator that counts no further than ``upto`` rows (see core/pagination.py): past
    that, ``count`` is a lower bound and ``count_exact`` is false ("more than N")."""

    def __init__(self, object_list, per_page, *, upto: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.upto = upto
        self.count_exact = True

    @cached_property
    def count(self) -> int:
        n, self.count_exact = bounded_count(self.object_list, self.upto)
        return n


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, exact: bool = False):
    """A page of ``queryset`` from ``?page=``; out-of-range or malformed pages give the
    nearest valid page rather than an error (a shared link outlives the data it counted).

    The count stops at ``COUNT_CAP`` rows past the requested page (a million-row list is not
    counted on every page view); ``exact=True`` counts everything, for pages whose total is a
    figure someone checks (the command centre's drill-downs)."""
    if exact:
        return Paginator(queryset, per_page).get_page(request.GET.get("page"))
    try:
        wanted = max(1, int(request.GET.get("page") or 1))
    except (TypeError, ValueError):
        wanted = 1
    upto = max(pagination.COUNT_CAP, wanted * per_page + 1)
    return BoundedPaginator(queryset, per_page, upto=upto).get_page(request.GET.get("page"))
