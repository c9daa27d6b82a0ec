"""REST endpoints of the credit app.

- ``GET /public`` (anyone): the public credit lookup — enterprises only, published
  information only.
- ``GET /parties/{id}``: a party's archive (events, lists, tier history, repairs) for whoever
  sees the party (``Party.objects.restrict``), the party's own account included.
- ``GET /lists``, ``GET /repairs``: list entries and repair applications within scope.
- ``POST /repairs`` (the party's own account), ``POST /repairs/{id}/decision`` (bureau heads,
  legal reviewers), ``POST /events`` (staff; court and manual events: heads and reviewers).
Every change goes through ``credit.services``."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shenguan.core.api import PUBLIC
from shenguan.core.errors import NotFound
from shenguan.core.labels import choice_label
from shenguan.core.pagination import Pagination
from shenguan.core.permissions import Scope
from shenguan.parties.choices import CreditTier, PartyKind
from shenguan.parties.models import Party

from . import services
from .choices import (
    EventKind,
    ExitReason,
    ListKind,
    ListTrigger,
    PublicationEnd,
    RepairStatus,
    Source,
)
from .models import CreditEvent, CreditStanding, ListEntry, RepairApplication
from .queries import public_lookup

router = Router(tags=["credit"])


# --- schemas ----------------------------------------------------------------------------------


class PublicEventOut(Schema):
    kind: EventKind
    kind_label: str
    occurred_on: dt.date
    publish_until: dt.date
    source_display: str = Field(description="the decision or document the record comes from")

    @staticmethod
    def resolve_kind_label(obj: CreditEvent) -> str:
        return choice_label(obj, "kind")


class PublicListOut(Schema):
    list_kind: ListKind
    list_label: str
    reason: str
    entered_on: dt.date

    @staticmethod
    def resolve_list_label(obj: ListEntry) -> str:
        return choice_label(obj, "list_kind")


class PublicPartyOut(Schema):
    name: str
    uscc: str
    lists: list[PublicListOut] = Field(alias="public_lists")
    events: list[PublicEventOut] = Field(alias="published_events")


class EventOut(Schema):
    id: int
    party_id: int
    kind: EventKind
    kind_label: str
    source: Source
    weight: int
    occurred_on: dt.date
    recorded_on: dt.date
    source_type: str
    source_id: str
    source_display: str
    description: str
    is_public: bool
    publish_until: dt.date
    repairable_from: dt.date | None
    publication_ended_on: dt.date | None
    publication_end_reason: PublicationEnd | None
    active: bool
    policy_version: int

    @staticmethod
    def resolve_kind_label(obj: CreditEvent) -> str:
        return choice_label(obj, "kind")

    @staticmethod
    def resolve_publication_end_reason(obj: CreditEvent) -> str | None:
        return obj.publication_end_reason or None

    @staticmethod
    def resolve_active(obj: CreditEvent) -> bool:
        return obj.is_active(timezone.localdate())

    @staticmethod
    def resolve_policy_version(obj: CreditEvent) -> int:
        return obj.policy.version


class ListEntryOut(Schema):
    id: int
    party_id: int
    party_name: str
    list_kind: ListKind
    list_label: str
    trigger: ListTrigger
    reason: str
    source_event_id: int | None
    entered_on: dt.date
    earliest_exit_on: dt.date
    expires_on: dt.date | None
    exited_on: dt.date | None
    exit_reason: ExitReason | None
    exit_note: str

    @staticmethod
    def resolve_party_name(obj: ListEntry) -> str:
        return obj.party.name

    @staticmethod
    def resolve_list_label(obj: ListEntry) -> str:
        return choice_label(obj, "list_kind")

    @staticmethod
    def resolve_exit_reason(obj: ListEntry) -> str | None:
        return obj.exit_reason or None


class TierChangeOut(Schema):
    id: int
    from_tier: CreditTier
    to_tier: CreditTier
    score: int
    policy_version: int
    computed_on: dt.date
    trigger: str
    explanation: dict

    @staticmethod
    def resolve_policy_version(obj) -> int:
        return obj.policy.version


class RepairOut(Schema):
    id: int
    party_id: int
    party_name: str
    event_id: int | None
    list_entry_id: int | None
    reasons: str
    evidence: str
    submitted_on: dt.date
    due_on: dt.date
    status: RepairStatus
    decided_on: dt.date | None
    decided_by_name: str
    opinion: str
    overdue: bool

    @staticmethod
    def resolve_party_name(obj: RepairApplication) -> str:
        return obj.party.name

    @staticmethod
    def resolve_overdue(obj: RepairApplication) -> bool:
        return obj.is_overdue()


class StandingOut(Schema):
    score: int
    score_tier: CreditTier
    tier: CreditTier
    policy_version: int
    computed_on: dt.date

    @staticmethod
    def resolve_policy_version(obj) -> int:
        return obj.policy.version


class PartyRef(Schema):
    id: int
    kind: PartyKind
    name: str
    identifier: str = Field(description="credit code, or the resident ID masked unless allowed")
    credit_tier: CreditTier


class ArchiveOut(Schema):
    party: PartyRef
    standing: StandingOut | None
    events: list[EventOut]
    lists: list[ListEntryOut]
    tier_changes: list[TierChangeOut]
    repairs: list[RepairOut]


class RepairIn(Schema):
    party_id: int
    event_id: int | None = None
    list_entry_id: int | None = None
    reasons: str = Field(min_length=1)
    evidence: str = ""


class DecisionIn(Schema):
    approve: bool
    opinion: str = Field(min_length=1)


class EventIn(Schema):
    party_id: int
    kind: EventKind
    source: Source = Source.MANUAL
    occurred_on: dt.date | None = None
    weight: int | None = None
    description: str = ""
    source_display: str = ""


# --- public -----------------------------------------------------------------------------------


@router.get(
    "/public",
    response=list[PublicPartyOut],
    auth=PUBLIC,
    summary="Public credit lookup (enterprises; published information only)",
)
@paginate(Pagination)
def lookup(request: HttpRequest, q: str = ""):
    """``q``: part of an enterprise's name (two characters at least) or its whole unified
    social credit code. Shows the published records within their publication period and the
    public lists (green, serious dishonesty) the enterprise is on."""
    return public_lookup(q)


# --- staff and own account --------------------------------------------------------------------


def _party(request: HttpRequest, party_id: int) -> Party:
    party = Party.objects.restrict(request.user, "view").filter(pk=party_id).first()
    if party is None:
        raise NotFound(f"party {party_id} not found")
    return party


def _repairs(request: HttpRequest):
    return (
        RepairApplication.objects.restrict(request.user, "view")
        .select_related("party")
        .order_by("-submitted_at", "-pk")
    )


@router.get("/parties/{int:party_id}", response=ArchiveOut, summary="A party's credit archive")
def archive(request: HttpRequest, party_id: int):
    party = _party(request, party_id)
    standing = CreditStanding.objects.select_related("policy").filter(party=party).first()
    return {
        "party": {
            "id": party.pk,
            "kind": party.kind,
            "name": party.name,
            "identifier": party.identifier_for(Scope.of(request.user)),
            "credit_tier": party.credit_tier,
        },
        "standing": standing,
        "events": list(party.credit_events.select_related("policy").order_by("-occurred_on")),
        "lists": list(party.credit_list_entries.select_related("party")),
        "tier_changes": list(party.credit_tier_changes.select_related("policy")),
        "repairs": list(party.credit_repairs.select_related("party")),
    }


@router.get("/lists", response=list[ListEntryOut], summary="List entries within scope")
@paginate(Pagination)
def list_entries(
    request: HttpRequest,
    list_kind: ListKind | None = None,
    open: bool | None = None,
    party_id: int | None = None,
):
    qs = ListEntry.objects.restrict(request.user, "view").select_related("party")
    if list_kind:
        qs = qs.filter(list_kind=list_kind)
    if open is not None:
        qs = qs.filter(exited_on__isnull=open)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs.order_by("-entered_on", "-pk")


@router.get("/repairs", response=list[RepairOut], summary="Repair applications within scope")
@paginate(Pagination)
def list_repairs(request: HttpRequest, status: RepairStatus | None = None):
    qs = _repairs(request)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/repairs/{int:repair_id}", response=RepairOut, summary="One repair application")
def get_repair(request: HttpRequest, repair_id: int):
    repair = _repairs(request).filter(pk=repair_id).first()
    if repair is None:
        raise NotFound(f"repair application {repair_id} not found")
    return repair


@router.post("/repairs", response={201: RepairOut}, summary="Apply for credit repair")
def apply_for_repair(request: HttpRequest, payload: RepairIn):
    repair = services.apply_for_repair(
        payload.party_id,
        event_id=payload.event_id,
        list_entry_id=payload.list_entry_id,
        reasons=payload.reasons,
        evidence=payload.evidence,
        user=request.user,
    )
    return Status(201, _repairs(request).get(pk=repair.pk))


@router.post(
    "/repairs/{int:repair_id}/decision", response=RepairOut, summary="Decide a repair application"
)
def decide_repair(request: HttpRequest, repair_id: int, payload: DecisionIn):
    services.decide_repair(
        repair_id, approve=payload.approve, opinion=payload.opinion, user=request.user
    )
    return _repairs(request).get(pk=repair_id)


@router.post("/events", response={201: EventOut}, summary="Record a credit event")
def record_event(request: HttpRequest, payload: EventIn):
    event = services.record_event(
        payload.party_id,
        payload.kind,
        source=payload.source,
        source_ref={"display": payload.source_display} if payload.source_display else None,
        occurred_on=payload.occurred_on,
        description=payload.description,
        weight=payload.weight,
        user=request.user,
    )
    return Status(201, CreditEvent.objects.select_related("policy").get(pk=event.pk))
