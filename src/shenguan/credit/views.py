"""Pages of the credit app: the public credit lookup (enterprises, published information) and
the credit archive of one party for whoever sees the party (staff, or the party's account)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shenguan.core.permissions import Scope
from shenguan.parties.models import Party

from .models import CreditStanding
from .queries import public_lookup

MAX_RESULTS = 20


@require_GET
def lookup(request):
    q = request.GET.get("q", "").strip()[:100]
    parties = list(public_lookup(q)[: MAX_RESULTS + 1]) if q else []
    return render(
        request,
        "credit/lookup.html",
        {
            "q": q,
            "parties": parties[:MAX_RESULTS],
            "more": len(parties) > MAX_RESULTS,
            "too_short": bool(q) and len(q) < 2,
        },
    )


@require_GET
@login_required
def archive(request, pk: int):
    party = Party.objects.restrict(request.user, "view").filter(pk=pk).first()
    if party is None:
        raise Http404
    return render(
        request,
        "credit/archive.html",
        {
            "party": party,
            "identifier": party.identifier_for(Scope.of(request.user)),
            "standing": CreditStanding.objects.select_related("policy").filter(party=party).first(),
            "events": party.credit_events.select_related("policy").order_by("-occurred_on", "-pk"),
            "entries": party.credit_list_entries.order_by("-entered_on", "-pk"),
            "changes": party.credit_tier_changes.select_related("policy"),
            "repairs": party.credit_repairs.all(),
            "today": timezone.localdate(),
        },
    )
