"""List entry and exit rules: event rules, tier rules, caps, minimum periods, automatic expiry,
the one-open-entry constraint, and the functions the approval side calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from shenguan.core.errors import Conflict, DomainError, Forbidden
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.credit import services
from shenguan.credit.choices import ExitReason, ListTrigger
from shenguan.credit.models import CreditStanding, ListEntry
from shenguan.credit.policy import policy_for

pytestmark = pytest.mark.django_db


def open_lists(party) -> dict[str, ListEntry]:
    return {e.list_kind: e for e in ListEntry.objects.filter(party=party, exited_on=None)}


def test_falsified_commitment_blacklists_and_closes_the_green_channel(enterprise, record, travel):
    travel(dt.date(2026, 3, 2))
    record(enterprise, "honour", source="manual")
    assert set(open_lists(enterprise)) == {"green"}
    assert not services.is_blacklisted(enterprise)

    falsified = record(enterprise, "commitment_falsified", source="verification")
    lists = open_lists(enterprise)
    assert set(lists) == {"serious_dishonesty", "watch"}
    serious = lists["serious_dishonesty"]
    assert serious.trigger == ListTrigger.EVENT and serious.source_event_id == falsified.pk
    assert serious.entered_on == dt.date(2026, 3, 2)
    assert serious.earliest_exit_on == dt.date(2027, 3, 2)  # policy: at least 12 months
    assert serious.expires_on == dt.date(2029, 3, 2)  # policy: out after 36 months
    green = ListEntry.objects.get(party=enterprise, list_kind="green")
    assert green.exit_reason == ExitReason.TIER_CHANGED and green.exited_on == dt.date(2026, 3, 2)
    assert services.is_blacklisted(enterprise)
    assert services.has_unrepaired_false_commitment(enterprise)
    assert services.tier_of(enterprise) == "D"
    assert JournalEntry.objects.filter(action="credit.list.exited", object_id=str(green.pk))
    assert OutboxEvent.objects.filter(type="credit.list.entered", subject_id=str(serious.pk))


def test_blacklist_caps_the_tier_whatever_the_score(enterprise, head):
    services.record_event(enterprise.pk, "honour", source="manual", user=head)
    services.record_event(enterprise.pk, "award", source="manual", user=head)
    assert services.tier_of(enterprise) == "A"
    entry = services.enter_list(
        enterprise.pk, "serious_dishonesty", reason="法院认定", min_months=6, user=head
    )
    assert entry.trigger == ListTrigger.MANUAL
    standing = CreditStanding.objects.get(party=enterprise)
    assert standing.score_tier == "A" and standing.tier == "D"
    assert services.tier_of(enterprise) == "D"
    assert "green" not in open_lists(enterprise)


def test_watch_list_holds_for_its_minimum_then_follows_the_tier(
    enterprise, record, reviewer, travel
):
    travel(dt.date(2026, 3, 2))
    broken = record(enterprise, "commitment_broken", source="verification")
    watch = open_lists(enterprise)["watch"]
    assert watch.trigger == ListTrigger.EVENT and watch.source_event_id == broken.pk
    assert watch.earliest_exit_on == dt.date(2026, 6, 2)
    assert services.tier_of(enterprise) == "C"

    with pytest.raises(DomainError) as exc:
        services.exit_list(watch.pk, reason="repaired", user=reviewer)
    assert exc.value.code == "too_early"
    # a correction (the entry was wrong) may take it off at once …
    services.exit_list(watch.pk, reason="corrected", note="核查有误", user=reviewer)
    watch.refresh_from_db()
    assert watch.exited_on == dt.date(2026, 3, 2) and watch.exit_reason == "corrected"
    # … but the score still says C, and the tier rule puts the party on the list again
    again = open_lists(enterprise)["watch"]
    assert again.pk != watch.pk and again.trigger == ListTrigger.TIER
    with pytest.raises(Conflict):
        services.exit_list(watch.pk, reason="corrected", user=reviewer)


def test_event_rule_takes_over_a_tier_entry_and_extends_it(enterprise, record, travel):
    travel(dt.date(2026, 3, 2))
    record(enterprise, "penalty_heavy", source="enforcement")  # 70 - 30 = 40: C
    watch = open_lists(enterprise)["watch"]
    assert watch.trigger == ListTrigger.TIER and watch.expires_on is None
    travel(dt.date(2026, 4, 1))
    record(enterprise, "commitment_broken", source="verification")
    watch.refresh_from_db()
    assert watch.trigger == ListTrigger.EVENT
    assert watch.earliest_exit_on == dt.date(2026, 7, 1)
    assert watch.expires_on == dt.date(2027, 4, 1)
    assert ListEntry.objects.filter(party=enterprise, list_kind="watch").count() == 1
    assert JournalEntry.objects.filter(action="credit.list.extended", object_id=str(watch.pk))


def test_one_open_entry_per_party_and_list_in_the_database(enterprise, travel):
    travel(dt.date(2026, 3, 2))
    policy = policy_for()
    day = dt.date(2026, 3, 2)
    fields = {
        "party": enterprise,
        "list_kind": "watch",
        "trigger": "manual",
        "reason": "x",
        "policy": policy,
        "entered_on": day,
        "earliest_exit_on": day,
    }
    first = ListEntry.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ListEntry.objects.create(**fields)
    ListEntry.objects.filter(pk=first.pk).update(exited_on=day, exit_reason="corrected")
    ListEntry.objects.create(**fields)  # once the first is closed, a new one may open
    assert ListEntry.objects.filter(party=enterprise, list_kind="watch").count() == 2


def test_entries_expire_by_themselves(enterprise, record, travel):
    travel(dt.date(2026, 3, 2))
    record(enterprise, "commitment_broken", source="verification")
    watch = open_lists(enterprise)["watch"]
    assert watch.expires_on == dt.date(2027, 3, 2)
    travel(dt.date(2027, 3, 1))
    assert services.expire_list_entries() == 0
    travel(dt.date(2027, 3, 2))
    assert services.expire_list_entries() == 1
    watch.refresh_from_db()
    assert (watch.exited_on, watch.exit_reason) == (dt.date(2027, 3, 2), "expired")
    # the broken commitment still counts (three years), so the tier keeps the party watched
    assert open_lists(enterprise)["watch"].trigger == ListTrigger.TIER


def test_serious_list_stops_counting_on_its_exit_date_even_before_the_sweep(
    enterprise, record, travel
):
    travel(dt.date(2026, 3, 2))
    record(enterprise, "court_dishonest", source="court")
    assert services.is_blacklisted(enterprise)
    travel(dt.date(2029, 3, 2))
    assert not services.is_blacklisted(enterprise)
    serious = ListEntry.objects.get(party=enterprise, list_kind="serious_dishonesty")
    assert serious.exited_on is None  # not swept yet
    # any recomputation of the party closes it rather than let it cap the tier
    services.recompute_tier(enterprise.pk)
    serious.refresh_from_db()
    assert (serious.exited_on, serious.exit_reason) == (dt.date(2029, 3, 2), "expired")


def test_lists_by_hand_need_a_deciding_role(enterprise, clerk, make_user):
    with pytest.raises(Forbidden):
        services.enter_list(enterprise.pk, "watch", reason="x", user=clerk)
    with pytest.raises(DomainError):
        services.enter_list(enterprise.pk, "nowhere", reason="x")
    with pytest.raises(DomainError):
        services.enter_list(enterprise.pk, "watch", reason="  ")
    entry = services.enter_list(enterprise.pk, "watch", reason="专项整治")
    with pytest.raises(Forbidden):
        services.exit_list(entry.pk, reason="corrected", user=clerk)
    assert ListEntry.objects.filter(party=enterprise, exited_on=None).count() == 1


def test_sampling_weight_rises_with_bad_credit(enterprise, individual, record, head):
    policy = policy_for()
    assert services.sampling_weight(enterprise) == policy.sampling_weight_b
    record(enterprise, "honour", source="manual")
    assert services.sampling_weight(enterprise) == policy.sampling_weight_a
    record(individual, "commitment_falsified", source="verification")
    assert services.sampling_weight(individual) == policy.sampling_weight_d
    assert services.sampling_weight(individual) > services.sampling_weight(enterprise.pk)


def test_unkept_commitment_blocks_until_repaired_or_lapsed(enterprise, record, travel):
    travel(dt.date(2026, 3, 2))
    assert not services.has_unrepaired_false_commitment(enterprise)
    record(enterprise, "tolerance_missed", source="approval")
    assert not services.has_unrepaired_false_commitment(enterprise)
    record(enterprise, "commitment_broken", source="verification")
    assert services.has_unrepaired_false_commitment(enterprise.pk)
    travel(dt.date(2029, 3, 3))  # past its three-year period
    assert not services.has_unrepaired_false_commitment(enterprise)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_events_for_one_party_leave_one_open_entry():
    """Two workers record blacklisting events for the same party at once: the party lock
    orders them, so there is one open serious-dishonesty entry, extended by the second."""
    import threading

    from django.db import connection

    from shenguan.parties.factories import EnterpriseFactory

    party = EnterpriseFactory()
    policy_for()
    barrier = threading.Barrier(2)
    errors = []

    def work(kind):
        try:
            barrier.wait(timeout=10)
            services.record_event(
                party.pk, kind, source="court" if kind == "court_dishonest" else "verification"
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(k,))
        for k in ("commitment_falsified", "court_dishonest")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    entries = ListEntry.objects.filter(party=party, list_kind="serious_dishonesty")
    assert entries.count() == 1 and entries.get().exited_on is None
    assert services.tier_of(party) == "D"
    assert CreditStanding.objects.get(party=party).score == 70 - 60 - 50
