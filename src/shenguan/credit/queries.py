"""Reads other apps ask of the credit archive (approval routing, sampling) and the public
lookup. Nothing here writes; every date check is made at read time, so a publication or a list
entry whose period has run out stops counting even before the sweep records it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone
from stdnum.cn import uscc

from shenguan.parties.choices import PartyKind
from shenguan.parties.models import Party
from shenguan.parties.validators import normalize_uscc

from .choices import FALSE_OR_UNKEPT_COMMITMENT, PUBLIC_LISTS, ListKind
from .models import CreditEvent, CreditPolicy, ListEntry


def _party_id(party) -> int:
    return party.pk if isinstance(party, Party) else int(party)


def _day(day: dt.date | None) -> dt.date:
    return day or timezone.localdate()


def active_events(day: dt.date | None = None):
    """Events that count on ``day``: within their period, publication not ended."""
    return CreditEvent.objects.filter(
        publication_ended_on__isnull=True, publish_until__gte=_day(day)
    )


def published_events(day: dt.date | None = None):
    return active_events(day).filter(is_public=True)


def open_entries(day: dt.date | None = None):
    """List entries in force on ``day`` (an entry past its automatic exit date no longer
    counts, even before the sweep closes it)."""
    day = _day(day)
    return ListEntry.objects.filter(exited_on__isnull=True).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day)
    )


def tier_of(party) -> str:
    """The party's credit tier (A/B/C/D) as last computed, read from the database."""
    tier = Party.objects.filter(pk=_party_id(party)).values_list("credit_tier", flat=True).first()
    if tier is None:
        raise Party.DoesNotExist(f"party {_party_id(party)} not found")
    return tier


def is_blacklisted(party, day: dt.date | None = None) -> bool:
    """On the serious-dishonesty list (严重失信主体名单) on ``day``."""
    return (
        open_entries(day)
        .filter(party_id=_party_id(party), list_kind=ListKind.SERIOUS_DISHONESTY)
        .exists()
    )


def is_on_list(party, list_kind: str, day: dt.date | None = None) -> bool:
    return open_entries(day).filter(party_id=_party_id(party), list_kind=list_kind).exists()


def has_unrepaired_false_commitment(party, day: dt.date | None = None) -> bool:
    """A false or unkept commitment still on record, neither repaired nor past its period
    (深圳经济特区社会信用条例 art 59 (4): no commitment route until repaired)."""
    return (
        active_events(day)
        .filter(party_id=_party_id(party), kind__in=FALSE_OR_UNKEPT_COMMITMENT)
        .exists()
    )


def sampling_weight(party, day: dt.date | None = None) -> float:
    """Relative weight of the party in a double-random draw: by tier from the policy in force,
    and at least the C weight while on the watch list (浙江省综合行政执法条例 art 21)."""
    policy = CreditPolicy.in_force(_day(day)) or CreditPolicy()  # unsaved: the model defaults
    weight = policy.sampling_weight(tier_of(party))
    if is_on_list(party, ListKind.WATCH, day):
        weight = max(weight, policy.sampling_weight("C"))
    return weight


def public_lookup(q: str, day: dt.date | None = None):
    """Enterprises matching ``q`` (a name fragment of at least two characters, or a whole
    unified social credit code), each with ``published_events`` and ``public_lists``: only what
    is published on ``day``. Individuals are never returned: their records are not searchable by
    the public."""
    day = _day(day)
    q = (q or "").strip()
    if len(q) < 2:
        return Party.objects.none()
    code = normalize_uscc(q)
    # A whole valid credit code is looked up by its index; anything else is a name fragment
    # (on PostgreSQL a trigram index serves the substring match: parties migration 0002).
    cond = Q(uscc=code) if uscc.is_valid(code) else Q(name__icontains=q)
    return (
        Party.objects.filter(kind=PartyKind.ENTERPRISE)
        .filter(cond)
        .only("id", "name", "uscc", "kind")
        .order_by("name", "pk")
        .prefetch_related(
            Prefetch(
                "credit_events",
                queryset=published_events(day).order_by("-occurred_on", "-pk"),
                to_attr="published_events",
            ),
            Prefetch(
                "credit_list_entries",
                queryset=open_entries(day)
                .filter(list_kind__in=PUBLIC_LISTS)
                .order_by("list_kind", "-entered_on"),
                to_attr="public_lists",
            ),
        )
    )
