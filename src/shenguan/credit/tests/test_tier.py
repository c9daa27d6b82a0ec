"""Events → score → tier under a policy version; a new version leaves old results explainable;
every service journals and emits in one transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.credit import services
from shenguan.credit.choices import ListTrigger
from shenguan.credit.models import (
    CreditEvent,
    CreditPolicy,
    CreditStanding,
    EventKindRule,
    ListEntry,
    TierChange,
)
from shenguan.credit.policy import DEFAULT_KIND_RULES, create_policy_version, policy_for

pytestmark = pytest.mark.django_db


def explained_tier(change: TierChange) -> tuple[int, str]:
    """Re-derive a stored tier change from its explanation alone."""
    e = change.explanation
    score = e["base_score"] + sum(ev["weight"] for ev in e["events"])
    t = e["thresholds"]
    tier = "A" if score >= t["A"] else "B" if score >= t["B"] else "C" if score >= t["C"] else "D"
    order = "ABCD"
    for cap in e["caps"]:
        tier = max(tier, cap["cap"], key=order.index)
    return score, tier


def test_default_policy_is_stored_once_as_version_one():
    first = policy_for()
    again = policy_for()
    assert first.pk == again.pk and first.version == 1
    assert CreditPolicy.objects.count() == 1
    assert set(first.kind_rules.values_list("kind", flat=True)) == set(DEFAULT_KIND_RULES)
    assert JournalEntry.objects.filter(action="credit.policy.created").count() == 1


def test_score_from_events_gives_the_tier(enterprise, record, travel):
    travel(dt.date(2026, 3, 2))
    policy = policy_for()
    kept = EventKindRule.objects.get(policy=policy, kind="commitment_kept").weight
    honour = EventKindRule.objects.get(policy=policy, kind="honour").weight

    record(enterprise, "commitment_kept", source_ref={"type": "t", "id": "1"})
    record(enterprise, "commitment_kept", source_ref={"type": "t", "id": "2"})
    standing = CreditStanding.objects.get(party=enterprise)
    assert standing.score == policy.base_score + 2 * kept
    assert standing.tier == policy.tier_for(standing.score)

    record(enterprise, "honour", source="manual")
    standing.refresh_from_db()
    enterprise.refresh_from_db()
    assert standing.score == policy.base_score + 2 * kept + honour
    assert standing.score >= policy.tier_a_min
    assert enterprise.credit_tier == "A" == services.tier_of(enterprise)
    change = TierChange.objects.get(party=enterprise)
    assert (change.from_tier, change.to_tier, change.policy_id) == ("B", "A", policy.pk)
    assert explained_tier(change) == (change.score, "A")
    assert len(change.explanation["events"]) == 3
    # an A-tier party enters the green list, following its tier
    green = ListEntry.objects.get(party=enterprise, list_kind="green")
    assert green.trigger == ListTrigger.TIER and green.exited_on is None


def test_explicit_weight_overrides_the_default(enterprise, head):
    event = services.record_event(
        enterprise.pk, "adjustment", source="manual", weight=-45, user=head
    )
    assert event.weight == -45
    assert CreditStanding.objects.get(party=enterprise).score == policy_for().base_score - 45


def test_new_policy_version_changes_future_results_and_keeps_old_ones_explainable(
    enterprise, record, travel, admin_user
):
    travel(dt.date(2026, 3, 2))
    record(enterprise, "honour", source="manual")
    v1 = policy_for()
    first = TierChange.objects.get(party=enterprise)
    assert first.to_tier == "A" and first.policy_id == v1.pk

    v2 = create_policy_version(
        effective_from=dt.date(2026, 3, 3),
        changes={"tier_a_min": 120},
        note="raise the A line",
        user=admin_user,
    )
    assert v2.version == 2 and v2.tier_a_min == 120
    assert v2.kind_rules.count() == v1.kind_rules.count()
    v1.refresh_from_db()
    assert v1.tier_a_min == 90  # the old version is untouched
    assert JournalEntry.objects.filter(action="credit.policy.created", object_id=str(v2.pk))

    # not yet in force: the sweep leaves the party alone
    assert services.sweep()["recomputed"] == 0
    travel(dt.date(2026, 3, 3))
    assert policy_for().pk == v2.pk
    assert services.sweep()["recomputed"] == 1
    enterprise.refresh_from_db()
    assert enterprise.credit_tier == "B"
    second = TierChange.objects.filter(party=enterprise).order_by("-pk").first()
    assert (second.from_tier, second.to_tier, second.policy_id) == ("A", "B", v2.pk)
    # both results explain themselves from what they stored, under their own version
    first.refresh_from_db()
    assert explained_tier(first) == (first.score, "A")
    assert explained_tier(second) == (second.score, "B")
    assert first.explanation["thresholds"]["A"] == 90
    assert second.explanation["thresholds"]["A"] == 120
    # the green list followed the tier down
    assert not ListEntry.objects.filter(party=enterprise, list_kind="green", exited_on=None)


def test_new_version_rules_apply_to_new_events_only(enterprise, record, travel, admin_user):
    travel(dt.date(2026, 3, 2))
    old = record(enterprise, "inspection_failed", source="verification")
    create_policy_version(
        effective_from=dt.date(2026, 3, 2),
        kind_rules=[{"kind": "inspection_failed", "weight": -25, "period_months": 6}],
        user=admin_user,
    )
    new = record(enterprise, "inspection_failed", source="verification")
    assert (old.weight, old.policy.version) == (-10, 1)
    assert (new.weight, new.policy.version) == (-25, 2)
    assert new.publish_until == dt.date(2026, 9, 2)
    assert old.publish_until == dt.date(2027, 3, 2)


def test_policy_versions_are_for_administrators_and_not_retroactive(head, admin_user, travel):
    travel(dt.date(2026, 3, 2))
    policy_for()
    with pytest.raises(Forbidden):
        create_policy_version(effective_from=dt.date(2026, 4, 1), user=head)
    with pytest.raises(DomainError) as exc:
        create_policy_version(effective_from=dt.date(2026, 3, 1), user=admin_user)
    assert "effective_from" in exc.value.field_errors
    with pytest.raises(DomainError):
        create_policy_version(
            effective_from=dt.date(2026, 4, 1), changes={"tier_b_min": 95}, user=admin_user
        )
    assert CreditPolicy.objects.count() == 1


def test_publication_period_follows_the_policy(enterprise, record, travel):
    # 市场监督管理行政处罚信息公示规定 art 13: small penalties 3 months, others 3 years;
    # a month without the day ends on its last day (民法典 art 202)
    travel(dt.date(2026, 1, 31))
    light = record(enterprise, "penalty_light", source="enforcement")
    heavy = record(enterprise, "penalty_heavy", source="enforcement")
    assert light.publish_until == dt.date(2026, 4, 30)
    assert heavy.publish_until == dt.date(2029, 1, 31)
    assert light.is_public and heavy.is_public
    assert light.repairable_from is None  # a three-month publication never ends early
    assert heavy.repairable_from == dt.date(2027, 1, 31)


def test_same_source_object_records_once(enterprise, record):
    ref = {"type": "approvals.commitment", "id": "17", "display": "承诺书 17"}
    a = record(enterprise, "commitment_kept", source_ref=ref)
    b = record(enterprise, "commitment_kept", source_ref=ref)
    assert a.pk == b.pk
    assert CreditEvent.objects.filter(party=enterprise).count() == 1
    assert JournalEntry.objects.filter(action="credit.event.recorded").count() == 1


def test_record_event_journals_and_emits(enterprise, record):
    event = record(enterprise, "commitment_falsified", source="verification")
    actions = set(JournalEntry.objects.values_list("action", flat=True))
    assert {
        "credit.event.recorded",
        "credit.list.entered",
        "credit.standing.computed",
        "credit.tier.changed",
        "parties.party.credit_tier_set",
    } <= actions
    types = set(OutboxEvent.objects.values_list("type", flat=True))
    assert {"credit.event.recorded", "credit.list.entered", "credit.tier.changed"} <= types
    recorded = OutboxEvent.objects.get(type="credit.event.recorded")
    assert recorded.payload["party_id"] == enterprise.pk and recorded.subject_id == str(event.pk)


def test_record_event_is_one_transaction(enterprise, record, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("the party write failed")

    monkeypatch.setattr("shenguan.parties.services.set_credit_tier", boom)
    journal_before = JournalEntry.objects.count()
    policy_for()  # the default policy is not part of what is rolled back
    journal_before = JournalEntry.objects.count()
    with pytest.raises(RuntimeError):
        record(enterprise, "commitment_falsified", source="verification")
    assert not CreditEvent.objects.exists()
    assert not ListEntry.objects.exists()
    assert not CreditStanding.objects.exists()
    assert JournalEntry.objects.count() == journal_before
    assert not OutboxEvent.objects.filter(type__startswith="credit.event").exists()
    enterprise.refresh_from_db()
    assert enterprise.credit_tier == "B"


def test_recording_rules_by_role(enterprise, make_user, clerk, head, reviewer):
    applicant = make_user("applicant")
    with pytest.raises(NotFound):  # an applicant does not even see another party
        services.record_event(enterprise.pk, "award", source="manual", user=applicant)
    with pytest.raises(Forbidden):
        services.record_event(enterprise.pk, "adjustment", source="manual", user=clerk)
    with pytest.raises(Forbidden):
        services.record_event(enterprise.pk, "court_dishonest", source="court", user=clerk)
    officer = make_user("enforcement_officer", staff=True)
    with pytest.raises(NotFound):  # outside the officer's grids
        services.record_event(
            enterprise.pk, "inspection_passed", source="verification", user=officer
        )
    assert not CreditEvent.objects.exists()
    services.record_event(enterprise.pk, "tolerance_cured", source="approval", user=clerk)
    services.record_event(enterprise.pk, "award", source="manual", user=head)
    services.record_event(enterprise.pk, "court_dishonest", source="court", user=reviewer)
    assert CreditEvent.objects.filter(party=enterprise).count() == 3


def test_bad_input_changes_nothing(enterprise):
    with pytest.raises(DomainError):
        services.record_event(enterprise.pk, "no_such_kind", source="approval")
    with pytest.raises(DomainError):
        services.record_event(enterprise.pk, "award", source="nowhere")
    with pytest.raises(DomainError):
        services.record_event(
            enterprise.pk, "award", source="manual", occurred_on=dt.date(2999, 1, 1)
        )
    with pytest.raises(NotFound):
        services.record_event(999999, "award", source="manual")
    with transaction.atomic():
        assert not CreditEvent.objects.exists()


def test_recompute_tier_is_idempotent(enterprise, record):
    record(enterprise, "commitment_broken", source="verification")
    count = JournalEntry.objects.count()
    assert services.recompute_tier(enterprise.pk) == "C"
    assert services.recompute_tier(enterprise.pk) == "C"
    assert JournalEntry.objects.count() == count  # nothing changed, nothing journalled
    assert TierChange.objects.filter(party=enterprise).count() == 1
