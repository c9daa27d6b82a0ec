"""Who may open the centre, what each figure costs in queries, and the feed's cursor."""

from __future__ import annotations

import pytest
from django.db import transaction

from shenguan.command import figures
from shenguan.core import journal
from shenguan.core.models import JournalEntry

ENDPOINTS = list(figures.FIGURES) + ["feed"]


@pytest.mark.parametrize("role", ["command_centre", "bureau_head", "administrator"])
def test_centre_roles_see_every_endpoint_and_the_page(db, api, client, make_user, role):
    user = make_user(role, staff=True, username=f"u-{role}")
    api.login(user)
    for name in ENDPOINTS:
        status, body = api.get(f"/api/command/{name}")
        assert status == 200, (name, body)
    response = client.get("/command/")
    assert response.status_code == 200
    assert b"vendor/echarts/echarts.min.js" in response.content
    assert client.get("/command/records/applications/").status_code == 200


@pytest.mark.parametrize(
    "role",
    [
        "window_clerk",
        "approval_officer",
        "enforcement_officer",
        "department_supervisor",
        "grid_worker",
        "applicant",
    ],
)
def test_other_users_are_refused(db, api, client, make_user, role):
    user = make_user(role, staff=role != "applicant", username=f"u-{role}")
    api.login(user)
    for name in ENDPOINTS:
        status, body = api.get(f"/api/command/{name}")
        assert status == 403, (name, body)
        assert body["status"] == 403
    assert client.get("/command/").status_code == 403
    assert client.get("/command/records/cases/").status_code == 403


def test_anonymous_gets_401_and_the_login_page(db, api, client):
    status, _ = api.get("/api/command/intake")
    assert status == 401
    response = client.get("/command/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_unknown_record_kind_is_404(db, client, make_user):
    client.force_login(make_user("command_centre", staff=True, username="cc9"))
    assert client.get("/command/records/nothing/").status_code == 404


@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_endpoint_costs_a_fixed_number_of_queries(
    sample, api, centre_user, django_assert_max_num_queries, name
):
    api.login(centre_user)
    api.get(f"/api/command/{name}")  # warm the session and the scope
    # session, user and scope (about 8) plus at most four for the figure itself
    with django_assert_max_num_queries(12):
        status, body = api.get(f"/api/command/{name}")
    assert status == 200


def test_records_page_costs_a_fixed_number_of_queries(
    sample, client, head, django_assert_max_num_queries
):
    client.force_login(head)
    for kind in ("applications", "cases", "pushes", "findings"):
        client.get(f"/command/records/{kind}/")
        with django_assert_max_num_queries(14):
            assert client.get(f"/command/records/{kind}/").status_code == 200


def _write(n: int):
    for i in range(n):
        with transaction.atomic():
            journal.record(
                "command.test.event", object_type="test", object_id=str(i), object_repr=f"事件{i}"
            )


def test_feed_cursor(db, api, centre_user):
    _write(5)
    api.login(centre_user)
    status, first = api.get("/api/command/feed?limit=3")
    assert status == 200
    seqs = [i["seq"] for i in first["items"]]
    newest = list(JournalEntry.objects.order_by("-seq").values_list("seq", flat=True)[:3])
    assert seqs == sorted(newest)  # the newest three, oldest first
    assert first["cursor"] == max(newest)
    status, idle = api.get(f"/api/command/feed?after={first['cursor']}")
    assert idle["items"] == [] and idle["cursor"] == first["cursor"]
    _write(4)
    status, more = api.get(f"/api/command/feed?after={first['cursor']}&limit=3")
    assert [i["object_repr"] for i in more["items"]] == ["事件0", "事件1", "事件2"]
    status, rest = api.get(f"/api/command/feed?after={more['cursor']}")
    assert [i["object_repr"] for i in rest["items"]] == ["事件3"]
    assert "before" not in rest["items"][0] and "after" not in rest["items"][0]


def test_feed_limit_is_capped(db, api, centre_user):
    _write(60)
    api.login(centre_user)
    status, body = api.get("/api/command/feed?after=0&limit=500")
    assert status == 200 and len(body["items"]) == 50
