"""Publication endpoints (双公示): the public list (no login) and withdrawal."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from shenguan.core.api import PUBLIC
from shenguan.core.pagination import Pagination

from . import services
from .models import Publication, PublicationKind, PublicationStatus

router = Router(tags=["enforcement: publication"])


class PublicationOut(Schema):
    id: int
    kind: PublicationKind
    status: PublicationStatus
    document_number: str
    party_name: str
    party_code: str
    title: str
    content: str
    basis: str
    authority: str
    decided_on: dt.date
    published_on: dt.date
    expires_on: dt.date


class PublicationReasonIn(Schema):
    reason: str


@router.get(
    "/publications",
    response=list[PublicationOut],
    auth=PUBLIC,
    summary="Published licensing and penalty decisions (individuals' names masked)",
)
@paginate(Pagination)
def list_publications(request: HttpRequest, kind: PublicationKind | None = None, q: str = ""):
    qs = Publication.objects.restrict(request.user, "view").order_by("-published_on", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(party_name__icontains=q.strip()[:100])
    return qs


@router.post("/publications/{publication_id}/withdrawal", response=PublicationOut)
def withdraw(request: HttpRequest, publication_id: int, payload: PublicationReasonIn):
    return services.withdraw_publication(publication_id, reason=payload.reason, user=request.user)
