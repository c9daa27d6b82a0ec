"""Publication (双公示): a licence issued by the approvals app and a penalty decision are
published within 7 working days with the public fields only, withdrawn when the decision
changes, and end after their period (3 months for warnings and small fines, 3 years else)."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.errors import Forbidden
from shenguan.core.worker import Worker
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.legal.sweep import sweep
from shenguan.enforcement.publication import services
from shenguan.enforcement.publication.models import Publication, PublicationStatus

from .conftest import START

pytestmark = pytest.mark.django_db


def _issue_licence():
    from shenguan.approvals import factories
    from shenguan.approvals import services as approvals

    item = factories.approval_item()
    user, party = factories.applicant_user()
    clerk = factories.clerk_user()
    app = approvals.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", route="ordinary", user=user
    )
    factories.provide_all(app, item.materials, user)
    approvals.submit(app.pk, user=user)
    approvals.accept(app.pk, user=clerk)
    approvals.start_review(app.pk, user=item.holder_user)
    approvals.approve(app.pk, issue_now=True, user=item.holder_user)
    return item, party, app.licences.get()


def test_licence_published_then_withdrawn_on_revocation(travel):
    travel(START)
    item, party, licence = _issue_licence()
    Worker().deliver_pending()
    pub = Publication.objects.get(kind="licensing", source_id=str(licence.pk))
    assert pub.status == PublicationStatus.PUBLISHED
    assert pub.document_number == licence.number and pub.party_code == party.uscc
    assert pub.published_on <= pub.due_on == dt.date(2026, 3, 11)  # 7 working days
    assert pub.expires_on == dt.date(2029, 3, 2)  # licensing decisions: the long period
    from shenguan.approvals import services as approvals
    from shenguan.approvals.factories import head_user

    approvals.revoke_licence(licence.pk, reason="以欺骗手段取得许可", user=head_user())
    Worker().deliver_pending()
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.WITHDRAWN and pub.withdrawn_on == START


def test_penalty_publication_period_and_expiry(flow):
    b = flow.b
    small = cases.decide_on_the_spot(
        party_id=b.company.pk,
        power_id=b.penalty_power.pk,
        facts="占道经营",
        violated_provision="条例第十七条",
        penalty_basis="条例第三十六条",
        sanction="fine",
        fine_amount="3000",
        place="路口",
        officer_ids=flow.pair,
        user=b.officer1,
    )
    large = flow.to(S.DECIDED)  # 30,000 yuan: above the policy's small-fine line
    Worker().deliver_pending()
    short = Publication.objects.get(source_id=str(small.pk))
    long = Publication.objects.get(source_id=str(large.pk))
    assert short.expires_on == dt.date(2026, 6, 2) and long.expires_on == dt.date(2029, 3, 2)
    assert "罚款3,000.00元" in short.content
    flow.go(dt.date(2026, 6, 3))
    assert sweep()["publications_expired"] == 1
    short.refresh_from_db()
    long.refresh_from_db()
    assert short.status == PublicationStatus.EXPIRED and long.status == PublicationStatus.PUBLISHED


def test_no_penalty_decisions_are_not_published_and_withdrawal_needs_the_right_role(flow):
    b = flow.b
    case = flow.to(S.NOTIFIED)
    cases.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    cases.decide(case.pk, outcome="no_penalty", user=b.head)
    Worker().deliver_pending()
    assert not Publication.objects.filter(source_id=str(case.pk)).exists()
    warned = cases.decide_on_the_spot(
        party_id=b.company.pk,
        power_id=b.penalty_power.pk,
        facts="占道经营",
        violated_provision="条例",
        penalty_basis="条例",
        sanction="warning",
        place="路口",
        officer_ids=flow.pair,
        user=b.officer1,
    )
    pub = services.publish_case(warned.pk)
    assert services.publish_case(warned.pk).pk == pub.pk  # published once
    with pytest.raises(Forbidden):
        services.withdraw_publication(pub.pk, reason="错误", user=b.officer1)
    pub = services.withdraw_publication(pub.pk, reason="公示有误", user=b.legal)
    assert pub.status == PublicationStatus.WITHDRAWN
