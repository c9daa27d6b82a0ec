"""The planner: the seeded policy is DOMAIN.md §5 (controlled: on site within 10 working days;
cautious: on site if deferred or committed, else document review, 20; encouraged: the sampling
directory, weighted by credit tier), a task keeps the version it was planned under, and an
unkept commitment turns into an on-site inspection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shenguan.approvals import services as approvals
from shenguan.approvals.choices import Route
from shenguan.catalog.choices import ApprovalClass
from shenguan.core.errors import DomainError, Forbidden
from shenguan.parties.choices import CreditTier
from shenguan.verification import services
from shenguan.verification.choices import PoolStatus, TaskOrigin
from shenguan.verification.models import PoolEntry, VerificationPolicy, VerificationTask

from .conftest import deliver

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def expected(klass: str, route: str) -> tuple[str, int]:
    if klass == "controlled":
        return "on_site", 10
    if klass == "cautious":
        return ("document_review" if route == "ordinary" else "on_site"), 20
    return "sampling_pool", 20


def test_seeded_policy_is_the_domain_default():
    policy = VerificationPolicy.objects.get(version=1)  # written by the data migration
    assert policy.ack_working_days == 2 and policy.rules.count() == 36
    for klass in ApprovalClass.values:
        for route in Route.values:
            for tier in CreditTier.values:
                rule = services.rule_for(policy, klass, route, tier)
                cell = (klass, route, tier)
                assert (rule.method, rule.deadline_working_days) == expected(klass, route), cell
                weight = Decimal("1.5") if route == "commitment" else Decimal("1")
                assert rule.risk_weight == weight, cell


@pytest.mark.parametrize(
    ("klass", "route", "method", "due"),
    [
        ("controlled", "ordinary", "on_site", dt.date(2026, 3, 16)),
        ("cautious", "ordinary", "document_review", dt.date(2026, 3, 30)),
        ("cautious", "tolerance", "on_site", dt.date(2026, 3, 30)),
        ("cautious", "commitment", "on_site", dt.date(2026, 3, 30)),
        ("encouraged", "commitment", None, None),
    ],
)
def test_planned_by_class_and_route(zone, flows, travel, klass, route, method, due):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1, credit_tier="B")
    licence = flows.issue(user, party, route=route, approval_class=klass)
    deliver()
    task = VerificationTask.objects.filter(licence=licence).first()
    if method is None:
        assert task is None
        entry = PoolEntry.objects.get(licence=licence)
        assert entry.status == PoolStatus.WAITING and entry.risk_weight == Decimal("1.5")
    else:
        assert (task.method, task.due_on, task.origin) == (method, due, TaskOrigin.PLANNED)
        assert (task.squad, task.grid, task.credit_tier) == (zone.squad1, zone.grid1, "B")
        assert task.policy.version == 1 and "第1版" in task.basis


def test_sampling_weight_follows_the_credit_tier(zone, flows, travel):
    travel(DAY)
    for tier in ("A", "C"):
        user, party = flows.party(grid=zone.grid1, credit_tier=tier)
        flows.issue(user, party, route="ordinary", approval_class="encouraged")
    deliver()
    draw = services.make_draw(size=1, seed="weights-by-tier", user=zone.legal)
    weights = {t["credit_tier"]: t["weight"] for t in draw.inputs["targets"]}
    assert weights == {"A": "0.5000", "C": "2.0000"}  # credit policy defaults × risk 1.0


def test_new_version_applies_to_new_tasks_only(zone, flows, travel, admin_user):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    old = flows.issue(user, party, route="ordinary", approval_class="cautious")
    deliver()
    rows = services.current_rows()
    for row in rows:
        if row["approval_class"] == "cautious" and row["route"] == "ordinary":
            row.update(method="on_site", deadline_working_days=5, inspector_pool=zone.squad2.pk)
    with pytest.raises(Forbidden):
        services.publish_policy(effective_from=DAY, rules=rows, user=zone.head)
    with pytest.raises(DomainError, match="36"):
        services.publish_policy(effective_from=DAY, rules=rows[:-1], user=admin_user)
    v2 = services.publish_policy(effective_from=dt.date(2026, 3, 3), rules=rows, user=admin_user)
    assert v2.version == 2 and v2.ack_working_days == 2  # settings copied from the version in force
    travel(dt.date(2026, 3, 3))
    new = flows.issue(user, party, route="ordinary", approval_class="cautious")
    deliver()
    old_task = VerificationTask.objects.get(licence=old)
    new_task = VerificationTask.objects.get(licence=new)
    assert (old_task.policy.version, old_task.method) == (1, "document_review")
    assert (new_task.policy.version, new_task.method, new_task.squad) == (2, "on_site", zone.squad2)
    assert new_task.due_on == dt.date(2026, 3, 10)


def test_unkept_commitment_turns_into_an_on_site_inspection(zone, flows, travel):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="tolerance", approval_class="encouraged")
    deliver()
    assert PoolEntry.objects.get(licence=licence).status == PoolStatus.WAITING
    travel(dt.date(2026, 3, 5))  # the deferred material was due on 3 March
    approvals.start_revocation(licence.pk)
    deliver()
    task = VerificationTask.objects.get(licence=licence)
    assert (task.origin, task.method) == (TaskOrigin.UNKEPT, "on_site")
    assert "逾期未补交" in task.basis
    assert PoolEntry.objects.get(licence=licence).status == PoolStatus.REMOVED
    assert task.pushes.get().kind == "revocation_started"
