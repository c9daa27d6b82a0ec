"""The enforcement API: scope both ways (404 outside, 403 visible but not allowed), refusals
as problem documents, uploads, PDFs, public endpoints, and constant query counts on lists."""

from __future__ import annotations

import pytest
from django.test import Client

from shenguan.core.testing import ApiClientHelper
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.inspections import services as inspections
from shenguan.enforcement.publication import services as publication

from .flows import png_bytes

pytestmark = pytest.mark.django_db


def as_user(user) -> ApiClientHelper:
    return ApiClientHelper(Client()).login(user)


def test_case_list_is_scoped_by_squad(flow):
    b = flow.b
    case = flow.to(S.INVESTIGATING)
    for user, expected in (
        (b.officer1, [case.pk]),
        (b.officer3, [case.pk]),  # same squad, not on the case: still visible
        (b.other_officer, []),
        (b.legal, [case.pk]),
        (b.head, [case.pk]),
        (b.command, [case.pk]),
    ):
        status, body = as_user(user).get("/api/enforcement/cases")
        assert status == 200, body
        assert [c["id"] for c in body["items"]] == expected, user.username
    status, body = ApiClientHelper(Client()).get("/api/enforcement/cases")
    assert status == 401


def test_detail_404_outside_scope_and_403_for_watchers(flow):
    b = flow.b
    case = flow.to(S.NOTIFIED)
    assert as_user(b.other_officer).get(f"/api/enforcement/cases/{case.pk}")[0] == 404
    status, body = as_user(b.officer1).get(f"/api/enforcement/cases/{case.pk}")
    assert status == 200 and body["status"] == "notified"
    assert "decide" in body["allowed_actions"] and body["statement_due_on"] == "2026-03-09"
    assert body["documents"][-1]["url"].endswith(".pdf")
    status, body = as_user(b.command).post(f"/api/enforcement/cases/{case.pk}/decision", {})
    assert status == 403 and body["status"] == 403
    status, body = as_user(b.other_officer).post(f"/api/enforcement/cases/{case.pk}/decision", {})
    assert status == 404
    status, body = as_user(b.officer1).post(f"/api/enforcement/cases/{case.pk}/decision", {})
    assert status == 403 and "行政机关负责人" in body["detail"]


def test_refusals_are_problem_documents(flow):
    b = flow.b
    case = flow.to(S.PROPOSED)
    client = as_user(b.head)
    status, body = client.post(f"/api/enforcement/cases/{case.pk}/decision", {})
    assert status == 409
    assert body["type"].endswith("#no_notice") and "第四十四条" in body["detail"]
    status, body = as_user(b.officer1).post(
        f"/api/enforcement/cases/{case.pk}/notice", {"officer_ids": [b.staff(b.officer1).pk]}
    )
    assert status == 400 and body["type"].endswith("#two_officers")
    assert body["errors"]["officer_ids"]


def test_general_procedure_over_the_api(flow):
    b = flow.b
    lead = flow.lead_only()
    pair = flow.pair
    status, body = as_user(b.officer1).post(
        f"/api/enforcement/leads/{lead.pk}/open",
        {"power_id": b.penalty_power.pk, "title": "未按规定报告", "officer_ids": pair},
    )
    assert status == 201, body
    case_id = body["id"]
    o1 = as_user(b.officer1)
    assert (
        o1.post(f"/api/enforcement/cases/{case_id}/investigation", {"officer_ids": pair})[0] == 200
    )
    response = o1.client.post(
        f"/api/enforcement/cases/{case_id}/evidence",
        {"file": _upload(), "place": "现场", "officer_ids": ",".join(map(str, pair))},
    )
    assert response.status_code == 200, response.content
    data = flow.proposal()
    data["fine_amount"] = str(data["fine_amount"])
    status, body = o1.post(f"/api/enforcement/cases/{case_id}/proposal", data)
    assert status == 200, body
    assert body["discretion"]["benchmark"]["code"] == "§8.35"
    assert o1.post(f"/api/enforcement/cases/{case_id}/notice", {"officer_ids": pair})[0] == 200
    assert o1.post(f"/api/enforcement/cases/{case_id}/waiver", {"note": "书面放弃"})[0] == 200
    status, body = as_user(b.head).post(
        f"/api/enforcement/cases/{case_id}/decision", {"outcome": "penalty"}
    )
    assert status == 200 and body["status"] == "decided", body
    doc = body["documents"][-1]
    response = o1.client.get(doc["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"WenQuanYi" in response.content
    assert as_user(b.other_officer).client.get(doc["url"]).status_code == 404


def _upload(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def test_inspection_over_the_api_with_evidence_and_two_signatures(bureau, travel):
    from .conftest import START

    travel(START)
    b = bureau
    pair = [b.staff(b.officer1).pk, b.staff(b.officer2).pk]
    status, body = as_user(b.head).post(
        "/api/enforcement/inspections",
        {
            "source": "complaint",
            "subject": "投诉核查",
            "party_id": b.company.pk,
            "officer_ids": pair,
        },
    )
    assert status == 201, body
    pk = body["id"]
    o1, o2 = as_user(b.officer1), as_user(b.officer2)
    assert o1.post(f"/api/enforcement/inspections/{pk}/start")[0] == 200
    answers = [{"seq": a["seq"], "answer": "ok"} for a in body["answers"]]
    assert o1.post(f"/api/enforcement/inspections/{pk}/answers", answers)[0] == 200
    response = o1.client.post(
        f"/api/enforcement/inspections/{pk}/evidence", {"file": _upload(), "place": "门店"}
    )
    assert response.status_code == 200
    evidence = response.json()["evidence"][0]
    response = o1.client.post(
        f"/api/enforcement/inspections/{pk}/evidence",
        {"file": _upload_bad(), "place": "门店"},
    )
    assert response.status_code == 400 and response.json()["type"].endswith("#file_type")
    assert (
        o1.post(
            f"/api/enforcement/inspections/{pk}/result", {"result": "compliant", "findings": "正常"}
        )[0]
        == 200
    )
    status, body = o1.post(f"/api/enforcement/inspections/{pk}/signature")
    assert status == 200 and body["status"] == "signing"
    status, body = o2.post(f"/api/enforcement/inspections/{pk}/signature")
    assert status == 200 and body["status"] == "completed"
    file = o2.client.get(evidence["url"])
    assert file.status_code == 200 and file["X-Content-SHA256"] == evidence["sha256"]
    assert as_user(b.other_officer).client.get(evidence["url"]).status_code == 404


def _upload_bad():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("fake.png", b"MZ\x90\x00 not an image", content_type="image/png")


def test_legal_endpoints(flow):
    b = flow.b
    case = flow.to(S.LEGAL_REVIEW, major=True)
    status, body = as_user(b.legal).get("/api/enforcement/legal/queue")
    assert status == 200 and body["items"][0]["case_id"] == case.pk
    assert body["items"][0]["grounds"] == ["large_fine"]
    assert (
        as_user(b.officer1).get("/api/enforcement/legal/queue")[1]["items"][0]["case_id"] == case.pk
    )
    assert as_user(b.other_officer).get("/api/enforcement/legal/queue")[1]["items"] == []
    status, body = as_user(b.legal).post(
        f"/api/enforcement/cases/{case.pk}/review/opinion", {"opinion": "approve", "text": "同意"}
    )
    assert status == 200 and body["status"] == "reviewed"
    status, body = as_user(b.legal).get("/api/enforcement/legal/open-steps")
    assert status == 200 and body[0]["step"] == "负责人作出决定"
    status, body = as_user(b.legal).post(
        "/api/enforcement/legal/guidance",
        {"recipient_id": b.staff(b.officer1).pk, "text": "注意送达时限"},
    )
    assert status == 201
    assert as_user(b.officer1).get("/api/enforcement/legal/guidance")[1]["count"] == 1
    assert as_user(b.officer2).get("/api/enforcement/legal/guidance")[1]["count"] == 0


def test_public_endpoints(flow):
    b = flow.b
    status, body = ApiClientHelper(Client()).get("/api/enforcement/procedures")
    assert status == 200 and [p["code"] for p in body] == [
        "coercion",
        "inspection",
        "levy",
        "penalty",
    ]
    pair = flow.pair
    case = cases.decide_on_the_spot(
        party_id=b.person.pk,
        power_id=b.penalty_power.pk,
        facts="占道经营",
        violated_provision="条例第十七条",
        penalty_basis="条例第三十六条",
        sanction="fine",
        fine_amount="100",
        place="葛店大道",
        officer_ids=pair,
        user=b.officer1,
    )
    pub = publication.publish_case(case.pk)
    status, body = ApiClientHelper(Client()).get("/api/enforcement/publications")
    assert status == 200 and body["count"] == 1
    item = body["items"][0]
    assert item["party_name"] == "张**" and item["party_code"] == ""
    assert b.person.id_number not in str(body)
    # a small fine: three months of publication (市场监督管理行政处罚信息公示规定 art 14)
    assert pub.expires_on.isoformat() == "2026-06-02"


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        status, _body = client.get(path)
    assert status == 200, path
    return len(ctx.captured_queries)


def _more_work(flow, major: bool = False):
    b = flow.b
    flow.case = None
    flow.lead = None
    flow.to(S.LEGAL_REVIEW if major else S.INVESTIGATING, major=major)
    inspections.create_inspection(
        source="plan",
        subject="计划检查",
        party_id=b.company.pk,
        officer_ids=flow.pair,
        user=b.officer1,
    )
    cases.decide_on_the_spot(
        party_id=b.company.pk,
        power_id=b.penalty_power.pk,
        facts="占道",
        violated_provision="条例",
        penalty_basis="条例",
        sanction="warning",
        place="路口",
        officer_ids=flow.pair,
        user=b.officer1,
    )


LISTS = (
    "/api/enforcement/cases",
    "/api/enforcement/inspections",
    "/api/enforcement/leads",
    "/api/enforcement/legal/queue",
    "/api/enforcement/legal/alerts",
    "/api/enforcement/publications",
    "/api/enforcement/measures",
    "/api/enforcement/procedures",
)


def test_list_endpoints_use_a_constant_number_of_queries(flow, django_assert_max_num_queries):
    from shenguan.core.worker import Worker
    from shenguan.enforcement.legal.sweep import sweep

    _more_work(flow, major=True)
    Worker().deliver_pending()
    client = as_user(flow.b.legal)
    one = {path: _queries(client, path) for path in LISTS}
    for _ in range(2):
        _more_work(flow, major=True)
    Worker().deliver_pending()
    flow.go(flow.day.replace(month=4, day=20))  # leads overdue: alerts to list
    sweep()
    client = as_user(flow.b.legal)  # a new session: the old one expired while time moved on
    for path in LISTS:
        client.get(path)
        with django_assert_max_num_queries(one[path]):
            status, body = client.get(path)
        assert status == 200
        assert one[path] <= 12, path
    assert client.get("/api/enforcement/legal/queue")[1]["count"] == 3
    assert client.get("/api/enforcement/publications")[1]["count"] == 3
    assert client.get("/api/enforcement/inspections")[1]["count"] == 3


def test_leads_by_role_and_the_policy(bureau, travel, make_user):
    from .conftest import START

    travel(START)
    from shenguan.core.permissions import forget_scope
    from shenguan.org.models import Grid

    worker = make_user("grid_worker", staff=True, username="grid1")
    Grid.objects.filter(pk=bureau.grid.pk).update(worker=worker.staff)
    forget_scope(worker)
    data = {"source": "grid_report", "description": "河道有污水排出", "party_id": bureau.company.pk}
    status, body = as_user(worker).post("/api/enforcement/leads", data)
    assert status == 201 and body["squad_id"] == bureau.squad.pk, body
    assert body["open_due_on"] == "2026-03-23"
    status, body = as_user(worker).post("/api/enforcement/leads", {**data, "source": "complaint"})
    assert status == 403
    assert as_user(bureau.officer1).get("/api/enforcement/leads")[1]["count"] == 1
    assert as_user(bureau.other_officer).get("/api/enforcement/leads")[1]["count"] == 0
    status, body = as_user(bureau.officer1).get("/api/enforcement/policy")
    assert status == 200 and body["version"] == 1 and body["lead_open_working_days"] == 15
    assert as_user(worker).get("/api/enforcement/policy")[0] == 200  # staff read the rules


def test_policy_versions_through_the_admin(admin_user, bureau):
    from django.test import Client

    from shenguan.enforcement.common.models import EnforcementPolicy

    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/enforcement/enforcementpolicy/add/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        effective_from="2026-07-01",
        review_grounds='["large_fine", "revocation"]',
        large_fine_organisation="50000",
        note="提高审核覆盖面",
    )
    response = client.post("/admin/enforcement/enforcementpolicy/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    new = EnforcementPolicy.objects.get(version=2)
    assert new.large_fine_organisation == 50000 and new.review_grounds == [
        "large_fine",
        "revocation",
    ]
    assert new.lead_open_working_days == 15  # carried over from version 1
    assert EnforcementPolicy.objects.get(version=1).large_fine_organisation == 100000
    assert client.get(f"/admin/enforcement/enforcementpolicy/{new.pk}/change/").status_code in (
        200,
        403,
    )
