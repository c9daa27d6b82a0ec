"""Department supervision: each department sees the approval acts in its domain as they
happen (and nothing else), raises objections that are routed to the bureau heads, who
uphold or reject them; the raiser may withdraw before review."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.supervision import feed, services
from shenguan.supervision.choices import ObjectionStatus
from shenguan.supervision.models import Objection

pytestmark = pytest.mark.django_db

BASE = "/api/supervision"


def objection_payload(app, **extra):
    return {
        "application_id": app.pk,
        "grounds": "受理时缺少要件材料，不符合受理条件",
        "legal_basis": "《中华人民共和国行政许可法》第三十二条",
        "requested_action": "reconsider",
        **extra,
    }


def raise_one(zone, app, user=None, **extra):
    return services.raise_objection(
        app.pk,
        user=user or zone.sup_market,
        grounds="受理时缺少要件材料",
        legal_basis="行政许可法第三十二条",
        requested_action="reconsider",
        **extra,
    )


# --- the feed -----------------------------------------------------------------------------


def test_supervisor_sees_only_own_departments_acts(zone, api, client):
    food = zone.application(zone.food)
    building = zone.application(zone.building)
    status, body = api.login(zone.sup_market).get(f"{BASE}/feed")
    assert status == 200
    assert body["count"] > 0
    assert {a["application_id"] for a in body["items"]} == {food.pk}
    assert "approvals.application.accept" in {a["action"] for a in body["items"]}
    seqs = [a["seq"] for a in body["items"]]
    assert seqs == sorted(seqs, reverse=True)
    assert body["latest"] == seqs[0]
    client.logout()
    status, body = api.login(zone.sup_housing).get(f"{BASE}/feed")
    assert {a["application_id"] for a in body["items"]} == {building.pk}
    for viewer in (zone.head, zone.centre):
        client.logout()
        status, body = api.login(viewer).get(f"{BASE}/feed")
        assert status == 200
        assert {a["application_id"] for a in body["items"]} == {food.pk, building.pk}


def test_domain_includes_powers_of_the_departments_responsible_section(zone, make_user):
    """Without any SupervisedPower row, the department whose section answers for the power
    (the responsibility list) watches it."""
    app = zone.application(zone.food)
    dept = zone.food.post.section.department
    watcher = make_user("department_supervisor", department=dept)
    from shenguan.core.permissions import Scope

    rows = feed.acts(Scope.of(watcher))
    assert app.pk in {a.application_id for a in rows}


def test_feed_filters_by_item_and_act(zone, api):
    food = zone.application(zone.food)
    zone.application(zone.building)
    api.login(zone.head)
    _, body = api.get(f"{BASE}/feed?item={zone.food.power.code}")
    assert {a["application_id"] for a in body["items"]} == {food.pk}
    assert {a["item_code"] for a in body["items"]} == {zone.food.power.code}
    _, body = api.get(f"{BASE}/feed?act=approvals.application.accept")
    assert len(body["items"]) == 2
    assert {a["label"] for a in body["items"]} == {"受理"}


def test_feed_cursor_returns_only_newer_acts(zone, api):
    first = zone.application(zone.food)
    api.login(zone.sup_market)
    _, body = api.get(f"{BASE}/feed")
    latest = body["latest"]
    _, body = api.get(f"{BASE}/feed?after={latest}")
    assert body["items"] == [] and body["latest"] == latest
    second = zone.application(zone.food, accept=False)
    from shenguan.approvals import services as approval_services

    approval_services.accept(second.pk, user=zone.clerk)
    zone.application(zone.building)  # another department's acts never show up
    _, body = api.get(f"{BASE}/feed?after={latest}")
    assert {a["application_id"] for a in body["items"]} == {second.pk}
    assert all(a["seq"] > latest for a in body["items"])
    assert body["latest"] == body["items"][0]["seq"]
    # Paging back from the oldest of a short page reaches the first application's acts.
    _, page = api.get(f"{BASE}/feed?limit=1")
    _, older = api.get(f"{BASE}/feed?before={page['oldest']}&limit=200")
    assert first.pk in {a["application_id"] for a in older["items"]}
    assert all(a["seq"] < page["oldest"] for a in older["items"])


def test_licence_acts_appear_and_can_be_objected_to(zone, api):
    app = zone.application(zone.food, issue=True)
    licence = app.licences.get()
    api.login(zone.sup_market)
    _, body = api.get(f"{BASE}/feed?act=approvals.licence.issued")
    assert [(a["licence_id"], a["application_id"]) for a in body["items"]] == [(licence.pk, app.pk)]
    seq = body["items"][0]["seq"]
    status, obj = api.post(f"{BASE}/objections", objection_payload(app, act_seq=seq))
    assert status == 201, obj
    assert obj["licence_id"] == licence.pk and obj["act_action"] == "approvals.licence.issued"
    assert obj["act_label"] == "发放许可证"


@pytest.mark.parametrize("role", ["window_clerk", "approval_officer", "applicant", "grid_worker"])
def test_other_roles_cannot_watch(zone, api, make_user, role):
    zone.application(zone.food)
    user = make_user(role, staff=role != "applicant")
    status, body = api.login(user).get(f"{BASE}/feed")
    assert status == 403 and body["status"] == 403


def test_feed_query_count_is_fixed(zone, api, django_assert_max_num_queries):
    """Session, user, scope (6) and three for the page, whatever its length."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    zone.application(zone.food, issue=True)
    api.login(zone.sup_market)
    with CaptureQueriesContext(connection) as small:
        api.get(f"{BASE}/feed")
    for _ in range(3):
        zone.application(zone.food, issue=True)
    with django_assert_max_num_queries(11):
        status, body = api.get(f"{BASE}/feed")
    assert status == 200 and body["count"] >= 12
    with CaptureQueriesContext(connection) as large:
        api.get(f"{BASE}/feed")
    assert len(large) == len(small)


# --- objections ---------------------------------------------------------------------------


def test_raise_routes_to_head_who_upholds(zone, api, client):
    app = zone.application(zone.food)
    accepted = JournalEntry.objects.get(
        action="approvals.application.accept", object_id=str(app.pk)
    )
    status, body = api.login(zone.sup_market).post(
        f"{BASE}/objections", objection_payload(app, act_seq=accepted.seq)
    )
    assert status == 201, body
    assert body["status"] == "routed" and body["routed_at"]
    assert body["department_id"] == zone.market.pk and body["act_seq"] == accepted.seq
    oid = body["id"]
    assert sorted(
        OutboxEvent.objects.filter(
            subject_type="supervision.objection", subject_id=str(oid)
        ).values_list("type", flat=True)
    ) == ["supervision.objection_raised", "supervision.objection_routed"]
    routed = JournalEntry.objects.get(action="supervision.objection.route", object_id=str(oid))
    assert routed.after["article"] == "行政许可法第十条"
    # The supervisor cannot decide their own objection.
    status, body = api.post(f"{BASE}/objections/{oid}/start-review")
    assert status == 403
    client.logout()
    api.login(zone.head)
    _, inbox = api.get(f"{BASE}/objections?status=routed")
    assert [o["id"] for o in inbox["items"]] == [oid]
    # Deciding before the review is opened is refused by the table.
    status, body = api.post(f"{BASE}/objections/{oid}/uphold", {"decision": "重新审查"})
    assert status == 409
    status, body = api.post(f"{BASE}/objections/{oid}/start-review")
    assert status == 200 and body["status"] == "under_review"
    assert body["reviewer_name"]
    status, body = api.post(f"{BASE}/objections/{oid}/uphold", {"decision": "  "})
    assert status == 400
    status, body = api.post(
        f"{BASE}/objections/{oid}/uphold", {"decision": "责成审批科三日内重新审查并报告"}
    )
    assert status == 200, body
    assert body["status"] == "upheld" and body["decision"].startswith("责成")
    assert body["decided_at"]
    assert OutboxEvent.objects.filter(
        type="supervision.objection_upheld", subject_id=str(oid)
    ).exists()
    entry = JournalEntry.objects.get(action="supervision.objection.uphold", object_id=str(oid))
    assert entry.after["status"] == "upheld" and entry.before["status"] == "under_review"


def test_head_rejects_with_reasons(zone):
    app = zone.application(zone.food)
    obj = raise_one(zone, app)
    services.start_review(obj.pk, user=zone.head)
    from shenguan.core.errors import DomainError

    with pytest.raises(DomainError):
        services.reject(obj.pk, user=zone.head, reasons="")
    obj = services.reject(obj.pk, user=zone.head, reasons="材料齐全，受理合法")
    assert obj.status == ObjectionStatus.REJECTED
    assert obj.rejection_reasons == "材料齐全，受理合法"
    assert OutboxEvent.objects.filter(type="supervision.objection_rejected").count() == 1
    # Final: nothing more may happen.
    from shenguan.core.errors import Conflict

    with pytest.raises(Conflict):
        services.withdraw(obj.pk, user=zone.sup_market)


def test_raiser_withdraws_before_review_only(zone, api, client):
    app = zone.application(zone.food)
    first = raise_one(zone, app)
    second = raise_one(zone, app)
    # A colleague of the same department sees it but may not withdraw it; nor may the head.
    for other in (zone.sup_market2, zone.head):
        client.logout()
        status, _ = api.login(other).post(f"{BASE}/objections/{first.pk}/withdraw", {})
        assert status == 403
    client.logout()
    api.login(zone.sup_market)
    status, body = api.post(f"{BASE}/objections/{first.pk}/withdraw", {"reason": "已核实"})
    assert status == 200 and body["status"] == "withdrawn" and body["withdrawal_reason"] == "已核实"
    services.start_review(second.pk, user=zone.head)
    status, body = api.post(f"{BASE}/objections/{second.pk}/withdraw", {})
    assert status == 409
    assert Objection.objects.get(pk=second.pk).status == ObjectionStatus.UNDER_REVIEW


@pytest.mark.parametrize("role", ["window_clerk", "applicant", "approval_officer", "bureau_head"])
def test_only_supervisors_raise(zone, api, make_user, role):
    app = zone.application(zone.food)
    user = make_user(role, staff=role != "applicant")
    if role == "applicant":
        user = zone.applicant_user
    status, body = api.login(user).post(f"{BASE}/objections", objection_payload(app))
    assert status == 403, body
    assert not Objection.objects.exists()


def test_other_departments_application_and_objection_are_404(zone, api, client):
    food = zone.application(zone.food)
    building = zone.application(zone.building)
    obj = raise_one(zone, food)
    api.login(zone.sup_housing)
    status, _ = api.post(f"{BASE}/objections", objection_payload(food))
    assert status == 404
    status, _ = api.get(f"{BASE}/objections/{obj.pk}")
    assert status == 404
    status, _ = api.post(f"{BASE}/objections/{obj.pk}/withdraw", {})
    assert status == 404
    _, listing = api.get(f"{BASE}/objections")
    assert listing["items"] == []
    # An act of another application cannot be named.
    client.logout()
    api.login(zone.sup_market)
    other_act = JournalEntry.objects.filter(object_id=str(building.pk)).last()
    status, body = api.post(f"{BASE}/objections", objection_payload(food, act_seq=other_act.seq))
    assert status == 400 and "act_seq" in str(body)


def test_command_centre_reads_but_cannot_decide(zone, api):
    obj = raise_one(zone, zone.application(zone.food))
    api.login(zone.centre)
    status, body = api.get(f"{BASE}/objections/{obj.pk}")
    assert status == 200 and body["status"] == "routed"
    status, _ = api.post(f"{BASE}/objections/{obj.pk}/start-review")
    assert status == 403


def test_objection_list_query_count(zone, api, django_assert_max_num_queries):
    app = zone.application(zone.food)
    for _ in range(5):
        raise_one(zone, app)
    api.login(zone.head)
    with django_assert_max_num_queries(11):
        status, body = api.get(f"{BASE}/objections")
    assert status == 200 and body["count"] == 5


# --- pages --------------------------------------------------------------------------------


def test_feed_page_and_poll(zone, client):
    app = zone.application(zone.food)
    other = zone.application(zone.building)
    client.force_login(zone.sup_market)
    page = client.get(reverse("supervision:feed"))
    assert page.status_code == 200
    html = page.content.decode()
    assert app.number in html and other.number not in html
    latest = page.context["latest"]
    assert f"after={latest}" in html
    poll = client.get(reverse("supervision:poll") + f"?after={latest}")
    assert poll.status_code == 200 and app.number not in poll.content.decode()
    from shenguan.approvals import services as approval_services

    new = zone.application(zone.food, accept=False)
    approval_services.accept(new.pk, user=zone.clerk)
    poll = client.get(reverse("supervision:poll") + f"?after={latest}")
    text = poll.content.decode()
    assert new.number in text and 'hx-swap-oob="afterbegin:#feed-list"' in text
    assert f"after={poll.context['latest']}" in text and poll.context["latest"] > latest


def test_feed_page_query_count_is_fixed(zone, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    zone.application(zone.food, issue=True)
    client.force_login(zone.sup_market)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("supervision:feed")).status_code == 200
    for _ in range(3):
        zone.application(zone.food, issue=True)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("supervision:feed"))
    assert len(response.context["acts"]) >= 12
    assert len(large) == len(small) <= 14


def test_feed_by_application(zone, api):
    one = zone.application(zone.food, issue=True)
    zone.application(zone.food)
    _, body = api.login(zone.sup_market).get(f"{BASE}/feed?application_id={one.pk}")
    assert body["count"] > 0 and {a["application_id"] for a in body["items"]} == {one.pk}
    assert "approvals.licence.issued" in {a["action"] for a in body["items"]}


def test_feed_page_refuses_other_roles(zone, client):
    assert client.get(reverse("supervision:feed")).status_code == 302
    client.force_login(zone.clerk)
    assert client.get(reverse("supervision:feed")).status_code == 403


def test_pages_raise_and_decide(zone, client):
    app = zone.application(zone.food)
    client.force_login(zone.sup_market)
    page = client.get(reverse("supervision:application", args=[app.pk]))
    assert page.status_code == 200 and 'id="objection"' in page.content.decode()
    bad = client.post(reverse("supervision:raise", args=[app.pk]), {"requested_action": "x"})
    assert bad.status_code == 400
    response = client.post(
        reverse("supervision:raise", args=[app.pk]),
        {
            "grounds": "未按规定一次性告知",
            "legal_basis": "行政许可法第三十二条",
            "requested_action": "correct",
            "act_seq": "",
        },
    )
    obj = Objection.objects.get()
    assert response.status_code == 302 and response.url == obj.get_absolute_url()
    page = client.get(obj.get_absolute_url()).content.decode()
    assert reverse("supervision:application", args=[app.pk]) in page
    # Another department's supervisor: 404 on both pages.
    client.force_login(zone.sup_housing)
    assert client.get(obj.get_absolute_url()).status_code == 404
    assert client.get(reverse("supervision:application", args=[app.pk])).status_code == 404
    client.force_login(zone.head)
    page = client.get(obj.get_absolute_url()).content.decode()
    assert reverse("approvals:review-detail", args=[app.pk]) in page
    inbox = client.get(reverse("supervision:objections") + "?status=open").content.decode()
    assert f'data-objection="{obj.pk}"' in inbox
    url = reverse("supervision:objection-action", args=[obj.pk, "start-review"])
    assert client.post(url).status_code == 302
    url = reverse("supervision:objection-action", args=[obj.pk, "reject"])
    assert client.post(url, {"reasons": ""}).status_code == 400
    assert client.post(url, {"reasons": "已一次性告知，见告知书"}).status_code == 302
    obj.refresh_from_db()
    assert obj.status == ObjectionStatus.REJECTED


# --- demo ---------------------------------------------------------------------------------


def test_seed_demo_is_idempotent(zone, make_user):
    import random

    from shenguan.supervision.demo import seed_demo
    from shenguan.supervision.models import SupervisedPower

    section = zone.food.post.section
    section.code = "AB-MKT"
    section.save(update_fields=["code"])
    zone.market.name = "区市监局"
    zone.market.save(update_fields=["name"])
    SupervisedPower.objects.all().delete()
    supervisor = make_user("department_supervisor", username="supervisor1", department=zone.market)
    make_user("bureau_head", username="head1", staff=True)
    apps = [zone.application(zone.food) for _ in range(2)]
    first = seed_demo(random.Random(1))
    assert first == {"supervised_powers": 1, "objections": 2}
    objections = Objection.objects.order_by("pk")
    assert {o.application_id for o in objections} == {a.pk for a in apps}
    assert [o.status for o in objections] == [ObjectionStatus.ROUTED, ObjectionStatus.UPHELD]
    assert all(o.raised_by == supervisor for o in objections)
    assert seed_demo(random.Random(1)) == {"supervised_powers": 0, "objections": 0}
    assert Objection.objects.count() == 2
