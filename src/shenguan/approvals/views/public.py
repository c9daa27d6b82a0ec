"""Public pages of the approvals app (no login): the licence verification page."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shenguan.parties.choices import PartyKind

from ..choices import LicenceStatus
from ..models import Licence

STATUS_BADGES = {
    LicenceStatus.VALID: "bg-green-lt",
    LicenceStatus.REVOKED: "bg-red-lt",
    LicenceStatus.EXPIRED: "bg-secondary-lt",
    LicenceStatus.CANCELLED: "bg-orange-lt",
}


def mask_person_name(name: str) -> str:
    """An individual's name as shown to the public: the surname, the rest starred."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def public_holder_name(licence: Licence) -> str:
    if licence.holder.kind == PartyKind.ENTERPRISE:
        return licence.holder_name
    return mask_person_name(licence.holder_name)


def public_view(licence: Licence) -> dict:
    """Exactly what the public may see of a licence: no identifiers, phones or addresses."""
    return {
        "number": licence.number,
        "verification_number": licence.verification_number,
        "status": licence.status,
        "status_label": str(LicenceStatus(licence.status).label),
        "title": licence.title,
        "item_name": licence.item_name,
        "holder_name": public_holder_name(licence),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "issuing_body": licence.issuing_body,
        "issued_on": licence.issued_on,
    }


@require_GET
def verify(request: HttpRequest, number: str):
    licence = (
        Licence.objects.select_related("holder")
        .filter(verification_number=number.strip().upper())
        .first()
    )
    if licence is None:
        return render(
            request, "approvals/verify.html", {"found": False, "number": number}, status=404
        )
    data = public_view(licence)
    return render(
        request,
        "approvals/verify.html",
        {"found": True, "licence": data, "badge": STATUS_BADGES[licence.status]},
    )
