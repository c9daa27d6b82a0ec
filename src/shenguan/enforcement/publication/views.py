"""The public page of published decisions (双公示): licensing and penalty decisions in their
publication period, individuals' names masked, no identifiers of persons."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from shenguan.portal.queries import paginate

from .models import Publication, PublicationKind, PublicationStatus


@require_GET
def publicity(request):
    qs = Publication.objects.filter(status=PublicationStatus.PUBLISHED).order_by(
        "-published_on", "-id"
    )
    kind = request.GET.get("kind", "")
    if kind in PublicationKind.values:
        qs = qs.filter(kind=kind)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(party_name__icontains=q)
    return render(
        request,
        "enforcement/publication/list.html",
        {"page": paginate(request, qs), "kind": kind, "q": q, "kinds": PublicationKind.choices},
    )
