"""Licence endpoints: list/detail (scoped), the PDF certificate, renewal, cancellation,
revocation, and the public verification lookup."""

from django.http import HttpRequest
from ninja import Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.api import PUBLIC
from shenguan.core.errors import NotFound
from shenguan.core.idempotency import idempotent
from shenguan.core.pagination import Pagination

from .. import documents, services
from ..choices import LicenceStatus
from ..models import Licence, Renewal
from ..views import public_view
from .applications import pdf_response
from .base import router
from .schemas import (
    CancelIn,
    LicenceOut,
    RenewalDecisionIn,
    RenewalOut,
    RevokeIn,
    StartRevocationIn,
    VerifyOut,
)


def visible(request: HttpRequest):
    return Licence.objects.restrict(request.user, "view")


def get_visible(request: HttpRequest, licence_id: int) -> Licence:
    licence = visible(request).with_related().filter(pk=licence_id).first()
    if licence is None:
        raise NotFound(f"许可证 {licence_id} 不存在")
    return licence


class LicenceFilter(Schema):
    status: LicenceStatus | None = None
    holder_id: int | None = None
    power_id: int | None = None
    number: str = ""


@router.get("/licences", response=list[LicenceOut], summary="Licences visible to the caller")
@paginate(Pagination)
def list_licences(request: HttpRequest, filters: Query[LicenceFilter]):
    qs = visible(request).order_by("-issued_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.holder_id:
        qs = qs.filter(holder_id=filters.holder_id)
    if filters.power_id:
        qs = qs.filter(power_id=filters.power_id)
    if filters.number:
        term = filters.number.strip()
        qs = qs.filter(number__icontains=term) | qs.filter(verification_number__icontains=term)
    return qs


@router.get("/licences/{licence_id}", response=LicenceOut, summary="One licence")
def licence_detail(request: HttpRequest, licence_id: int):
    return get_visible(request, licence_id)


@router.get("/licences/{licence_id}/pdf", summary="The certificate (PDF with QR code)")
def licence_pdf(request: HttpRequest, licence_id: int):
    licence = get_visible(request, licence_id)
    return pdf_response(
        documents.licence_pdf(licence), f"licence-{licence.verification_number}.pdf"
    )


@router.get(
    "/licences/{licence_id}/renewals", response=list[RenewalOut], summary="Renewal applications"
)
def renewals(request: HttpRequest, licence_id: int):
    licence = get_visible(request, licence_id)
    return list(Renewal.objects.filter(licence=licence).order_by("-applied_on", "-id"))


@router.post(
    "/licences/{licence_id}/renewals",
    response={201: RenewalOut},
    summary="Apply for renewal ≥30 days before expiry (art 50; honours Idempotency-Key)",
)
def apply_renewal(request: HttpRequest, licence_id: int):
    status, body = idempotent(
        request,
        {"licence_id": licence_id},
        lambda: (201, services.apply_renewal(licence_id, user=request.user)),
        serialize=lambda r: RenewalOut.from_orm(r).model_dump(mode="json"),
    )
    return Reply(status, body)


@router.post(
    "/renewals/{renewal_id}/decision",
    response=RenewalOut,
    summary="Decide a renewal before expiry (responsible staff or bureau head)",
)
def decide_renewal(request: HttpRequest, renewal_id: int, payload: RenewalDecisionIn):
    return services.decide_renewal(
        renewal_id, approve=payload.approve, reasons=payload.reasons, user=request.user
    )


@router.post("/licences/{licence_id}/cancel", response=LicenceOut, summary="Cancel (注销, art 70)")
def cancel(request: HttpRequest, licence_id: int, payload: CancelIn):
    services.cancel_licence(licence_id, reason=payload.reason, note=payload.note, user=request.user)
    return get_visible(request, licence_id)


@router.post(
    "/licences/{licence_id}/revoke",
    response=LicenceOut,
    summary="Revoke with reason (撤销, art 69; bureau head)",
)
def revoke(request: HttpRequest, licence_id: int, payload: RevokeIn):
    services.revoke_licence(licence_id, reason=payload.reason, user=request.user)
    return get_visible(request, licence_id)


@router.post(
    "/licences/{licence_id}/revocation",
    response=LicenceOut,
    summary="Start revocation proceedings (e.g. a deferred material never supplied)",
)
def start_revocation(request: HttpRequest, licence_id: int, payload: StartRevocationIn):
    services.start_revocation(licence_id, grounds=payload.grounds, user=request.user)
    return get_visible(request, licence_id)


@router.get(
    "/verify/{verification_number}",
    response=VerifyOut,
    auth=PUBLIC,
    summary="Public verification of a licence (no personal data)",
)
def verify(request: HttpRequest, verification_number: str):
    licence = (
        Licence.objects.select_related("holder")
        .filter(verification_number=verification_number.strip().upper())
        .first()
    )
    if licence is None:
        raise NotFound("未找到该许可证")
    return public_view(licence)
