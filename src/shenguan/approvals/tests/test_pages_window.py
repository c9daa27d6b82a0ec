"""The window clerk's pages with Django's test client: the intake queue, a new application at
the window, the checklist, the one-time notice, acceptance and the other intake outcomes,
route choice; permissions both ways; errors next to their field; constant query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenguan.approvals import factories, services
from shenguan.approvals.choices import Channel, MaterialState, Route, Status
from shenguan.approvals.models import Application
from shenguan.parties.factories import EnterpriseFactory

from .pages import (
    DAY,
    NOTICE_DEADLINE,
    PROMISED_DUE,
    STATUTORY_DUE,
    accepted,
    action_error,
    count_queries,
    field_error,
    form_error,
    second_application,
    submitted,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_day(travel):
    travel(DAY)


@pytest.fixture
def as_clerk(client, clerk):
    client.force_login(clerk)
    return client


def pdf_file(name="material.pdf"):
    return SimpleUploadedFile(name, factories.PDF_BYTES, content_type="application/pdf")


def intake_url(app, action=None):
    if action:
        return reverse("approvals:intake-action", args=[app.pk, action])
    return reverse("approvals:intake", args=[app.pk])


# --- who may open the window ------------------------------------------------------------------


def test_window_pages_need_the_clerk_role(client, item, flow, make_user):
    app = submitted(flow)
    urls = [reverse("approvals:window"), reverse("approvals:window-new"), intake_url(app)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    for user in (item.holder_user, flow.user, make_user("command_centre", staff=True)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
    # nor may they post an intake action
    client.force_login(item.holder_user)
    assert client.post(intake_url(app, "accept")).status_code == 403
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


# --- the queue --------------------------------------------------------------------------------


def test_queue_lists_intake_oldest_first_with_the_notice_deadline(as_clerk, flow, item, travel):
    travel(DAY.replace(day=9))  # received a day earlier
    older = submitted(flow)
    travel(DAY)
    newer, _user, _party = second_application(item, flow.clerk)
    done = factories.applicant_user()
    accepted_app = services.create_application(
        power_id=item.power.pk, applicant_id=done[1].pk, channel="online", user=done[0]
    )  # a draft filed online: not the window's business yet
    body = text(as_clerk.get(reverse("approvals:window")))
    assert body.index(older.number) < body.index(newer.number)
    assert accepted_app.number not in body
    # 5 working days from 10 February (14 February is a make-up Saturday)
    assert f'data-testid="notice-deadline">{NOTICE_DEADLINE:%Y-%m-%d}<' in body
    # filter by status and search by applicant name
    body = text(as_clerk.get(reverse("approvals:window"), {"q": flow.party.name}))
    assert older.number in body and newer.number not in body


def test_queue_costs_the_same_for_one_or_many(as_clerk, flow, item):
    submitted(flow)
    url = reverse("approvals:window")
    as_clerk.get(url)  # warm the calendar cache
    one = count_queries(as_clerk, url)
    for _ in range(3):
        second_application(item, flow.clerk)
    assert count_queries(as_clerk, url) == one


def test_queue_answers_htmx_with_the_results_only(as_clerk, flow):
    submitted(flow)
    response = as_clerk.get(reverse("approvals:window"), HTTP_HX_REQUEST="true")
    body = text(response)
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body


# --- a new application at the window ----------------------------------------------------------


def test_new_application_at_the_window(as_clerk, item):
    party = EnterpriseFactory(name="葛店窗口测试有限公司")
    url = reverse("approvals:window-new")
    # find the applicant by name, then by credit code; the item by name
    body = text(as_clerk.get(url, {"party_q": "窗口测试", "item_q": item.version.name}))
    assert f'data-party="{party.pk}"' in body and f'data-power="{item.power.pk}"' in body
    body = text(as_clerk.get(url, {"party_q": party.uscc.lower()}))
    assert f'data-party="{party.pk}"' in body
    # htmx swaps only the choices
    partial = text(as_clerk.get(url, {"party_q": "窗口测试"}, HTTP_HX_REQUEST="true"))
    assert partial.lstrip().startswith('<div id="choices"')
    # nothing chosen: both errors next to their lists, nothing created
    response = as_clerk.post(url, {"channel": "window", "party_q": "窗口测试"})
    assert response.status_code == 400
    assert field_error(response, "applicant") and field_error(response, "power")
    assert not Application.objects.exists()
    response = as_clerk.post(
        url, {"applicant": party.pk, "power": item.power.pk, "channel": "window"}
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == intake_url(app)
    assert (app.applicant, app.channel, app.status) == (party, Channel.WINDOW, Status.DRAFT)
    # the checklist shows every material with its badges
    body = text(as_clerk.get(intake_url(app)))
    for m in item.materials:
        assert f'data-material="{m.pk}"' in body and m.name in body
    assert body.count('data-value="essential"') == len(item.essential)
    assert body.count('data-value="deferrable"') == len(item.optional)
    # submitted at the window: received today
    assert as_clerk.post(intake_url(app, "submit")).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.received_on == DAY


# --- checklist, notice, acceptance -----------------------------------------------------------


def test_checklist_state_upload_and_the_one_time_notice(as_clerk, flow, item):
    # everything provided online except the second essential and one optional material
    app = submitted(flow, [item.essential[0], item.optional[0]])
    faulty = item.essential[0]
    url = reverse("approvals:intake-material", args=[app.pk, faulty.pk, "state"])
    # faulty without saying what is wrong: the service's message next to the note
    response = as_clerk.post(url, {f"m{faulty.pk}-state": "faulty", f"m{faulty.pk}-note": ""})
    assert response.status_code == 400
    assert "请写明材料存在的问题" in field_error(response, "note")
    assert (
        as_clerk.post(
            url, {f"m{faulty.pk}-state": "faulty", f"m{faulty.pk}-note": "未加盖公章"}
        ).status_code
        == 302
    )
    # a file that is not PDF/PNG/JPEG is refused next to the upload field
    upload = reverse("approvals:intake-material", args=[app.pk, item.optional[0].pk, "upload"])
    bad = SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf")
    response = as_clerk.post(upload, {f"u{item.optional[0].pk}-file": bad})
    assert response.status_code == 400
    assert "PDF" in field_error(response, "file")
    # the one-time notice lists ALL missing or faulty materials at once
    response = as_clerk.post(intake_url(app, "notice"), {"notice-note": "请一并补正"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.DEFICIENCY_NOTIFIED
    expected = [faulty.name, item.essential[1].name, item.optional[1].name]
    page = text(as_clerk.get(reverse("approvals:notice", args=[app.pk])))
    listed = page[page.index('data-testid="notice-items"') :]
    for name in expected:
        assert name in listed
    assert "未加盖公章" in listed and item.optional[0].name not in listed
    pdf = as_clerk.get(reverse("approvals:notice-pdf", args=[app.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # a second notice is not possible: the action is no longer offered
    assert 'action="' + intake_url(app, "notice") not in text(as_clerk.get(intake_url(app)))


def test_accept_issues_a_numbered_receipt_with_the_due_dates(as_clerk, flow):
    app = submitted(flow)
    response = as_clerk.post(intake_url(app, "accept"))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    receipt = app.receipts.get()
    body = text(as_clerk.get(intake_url(app)))
    assert receipt.number in body
    assert f'data-testid="statutory-due">{STATUTORY_DUE:%Y-%m-%d}<' in body
    assert f'data-testid="promised-due">{PROMISED_DUE:%Y-%m-%d}<' in body
    printable = text(as_clerk.get(reverse("approvals:receipt", args=[receipt.pk])))
    assert "受理通知书" in printable and receipt.number in printable
    assert f'data-testid="statutory-due">{STATUTORY_DUE:%Y-%m-%d}<' in printable
    assert f'data-testid="promised-due">{PROMISED_DUE:%Y-%m-%d}<' in printable
    pdf = as_clerk.get(reverse("approvals:receipt-pdf", args=[receipt.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_accepting_an_incomplete_ordinary_application_is_refused_on_the_page(as_clerk, flow, item):
    app = submitted(flow, item.essential)
    response = as_clerk.post(intake_url(app, "accept"))
    assert response.status_code == 400
    assert "材料不齐全" in form_error(response)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and not app.receipts.exists()


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("refuse-intake", {"refuse-intake-reasons": ""}, "reasons", "不予受理须写明理由"),
        ("redirect", {"redirect-competent_body": " "}, "competent_body", "有权机关"),
        ("not-required", {"not-required-reasons": ""}, "reasons", "无需取得许可"),
    ],
)
def test_intake_outcomes_need_their_text(as_clerk, flow, action, data, field, message):
    app = submitted(flow)
    response = as_clerk.post(intake_url(app, action), data)
    assert response.status_code == 400
    assert message in field_error(response, field)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_redirect_names_the_competent_body(as_clerk, flow):
    app = submitted(flow)
    response = as_clerk.post(
        intake_url(app, "redirect"), {"redirect-competent_body": "鄂州市生态环境局"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.REDIRECTED
    receipt = app.receipts.get()
    assert "请向鄂州市生态环境局申请" in text(
        as_clerk.get(reverse("approvals:receipt", args=[receipt.pk]))
    )


def test_refuse_at_intake_and_not_required(as_clerk, flow, item, clerk):
    app = submitted(flow)
    assert (
        as_clerk.post(
            intake_url(app, "refuse-intake"), {"refuse-intake-reasons": "重复申请"}
        ).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == Status.REFUSED
    assert app.receipts.get().remedies  # the default remedies were filled in
    other, _u, _p = second_application(item, clerk)
    as_clerk.post(intake_url(other, "not-required"), {"not-required-reasons": "不属于许可事项"})
    other.refresh_from_db()
    assert other.status == Status.NOT_REQUIRED


# --- routes -----------------------------------------------------------------------------------


def test_route_choice_at_the_window_shows_why_a_route_is_closed(as_clerk, item, clerk):
    user, party = factories.applicant_user(credit_tier="D")
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    services.submit(app.pk, user=user)
    body = text(as_clerk.get(intake_url(app)))
    assert body.count('data-testid="route-refusal"') == 2
    assert "严重失信" in body
    response = as_clerk.post(intake_url(app, "route"), {"route-route": "tolerance"})
    assert response.status_code == 400
    assert "严重失信" in field_error(response, "route")
    app.refresh_from_db()
    assert app.route == Route.ORDINARY


def test_clerk_records_a_tolerance_commitment_and_accepts(as_clerk, flow, item):
    app = submitted(flow, item.essential)
    assert as_clerk.post(intake_url(app, "route"), {"route-route": "tolerance"}).status_code == 302
    deferred = item.optional[0]
    data = {
        "tolerance-signer_name": "张三",
        f"tolerance-defer_{deferred.pk}": "on",
        f"tolerance-due_{deferred.pk}": "2026-03-03",  # after the promised due date
        f"tolerance-defer_{item.optional[1].pk}": "on",
        f"tolerance-due_{item.optional[1].pk}": "",
    }
    response = as_clerk.post(intake_url(app, "tolerance"), data)
    assert response.status_code == 400
    assert "请填写补交期限" in field_error(response, f"due_{item.optional[1].pk}")
    data[f"tolerance-due_{item.optional[1].pk}"] = "2026-02-27"
    response = as_clerk.post(intake_url(app, "tolerance"), data)
    assert response.status_code == 400
    assert "不得晚于承诺办结期限2026-03-02" in form_error(response)
    data[f"tolerance-due_{deferred.pk}"] = "2026-03-02"
    # a cautious item lets one material be deferred (DOMAIN §5 default policy)
    response = as_clerk.post(intake_url(app, "tolerance"), data)
    assert response.status_code == 400
    assert "最多可容缺1项" in form_error(response)
    del data[f"tolerance-defer_{item.optional[1].pk}"]
    assert as_clerk.post(intake_url(app, "tolerance"), data).status_code == 302
    as_clerk.post(
        reverse("approvals:intake-material", args=[app.pk, item.optional[1].pk, "upload"]),
        {f"u{item.optional[1].pk}-file": pdf_file()},
    )
    assert as_clerk.post(intake_url(app, "accept")).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED and app.route == Route.TOLERANCE
    states = dict(app.materials.values_list("material_id", "state"))
    assert states[deferred.pk] == MaterialState.DEFERRED
    body = text(as_clerk.get(intake_url(app)))
    assert 'data-testid="deferral-due">2026-03-02<' in body


def test_accepted_application_offers_no_intake_action(as_clerk, flow):
    app = accepted(flow)
    body = text(as_clerk.get(intake_url(app)))
    assert intake_url(app, "accept") not in body and intake_url(app, "route") not in body
    response = as_clerk.post(intake_url(app, "accept"))
    assert response.status_code == 409
    assert "已受理" in action_error(response)
