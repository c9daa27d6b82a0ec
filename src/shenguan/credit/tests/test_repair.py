"""Credit repair (深圳经济特区社会信用条例 art 79–83): after the minimum period, by the party's own
account, decided within three working days by a bureau head or legal reviewer."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.context import acting_as
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound, TransitionNotAllowed
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.credit import services
from shenguan.credit.models import CreditEvent, ListEntry, RepairApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(enterprise, record, travel):
    """A commitment broken on 2026-06-30: published three years, repairable after three
    months (policy), so from 2026-09-30."""
    travel(dt.date(2026, 6, 30))
    event = record(enterprise, "commitment_broken", source="verification")
    assert event.repairable_from == dt.date(2026, 9, 30)
    return event


def test_due_date_counts_three_working_days_across_national_day(
    enterprise, broken, account_of, travel
):
    # Submitted Wed 2026-09-30. 2026 arrangement: Oct 1–7 off; Sat Oct 10 is a make-up working
    # day. Working days after the 30th: Thu Oct 8 (1), Fri Oct 9 (2), Sat Oct 10 (3).
    owner = account_of(enterprise)
    travel(dt.date(2026, 9, 30))
    with acting_as(owner, source="api"):
        repair = services.apply_for_repair(
            enterprise.pk, event_id=broken.pk, reasons="已整改", evidence="整改报告", user=owner
        )
    assert repair.submitted_on == dt.date(2026, 9, 30)
    assert repair.due_on == dt.date(2026, 10, 10)
    assert repair.status == "submitted" and repair.submitted_by == owner
    entry = JournalEntry.objects.get(action="credit.repair.submitted")
    assert entry.object_id == str(repair.pk) and entry.actor_id == owner.pk
    assert OutboxEvent.objects.filter(type="credit.repair.submitted", subject_id=str(repair.pk))


def test_not_before_the_minimum_period(enterprise, broken, account_of, travel):
    owner = account_of(enterprise)
    travel(dt.date(2026, 9, 29))
    with pytest.raises(DomainError) as exc:
        services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=owner)
    assert exc.value.code == "too_early"
    assert not RepairApplication.objects.exists()


def test_approval_ends_publication_and_the_list_entry(enterprise, broken, account_of, head, travel):
    owner = account_of(enterprise)
    watch = ListEntry.objects.get(party=enterprise, list_kind="watch", exited_on=None)
    assert services.tier_of(enterprise) == "C"
    travel(dt.date(2026, 9, 30))
    repair = services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=owner)
    travel(dt.date(2026, 10, 9))
    decided = services.decide_repair(repair.pk, approve=True, opinion="整改到位", user=head)
    assert (decided.status, decided.decided_on, decided.decided_by) == (
        "approved",
        dt.date(2026, 10, 9),
        head,
    )
    assert not decided.is_overdue()
    broken.refresh_from_db()
    assert broken.publication_ended_on == dt.date(2026, 10, 9)
    assert broken.publication_end_reason == "repaired"
    watch.refresh_from_db()
    assert (watch.exited_on, watch.exit_reason) == (dt.date(2026, 10, 9), "repaired")
    assert not services.has_unrepaired_false_commitment(enterprise)
    assert services.tier_of(enterprise) == "B"
    actions = list(JournalEntry.objects.values_list("action", flat=True))
    for action in (
        "credit.repair.approved",
        "credit.event.publication_ended",
        "credit.list.exited",
        "credit.tier.changed",
    ):
        assert action in actions
    decided_event = OutboxEvent.objects.get(type="credit.repair.decided")
    assert decided_event.payload == {
        "id": repair.pk,
        "party_id": enterprise.pk,
        "approved": True,
        "late": False,
    }


def test_refusal_keeps_the_record_and_a_decision_is_final(
    enterprise, broken, account_of, reviewer, travel
):
    owner = account_of(enterprise)
    travel(dt.date(2026, 10, 12))
    repair = services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=owner)
    with pytest.raises(Conflict):  # one open application per record
        services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="y", user=owner)
    with pytest.raises(DomainError):
        services.decide_repair(repair.pk, approve=False, opinion=" ", user=reviewer)
    services.decide_repair(repair.pk, approve=False, opinion="未完成整改", user=reviewer)
    assert JournalEntry.objects.filter(action="credit.repair.refused").count() == 1
    broken.refresh_from_db()
    assert broken.publication_ended_on is None
    assert services.has_unrepaired_false_commitment(enterprise)
    with pytest.raises(TransitionNotAllowed):
        services.decide_repair(repair.pk, approve=True, opinion="改判", user=reviewer)
    # after a refusal the party may apply again
    again = services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="z", user=owner)
    assert again.pk != repair.pk


def test_who_may_apply_and_decide(enterprise, broken, account_of, make_user, clerk, head, travel):
    owner = account_of(enterprise)
    stranger = make_user("applicant")
    travel(dt.date(2026, 10, 12))
    with pytest.raises(NotFound):  # another applicant does not see the party at all
        services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=stranger)
    with pytest.raises(Forbidden):  # staff see it, but the application is the party's own
        services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=clerk)
    repair = services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=owner)
    with pytest.raises(Forbidden):
        services.decide_repair(repair.pk, approve=True, opinion="同意", user=owner)
    with pytest.raises(Forbidden):
        services.decide_repair(repair.pk, approve=True, opinion="同意", user=clerk)
    with pytest.raises(NotFound):
        services.decide_repair(repair.pk, approve=True, opinion="同意", user=stranger)
    repair.refresh_from_db()
    assert repair.status == "submitted"
    services.decide_repair(repair.pk, approve=True, opinion="同意", user=head)


def test_records_that_cannot_be_repaired(enterprise, record, account_of, travel):
    owner = account_of(enterprise)
    travel(dt.date(2026, 3, 2))
    revoked = record(enterprise, "licence_revoked", source="enforcement")
    light = record(enterprise, "penalty_light", source="enforcement")
    travel(dt.date(2027, 6, 1))
    for event in (revoked,):
        with pytest.raises(DomainError) as exc:
            services.apply_for_repair(enterprise.pk, event_id=event.pk, reasons="x", user=owner)
        # 市场监督管理行政处罚信息公示规定 art 14 last paragraph
        assert exc.value.code == "not_repairable"
    with pytest.raises(Conflict) as exc:  # its three months are long over
        services.apply_for_repair(enterprise.pk, event_id=light.pk, reasons="x", user=owner)
    assert exc.value.code == "not_active"
    with pytest.raises(DomainError) as exc:
        services.apply_for_repair(enterprise.pk, reasons="x", user=owner)
    assert exc.value.code == "one_target"


def test_list_entry_repair_after_its_minimum(enterprise, record, account_of, head, travel):
    owner = account_of(enterprise)
    travel(dt.date(2025, 9, 1))
    record(enterprise, "commitment_falsified", source="verification")
    serious = ListEntry.objects.get(party=enterprise, list_kind="serious_dishonesty")
    assert serious.earliest_exit_on == dt.date(2026, 9, 1)
    watch_by_tier = ListEntry.objects.get(party=enterprise, list_kind="watch", exited_on=None)
    travel(dt.date(2026, 8, 31))
    with pytest.raises(DomainError) as exc:
        services.apply_for_repair(enterprise.pk, list_entry_id=serious.pk, reasons="x", user=owner)
    assert exc.value.code == "too_early"
    with pytest.raises(DomainError) as exc:  # a list that follows the tier is not repaired
        services.apply_for_repair(
            enterprise.pk, list_entry_id=watch_by_tier.pk, reasons="x", user=owner
        )
    assert exc.value.code == "not_repairable"
    travel(dt.date(2026, 9, 1))
    repair = services.apply_for_repair(
        enterprise.pk, list_entry_id=serious.pk, reasons="已纠正", user=owner
    )
    services.decide_repair(repair.pk, approve=True, opinion="同意移出", user=head)
    serious.refresh_from_db()
    assert serious.exit_reason == "repaired"
    assert not services.is_blacklisted(enterprise)
    # the falsified commitment itself is still on record until repaired on its own
    assert services.has_unrepaired_false_commitment(enterprise)
    assert CreditEvent.objects.get(party=enterprise).publication_ended_on is None


def test_no_due_date_is_guessed_into_an_unknown_year(enterprise, broken, account_of, travel):
    # 2026-12-30 + 3 working days runs into 2027, whose arrangement is not yet published
    owner = account_of(enterprise)
    travel(dt.date(2026, 12, 30))
    with pytest.raises(DomainError) as exc:
        services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=owner)
    assert exc.value.code == "unknown_calendar_year"
    assert not RepairApplication.objects.exists()


def test_overdue_applications_are_flagged_once(enterprise, broken, account_of, travel):
    owner = account_of(enterprise)
    travel(dt.date(2026, 9, 30))
    repair = services.apply_for_repair(enterprise.pk, event_id=broken.pk, reasons="x", user=owner)
    travel(dt.date(2026, 10, 10))
    assert services.sweep()["repairs_flagged_overdue"] == 0  # the due day itself is in time
    travel(dt.date(2026, 10, 12))
    assert services.sweep()["repairs_flagged_overdue"] == 1
    assert services.sweep()["repairs_flagged_overdue"] == 0
    repair.refresh_from_db()
    assert repair.overdue_flagged_on == dt.date(2026, 10, 12) and repair.is_overdue()
    assert OutboxEvent.objects.filter(type="credit.repair.overdue").count() == 1
