"""The approvals API: scoping and permissions both ways, problem documents, Idempotency-Key,
multipart uploads, query-count guards on every list, the public verification page."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shenguan.approvals import factories, services
from shenguan.approvals.models import Application, Licence
from shenguan.parties.factories import IndividualFactory

pytestmark = pytest.mark.django_db

BASE = "/api/approvals"
DAY = dt.date(2026, 2, 10)


def create_payload(item, party, **extra):
    return {"power_id": item.power.pk, "applicant_id": party.pk, "channel": "online", **extra}


@pytest.fixture
def issued(flow, item, travel):
    """An application taken to a licence through the services."""
    travel(DAY)
    flow.create()
    flow.provide()
    flow.submit()
    flow.accept()
    services.approve(flow.app.pk, user=item.holder_user, issue_now=True)
    return flow.app, flow.app.licences.get()


# --- scoping ----------------------------------------------------------------------------------


def test_applicants_see_only_their_own(api, flow, item, travel, client):
    travel(DAY)
    flow.create()
    other_user, other_party = factories.applicant_user()
    services.create_application(
        power_id=item.power.pk, applicant_id=other_party.pk, channel="online", user=other_user
    )
    status, body = api.login(flow.user).get(f"{BASE}/applications")
    assert status == 200
    assert [a["id"] for a in body["items"]] == [flow.app.pk]
    client.logout()
    status, body = api.login(other_user).get(f"{BASE}/applications/{flow.app.pk}")
    assert status == 404
    assert body["status"] == 404


@pytest.mark.parametrize(
    "role,can_see",
    [
        ("window_clerk", True),
        ("approval_officer", True),
        ("bureau_head", True),
        ("department_supervisor", True),
        ("command_centre", True),
        ("enforcement_officer", False),
        ("grid_worker", False),
    ],
)
def test_staff_scope_by_role(api, flow, travel, make_user, role, can_see):
    travel(DAY)
    flow.create()
    flow.provide()
    flow.submit()
    user = make_user(role, staff=True)
    api.login(user)
    status, body = api.get(f"{BASE}/applications")
    assert status == 200
    assert body["count"] == (1 if can_see else 0)
    status, body = api.get(f"{BASE}/applications/{flow.app.pk}")
    assert status == (200 if can_see else 404)
    # accept is a clerk's move: others who can see get 403, others who cannot 404
    status, body = api.post(f"{BASE}/applications/{flow.app.pk}/accept")
    if role == "window_clerk":
        assert status == 200, body
        assert body["status"] == "accepted"
    else:
        assert status == (403 if can_see else 404), body
        assert Application.objects.get(pk=flow.app.pk).status == "submitted"


def test_anonymous_gets_401(api, client):
    status, body = api.get(f"{BASE}/applications")
    assert status == 401
    assert body["title"] == "Unauthorized"


# --- create, idempotency, routes --------------------------------------------------------------


def test_idempotency_key_retry_returns_the_same_application(api, item, applicant, travel):
    travel(DAY)
    user, party = applicant
    api.login(user)
    payload = create_payload(item, party)
    s1, first = api.post(f"{BASE}/applications", payload, **{"Idempotency-Key": "abc-1"})
    s2, second = api.post(f"{BASE}/applications", payload, **{"Idempotency-Key": "abc-1"})
    assert s1 == s2 == 201
    assert first == second
    assert Application.objects.count() == 1
    s3, body = api.post(
        f"{BASE}/applications",
        create_payload(item, party, description="另一件"),
        **{"Idempotency-Key": "abc-1"},
    )
    assert s3 == 409
    assert body["type"].endswith("idempotency_key_reused")
    s4, other = api.post(f"{BASE}/applications", payload)
    assert s4 == 201 and other["id"] != first["id"]


@pytest.mark.parametrize("route", ["tolerance", "commitment"])
def test_blacklisted_applicant_refused_special_routes_with_reason(api, item, travel, route):
    travel(DAY)
    user, party = factories.applicant_user(credit_tier="D")
    api.login(user)
    status, body = api.post(f"{BASE}/applications", create_payload(item, party, route=route))
    assert status == 400
    assert "申请人信用等级为D（严重失信），不适用容缺受理/告知承诺" in body["detail"]
    assert body["errors"]["route"]
    status, created = api.post(f"{BASE}/applications", create_payload(item, party))
    assert status == 201
    assert {o["route"]: o["allowed"] for o in created["route_options"]} == {
        "ordinary": True,
        "tolerance": False,
        "commitment": False,
    }
    status, body = api.post(f"{BASE}/applications/{created['id']}/route", {"route": route})
    assert status == 400
    assert "严重失信" in body["detail"]


def test_green_tier_through_the_api(api, item, clerk, travel):
    travel(DAY)
    user, party = factories.applicant_user(credit_tier="A")
    api.login(user)
    _s, app = api.post(f"{BASE}/applications", create_payload(item, party))
    factories.provide_all(Application.objects.get(pk=app["id"]), item.materials, user)
    api.post(f"{BASE}/applications/{app['id']}/submit")
    api.login(clerk)
    status, body = api.post(f"{BASE}/applications/{app['id']}/accept")
    assert status == 200, body
    assert body["green_channel"] is True
    assert body["clock"]["promised_limit_days"] == 7
    assert body["promised_due_on"] == "2026-02-26"
    assert body["statutory_due_on"] == "2026-03-16"
    assert body["receipts"][0]["kind"] == "acceptance"


# --- uploads ----------------------------------------------------------------------------------


def test_multipart_upload_checks_type_size_and_records_checksum(
    client, api, flow, item, travel, settings
):
    travel(DAY)
    flow.create()
    client.force_login(flow.user)
    url = f"{BASE}/applications/{flow.app.pk}/materials/{item.essential[0].pk}/file"
    data = factories.PDF_BYTES
    response = client.post(
        url, {"file": SimpleUploadedFile("营业执照.pdf", data, "application/pdf")}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "provided"
    assert body["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["file"]["content_type"] == "application/pdf"
    assert body["file"]["name"] == "营业执照.pdf"
    # the type is sniffed from the bytes, not taken from the client
    response = client.post(
        url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00not a pdf", "application/pdf")}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    settings.SHENGUAN_MATERIAL_MAX_MB = 1
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    response = client.post(url, {"file": SimpleUploadedFile("big.pdf", big, "application/pdf")})
    assert response.status_code == 400
    assert "过大" in response.json()["detail"]
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data


# --- Prefer: return=minimal (RFC 7240) ---------------------------------------------------------


def _step(client, path, data=None, prefer=None):
    headers = {"Prefer": prefer} if prefer else {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            path, json.dumps(data or {}), content_type="application/json", headers=headers
        )
    return response, len(ctx.captured_queries)


def test_a_step_answers_204_when_the_caller_prefers_a_minimal_answer(client, flow, item, travel):
    travel(DAY)
    flow.create()
    flow.provide()
    full_app = flow.app
    flow.create()
    flow.provide()
    client.force_login(flow.user)
    # the default answer: the whole application
    full, full_queries = _step(client, f"{BASE}/applications/{full_app.pk}/submit")
    assert full.status_code == 200 and full.json()["status"] == "submitted"
    assert "Preference-Applied" not in full
    # the minimal answer: 204, where the application is, the preference honoured
    minimal, minimal_queries = _step(
        client,
        f"{BASE}/applications/{flow.app.pk}/submit",
        prefer="respond-async; wait=5, return=minimal",
    )
    assert minimal.status_code == 204 and minimal.content == b""
    assert minimal["Preference-Applied"] == "return=minimal"
    assert minimal["Location"] == f"{BASE}/applications/{flow.app.pk}"
    # the step happened all the same, and the detail was not read back
    assert flow.refresh().status == "submitted"
    assert client.get(minimal["Location"]).json()["status"] == "submitted"
    assert minimal_queries <= full_queries - 10, (minimal_queries, full_queries)
    # another preference, or none of this kind, gets the whole application
    client.force_login(flow.clerk)
    accepted, _ = _step(
        client, f"{BASE}/applications/{flow.app.pk}/accept", prefer="return=representation"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_a_refused_step_is_a_problem_whatever_the_preference(client, flow, travel):
    travel(DAY)
    flow.create()
    flow.provide()
    client.force_login(flow.user)
    refused, _ = _step(client, f"{BASE}/applications/{flow.app.pk}/accept", prefer="return=minimal")
    assert refused.status_code == 409  # a draft cannot be accepted
    assert refused["Content-Type"] == "application/problem+json"
    assert "Preference-Applied" not in refused
    assert flow.refresh().status == "draft"


# --- a whole flow over HTTP -------------------------------------------------------------------


def test_decision_and_licence_over_http(api, client, flow, item, head, travel, make_user):
    travel(DAY)
    flow.create()
    flow.provide()
    api.login(flow.user)
    assert api.post(f"{BASE}/applications/{flow.app.pk}/submit")[0] == 200
    client.logout()
    api.login(flow.clerk)
    assert api.post(f"{BASE}/applications/{flow.app.pk}/accept")[0] == 200
    client.logout()
    # the clerk may not decide; the responsible staff member may
    api.login(flow.clerk)
    status, body = api.post(f"{BASE}/applications/{flow.app.pk}/approve", {})
    assert status == 403
    assert "责任人" in body["detail"]
    client.logout()
    api.login(item.holder_user)
    status, body = api.post(f"{BASE}/applications/{flow.app.pk}/approve", {"issue_now": False})
    assert status == 200, body
    status, lic = api.post(f"{BASE}/applications/{flow.app.pk}/licence")
    assert status == 201, lic
    status, again = api.post(f"{BASE}/applications/{flow.app.pk}/licence")
    assert status == 409
    assert "终结状态" in again["detail"]
    pdf = client.get(f"{BASE}/licences/{lic['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # revocation: bureau head only
    status, body = api.post(f"{BASE}/licences/{lic['id']}/revoke", {"reason": "以欺骗手段取得"})
    assert status == 403
    client.logout()
    api.login(head)
    status, body = api.post(f"{BASE}/licences/{lic['id']}/revoke", {"reason": "以欺骗手段取得"})
    assert status == 200, body
    assert body["status"] == "revoked"
    # enforcement officers read licences (post-approval verification) but not applications
    client.logout()
    officer = make_user("enforcement_officer", staff=True)
    api.login(officer)
    assert api.get(f"{BASE}/licences/{lic['id']}")[0] == 200
    assert api.get(f"{BASE}/applications/{flow.app.pk}")[0] == 404
    # the holder sees their licence, another applicant does not
    client.logout()
    api.login(flow.user)
    assert api.get(f"{BASE}/licences")[1]["count"] == 1
    client.logout()
    stranger, _p = factories.applicant_user()
    api.login(stranger)
    assert api.get(f"{BASE}/licences/{lic['id']}")[0] == 404
    assert api.get(f"{BASE}/licences")[1]["count"] == 0


# --- query-count guards -----------------------------------------------------------------------


def _many(item, clerk, n):
    for _ in range(n):
        user, party = factories.applicant_user()
        app = services.create_application(
            power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
        )
        factories.provide_all(app, item.materials, user)
        services.submit(app.pk, user=user)
        services.accept(app.pk, user=clerk)
        services.approve(app.pk, user=item.holder_user, issue_now=True)


@pytest.mark.parametrize(
    "path", ["/applications", "/licences", "/warnings", "/applications?mine=true"]
)
def test_list_endpoints_use_a_constant_number_of_queries(
    api, item, clerk, travel, django_assert_max_num_queries, path
):
    travel(DAY)
    _many(item, clerk, 2)
    api.login(item.holder_user)
    api.get(f"{BASE}{path}")  # warm the session
    with django_assert_max_num_queries(12) as few:
        status, body = api.get(f"{BASE}{path}")
    assert status == 200
    small = len(few.captured_queries)
    _many(item, clerk, 6)
    with django_assert_max_num_queries(small) as many:
        status, body = api.get(f"{BASE}{path}")
    assert status == 200
    assert len(many.captured_queries) == small


def test_warning_list_query_count(api, flow, item, travel, django_assert_max_num_queries):
    travel(DAY)
    for _ in range(3):
        user, party = factories.applicant_user()
        app = services.create_application(
            power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
        )
        factories.provide_all(app, item.materials, user)
        services.submit(app.pk, user=user)
        services.accept(app.pk, user=flow.clerk)
    from shenguan.approvals.clocks import sweep

    assert len(sweep(dt.date(2026, 2, 27)).warnings) == 3
    api.login(item.holder_user)
    # 9 of these are the session, the user and the caller's scope
    with django_assert_max_num_queries(12):
        status, body = api.get(f"{BASE}/warnings?mine=true")
    assert status == 200 and body["count"] == 3
    assert body["items"][0]["staff"]["id"] == item.holder.pk


# --- public verification ----------------------------------------------------------------------


def test_public_verification_page_and_api(client, api, issued, head):
    app, licence = issued
    response = client.get(f"/verify/{licence.verification_number}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "有效" in html
    assert licence.item_name in html
    assert licence.holder_name in html  # an enterprise is shown by name
    party = app.applicant
    assert party.uscc not in html
    assert party.phone not in html
    status, body = api.get(f"{BASE}/verify/{licence.verification_number}")
    assert status == 200
    assert body["status"] == "valid" and body["status_label"] == "有效"
    assert set(body) == {
        "number",
        "verification_number",
        "status",
        "status_label",
        "title",
        "item_name",
        "holder_name",
        "valid_from",
        "valid_until",
        "issuing_body",
        "issued_on",
    }
    services.revoke_licence(licence.pk, reason="以贿赂手段取得", user=head)
    assert "已撤销" in client.get(f"/verify/{licence.verification_number}").content.decode()
    assert client.get("/verify/GDL-2026-999999").status_code == 404


def test_verification_masks_an_individual(client, item, clerk, travel):
    travel(DAY)
    person = IndividualFactory(name="欧阳小明", phone="13907110000")
    user, party = factories.applicant_user(party=person)
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    services.accept(app.pk, user=clerk)
    services.approve(app.pk, user=item.holder_user, issue_now=True)
    licence = Licence.objects.get(application=app)
    html = client.get(f"/verify/{licence.verification_number}").content.decode()
    assert "欧***" in html
    assert "欧阳小明" not in html
    assert person.id_number not in html
    assert person.id_number[-4:] + "<" not in html
    assert "13907110000" not in html


def test_policy_endpoints(api, make_user, applicant):
    staff = make_user("window_clerk", staff=True)
    status, body = api.login(staff).get(f"{BASE}/policies/current")
    assert status == 200
    assert len(body["rules"]) == 12
    d = next(
        r for r in body["rules"] if r["credit_tier"] == "D" and r["approval_class"] == "encouraged"
    )
    assert d["allowed_routes"] == ["ordinary"] and d["strict_review"] is True
    status, _ = api.login(applicant[0]).get(f"{BASE}/policies")
    assert status == 403


def test_cancellation_and_expiry_show_on_the_verification_page(api, client, issued, item, travel):
    app, licence = issued
    api.login(item.holder_user)
    status, body = api.post(f"{BASE}/licences/{licence.pk}/cancel", {"reason": "other"})
    assert status == 400  # "other" needs its legal basis written out
    status, body = api.post(
        f"{BASE}/licences/{licence.pk}/cancel", {"reason": "dissolved", "note": "企业已注销登记"}
    )
    assert status == 200, body
    assert body["status"] == "cancelled" and body["cancellation_reason"] == "dissolved"
    assert "已注销" in client.get(f"/verify/{licence.verification_number}").content.decode()
    status, body = api.post(f"{BASE}/licences/{licence.pk}/cancel", {"reason": "dissolved"})
    assert status == 409

    # another licence that runs out
    from shenguan.approvals.clocks import sweep
    from shenguan.approvals.models import ItemTemplate

    ItemTemplate.objects.filter(power=item.power).update(licence_validity_years=1)
    user, party = factories.applicant_user()
    other = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(other, item.materials, user)
    services.submit(other.pk, user=user)
    services.accept(other.pk, user=factories.clerk_user())
    services.approve(other.pk, user=item.holder_user, issue_now=True)
    second = Licence.objects.get(application=other)
    sweep(second.valid_until + dt.timedelta(days=1))
    assert "已过期" in client.get(f"/verify/{second.verification_number}").content.decode()
