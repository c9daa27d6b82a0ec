"""Faults: the database failing under a request leaves no partial state and gives a clear,
quick refusal — a 503 problem document in the API, a plain message from a command — never a
bare 500 or a hang.

- the connection dropped mid-request (PostgreSQL: the server terminates our backend after the
  party row and its journal entry were written, before the outbox event);
- a full disk (the error SQLite and PostgreSQL give, raised at the same point);
- a read-only database (SQLite ``query_only``, PostgreSQL read-only transaction).

A worker killed mid-batch losing no events is proven by ``test_worker_process.py`` (a real
worker process killed with SIGKILL and restarted)."""

from __future__ import annotations

import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from shenguan.core import journal, outbox
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.parties.factories import generated_uscc
from shenguan.parties.models import Party


def _counts() -> tuple[int, int, int]:
    return Party.objects.count(), JournalEntry.objects.count(), OutboxEvent.objects.count()


def _register(api, n: int):
    started = time.monotonic()
    status, body = api.post(
        "/api/parties/enterprises", {"name": f"故障测试企业{n}", "uscc": generated_uscc(900 + n)}
    )
    return status, body, time.monotonic() - started


def _assert_unavailable(status, body, elapsed):
    assert status == 503, body
    assert body["type"].endswith("#database_unavailable")
    assert "nothing was changed" in body["detail"]
    assert elapsed < 5, f"took {elapsed:.1f} s"


@pytest.fixture
def clerk_api(api, make_user):
    api.login(make_user("window_clerk", staff=True))
    status, _ = api.get("/api/parties?limit=1")  # warm up (URL conf, API schema) before timing
    assert status == 200
    return api


@pytest.mark.django_db
def test_full_disk_mid_request_writes_nothing_and_answers_503(clerk_api, monkeypatch):
    before = _counts()
    real_emit = outbox.emit

    def disk_full(*args, **kwargs):
        assert Party.objects.count() == before[0] + 1  # the row and its entry were written …
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(outbox, "emit", disk_full)
    status, body, elapsed = _register(clerk_api, 1)
    _assert_unavailable(status, body, elapsed)
    assert _counts() == before  # … and rolled back with the failed transaction
    monkeypatch.setattr(outbox, "emit", real_emit)
    status, body, _ = _register(clerk_api, 2)  # the next request works
    assert status == 201, body
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert journal.verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_dropped_mid_request_leaves_no_partial_state(clerk_api, monkeypatch):
    from shenguan.core.backup import _pg_connect

    before = _counts()
    real_emit = outbox.emit
    settings = connection.settings_dict

    def drop_then_emit(*args, **kwargs):
        pid = connection.cursor().connection.info.backend_pid
        with _pg_connect(settings, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real_emit(*args, **kwargs)

    monkeypatch.setattr(outbox, "emit", drop_then_emit)
    status, body, elapsed = _register(clerk_api, 3)
    _assert_unavailable(status, body, elapsed)
    monkeypatch.setattr(outbox, "emit", real_emit)

    # seen from another connection: no party, no journal entry, no event
    with _pg_connect(settings) as other, other.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM parties_party WHERE name = %s", ["故障测试企业3"])
        assert cur.fetchone()[0] == 0
    connection.close()
    assert _counts() == before
    status, body, _ = _register(clerk_api, 4)  # Django reconnects; the next request works
    assert status == 201, body
    assert journal.verify().ok


@pytest.fixture
def read_only_database(transactional_db):
    """The whole connection read-only (SQLite ``query_only``; PostgreSQL: every transaction of
    the session read-only, as with ``default_transaction_read_only``)."""
    sql = {
        "sqlite": ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
        "postgresql": (
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        ),
    }[connection.vendor]
    with connection.cursor() as cur:
        cur.execute(sql[0])
    yield
    with connection.cursor() as cur:
        cur.execute(sql[1])


@pytest.mark.django_db(transaction=True)
def test_read_only_database_answers_503_quickly(clerk_api, read_only_database):
    before = _counts()
    status, body, elapsed = _register(clerk_api, 5)
    _assert_unavailable(status, body, elapsed)
    assert _counts() == before
    status, body = clerk_api.get("/api/parties?limit=5")  # reading still works
    assert status == 200, body


@pytest.mark.django_db(transaction=True)
def test_read_only_database_gives_a_command_a_plain_message(read_only_database, settings, tmp_path):
    data = json.loads((settings.DATA_DIR / "holidays" / "holiday-cn_2026.json").read_text())
    file = tmp_path / "holidays.json"
    file.write_text(json.dumps(data, ensure_ascii=False))
    started = time.monotonic()
    with pytest.raises(CommandError, match="database unavailable, nothing was changed"):
        call_command("calendar", "load", str(file))
    assert time.monotonic() - started < 10


@pytest.mark.django_db(transaction=True)
def test_read_only_database_gives_a_page_a_plain_503(client, read_only_database):
    """A form whose write the database refuses: a 503 page that says nothing was saved (no
    bare 500), and nothing was saved."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from shenguan.approvals.tests.test_pages_apply import registration

    before = _counts()
    started = time.monotonic()
    response = client.post(reverse("apply:register"), registration())
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "没有保存任何内容" in page and "nothing was saved" in page
    assert _counts() == before
    assert not get_user_model().objects.filter(username="gdfood").exists()


def test_the_server_error_page_renders_without_the_database(rf):
    """500.html (Django's ``server_error``) shares its static layout with 503.html; the test
    has no database access, so a page that touched it would fail here."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<title>500 · 审管 Shenguan</title>" in page and "系统出错了" in page
