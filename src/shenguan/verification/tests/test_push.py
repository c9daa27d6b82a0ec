"""Pushes: every approval outcome reaches the squad covering the party's grid (or the policy's
fallback squad); acknowledged in time, or overdue after 2 working days — counted across the
2026 National Day holiday (1–7 October off, 10 October a make-up working day); the consumer
applied twice makes one push and one task."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.errors import Conflict, Forbidden, NotFound
from shenguan.core.factories import make_user
from shenguan.core.models import OutboxEvent
from shenguan.core.worker import Worker
from shenguan.verification import services
from shenguan.verification.consumers import push as push_consumer
from shenguan.verification.models import Push, VerificationTask

from .conftest import deliver

pytestmark = pytest.mark.django_db

BEFORE_HOLIDAY = dt.date(2026, 9, 29)  # Tuesday; 30 Sept works, 1–7 Oct off, 8 Oct works
DUE = dt.date(2026, 10, 8)


@pytest.fixture
def issued(zone, flows, travel):
    travel(BEFORE_HOLIDAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="ordinary", approval_class="controlled")
    deliver()
    return licence


def test_push_goes_to_the_grid_squad_with_a_working_day_deadline(zone, issued):
    push = Push.objects.get(licence=issued, kind="licence_issued")
    assert push.squad == zone.squad1 and push.grid == zone.grid1
    assert push.ack_due_on == DUE  # 2 working days across the National Day holiday
    assert push.policy.version == 1
    assert push.summary["licence_number"] == issued.number
    assert push.task == VerificationTask.objects.get(licence=issued)


def test_acknowledged_in_time(zone, issued, travel):
    push = Push.objects.get(licence=issued, kind="licence_issued")
    travel(DUE)  # the last day still counts
    assert not Push.objects.overdue(DUE).exists()
    other_squad = zone.inspectors2[0]
    with pytest.raises(NotFound):
        services.acknowledge_push(push.pk, user=other_squad)
    with pytest.raises(NotFound):
        services.acknowledge_push(push.pk, user=make_user())  # no role: sees nothing
    with pytest.raises(Forbidden):
        services.acknowledge_push(push.pk, user=zone.head)  # sees it, is not the squad
    services.acknowledge_push(push.pk, note="已安排核查", user=zone.inspectors1[0])
    push.refresh_from_db()
    assert push.acknowledged_at is not None and push.acknowledged_late is False
    assert push.ack_note == "已安排核查"
    with pytest.raises(Conflict):
        services.acknowledge_push(push.pk, user=zone.inspectors1[1])
    assert services.flag_overdue_pushes(dt.date(2026, 10, 20)) == 0


def test_overdue_only_after_two_working_days_across_the_holiday(zone, issued, travel):
    push = Push.objects.get(licence=issued, kind="licence_issued")
    # 7 October is eight calendar days later but a holiday: not overdue yet
    assert not Push.objects.overdue(dt.date(2026, 10, 7)).exists()
    assert services.flag_overdue_pushes(dt.date(2026, 10, 8)) == 0
    assert list(Push.objects.overdue(dt.date(2026, 10, 9))) == [push]
    travel(dt.date(2026, 10, 9))
    ran = Worker().run_due_periodic()
    assert "verification.sweep" in ran
    push.refresh_from_db()
    assert push.overdue_flagged_at is not None
    assert OutboxEvent.objects.filter(type="verification.push.overdue", subject_id=str(push.pk))
    assert services.flag_overdue_pushes(dt.date(2026, 10, 10)) == 0  # flagged once
    services.acknowledge_push(push.pk, user=zone.inspectors1[0])
    push.refresh_from_db()
    assert push.acknowledged_late is True


def test_consumer_applied_twice_creates_one_push_and_one_task(zone, flows, travel):
    travel(BEFORE_HOLIDAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="ordinary", approval_class="controlled")
    event = OutboxEvent.objects.get(type="approvals.licence.issued", subject_id=str(licence.pk))
    push_consumer(event)
    push_consumer(event)  # a redelivery without the worker's receipt
    assert Push.objects.filter(event_id=event.id).count() == 1
    assert VerificationTask.objects.filter(licence=licence).count() == 1
    deliver()  # the worker then applies it once more through its receipt path
    assert Push.objects.filter(event_id=event.id).count() == 1
    assert VerificationTask.objects.filter(licence=licence).count() == 1


def test_party_without_grid_goes_to_the_fallback_squad_or_is_assigned(zone, flows, travel):
    travel(BEFORE_HOLIDAY)
    user, party = flows.party(grid=None)
    flows.issue(user, party, route="ordinary", approval_class="controlled")
    deliver()
    push = Push.objects.get(party=party, kind="licence_issued")
    assert push.squad is None and push.task.squad is None
    officer = zone.inspectors2[0]
    assert not Push.objects.restrict(officer, "view").filter(pk=push.pk).exists()
    with pytest.raises(Forbidden):
        services.assign_squad(push.pk, zone.squad2.pk, user=officer)
    services.assign_squad(push.pk, zone.squad2.pk, user=zone.command)
    push.refresh_from_db()
    assert push.squad == zone.squad2 and push.task.squad == zone.squad2
    assert Push.objects.restrict(officer, "view").filter(pk=push.pk).exists()

    rows = services.current_rows()
    services.publish_policy(
        effective_from=BEFORE_HOLIDAY, rules=rows, fallback_squad_id=zone.squad2.pk
    )
    other_user, other = flows.party(grid=None)
    flows.issue(other_user, other, route="ordinary", approval_class="controlled")
    deliver()
    assert Push.objects.get(party=other, kind="licence_issued").squad == zone.squad2


def test_every_approval_outcome_is_pushed(zone, flows, travel):
    travel(dt.date(2026, 3, 2))
    user, party = flows.party(grid=zone.grid1)
    flows.issue(user, party, route="tolerance")
    flows.issue(user, party, route="commitment")
    deliver()
    kinds = sorted(Push.objects.filter(party=party).values_list("kind", flat=True))
    assert kinds == [
        "commitment_taken",
        "licence_issued",
        "licence_issued",
        "tolerance_granted",
    ]
