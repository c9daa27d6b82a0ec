"""The deadline sweep, with dates across the 2026 Spring Festival (15–23 Feb off; 14 and 28 Feb
make-up working days). Every sweep is run twice: the second run must change nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from shenguan.approvals import services
from shenguan.approvals.choices import CommitmentStatus, LicenceStatus, RenewalStatus, Status
from shenguan.approvals.clocks import sweep
from shenguan.approvals.models import DeadlineWarning, ItemTemplate
from shenguan.core.errors import DomainError
from shenguan.core.models import JournalEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def counts():
    return JournalEntry.objects.count(), OutboxEvent.objects.count()


def sweep_twice(day):
    first = sweep(day)
    before = counts()
    second = sweep(day)
    assert second.changed == 0, second.as_dict()
    assert counts() == before
    return first


def test_deemed_acceptance_after_five_working_days(flow, travel):
    travel(dt.date(2026, 2, 12))
    flow.create()
    flow.provide()
    flow.submit()
    # 5 working days after 12 Feb: 13, 14 (Sat, make-up), 24, 25, 26 → notice due by 26 Feb
    assert sweep_twice(dt.date(2026, 2, 26)).deemed_accepted == []
    assert flow.refresh().status == Status.SUBMITTED
    report = sweep_twice(dt.date(2026, 2, 27))
    app = flow.refresh()
    assert report.deemed_accepted == [app.number]
    assert app.status == Status.DEEMED_ACCEPTED
    assert app.accepted_on == dt.date(2026, 2, 12)  # the day the materials were received
    assert app.statutory_due_on == dt.date(2026, 3, 18)
    assert app.history.last().actor_kind == "system"
    assert OutboxEvent.objects.filter(type="approvals.application.deemed_accepted").count() == 1


def test_one_time_notice_refused_after_the_window(flow, travel):
    travel(dt.date(2026, 2, 12))
    flow.create()
    flow.provide(flow.item.essential)
    flow.submit()
    travel(dt.date(2026, 2, 27))
    with pytest.raises(DomainError, match="视为受理"):
        services.notify_deficiency(flow.app.pk, user=flow.clerk)
    assert flow.refresh().status == Status.SUBMITTED


def test_warning_at_eighty_percent_of_the_promised_limit(flow, item, travel):
    travel(dt.date(2026, 2, 10))
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    assert app.warn_on == dt.date(2026, 2, 27)  # 8 of 10 working days
    assert sweep_twice(dt.date(2026, 2, 26)).warnings == []
    report = sweep_twice(dt.date(2026, 2, 27))
    assert report.warnings == [app.number]
    warning = DeadlineWarning.objects.get()
    assert warning.staff == item.holder
    assert warning.due_on == dt.date(2026, 3, 2)
    assert sweep_twice(dt.date(2026, 3, 2)).warnings == []
    assert DeadlineWarning.objects.count() == 1


def test_warning_goes_to_the_backup_while_the_holder_is_away(flow, item, travel):
    travel(dt.date(2026, 2, 10))
    flow.create()
    flow.provide()
    flow.submit()
    flow.accept()
    holder = item.holder
    holder.is_absent = True
    holder.save(update_fields=["is_absent"])
    sweep(dt.date(2026, 2, 27))
    assert DeadlineWarning.objects.get().staff == item.backup


def _tolerance_app(flow, item, due):
    app = flow.create(route="tolerance")
    flow.provide([*item.essential, item.optional[0]])
    services.sign_tolerance(
        app.pk,
        signer_name="李四",
        deferrals=[{"material_id": item.optional[1].pk, "due_on": due}],
        user=flow.user,
    )
    flow.submit()
    return flow.accept()


def test_missed_cure_date_terminates(flow, item, travel):
    travel(dt.date(2026, 2, 10))
    app = _tolerance_app(flow, item, dt.date(2026, 2, 26))
    assert sweep_twice(dt.date(2026, 2, 26)).terminated == []  # the due day itself is in time
    report = sweep_twice(dt.date(2026, 2, 27))
    assert report.terminated == [app.number]
    app.refresh_from_db()
    assert app.status == Status.TERMINATED
    assert "非要件材料2" in app.closing_note
    assert app.commitments.get().status == CommitmentStatus.BREACHED
    event = OutboxEvent.objects.get(type="approvals.application.terminated")
    assert event.payload["deferred_materials"][0]["name"] == "非要件材料2"


def test_missed_cure_date_after_licence_starts_revocation(flow, item, head, travel):
    travel(dt.date(2026, 2, 10))
    app = _tolerance_app(flow, item, dt.date(2026, 2, 26))
    services.approve(app.pk, user=item.holder_user, issue_now=True)
    licence = app.licences.get()
    report = sweep_twice(dt.date(2026, 2, 27))
    assert report.revocations_started == [licence.number]
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID  # started, not yet decided
    assert licence.revocation_started_on == dt.date(2026, 2, 27)
    assert OutboxEvent.objects.filter(type="approvals.licence.revocation_started").count() == 1
    travel(dt.date(2026, 3, 2))
    services.revoke_licence(licence.pk, reason="容缺材料逾期未补交，承诺未履行", user=head)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    revoked = OutboxEvent.objects.get(type="approvals.licence.revoked")
    assert revoked.payload["party_id"] == flow.party.pk
    assert revoked.payload["reason"].startswith("容缺材料逾期")


def _issued_licence(flow, item, years=1):
    ItemTemplate.objects.filter(power=item.power).update(licence_validity_years=years)
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    services.approve(app.pk, user=item.holder_user, issue_now=True)
    return app.licences.get()


def test_renewal_undecided_at_expiry_is_deemed_granted(flow, item, travel):
    travel(dt.date(2026, 2, 13))
    licence = _issued_licence(flow, item)
    assert licence.valid_until == dt.date(2027, 2, 12)
    travel(dt.date(2027, 1, 14))  # 29 days before expiry: too late (art 50)
    with pytest.raises(DomainError, match="30日前"):
        services.apply_renewal(licence.pk, user=flow.user)
    travel(dt.date(2027, 1, 13))
    renewal = services.apply_renewal(licence.pk, user=flow.user)
    assert sweep_twice(dt.date(2027, 2, 12)).renewals_deemed == []
    report = sweep_twice(dt.date(2027, 2, 13))
    assert report.renewals_deemed == [licence.number]
    assert report.licences_expired == []
    renewal.refresh_from_db()
    licence.refresh_from_db()
    assert renewal.status == RenewalStatus.DEEMED
    assert licence.status == LicenceStatus.VALID
    assert licence.valid_until == dt.date(2028, 2, 12)


def test_licence_expires_without_renewal(flow, item, travel):
    travel(dt.date(2026, 2, 13))
    licence = _issued_licence(flow, item)
    assert sweep_twice(dt.date(2027, 2, 12)).licences_expired == []
    report = sweep_twice(dt.date(2027, 2, 13))
    assert report.licences_expired == [licence.number]
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED
    assert licence.expired_on == dt.date(2027, 2, 13)


def test_management_command_sweeps_as_the_command(flow, travel):
    travel(dt.date(2026, 2, 12))
    flow.create()
    flow.provide()
    flow.submit()
    out = io.StringIO()
    call_command("approvals", "sweep", "--today", "2026-02-27", stdout=out)
    assert "1 changes" in out.getvalue()
    assert flow.refresh().status == Status.DEEMED_ACCEPTED
    entry = JournalEntry.objects.filter(action="approvals.application.deem_acceptance").get()
    assert entry.actor_name == "command:approvals"
    out = io.StringIO()
    call_command("approvals", "sweep", "--today", "2026-02-27", stdout=out)
    assert "0 changes" in out.getvalue()


def test_sweep_defaults_to_today(flow, travel):
    travel(dt.date(2026, 2, 12))
    flow.create()
    flow.provide()
    flow.submit()
    travel(dt.date(2026, 2, 27))
    assert sweep().deemed_accepted == [flow.app.number]


def test_renewal_decided_by_head(flow, item, head, travel):
    travel(dt.date(2026, 2, 13))
    licence = _issued_licence(flow, item)
    travel(dt.date(2026, 12, 1))
    renewal = services.apply_renewal(licence.pk, user=flow.user)
    with pytest.raises(DomainError):
        services.decide_renewal(renewal.pk, approve=True, user=flow.clerk)
    with pytest.raises(DomainError, match="理由"):
        services.decide_renewal(renewal.pk, approve=False, user=head)
    services.decide_renewal(renewal.pk, approve=True, user=head)
    licence.refresh_from_db()
    assert licence.valid_until == dt.date(2028, 2, 12)
