"""The outcome chain end to end, through the real services and the worker (runs on SQLite and,
with DATABASE_URL=postgres://…, on PostgreSQL): commitment approval → push and task →
falsified finding signed by two inspectors → licence revoked (the public page says so) →
serious-dishonesty list → the party's next application is refused the commitment route."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.approvals import services as approvals
from shenguan.approvals.choices import LicenceStatus
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.journal import entries_for
from shenguan.core.models import OutboxEvent
from shenguan.credit import services as credit
from shenguan.credit.choices import EventKind, ListKind
from shenguan.credit.models import CreditEvent, ListEntry
from shenguan.verification import services
from shenguan.verification.choices import FindingStatus, TaskResult, TaskStatus
from shenguan.verification.models import Lead, Push, RectificationOrder, VerificationTask

from .conftest import deliver

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday


def test_falsified_commitment_end_to_end(zone, flows, travel, client):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="commitment", approval_class="cautious")
    assert deliver() > 0

    task = VerificationTask.objects.get(licence=licence)
    assert task.squad == zone.squad1 and task.grid == zone.grid1
    assert task.method == "on_site"  # cautious × commitment
    assert task.due_on == dt.date(2026, 3, 30)  # 20 working days
    push = Push.objects.get(licence=licence, kind="licence_issued")
    assert push.task == task and push.squad == zone.squad1
    # the commitment taken before acceptance was pushed too
    assert Push.objects.filter(application=licence.application, kind="commitment_taken").exists()

    a, b, _c = zone.inspectors1
    finding = services.record_finding(
        task.pk,
        outcome="falsified",
        facts="现场核查发现经营场所与承诺不符，承诺的冷藏设施不存在。",
        co_inspector_id=b.staff.pk,
        user=a,
    )
    assert finding.status == FindingStatus.DRAFT
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN  # nothing happens on one signature
    services.sign_finding(finding.pk, user=b)

    task.refresh_from_db()
    licence.refresh_from_db()
    assert task.status == TaskStatus.REVOCATION_PENDING
    assert licence.revocation_started_on == DAY
    lead = Lead.objects.get(task=task)
    assert (lead.party, lead.licence, lead.application) == (party, licence, licence.application)
    assert OutboxEvent.objects.filter(type="verification.lead.created", subject_id=str(lead.pk))
    # credit: falsified commitment → serious-dishonesty list → tier D, at once
    assert credit.is_blacklisted(party)
    party.refresh_from_db()
    assert party.credit_tier == "D"
    event = CreditEvent.objects.get(party=party, kind=EventKind.COMMITMENT_FALSIFIED)
    assert lead.credit_event == event
    assert (event.source_type, event.source_id) == ("verification.finding", str(finding.pk))

    with pytest.raises(Forbidden):
        services.revoke_licence(task.pk, user=a)  # only a bureau head decides
    services.revoke_licence(task.pk, user=zone.head)
    licence.refresh_from_db()
    task.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    assert "承诺不实" in licence.revocation_reason
    assert (task.status, task.result) == (TaskStatus.CLOSED, TaskResult.REVOKED)

    deliver()  # approvals.licence.revoked reaches credit and verification
    assert Push.objects.filter(licence=licence, kind="licence_revoked").exists()
    assert CreditEvent.objects.filter(party=party, kind=EventKind.LICENCE_REVOKED).exists()
    page = client.get(f"/verify/{licence.verification_number}")
    assert "已撤销" in page.content.decode()

    # the same party's next application: no commitment route (深圳经济特区社会信用条例 art 59)
    item = flows.item("cautious")
    with pytest.raises(DomainError) as info:
        approvals.create_application(
            power_id=item.power.pk,
            applicant_id=party.pk,
            channel="online",
            route="commitment",
            user=user,
        )
    assert info.value.code == "route_not_allowed"
    app = approvals.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    options = {o["route"]: o for o in approvals.route_options(app)}
    assert options["commitment"]["allowed"] is False
    assert options["ordinary"]["allowed"] is True

    # navigable from either end, every link journalled
    assert list(licence.verification_tasks.all()) == [task]
    assert list(licence.application.verification_tasks.all()) == [task]
    assert list(licence.verification_leads.all()) == [lead]
    assert list(event.verification_leads.all()) == [lead]
    assert list(event.verification_findings.all()) == [finding]
    actions = set(entries_for(task).values_list("action", flat=True))
    assert {
        "verification.task.planned",
        "verification.task.falsified",
        "verification.task.revoke",
    } <= actions
    assert entries_for(lead).filter(action="verification.lead.created").exists()


def test_non_compliant_rectified_or_revoked(zone, flows, travel):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="ordinary", approval_class="controlled")
    deliver()
    task = VerificationTask.objects.get(licence=licence)
    assert (task.method, task.due_on) == ("on_site", dt.date(2026, 3, 16))  # 10 working days
    a, b, c = zone.inspectors1

    with pytest.raises(DomainError, match="整改要求"):
        services.record_finding(
            task.pk,
            outcome="non_compliant",
            facts="消防通道堵塞",
            co_inspector_id=b.staff.pk,
            user=a,
        )
    with pytest.raises(DomainError, match="没有承诺"):
        services.record_finding(
            task.pk, outcome="falsified", facts="x", co_inspector_id=b.staff.pk, user=a
        )
    first = services.record_finding(
        task.pk,
        outcome="non_compliant",
        facts="消防通道堵塞",
        requirements="清理消防通道",
        co_inspector_id=b.staff.pk,
        user=a,
    )
    with pytest.raises(Forbidden):
        services.sign_finding(first.pk, user=c)  # not the named co-inspector
    services.sign_finding(first.pk, user=b)
    task.refresh_from_db()
    assert task.status == TaskStatus.RECTIFYING
    order = RectificationOrder.objects.get(task=task)
    assert order.requirements == "清理消防通道"
    assert order.due_on == dt.date(2026, 3, 16)  # 10 working days (policy)
    assert not CreditEvent.objects.filter(party=party).exclude(kind="licence_revoked").exists()

    travel(dt.date(2026, 3, 17))
    second = services.record_finding(
        task.pk, outcome="non_compliant", facts="复查仍未整改", co_inspector_id=c.staff.pk, user=a
    )
    assert second.round == 2
    services.sign_finding(second.pk, user=c)
    task.refresh_from_db()
    licence.refresh_from_db()
    assert task.status == TaskStatus.REVOCATION_PENDING
    assert licence.revocation_started_on == dt.date(2026, 3, 17)
    # ordinary route: a failed inspection, not an unkept commitment; no lead
    assert CreditEvent.objects.filter(party=party, kind=EventKind.INSPECTION_FAILED).exists()
    assert not Lead.objects.exists()
    services.revoke_licence(task.pk, reason="复查仍不符合许可条件", user=zone.head)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED


def test_rectified_closes_and_compliant_commitment_is_kept(zone, flows, travel):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    kept = flows.issue(user, party, route="commitment")
    fixed = flows.issue(user, party, route="ordinary", approval_class="controlled")
    deliver()
    a, b, _c = zone.inspectors1
    task = VerificationTask.objects.get(licence=kept)
    f = services.record_finding(
        task.pk, outcome="compliant", facts="与承诺一致", co_inspector_id=b.staff.pk, user=a
    )
    services.sign_finding(f.pk, user=b)
    task.refresh_from_db()
    f.refresh_from_db()
    assert (task.status, task.result) == (TaskStatus.CLOSED, TaskResult.COMPLIANT)
    assert f.credit_event.kind == EventKind.COMMITMENT_KEPT

    other = VerificationTask.objects.get(licence=fixed)
    f1 = services.record_finding(
        other.pk,
        outcome="non_compliant",
        facts="标识不全",
        requirements="补全标识",
        co_inspector_id=b.staff.pk,
        user=a,
    )
    services.sign_finding(f1.pk, user=b)
    f2 = services.record_finding(
        other.pk, outcome="compliant", facts="已整改", co_inspector_id=b.staff.pk, user=a
    )
    services.sign_finding(f2.pk, user=b)
    other.refresh_from_db()
    assert (other.status, other.result) == (TaskStatus.CLOSED, TaskResult.RECTIFIED)
    with pytest.raises(Conflict):
        services.record_finding(
            other.pk, outcome="compliant", facts="again", co_inspector_id=b.staff.pk, user=a
        )
    assert not ListEntry.objects.filter(party=party, list_kind=ListKind.SERIOUS_DISHONESTY)


def test_two_certified_unrelated_inspectors_are_required(zone, flows, travel):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="commitment")
    deliver()
    task = VerificationTask.objects.get(licence=licence)
    a, b, c = zone.inspectors1
    facts = {"outcome": "compliant", "facts": "一致"}
    with pytest.raises(DomainError, match="两名执法人员"):
        services.record_finding(task.pk, co_inspector_id=a.staff.pk, user=a, **facts)
    c.staff.enforcement_cert_no = ""
    c.staff.save()
    with pytest.raises(Forbidden, match="执法证"):
        services.record_finding(task.pk, co_inspector_id=c.staff.pk, user=a, **facts)
    services.register_recusal(b.staff.pk, party.pk, reason="配偶任该企业监事", user=zone.legal)
    with pytest.raises(Forbidden, match="回避"):
        services.record_finding(task.pk, co_inspector_id=b.staff.pk, user=a, **facts)
    x, y = zone.inspectors2
    with pytest.raises(NotFound):  # another squad's task is not even visible
        services.record_finding(task.pk, co_inspector_id=y.staff.pk, user=x, **facts)
    assert not task.findings.exists()
