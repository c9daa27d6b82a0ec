"""The API: scoped both ways (officers their squad; legal reviewers, heads and the command
centre everything; anyone else 404), the actions through the services, constant query counts
on every list endpoint."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.factories import make_user
from shenguan.verification import services
from shenguan.verification.models import Push, VerificationTask

from .conftest import deliver

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def data(zone, flows, travel):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    falsified = flows.issue(user, party, route="commitment")
    flows.issue(user, party, route="ordinary", approval_class="controlled")
    for _ in range(2):
        u, p = flows.party(grid=zone.grid1)
        flows.issue(u, p, route="ordinary", approval_class="encouraged")
    deliver()
    return falsified


def test_scope_both_ways(api, zone, data):
    task = VerificationTask.objects.get(licence=data)
    push = Push.objects.filter(licence=data).first()
    own, other = zone.inspectors1[0], zone.inspectors2[0]
    for user, status in (
        (own, 200),
        (zone.legal, 200),
        (zone.head, 200),
        (zone.command, 200),
        (other, 404),
        (make_user("window_clerk", staff=True), 404),
        (make_user("approval_officer", staff=True), 404),
    ):
        api.login(user)
        assert api.get(f"/api/verification/tasks/{task.pk}")[0] == status, user
        assert api.get(f"/api/verification/pushes/{push.pk}")[0] == status, user
        count = api.get("/api/verification/tasks")[1]["count"]
        assert (count > 0) == (status == 200)
    api.login(other)
    assert api.post(f"/api/verification/pushes/{push.pk}/acknowledge", {})[0] == 404
    api.login(zone.legal)
    assert api.post(f"/api/verification/pushes/{push.pk}/acknowledge", {})[0] == 403
    assert api.get("/api/verification/pool")[1]["count"] == 2
    api.login(own)
    assert api.get("/api/verification/pool")[1]["count"] == 0


def test_acknowledge_finding_sign_revoke_through_the_api(api, zone, data):
    task = VerificationTask.objects.get(licence=data)
    a, b, _c = zone.inspectors1
    api.login(a)
    status, body = api.get("/api/verification/pushes?state=pending")
    assert status == 200 and body["count"] >= 2
    push_id = body["items"][0]["id"]
    status, body = api.post(f"/api/verification/pushes/{push_id}/acknowledge", {"note": "收到"})
    assert status == 200 and body["acknowledged_by_name"] and not body["overdue"]
    assert api.post(f"/api/verification/pushes/{push_id}/acknowledge", {})[0] == 409

    status, body = api.post(
        f"/api/verification/tasks/{task.pk}/findings",
        {"outcome": "falsified", "facts": "承诺的设施不存在", "co_inspector_id": a.staff.pk},
    )
    assert status == 400 and "两名" in body["detail"]
    status, body = api.post(
        f"/api/verification/tasks/{task.pk}/findings",
        {"outcome": "falsified", "facts": "承诺的设施不存在", "co_inspector_id": b.staff.pk},
    )
    assert status == 201 and body["status"] == "draft" and len(body["signatures"]) == 1
    finding_id = body["id"]
    assert api.post(f"/api/verification/findings/{finding_id}/sign")[0] == 403
    api.login(b)
    status, body = api.post(f"/api/verification/findings/{finding_id}/sign")
    assert status == 200 and body["status"] == "final" and body["credit_event_id"]

    status, body = api.get(f"/api/verification/tasks/{task.pk}")
    assert body["status"] == "revocation_pending"
    assert body["leads"][0]["licence_id"] == data.pk
    assert body["credit_event_ids"] == [body["leads"][0]["credit_event_id"]]
    assert api.post(f"/api/verification/tasks/{task.pk}/revoke", {})[0] == 403
    api.login(zone.head)
    status, body = api.post(f"/api/verification/tasks/{task.pk}/revoke", {"reason": ""})
    assert status == 200 and body["status"] == "closed" and body["licence_status"] == "revoked"
    status, body = api.get(f"/api/verification/tasks?licence_id={data.pk}")
    assert [t["id"] for t in body["items"]] == [task.pk]
    status, body = api.get(f"/api/verification/leads?party_id={data.holder_id}")
    assert body["count"] == 1


def test_draws_recusals_policy_and_public(api, zone, data):
    api.login(zone.inspectors1[0])
    assert api.post("/api/verification/draws", {"size": 1})[0] == 403
    assert api.get("/api/verification/policy")[0] == 200
    api.login(zone.legal)
    status, body = api.post("/api/verification/draws", {"size": 3})
    assert status == 400 and "名录库" in body["detail"]
    status, body = api.post("/api/verification/draws", {"size": 2, "seed": "api-seed-0001"})
    assert status == 201 and len(body["task_ids"]) == 2
    draw_id = body["id"]
    status, body = api.get(f"/api/verification/draws/{draw_id}/replay")
    assert status == 200 and body["ok"] is True
    assert api.get("/api/verification/public/draws/" + "SJ2026999999")[0] == 404
    api.client.logout()
    api.headers.clear()
    status, body = api.get("/api/verification/public/draws")
    assert status == 200 and body["count"] == 0  # not published before the inspections end
    api.login(zone.head)
    staff, party = zone.inspectors1[2].staff, data.holder
    status, body = api.post(
        "/api/verification/recusals",
        {"staff_id": staff.pk, "party_id": party.pk, "reason": "曾任该企业顾问"},
    )
    assert status == 201
    assert api.delete(f"/api/verification/recusals/{body['id']}")[0] == 204


LISTS = [
    "/api/verification/pushes",
    "/api/verification/tasks",
    "/api/verification/leads",
    "/api/verification/pool",
    "/api/verification/draws",
    "/api/verification/recusals",
    "/api/verification/public/draws",
]


def _finish(task, outcome="compliant"):
    a, b = (i.staff.user for i in task.inspectors.order_by("pk")[:2])
    f = services.record_finding(
        task.pk, outcome=outcome, facts="核查情况", co_inspector_id=b.staff.pk, user=a
    )
    services.sign_finding(f.pk, user=b)


def test_list_endpoints_use_constant_queries(api, zone, flows, travel, django_assert_num_queries):
    """Every list holds at least four rows, so a query per row would show."""
    travel(DAY)
    a, b, c = zone.inspectors1
    for _ in range(4):
        u, p = flows.party(grid=zone.grid1)
        flows.issue(u, p, route="ordinary", approval_class="encouraged")
        flows.issue(u, p, route="ordinary", approval_class="encouraged")
        committed = flows.issue(u, p, route="commitment")
        services.register_recusal(c.staff.pk, p.pk, reason="x", user=zone.head)
        deliver()
        task = VerificationTask.objects.get(licence=committed)
        f = services.record_finding(
            task.pk, outcome="falsified", facts="不实", co_inspector_id=b.staff.pk, user=a
        )
        services.sign_finding(f.pk, user=b)
    for _ in range(4):
        draw = services.make_draw(size=1, user=zone.legal)
        for task in draw.tasks.all():
            _finish(task)
    api.login(zone.legal)
    counts = {}
    for path in LISTS:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            status, body = api.get(path)
        assert status == 200 and body["count"] >= 4, path
        counts[path] = len(ctx.captured_queries)
    # session, user, roles, staff and scope (about 8), one count and one page query per list,
    # a fixed number of prefetches: never one per row (measured: 10, and 6 for the public list)
    public = counts.pop("/api/verification/public/draws")
    assert max(counts.values()) <= 10 and public <= 7, counts
