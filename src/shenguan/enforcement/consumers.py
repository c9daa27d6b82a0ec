"""Consumers and periodic tasks of the enforcement app, run by ``shenguan worker``.

``verification.lead.created`` (from the verification app) opens a ``CaseLead``. Its payload:

    {
      "lead_id": 12,            # the verification Lead's id (else the event's subject_id)
      "party_id": 34,           # required: who the lead is about
      "description": "…",       # what verification found (default: from "kind")
      "kind": "falsified_commitment",   # optional
      "power_id": 56,           # optional: the penalty power that applies
      "squad_id": 7,            # optional: else the squad of the party's grid
      "licence_id": 8, "application_id": 9, "item_code": "…", "task_id": 10,  # optional, kept
      "found_on": "2026-05-06"  # optional
    }

The lead is registered once per verification Lead (``source_type="verification.lead"``), so a
second delivery changes nothing. A payload without ``party_id`` fails loudly (the event shows
in the outbox failure view instead of being lost)."""

from __future__ import annotations

import datetime as dt

from shenguan.core.consumers import consumer, periodic
from shenguan.core.errors import DomainError

from .cases.choices import LeadSource
from .cases.services import receive_lead
from .procedures.services import sync_power

VERIFICATION_LEAD_TYPE = "verification.lead"
KIND_TEXT = {
    "falsified_commitment": "批后核查发现申请人作出虚假承诺",
    "unkept_commitment": "批后核查发现申请人未履行承诺",
}


@consumer("enforcement.leads", "verification.lead.created")
def lead_from_verification(event) -> None:
    payload = event.payload or {}
    party_id = payload.get("party_id")
    if not party_id:
        raise DomainError(f"{event.type} event {event.id} carries no party_id")
    lead_id = payload.get("lead_id") or event.subject_id
    if not lead_id:
        raise DomainError(f"{event.type} event {event.id} names no verification lead")
    kind = str(payload.get("kind") or "")
    description = str(payload.get("description") or KIND_TEXT.get(kind) or "批后核查发现问题")
    receive_lead(
        LeadSource.VERIFICATION,
        description=description,
        party_id=int(party_id),
        power_id=int(payload["power_id"]) if payload.get("power_id") else None,
        squad_id=int(payload["squad_id"]) if payload.get("squad_id") else None,
        source_type=VERIFICATION_LEAD_TYPE,
        source_id=str(lead_id),
        reporter="批后核查",
        payload=payload,
    )


@consumer(
    "enforcement.procedures",
    "catalog.power.created",
    "catalog.power.revised",
    "catalog.power.deleted",
    "catalog.power.updated",
)
def procedures_follow_catalogue(event) -> None:
    power_id = (event.payload or {}).get("id") or event.subject_id
    if power_id:
        sync_power(int(power_id))


# Events that publish or withdraw a decision (双公示): type → (action, kind, source type).
PUBLICATION_EVENTS = {
    "approvals.licence.issued": "publish_licence",
    "enforcement.case.decided": "publish_case",
    "approvals.licence.revoked": "withdraw_licence",
    "approvals.licence.cancelled": "withdraw_licence",
    "approvals.licence.withdrawn": "withdraw_licence",
    "enforcement.case.decision_annulled": "withdraw_case",
}


@consumer("enforcement.publication", *PUBLICATION_EVENTS)
def publication(event) -> None:
    from .publication import services as pub
    from .publication.models import PublicationKind

    action = PUBLICATION_EVENTS[event.type]
    payload = event.payload or {}
    if action == "publish_licence":
        pub.publish_licence(int(payload.get("licence_id") or event.subject_id))
    elif action == "publish_case":
        pub.publish_case(int(payload.get("case_id") or event.subject_id))
    elif action == "withdraw_licence":
        pub.withdraw_source(
            PublicationKind.LICENSING,
            pub.LICENCE_SOURCE,
            payload.get("licence_id") or event.subject_id,
            reason=f"许可证状态变更：{event.type.rsplit('.', 1)[-1]}",
        )
    else:
        pub.withdraw_source(
            PublicationKind.PENALTY,
            pub.CASE_SOURCE,
            payload.get("case_id") or event.subject_id,
            reason=str(payload.get("reason") or "处罚决定被撤销或变更"),
        )


@periodic("enforcement.sweep", every=dt.timedelta(minutes=30))
def sweep() -> None:
    from .legal.sweep import sweep as run

    run()
