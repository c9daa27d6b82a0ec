"""REST endpoints of the parties app: list and read within the caller's scope, register,
change, and the contact and address sub-resources. Every change goes through
``parties.services``; every read through ``Party.objects.restrict``. Parties outside the
caller's scope answer 404; visible but not changeable 403. Resident ID numbers are masked for
callers without the right (``Scope.sees_full_identifiers`` or the party's own account)."""

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shenguan.core.errors import NotFound
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope

from . import services
from .choices import AddressKind, CreditTier, PartyKind
from .models import Party
from .validators import normalize_ric

router = Router(tags=["parties"])


# --- schemas ----------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    name: str
    role: str
    phone: str
    email: str


class AddressOut(Schema):
    id: int
    kind: AddressKind
    text: str
    grid_id: int | None


class PartyOut(Schema):
    id: int
    kind: PartyKind
    name: str
    uscc: str | None = Field(description="统一社会信用代码 (enterprises; public)")
    id_number: str | None = Field(
        description="公民身份号码 (individuals): whole only for callers with the right to see "
        "it or the party's own account; otherwise masked (first 3 and last 4 kept)"
    )
    id_number_masked: bool
    legal_representative: str
    phone: str
    email: str
    grid_id: int | None
    grid_name: str | None
    industry: str
    credit_tier: CreditTier
    is_generated: bool
    created: dt.datetime

    @staticmethod
    def resolve_id_number(obj: Party, context) -> str | None:
        if obj.kind != PartyKind.INDIVIDUAL:
            return None
        return obj.identifier_for(Scope.of(context["request"].user))

    @staticmethod
    def resolve_id_number_masked(obj: Party, context) -> bool:
        return not obj.shows_full_identifier_to(Scope.of(context["request"].user))

    @staticmethod
    def resolve_grid_name(obj: Party) -> str | None:
        return obj.grid.name if obj.grid_id else None


class PartyDetailOut(PartyOut):
    contacts: list[ContactOut]
    addresses: list[AddressOut]


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    role: str = ""
    phone: str = ""
    email: str = ""


class AddressIn(Schema):
    text: str = Field(min_length=1, max_length=300)
    kind: AddressKind = AddressKind.BUSINESS
    grid_id: int | None = None


class EnterpriseIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(description="统一社会信用代码 (GB 32100); spaces and case are ignored")
    legal_representative: str = ""
    phone: str = ""
    email: str = ""
    grid_id: int | None = None
    industry: str = ""
    addresses: list[AddressIn] = []
    contacts: list[ContactIn] = []


class IndividualIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(description="公民身份号码 (GB 11643); spaces and case are ignored")
    phone: str = ""
    email: str = ""
    grid_id: int | None = None
    addresses: list[AddressIn] = []
    contacts: list[ContactIn] = []


class PartyPatch(Schema):
    name: str | None = None
    uscc: str | None = None
    id_number: str | None = None
    legal_representative: str | None = None
    phone: str | None = None
    email: str | None = None
    grid_id: int | None = None
    industry: str | None = None


class ContactPatch(Schema):
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class AddressPatch(Schema):
    text: str | None = None
    kind: AddressKind | None = None
    grid_id: int | None = None


# --- helpers ----------------------------------------------------------------------------------


def _visible(request: HttpRequest):
    return Party.objects.restrict(request.user, "view").select_related("grid")


def _detail(request: HttpRequest, party_id: int) -> Party:
    party = _visible(request).prefetch_related("contacts", "addresses").filter(pk=party_id).first()
    if party is None:
        raise NotFound(f"party {party_id} not found")
    return party


def _changes(payload: Schema) -> dict:
    return payload.model_dump(exclude_unset=True)


# --- parties ----------------------------------------------------------------------------------


@router.get("", response=list[PartyOut], summary="Parties within the caller's scope")
@paginate(Pagination)
def list_parties(
    request: HttpRequest,
    kind: PartyKind | None = None,
    grid_id: int | None = None,
    q: str = "",
    credit_tier: CreditTier | None = None,
):
    """``q`` matches the name or the credit code; a whole resident ID number matches only for
    callers allowed to see ID numbers (others cannot use the search to test a number)."""
    qs = _visible(request)
    if kind:
        qs = qs.filter(kind=kind)
    if grid_id is not None:
        qs = qs.filter(grid_id=grid_id)
    if credit_tier:
        qs = qs.filter(credit_tier=credit_tier)
    q = q.strip()
    if q:
        cond = Q(name__icontains=q) | Q(uscc__icontains=q.upper())
        if Scope.of(request.user).sees_full_identifiers:
            cond |= Q(id_number=normalize_ric(q))
        qs = qs.filter(cond)
    return qs.order_by("name", "pk")


@router.get("/{int:party_id}", response=PartyDetailOut, summary="One party")
def get_party(request: HttpRequest, party_id: int):
    return _detail(request, party_id)


@router.post("/enterprises", response={201: PartyDetailOut}, summary="Register an enterprise")
def register_enterprise(request: HttpRequest, payload: EnterpriseIn):
    data = payload.model_dump()
    party = services.register_enterprise(**data, user=request.user)
    return Status(201, _detail(request, party.pk))


@router.post("/individuals", response={201: PartyDetailOut}, summary="Register an individual")
def register_individual(request: HttpRequest, payload: IndividualIn):
    data = payload.model_dump()
    party = services.register_individual(**data, user=request.user)
    return Status(201, _detail(request, party.pk))


@router.patch("/{int:party_id}", response=PartyDetailOut, summary="Change a party")
def update_party(request: HttpRequest, party_id: int, payload: PartyPatch):
    services.update_party(party_id, _changes(payload), user=request.user)
    return _detail(request, party_id)


# --- contacts ---------------------------------------------------------------------------------


@router.get("/{int:party_id}/contacts", response=list[ContactOut], summary="A party's contacts")
def list_contacts(request: HttpRequest, party_id: int):
    return list(_detail(request, party_id).contacts.all())


@router.post("/{int:party_id}/contacts", response={201: ContactOut}, summary="Add a contact")
def add_contact(request: HttpRequest, party_id: int, payload: ContactIn):
    return Status(201, services.add_contact(party_id, **payload.model_dump(), user=request.user))


@router.patch(
    "/{int:party_id}/contacts/{int:contact_id}", response=ContactOut, summary="Change a contact"
)
def update_contact(request: HttpRequest, party_id: int, contact_id: int, payload: ContactPatch):
    return services.update_contact(
        contact_id, _changes(payload), user=request.user, party_id=party_id
    )


@router.delete(
    "/{int:party_id}/contacts/{int:contact_id}", response={204: None}, summary="Remove a contact"
)
def remove_contact(request: HttpRequest, party_id: int, contact_id: int):
    services.remove_contact(contact_id, user=request.user, party_id=party_id)
    return Status(204, None)


# --- addresses --------------------------------------------------------------------------------


@router.get("/{int:party_id}/addresses", response=list[AddressOut], summary="A party's addresses")
def list_addresses(request: HttpRequest, party_id: int):
    return list(_detail(request, party_id).addresses.all())


@router.post("/{int:party_id}/addresses", response={201: AddressOut}, summary="Add an address")
def add_address(request: HttpRequest, party_id: int, payload: AddressIn):
    return Status(201, services.add_address(party_id, **payload.model_dump(), user=request.user))


@router.patch(
    "/{int:party_id}/addresses/{int:address_id}",
    response=AddressOut,
    summary="Change an address",
)
def update_address(request: HttpRequest, party_id: int, address_id: int, payload: AddressPatch):
    return services.update_address(
        address_id, _changes(payload), user=request.user, party_id=party_id
    )


@router.delete(
    "/{int:party_id}/addresses/{int:address_id}",
    response={204: None},
    summary="Remove an address",
)
def remove_address(request: HttpRequest, party_id: int, address_id: int):
    services.remove_address(address_id, user=request.user, party_id=party_id)
    return Status(204, None)
