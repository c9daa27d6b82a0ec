"""Recusal (回避, 行政处罚法 art 43): when an inspector is linked to a party.

"Linked" means either of:
- the inspector's login acts for the party online (a ``PartyAccount``: owner or agent);
- a ``Recusal`` row registered by a bureau head or legal reviewer (kinship, former employment,
  a declared interest…), with its reason."""

from __future__ import annotations

from collections.abc import Iterable

from shenguan.core import services as core
from shenguan.org.models import Staff
from shenguan.parties.models import PartyAccount

from ..models import Recusal


def recused_staff_ids(party_id: int, staff_ids: Iterable[int] | None = None) -> set[int]:
    """Staff (of ``staff_ids``, or all) who must not inspect ``party_id``."""
    accounts = PartyAccount.objects.filter(party_id=party_id).values("user_id")
    linked = Staff.objects.filter(user_id__in=accounts)
    declared = Recusal.objects.filter(party_id=party_id)
    if staff_ids is not None:
        staff_ids = list(staff_ids)
        linked = linked.filter(pk__in=staff_ids)
        declared = declared.filter(staff_id__in=staff_ids)
    return set(linked.values_list("pk", flat=True)) | set(
        declared.values_list("staff_id", flat=True)
    )


def recusals_by_party(party_ids: Iterable[int], staff_ids: Iterable[int]) -> dict[int, set[int]]:
    """``recused_staff_ids`` for many parties in two queries."""
    party_ids, staff_ids = list(party_ids), list(staff_ids)
    out: dict[int, set[int]] = {p: set() for p in party_ids}
    user_to_staff = dict(
        Staff.objects.filter(pk__in=staff_ids, user__isnull=False).values_list("user_id", "pk")
    )
    for party_id, user_id in PartyAccount.objects.filter(
        party_id__in=party_ids, user_id__in=list(user_to_staff)
    ).values_list("party_id", "user_id"):
        out[party_id].add(user_to_staff[user_id])
    for party_id, staff_id in Recusal.objects.filter(
        party_id__in=party_ids, staff_id__in=staff_ids
    ).values_list("party_id", "staff_id"):
        out[party_id].add(staff_id)
    return out


def register_recusal(staff_id: int, party_id: int, *, reason: str, user=None) -> Recusal:
    """Bureau heads and legal reviewers register that an inspector must not inspect a party."""
    return core.create_object(
        Recusal,
        {"staff_id": staff_id, "party_id": party_id, "reason": (reason or "").strip()},
        user=user,
        action="verification.recusal.registered",
    )


def remove_recusal(recusal_id: int, *, user=None) -> None:
    core.delete_object(Recusal, recusal_id, user=user, action="verification.recusal.removed")
