"""The applicant portal with Django's test client: registration (identifiers and password
checked, errors next to the field), the catalogue, applying online with uploads, routes with
the reasons they are closed, commitments, tracking, supplements, withdrawal, the licence;
an applicant never sees another applicant's application; the dashboards and the menu reach
every screen; English."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenguan.approvals import factories, services
from shenguan.approvals.choices import CommitmentStatus, MaterialState, Route, Status
from shenguan.approvals.models import Application, Licence
from shenguan.catalog.choices import ApprovalClass
from shenguan.core.models import JournalEntry
from shenguan.parties.models import Party, PartyAccount

from .pages import (
    DAY,
    PROMISED_DUE,
    accepted,
    count_queries,
    field_error,
    form_error,
    second_application,
    submitted,
    text,
)

pytestmark = pytest.mark.django_db

# Valid test identifiers (check characters computed by GB 32100 / GB 11643).
USCC = "91420700MA4A0K2X3C"
RIC = "420702199001011239"


@pytest.fixture(autouse=True)
def _on_day(travel):
    travel(DAY)


def pdf(name="material.pdf"):
    return SimpleUploadedFile(name, factories.PDF_BYTES, content_type="application/pdf")


def detail_url(app, action=None):
    if action:
        return reverse("apply:action", args=[app.pk, action])
    return reverse("apply:detail", args=[app.pk])


# --- registration -----------------------------------------------------------------------------


def registration(**overrides):
    data = {
        "username": "gdfood",
        "password1": "Gedian-Food-2026!",
        "password2": "Gedian-Food-2026!",
        "kind": "enterprise",
        "name": "葛店注册测试食品有限公司",
        "uscc": USCC,
        "contact_name": "王经办",
        "phone": "027-60000000",
    }
    data.update(overrides)
    return data


def test_valid_test_identifiers():
    from stdnum.cn import ric, uscc

    assert uscc.is_valid(USCC) and ric.is_valid(RIC)


def test_registration_checks_the_credit_code_and_the_password(client):
    url = reverse("apply:register")
    assert client.get(url).status_code == 200
    response = client.post(url, registration(uscc=USCC[:-1] + "0"))
    assert response.status_code == 400
    assert "校验位错误" in field_error(response, "uscc")
    response = client.post(url, registration(password1="123", password2="123"))
    assert response.status_code == 400
    assert field_error(response, "password1")
    response = client.post(url, registration(password2="something-else-1"))
    assert "不一致" in field_error(response, "password2")
    response = client.post(url, registration(uscc="", contact_name=""))
    assert field_error(response, "uscc") and field_error(response, "contact_name")
    assert not Party.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="gdfood").exists()


def test_registering_an_enterprise_links_the_account_and_logs_in(client):
    response = client.post(reverse("apply:register"), registration())
    assert response.status_code == 302 and response["Location"] == reverse("apply:home")
    party = Party.objects.get(uscc=USCC)
    account = PartyAccount.objects.get(party=party)
    assert account.user.username == "gdfood" and account.role == "agent"
    assert account.user.groups.filter(name="applicant").exists()
    assert party.contacts.get().name == "王经办"
    assert JournalEntry.objects.filter(action="approvals.applicant.registered").exists()
    # logged in as the new applicant
    assert client.get(reverse("apply:home")).status_code == 200
    # the same credit code again is refused next to the field
    client.logout()
    response = client.post(reverse("apply:register"), registration(username="other"))
    assert response.status_code == 409
    assert "已登记" in field_error(response, "uscc")
    # and the username
    response = client.post(reverse("apply:register"), registration(uscc="91420700MA4A0K3Q1N"))
    assert response.status_code == 409
    assert "用户名" in field_error(response, "username")


def test_registering_oneself(client):
    url = reverse("apply:register")
    data = registration(kind="individual", name="李申请", uscc="", id_number=RIC[:-1] + "2")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "校验位错误" in field_error(response, "id_number")
    data["id_number"] = RIC
    assert client.post(url, data).status_code == 302
    party = Party.objects.get(id_number=RIC)
    assert PartyAccount.objects.get(party=party).role == "owner"


def test_logged_in_users_are_sent_on_from_registration(client, applicant):
    client.force_login(applicant[0])
    assert client.get(reverse("apply:register"))["Location"] == reverse("apply:home")


# --- who may use the portal -------------------------------------------------------------------


def test_portal_needs_the_applicant_role(client, clerk, item):
    url = reverse("apply:home")
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    assert client.get(reverse("apply:catalogue")).status_code == 403


def test_an_applicant_never_sees_another_applicants_application(client, flow, item, clerk):
    mine = accepted(flow)
    services.approve(mine.pk, issue_now=True, user=item.holder_user)
    licence = Licence.objects.get(application=mine)
    theirs, other_user, _party = second_application(item, clerk)
    client.force_login(other_user)
    body = text(client.get(reverse("apply:home")))
    assert theirs.number in body and mine.number not in body
    receipt = mine.receipts.get()
    for url in (
        detail_url(mine),
        reverse("approvals:receipt", args=[receipt.pk]),
        reverse("approvals:receipt-pdf", args=[receipt.pk]),
        reverse("approvals:licence-pdf", args=[licence.pk]),
        reverse("approvals:material-file", args=[mine.pk, item.essential[0].pk]),
    ):
        assert client.get(url).status_code == 404, url
    for action in ("withdraw", "submit"):
        assert client.post(detail_url(mine, action)).status_code == 404
    mine.refresh_from_db()
    assert mine.status == Status.LICENCE_ISSUED


def test_home_costs_the_same_for_one_or_many(client, flow, item):
    submitted(flow)
    client.force_login(flow.user)
    url = reverse("apply:home")
    client.get(url)
    one = count_queries(client, url)
    for _ in range(3):
        services.create_application(
            power_id=item.power.pk, applicant_id=flow.party.pk, channel="online", user=flow.user
        )
    assert count_queries(client, url) == one


# --- applying online --------------------------------------------------------------------------


def test_catalogue_and_new_application(client, applicant, item):
    user, party = applicant
    client.force_login(user)
    body = text(client.get(reverse("apply:catalogue"), {"q": item.version.name}))
    assert f'data-power="{item.power.code}"' in body
    new = reverse("apply:new", args=[item.power.code])
    page = text(client.get(new))
    for m in item.materials:
        assert m.name in page
    response = client.post(new, {"applicant": party.pk, "description": "新开门店"})
    app = Application.objects.get()
    assert response["Location"] == detail_url(app)
    assert (app.channel, app.status, app.description) == ("online", Status.DRAFT, "新开门店")
    # a party that is not the user's is not a choice
    stranger = factories.applicant_user()[1]
    response = client.post(new, {"applicant": stranger.pk})
    assert response.status_code == 400 and field_error(response, "applicant")
    assert Application.objects.count() == 1


def test_apply_online_with_uploads_and_submit(client, flow, item):
    app = flow.create()
    client.force_login(flow.user)
    url = reverse("apply:upload", args=[app.pk, item.essential[0].pk])
    response = client.post(
        url, {f"u{item.essential[0].pk}-file": SimpleUploadedFile("a.txt", b"x")}
    )
    assert response.status_code == 400
    assert "PDF" in field_error(response, "file")
    for m in item.materials:
        url = reverse("apply:upload", args=[app.pk, m.pk])
        assert client.post(url, {f"u{m.pk}-file": pdf(f"{m.name}.pdf")}).status_code == 302
    assert client.post(detail_url(app, "submit")).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.received_on == DAY
    assert "等待服务窗口审核受理" in text(client.get(detail_url(app)))


def test_one_time_notice_is_shown_to_the_applicant_who_then_resubmits(client, flow, item, clerk):
    app = submitted(flow, item.essential)
    services.notify_deficiency(app.pk, user=clerk)
    client.force_login(flow.user)
    page = text(client.get(detail_url(app)))
    notice = page[page.index('data-testid="deficiency-notice"') :]
    for m in item.optional:
        assert m.name in notice[: notice.index("</div>")]
    response = client.post(detail_url(app, "resubmit"))
    assert response.status_code == 400 and "尚未补正" in form_error(response)
    for m in item.optional:
        client.post(reverse("apply:upload", args=[app.pk, m.pk]), {f"u{m.pk}-file": pdf()})
    assert client.post(detail_url(app, "resubmit")).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.RESUBMITTED
    assert client.get(reverse("approvals:notice", args=[app.pk])).status_code == 200


def test_blacklisted_applicant_sees_why_routes_are_closed(client, item):
    user, party = factories.applicant_user(credit_tier="D")
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    client.force_login(user)
    page = text(client.get(detail_url(app)))
    refusals = page.count('data-testid="route-refusal"')
    assert refusals == 2 and "严重失信" in page
    assert 'value="tolerance" disabled' in page and 'value="commitment" disabled' in page
    response = client.post(detail_url(app, "route"), {"route-route": "commitment"})
    assert response.status_code == 400
    assert "第五十九条" in field_error(response, "route")
    app.refresh_from_db()
    assert app.route == Route.ORDINARY


def test_commitment_route_with_a_deferred_material(client, flow, item, clerk):
    """The applicant reads the notice, signs (name and IP recorded) deferring one
    non-essential material, the clerk accepts, the officer approves on the spot, the
    applicant supplements and downloads the licence."""
    encouraged = factories.approval_item(approval_class=ApprovalClass.ENCOURAGED)
    flow.item = encouraged
    app = flow.create()
    client.force_login(flow.user)
    for m in encouraged.essential + encouraged.optional[1:]:
        client.post(reverse("apply:upload", args=[app.pk, m.pk]), {f"u{m.pk}-file": pdf()})
    assert client.post(detail_url(app, "route"), {"route-route": "commitment"}).status_code == 302
    page = text(client.get(detail_url(app)))
    assert 'data-testid="commitment-notice"' in page and "不实承诺的法律责任" in page
    deferred = encouraged.optional[0]
    data = {
        "commitment-signer_name": "王经办",
        f"commitment-defer_{deferred.pk}": "on",
        f"commitment-due_{deferred.pk}": "2026-02-27",
    }
    response = client.post(detail_url(app, "commitment"), data)
    assert response.status_code == 400
    assert "告知书" in field_error(response, "read_notice")
    data["commitment-read_notice"] = "on"
    response = client.post(detail_url(app, "commitment"), data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    commitment = app.commitments.get()
    assert commitment.status == CommitmentStatus.SIGNED
    assert (commitment.signer_name, commitment.signer_ip) == ("王经办", "10.1.2.3")
    client.post(detail_url(app, "submit"))
    services.accept(app.pk, user=clerk)
    services.approve(app.pk, user=encouraged.holder_user)  # commitment route: on the spot
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED
    page = text(client.get(detail_url(app)))
    assert 'data-testid="deferral-due">2026-02-27<' in page
    assert f'data-testid="promised-due">{PROMISED_DUE:%Y-%m-%d}<' in page
    # supplement the deferred material after the licence
    url = reverse("apply:upload", args=[app.pk, deferred.pk])
    assert client.post(url, {f"u{deferred.pk}-file": pdf()}).status_code == 302
    sub = app.materials.get(material=deferred)
    assert sub.state == MaterialState.SUPPLEMENTED
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED
    licence = Licence.objects.get(application=app)
    response = client.get(reverse("approvals:licence-pdf", args=[licence.pk]), {"download": "1"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_withdraw(client, flow):
    app = submitted(flow)
    client.force_login(flow.user)
    assert (
        client.post(detail_url(app, "withdraw"), {"withdraw-reason": "暂不经营"}).status_code == 302
    )
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    page = text(client.get(detail_url(app)))
    assert "已撤回" in page and 'action="' + detail_url(app, "withdraw") not in page


# --- navigation and language ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("window_clerk", ["approvals:window", "approvals:window-new"]),
        ("approval_officer", ["approvals:review"]),
        ("bureau_head", ["approvals:head", "approvals:review"]),
        ("applicant", ["apply:home", "apply:catalogue"]),
    ],
)
def test_dashboards_and_menu_reach_the_approval_screens(client, make_user, role, names):
    user = make_user(role, username=f"nav_{role}")
    client.force_login(user)
    body = text(client.get("/"))
    for name in names:
        assert body.count(f'href="{reverse(name)}"') >= 1, name
    # the top menu links the first screen on every page
    menu = text(client.get(reverse("portal:catalog")))
    assert f'href="{reverse(names[0])}"' in menu


def test_anonymous_menu_offers_registration(client):
    assert f'href="{reverse("apply:register")}"' in text(client.get("/"))


def test_pages_in_english(client, flow, item):
    app = submitted(flow)
    client.force_login(flow.user)
    client.cookies["django_language"] = "en"
    page = text(client.get(detail_url(app)))
    assert "Application materials" in page and "申请材料" not in page
    assert "Submitted" in page and "Handling history" in page and "Next step" in page
    assert "下一步" not in page and "办理过程" not in page
