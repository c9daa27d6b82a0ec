"""Staff pages (squad inbox with the acknowledge button, task list and detail with the finding
form, draws) and the admin (policy published as a new version; the rest read-only)."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.verification import services
from shenguan.verification.models import Draw, Push, VerificationPolicy, VerificationTask

from .conftest import deliver

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def licence(zone, flows, travel):
    travel(DAY)
    user, party = flows.party(grid=zone.grid1)
    licence = flows.issue(user, party, route="commitment")
    deliver()
    return licence


def test_inbox_and_acknowledge(client, zone, licence):
    assert client.get("/verification/").status_code == 302  # login first
    officer = zone.inspectors1[0]
    client.force_login(officer)
    page = client.get("/verification/").content.decode()
    push = Push.objects.get(licence=licence)
    assert f'data-push="{push.pk}"' in page and "签收" in page
    response = client.post(
        f"/verification/pushes/{push.pk}/acknowledge", {"next": "/verification/?state=all"}
    )
    assert response.status_code == 302
    push.refresh_from_db()
    assert push.acknowledged_by == officer
    client.force_login(zone.inspectors2[0])
    page = client.get("/verification/?state=all").content.decode()
    assert f'data-push="{push.pk}"' not in page
    assert client.post(f"/verification/pushes/{push.pk}/acknowledge").status_code == 404


def test_task_pages_record_sign_and_revoke(client, zone, licence):
    task = VerificationTask.objects.get(licence=licence)
    a, b, _c = zone.inspectors1
    client.force_login(a)
    assert task.number in client.get("/verification/tasks/").content.decode()
    page = client.get(f"/verification/tasks/{task.pk}/").content.decode()
    assert 'name="action" value="finding"' in page and licence.number in page
    form = {
        "action": "finding",
        "outcome": "falsified",
        "facts": "承诺不实",
        "co_inspector": a.staff.pk,
    }
    page = client.post(f"/verification/tasks/{task.pk}/", form).content.decode()
    assert "is-invalid" in page  # oneself is not offered as the co-inspector
    form["co_inspector"] = b.staff.pk
    assert client.post(f"/verification/tasks/{task.pk}/", form).status_code == 302
    finding = task.findings.get()
    client.force_login(b)
    page = client.get(f"/verification/tasks/{task.pk}/").content.decode()
    assert 'value="sign"' in page
    client.post(f"/verification/tasks/{task.pk}/", {"action": "sign", "finding": finding.pk})
    task.refresh_from_db()
    assert task.status == "revocation_pending"
    client.force_login(zone.head)
    page = client.get(f"/verification/tasks/{task.pk}/").content.decode()
    assert 'value="revoke"' in page and "data-lead" in page
    client.post(f"/verification/tasks/{task.pk}/", {"action": "revoke", "reason": ""})
    licence.refresh_from_db()
    assert licence.status == "revoked"
    client.force_login(zone.inspectors2[0])
    assert client.get(f"/verification/tasks/{task.pk}/").status_code == 404


def test_draw_pages(client, zone, flows, travel):
    travel(DAY)
    for _ in range(2):
        user, party = flows.party(grid=zone.grid1)
        flows.issue(user, party, route="ordinary", approval_class="encouraged")
    deliver()
    client.force_login(zone.inspectors1[0])
    assert client.get("/verification/draws/new/").status_code == 404
    client.force_login(zone.legal)
    assert "2 个待抽取对象" in client.get("/verification/draws/new/").content.decode()
    page = client.post("/verification/draws/new/", {"size": 5, "inspectors_per_target": 2})
    assert "名录库" in page.content.decode()
    response = client.post("/verification/draws/new/", {"size": 2, "inspectors_per_target": 2})
    draw = Draw.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{draw.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert 'data-replay="ok"' in page and draw.seed in page
    assert draw.number in client.get("/verification/draws/manage/").content.decode()


def test_admin_publishes_policy_versions_and_shows_the_rest(client, admin_user, zone, licence):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/admin/verification/verificationpolicy/add/")
    assert page.status_code == 200
    rows = services.current_rows()
    data = {
        "effective_from": "2026-03-03",
        "ack_working_days": 3,
        "rectification_working_days": 10,
        "fallback_squad": zone.squad2.pk,
        "note": "签收时限改为3个工作日",
        "rules-TOTAL_FORMS": len(rows),
        "rules-INITIAL_FORMS": 0,
        "rules-MIN_NUM_FORMS": len(rows),
        "rules-MAX_NUM_FORMS": len(rows),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rules-{i}-{key}"] = "" if value is None else value
    response = client.post("/admin/verification/verificationpolicy/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = VerificationPolicy.objects.get(version=2)
    assert (v2.ack_working_days, v2.fallback_squad, v2.rules.count()) == (3, zone.squad2, 36)
    assert VerificationPolicy.objects.get(version=1).ack_working_days == 2  # never edited
    for model in ("push", "verificationtask", "finding", "lead", "poolentry", "draw", "recusal"):
        assert client.get(f"/admin/verification/{model}/").status_code == 200, model
    task = VerificationTask.objects.get(licence=licence)
    assert client.get(f"/admin/verification/verificationtask/{task.pk}/change/").status_code == 200
