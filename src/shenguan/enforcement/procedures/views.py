"""The procedure catalogue (public): each enforcement class, its fixed procedure with the
article of each step, and the merged powers it serves, grouped by acting body."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shenguan.catalog.models import PowerVersion

from .models import GroupMember
from .services import catalogue


@require_GET
def procedures(request):
    today = timezone.localdate()
    versions = PowerVersion.objects.filter(effective_from__lte=today).order_by("-version")
    members = GroupMember.objects.select_related("power").prefetch_related(
        Prefetch("power__versions", queryset=versions, to_attr="live_versions")
    )
    items = list(catalogue().prefetch_related(Prefetch("groups__members", queryset=members)))
    for proc in items:
        proc.power_total = sum(g.power_count for g in proc.groups.all())
    return render(request, "enforcement/procedures/list.html", {"procedures": items})
