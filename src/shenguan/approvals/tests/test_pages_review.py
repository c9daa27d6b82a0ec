"""The approval officer's queue and review page, and the bureau head's page, with Django's
test client: due dates against the 2026 calendar, the 80 % and overdue badges, the decision
and the licence, strict review, clock stops, extension and revocation; permissions both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shenguan.approvals import factories, services
from shenguan.approvals.choices import LicenceStatus, Status
from shenguan.approvals.models import Licence
from shenguan.org import services as org_services

from .pages import (
    DAY,
    PROMISED_DUE,
    STATUTORY_DUE,
    WARN_ON,
    accepted,
    action_error,
    count_queries,
    field_error,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_day(travel):
    travel(DAY)


def review_url(app, action=None):
    if action:
        return reverse("approvals:review-action", args=[app.pk, action])
    return reverse("approvals:review-detail", args=[app.pk])


def other_item_application(clerk):
    """An accepted application of another item (another post, other officers)."""
    other = factories.approval_item()
    user, party = factories.applicant_user()
    app = services.create_application(
        power_id=other.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, other.materials, user)
    services.submit(app.pk, user=user)
    services.accept(app.pk, user=clerk)
    return app, other


# --- the queue --------------------------------------------------------------------------------


def test_queue_shows_the_officers_own_cases_with_due_dates(client, flow, item, clerk):
    app = accepted(flow)
    other, _other_item = other_item_application(clerk)
    client.force_login(item.holder_user)
    body = text(client.get(reverse("approvals:review")))
    assert app.number in body and other.number not in body
    assert f'data-testid="statutory-due">{STATUTORY_DUE:%Y-%m-%d}<' in body
    assert f'data-testid="promised-due">{PROMISED_DUE:%Y-%m-%d}<' in body
    # 10 working days left on the day of acceptance
    assert 'data-testid="days-left">剩10个工作日<' in body
    # the backup does not act while the holder is present…
    client.force_login(item.backup_user)
    assert app.number not in text(client.get(reverse("approvals:review")))
    # …but does once the holder is marked absent (业务AB角)
    org_services.mark_absent(item.holder.pk, absent=True, until=dt.date(2026, 3, 31))
    assert app.number in text(client.get(reverse("approvals:review")))
    # the whole bureau's list on request
    assert other.number in text(client.get(reverse("approvals:review"), {"show": "all"}))


def test_queue_warns_at_80_percent_and_flags_overdue(client, flow, item, travel):
    app = accepted(flow)
    client.force_login(item.holder_user)
    travel(WARN_ON - dt.timedelta(days=1))
    client.force_login(item.holder_user)  # sessions last 8 hours
    body = text(client.get(reverse("approvals:review")))
    assert app.number in body and 'data-value="warned"' not in body
    travel(WARN_ON)
    client.force_login(item.holder_user)
    body = text(client.get(reverse("approvals:review")))
    assert 'data-value="warned"' in body and 'data-value="overdue"' not in body
    assert 'data-testid="days-left">剩2个工作日<' in body  # 28 Feb (Sat*) and 2 Mar
    travel(PROMISED_DUE + dt.timedelta(days=1))
    client.force_login(item.holder_user)
    body = text(client.get(reverse("approvals:review")))
    assert 'data-value="overdue"' in body
    assert 'data-testid="days-left">逾期1个工作日<' in body
    assert app.number in body


def test_queue_costs_the_same_for_one_or_many(client, item, clerk):
    factories.ensure_route_policy()
    apps = []
    for _ in range(4):
        user, party = factories.applicant_user()
        app = services.create_application(
            power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
        )
        factories.provide_all(app, item.materials, user)
        services.submit(app.pk, user=user)
        apps.append(app)
    services.accept(apps[0].pk, user=clerk)
    client.force_login(item.holder_user)
    url = reverse("approvals:review")
    client.get(url)
    one = count_queries(client, url)
    for app in apps[1:]:
        services.accept(app.pk, user=clerk)
    assert count_queries(client, url) == one


def test_review_pages_need_an_approval_role(client, flow, clerk, make_user):
    app = accepted(flow)
    for user in (clerk, flow.user, make_user("enforcement_officer", staff=True)):
        client.force_login(user)
        assert client.get(reverse("approvals:review")).status_code == 403
        assert client.get(review_url(app)).status_code == 403
    # a clerk cannot approve
    client.force_login(clerk)
    assert client.post(review_url(app, "approve"), {"approve-issue_now": "on"}).status_code == 403
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED


# --- the decision -----------------------------------------------------------------------------


def test_officer_reviews_approves_and_the_licence_is_issued(client, flow, item):
    app = accepted(flow)
    client.force_login(item.holder_user)
    page = text(client.get(review_url(app)))
    assert 'data-testid="acting-staff">' + item.holder.name in page
    assert f'data-testid="statutory-due">{STATUTORY_DUE:%Y-%m-%d}<' in page
    assert client.post(review_url(app, "start-review")).status_code == 302
    response = client.post(
        review_url(app, "approve"),
        {"approve-conditions": "经营项目：预包装食品销售", "approve-issue_now": "on"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED
    licence = Licence.objects.get(application=app)
    assert licence.conditions == "经营项目：预包装食品销售"
    page = text(client.get(review_url(app)))
    assert licence.number in page and licence.verification_number in page
    pdf = client.get(reverse("approvals:licence-pdf", args=[licence.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_approval_without_issue_now_leaves_the_licence_for_later(client, flow, item):
    app = accepted(flow)
    client.force_login(item.holder_user)
    client.post(review_url(app, "approve"), {"approve-opinion": "材料齐全"})
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    # 10 working days after 10 February for the certificate (art 44)
    assert "2026-02-27" in text(client.get(review_url(app)))
    assert client.post(review_url(app, "issue")).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED


def test_refusal_needs_reasons_next_to_the_field(client, flow, item):
    app = accepted(flow)
    client.force_login(item.holder_user)
    response = client.post(review_url(app, "refuse"), {"refuse-reasons": "  "})
    assert response.status_code == 400
    assert "第三十八条" in field_error(response, "reasons")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    response = client.post(review_url(app, "refuse"), {"refuse-reasons": "经营场所不符合要求"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.REFUSED
    page = text(client.get(review_url(app)))
    assert "经营场所不符合要求" in page and "行政复议" in page  # the default remedies


def test_an_officer_who_does_not_act_for_the_item_may_not_decide(client, flow, item):
    app = accepted(flow)
    client.force_login(item.backup_user)  # the holder is present: the backup does not act
    response = client.post(review_url(app, "approve"), {"approve-issue_now": "on"})
    assert response.status_code == 403
    assert "责任人" in action_error(response)
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED


def test_strict_review_needs_a_second_reviewer(client, flow, item, travel):
    user, party = factories.applicant_user(credit_tier="D")  # D: strict review by policy
    flow.user, flow.party = user, party
    app = accepted(flow)
    assert app.strict_review
    client.force_login(item.holder_user)
    response = client.post(review_url(app, "approve"), {"approve-issue_now": "on"})
    assert response.status_code == 400
    assert "两人审查" in action_error(response)
    client.force_login(item.backup_user)
    assert (
        client.post(
            review_url(app, "review"),
            {"review-conclusion": "approve", "review-opinion": "同意"},
        ).status_code
        == 302
    )
    client.force_login(item.holder_user)
    assert client.post(review_url(app, "approve"), {"approve-issue_now": "on"}).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED


def test_suspension_needs_reason_and_days_and_moves_the_due_dates(client, flow, item, travel):
    app = accepted(flow)
    client.force_login(item.holder_user)
    client.post(review_url(app, "start-review"))
    response = client.post(
        review_url(app, "suspend"),
        {"suspend-kind": "expert_review", "suspend-reason": "", "suspend-expected_working_days": 0},
    )
    assert response.status_code == 400
    assert field_error(response, "expected_working_days")
    response = client.post(
        review_url(app, "suspend"),
        {"suspend-kind": "expert_review", "suspend-reason": "", "suspend-expected_working_days": 3},
    )
    assert response.status_code == 400
    assert "中止计时的理由" in field_error(response, "reason")
    response = client.post(
        review_url(app, "suspend"),
        {
            "suspend-kind": "expert_review",
            "suspend-reason": "组织专家评审",
            "suspend-expected_working_days": 3,
        },
    )
    assert response.status_code == 302
    travel(dt.date(2026, 2, 13))  # 11, 12, 13: 3 working days stood still
    client.force_login(item.holder_user)
    assert client.post(review_url(app, "resume"))["Location"].startswith(review_url(app))
    app.refresh_from_db()
    assert app.suspended_days == 3
    page = text(client.get(review_url(app)))
    # 20 + 3 working days from 10 February; 10 + 3 for the promise
    assert 'data-testid="statutory-due">2026-03-19<' in page
    assert 'data-testid="promised-due">2026-03-05<' in page


# --- the bureau head --------------------------------------------------------------------------


def test_head_page_is_for_bureau_heads(client, item, clerk):
    client.force_login(item.holder_user)
    assert client.get(reverse("approvals:head")).status_code == 403
    client.force_login(clerk)
    assert client.get(reverse("approvals:head")).status_code == 403


def test_head_extends_a_warned_case_with_a_reason(client, flow, item, head, travel):
    app = accepted(flow)
    services.start_review(app.pk, user=item.holder_user)
    client.force_login(head)
    assert app.number not in text(client.get(reverse("approvals:head")))
    travel(WARN_ON)
    client.force_login(head)
    body = text(client.get(reverse("approvals:head")))
    extensions = body[body.index('data-testid="extensions"') : body.index('data-testid="strict"')]
    late = body[body.index('data-testid="late"') :]
    assert app.number in extensions and app.number in late
    url = reverse("approvals:head-extend", args=[app.pk])
    response = client.post(url, {f"extend-{app.pk}-reason": ""})
    assert response.status_code == 400
    assert "延长审批期限须写明理由" in field_error(response, "reason")
    response = client.post(url, {f"extend-{app.pk}-reason": "需现场核查经营场所"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.EXTENDED
    assert app.statutory_due_on == dt.date(2026, 3, 30)  # +10 working days from 16 March
    # the applicant is told the reason
    client.force_login(flow.user)
    page = text(client.get(reverse("apply:detail", args=[app.pk])))
    assert "需现场核查经营场所" in page and "2026-03-30" in page
    # an officer cannot extend
    client.force_login(item.holder_user)
    assert client.post(url, {f"extend-{app.pk}-reason": "x"}).status_code == 403


def test_head_revokes_a_licence_whose_revocation_was_started(client, flow, item, head, travel):
    app = accepted(flow)
    services.approve(app.pk, issue_now=True, user=item.holder_user)
    licence = Licence.objects.get(application=app)
    services.start_revocation(licence.pk, grounds="以欺骗手段取得许可", user=head)
    client.force_login(head)
    body = text(client.get(reverse("approvals:head")))
    assert licence.number in body and "以欺骗手段取得许可" in body
    url = reverse("approvals:head-revoke", args=[licence.pk])
    response = client.post(url, {f"revoke-{licence.pk}-reason": ""})
    assert response.status_code == 400
    assert "第六十九条" in field_error(response, "reason")
    assert client.post(url, {f"revoke-{licence.pk}-reason": "经查属实"}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    assert licence.number not in text(client.get(reverse("approvals:head")))


def test_review_page_costs_the_same_as_its_history_grows(client, flow, item, make_user):
    app = accepted(flow)
    client.force_login(item.holder_user)
    url = review_url(app)
    client.get(url)
    before = count_queries(client, url)
    services.start_review(app.pk, user=item.holder_user)
    services.record_review(app.pk, conclusion="approve", user=item.backup_user)
    services.record_review(app.pk, conclusion="approve", user=item.holder_user)
    assert count_queries(client, url) == before


def test_head_page_costs_the_same_for_one_or_many(client, flow, item, head, clerk, travel):
    def warned_case():
        user, party = factories.applicant_user()
        app = services.create_application(
            power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
        )
        factories.provide_all(app, item.materials, user)
        services.submit(app.pk, user=user)
        services.accept(app.pk, user=clerk)
        services.start_review(app.pk, user=item.holder_user)
        return app

    warned_case()
    travel(WARN_ON)
    client.force_login(head)
    url = reverse("approvals:head")
    client.get(url)
    one = count_queries(client, url)
    travel(DAY)
    others = [warned_case() for _ in range(3)]
    services.approve(others[0].pk, issue_now=True, user=item.holder_user)
    licence = Licence.objects.get(application=others[0])
    services.start_revocation(licence.pk, grounds="以欺骗手段取得许可", user=head)
    travel(WARN_ON)
    client.force_login(head)
    body = text(client.get(url))
    assert all(app.number in body for app in others[1:]) and licence.number in body
    assert count_queries(client, url) == one
