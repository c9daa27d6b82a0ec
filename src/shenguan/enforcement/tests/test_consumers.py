"""The enforcement consumers, fed with events through the real outbox and worker: a lead from
``verification.lead.created`` (synthetic event, payload as documented in consumers.py), the
procedure map following the catalogue, publication following decisions."""

from __future__ import annotations

import pytest
from django.db import transaction

from shenguan.catalog.choices import PowerKind
from shenguan.catalog.factories import make_power
from shenguan.core import outbox
from shenguan.core.models import OutboxEvent
from shenguan.core.worker import Worker
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.cases.choices import CaseStatus
from shenguan.enforcement.cases.models import CaseLead
from shenguan.enforcement.procedures.models import GroupMember
from shenguan.enforcement.publication.models import Publication, PublicationStatus

from .conftest import START

pytestmark = pytest.mark.django_db


def _emit(event_type: str, payload: dict, subject_id: str = "") -> OutboxEvent:
    with transaction.atomic():
        event = outbox.emit(event_type, None, payload)
        if subject_id:
            OutboxEvent.objects.filter(pk=event.pk).update(
                subject_type="verification.lead", subject_id=subject_id
            )
    return event


def test_verification_lead_event_opens_a_lead_once(bureau, travel):
    travel(START)
    payload = {
        "lead_id": 77,
        "party_id": bureau.company.pk,
        "kind": "falsified_commitment",
        "licence_id": 5,
        "application_id": 9,
        "item_code": "ITEM-1",
        "power_id": bureau.penalty_power.pk,
    }
    first = _emit("verification.lead.created", payload, subject_id="77")
    Worker().deliver_pending()
    lead = CaseLead.objects.get(source_type="verification.lead", source_id="77")
    assert lead.source == "verification"
    assert lead.party == bureau.company and lead.power == bureau.penalty_power
    assert lead.squad == bureau.squad  # the squad of the party's grid
    assert "虚假承诺" in lead.description
    assert lead.payload["licence_id"] == 5
    first.refresh_from_db()
    assert first.status == OutboxEvent.Status.DELIVERED
    # the same verification lead again (a redelivery or a second event): still one lead
    _emit("verification.lead.created", payload, subject_id="77")
    Worker().deliver_pending()
    assert CaseLead.objects.filter(source_type="verification.lead", source_id="77").count() == 1
    # the lead can be opened as a case by the squad
    case = cases.open_case(
        lead.pk,
        power_id=bureau.penalty_power.pk,
        title="提供虚假承诺取得许可",
        officer_ids=[bureau.staff(bureau.officer1).pk, bureau.staff(bureau.officer2).pk],
        user=bureau.officer1,
    )
    assert case.status == CaseStatus.OPENED and case.lead == lead


def test_lead_event_without_a_party_fails_loudly(bureau):
    event = _emit("verification.lead.created", {"lead_id": 78, "description": "x"}, subject_id="78")
    Worker().deliver_pending()
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.PENDING and event.attempts == 1
    assert "party_id" in event.last_error
    assert not CaseLead.objects.filter(source_id="78").exists()


def test_procedures_follow_the_catalogue(bureau):
    Worker().deliver_pending()  # the bureau's two powers were created through the services
    member = GroupMember.objects.select_related("group__procedure").get(power=bureau.penalty_power)
    assert member.group.procedure.code == "penalty"
    assert member.group.acting_body == bureau.department.name
    power = make_power(
        kind=PowerKind.PENALTY, department=bureau.department, acting_body=bureau.department.name
    )
    licensing = make_power(kind=PowerKind.LICENSING, department=bureau.department)
    Worker().deliver_pending()
    # same procedure and acting body: merged into the same group (合并同类项)
    assert GroupMember.objects.get(power=power).group_id == member.group_id
    assert not GroupMember.objects.filter(power=licensing).exists()


def test_penalty_decisions_are_published_then_withdrawn(flow):
    case = flow.to(CaseStatus.DECIDED)
    Worker().deliver_pending()
    pub = Publication.objects.get(source_type="enforcement.penaltycase", source_id=str(case.pk))
    assert pub.document_number == case.decision_number
    assert pub.party_name == flow.b.company.name and pub.party_code == flow.b.company.uscc
    assert pub.published_on <= pub.due_on
    cases.annul_decision(case.pk, reason="复议机关撤销", user=flow.b.head)
    Worker().deliver_pending()
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.WITHDRAWN and "复议" in pub.withdrawal_reason
