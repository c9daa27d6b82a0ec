"""Core API: authentication (session and tokens), problem documents, deadlines, journal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shenguan.core.api_clients import issue_token, revoke_token
from shenguan.core.models import ApiClient, JournalEntry, hash_token

pytestmark = pytest.mark.django_db


def test_anonymous_gets_a_401_problem(api):
    status, body = api.get("/api/core/me")
    assert status == 401
    assert body["status"] == 401 and body["title"] == "Unauthorized"


def test_problem_content_type(client):
    response = client.get("/api/core/me")
    assert response["Content-Type"] == "application/problem+json"


def test_session_login(api, make_user):
    user = make_user("window_clerk", staff=True, username="clerk")
    status, body = api.login(user).get("/api/core/me")
    assert status == 200
    assert body["username"] == "clerk" and body["roles"] == ["window_clerk"]
    assert body["sees_full_identifiers"] is True


def test_token_is_stored_hashed_and_can_be_revoked(api, make_user):
    service_user = make_user("command_centre", username="other-system")
    client, token = issue_token("交通局业务系统", service_user)
    assert token.startswith("sg_")
    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    status, body = api.token(token).get("/api/core/me")
    assert status == 200 and body["username"] == "other-system"
    revoke_token(client.pk)
    status, _ = api.get("/api/core/me")
    assert status == 401
    assert JournalEntry.objects.filter(action="core.api_client.revoked").exists()


def test_token_last_use_is_kept_to_the_minute_without_a_write_per_call(api, make_user):
    service_user = make_user("command_centre", username="other-system")
    client, token = issue_token("交通局业务系统", service_user)
    t0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

    def call(at):
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as ctx:
            status, _ = api.token(token).get("/api/core/me")
        assert status == 200
        writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
        return writes, ApiClient.objects.get(pk=client.pk).last_used_at

    writes, used = call(t0)
    assert len(writes) == 1 and used == t0  # first use
    writes, used = call(t0 + dt.timedelta(seconds=59))
    assert writes == [] and used == t0  # within the minute: no write
    writes, used = call(t0 + dt.timedelta(seconds=61))
    assert len(writes) == 1 and used == t0 + dt.timedelta(seconds=61)


def test_wrong_token_is_refused(api):
    status, _ = api.token("sg_not-a-real-token").get("/api/core/me")
    assert status == 401


def test_deadline_endpoint(api, make_user):
    api.login(make_user("approval_officer"))
    status, body = api.get("/api/core/deadline?law=penalty&start=2026-04-20&days=15")
    assert status == 200
    assert body == {
        "law": "penalty",
        "start": "2026-04-20",
        "days": 15,
        "working_days": False,
        "due": "2026-05-06",
    }
    status, body = api.get("/api/core/deadline?law=licensing&start=2026-12-20&days=20")
    assert status == 400 and "2027" in body["detail"]
    status, body = api.get("/api/core/deadline?law=nonsense&start=2026-12-20&days=20")
    assert status == 422 and body["errors"]


def test_journal_endpoint_is_scoped(api, make_user):
    from shenguan.core import services
    from shenguan.org.models import Department

    services.create_object(Department, {"code": "JX", "name": "日志部门"})
    status, body = api.login(make_user("command_centre")).get("/api/core/journal")
    assert status == 200 and body[0]["action"] == "org.department.created"
    api.client.logout()
    status, body = api.login(make_user("window_clerk")).get("/api/core/journal")
    assert status == 200 and body == []


def test_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"].startswith("Shenguan")
    assert client.get("/api/docs").status_code == 200


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response["X-Request-ID"] == "abc-123"
    assert response.json()["status"] == "ok"


def test_choice_labels_match_django_in_each_language():
    from django.utils import translation

    from shenguan.core.labels import choice_label
    from shenguan.core.models import OutboxEvent

    for value, _ in OutboxEvent.Status.choices:
        event = OutboxEvent(status=value)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                assert choice_label(event, "status") == event.get_status_display()
    assert choice_label(OutboxEvent(status="no-such"), "status") == "no-such"
