"""The grid API: the whole flow over HTTP, scopes, uploads, 代办 and query-count guards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shenguan.core.permissions import Role
from shenguan.grid import services
from shenguan.grid.factories import JPEG, PNG, WEBP
from shenguan.grid.models import GridEvent, ProxyFiling

pytestmark = pytest.mark.django_db
TUESDAY = dt.date(2026, 9, 29)


def _post_event(client, world, photos=None, headers=None, **fields):
    data = {
        "grid_id": world.grid1.pk,
        "category": "hazard",
        "title": "工厂偷排废水",
        "place": "葛店村河道",
        "latitude": "30.508",
        "longitude": "114.64",
    }
    data.update(fields)
    data["photos"] = photos if photos is not None else [SimpleUploadedFile("a.jpg", JPEG)]
    return client.post("/api/grid/events", data=data, headers=headers or {})


def test_flow_over_http(client, api, world, travel):
    travel(TUESDAY)
    client.force_login(world.worker1)
    r = _post_event(client, world, photos=[SimpleUploadedFile("a.webp", WEBP)])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "routed"
    assert body["assigned_section_id"] == world.eco_squad.pk
    assert body["routed_power_id"] == world.pollution_power.pk
    assert body["due_on"] == "2026-10-09"
    assert body["photos"][0]["content_type"] == "image/webp"
    eid = body["id"]
    photo = client.get(body["photos"][0]["url"])
    assert photo.status_code == 200 and photo["X-Content-SHA256"] == body["photos"][0]["sha256"]

    client.force_login(world.eco_inspector)
    status, inbox = api.get("/api/grid/events?box=inbox")
    assert status == 200 and [e["id"] for e in inbox["items"]] == [eid]
    status, body = api.post(f"/api/grid/events/{eid}/accept")
    assert status == 200 and body["status"] == "accepted"
    travel(dt.date(2026, 10, 12))  # after the due date: an overdue closure
    client.force_login(world.eco_inspector)  # a new session on the later day
    r = client.post(
        f"/api/grid/events/{eid}/close",
        data={"report": "已责令整改", "photos": [SimpleUploadedFile("b.png", PNG)]},
    )
    assert r.status_code == 200, r.content
    assert r.json()["closed_overdue"] is True and r.json()["status"] == "closed"

    client.force_login(world.worker1)
    status, body = api.post(f"/api/grid/events/{eid}/confirm", {"rating": 9})
    assert status == 422
    status, body = api.post(f"/api/grid/events/{eid}/confirm", {"rating": 4, "comment": "好"})
    assert status == 200 and body["status"] == "confirmed" and body["rating"] == 4
    assert [s["action"] for s in body["steps"]] == [
        "report",
        "route",
        "accept",
        "close",
        "confirm",
    ]


def test_scopes(client, api, world, make_user, travel):
    travel(TUESDAY)
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="unlicensed_operation",
        title="无证经营",
        place="高新社区",
        user=world.worker1,
    )
    photo = services.report_event(
        grid_id=world.grid1.pk,
        category="hazard",
        title="井盖缺失",
        place="路口",
        photos=[(PNG, "p.png")],
        user=world.worker1,
    ).photos.get()
    url = f"/api/grid/events/{event.pk}"
    # the other grid's worker: 404, and not in the list
    api.login(world.worker2)
    assert api.get(url)[0] == 404
    assert api.post(f"{url}/reopen", {"reason": "x"})[0] == 404
    assert api.get("/api/grid/events")[1]["count"] == 0
    assert client.get(f"/api/grid/photos/{photo.pk}").status_code == 404
    # an applicant sees nothing
    applicant = make_user(Role.APPLICANT, username="gw_applicant")
    from shenguan.parties.models import PartyAccount

    PartyAccount.objects.create(user=applicant, party=world.party1)
    api.login(applicant)
    assert api.get(url)[0] == 404
    assert api.get("/api/grid/events")[1]["count"] == 0
    assert api.post(f"{url}/accept")[0] == 404
    assert _post_event(client, world).status_code == 403
    # the receiving squad sees it; the other squad does not
    api.login(world.inspector2)
    assert api.get(url)[0] == 404
    api.login(world.inspector1)
    assert api.get(url)[0] == 200
    # a zone-wide reader sees it but may not act (403)
    head = make_user(Role.BUREAU_HEAD, username="gw_head", staff=True)
    api.login(head)
    assert api.get(url)[0] == 200
    assert api.post(f"{url}/accept")[0] == 403
    # the worker of the grid may not accept for the receiver (403: visible, not theirs)
    api.login(world.worker1)
    status, body = api.post(f"{url}/accept")
    assert status == 403 and body["status"] == 403


def test_upload_rejections_over_http(client, world, settings, travel):
    travel(TUESDAY)
    client.force_login(world.worker1)
    r = _post_event(client, world, photos=[SimpleUploadedFile("x.jpg", b"<html>not a photo")])
    assert r.status_code == 400 and r.json()["type"].endswith("#file_type")
    settings.SHENGUAN_GRID_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (1024 * 1024 + 10))
    r = _post_event(client, world, photos=[big])
    assert r.status_code == 400 and r.json()["type"].endswith("#file_too_large")
    assert GridEvent.objects.count() == 0


def test_idempotent_report(client, world, travel):
    travel(TUESDAY)
    client.force_login(world.worker1)
    first = _post_event(client, world, headers={"Idempotency-Key": "k-1"})
    again = _post_event(client, world, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert GridEvent.objects.count() == 1


def _approval_item():
    from shenguan.approvals.factories import PowerVersionFactory, ensure_route_policy

    ensure_route_policy()
    return PowerVersionFactory(effective_from=dt.date(2020, 1, 1)).power


def test_proxy_filing(api, world, travel):
    from shenguan.approvals.choices import Channel
    from shenguan.approvals.models import Application
    from shenguan.core.models import JournalEntry

    travel(TUESDAY)
    power = _approval_item()
    api.login(world.worker1)
    status, body = api.post(
        "/api/grid/proxy-filings",
        {"party_id": world.resident1.pk, "power_id": power.pk, "consent_note": "本人委托"},
    )
    assert status == 201, body
    app = Application.objects.get(pk=body["application_id"])
    assert app.channel == Channel.AGENT and body["channel"] == "agent"
    assert app.filed_by_id == world.worker1.pk and app.applicant_id == world.resident1.pk
    filing = ProxyFiling.objects.get(pk=body["id"])
    assert filing.grid_id == world.grid1.pk and filing.worker.user_id == world.worker1.pk
    assert JournalEntry.objects.filter(
        action="grid.proxyfiling.created", object_id=str(filing.pk)
    ).exists()
    # a party outside the worker's grid: refused, nothing filed
    status, _body = api.post(
        "/api/grid/proxy-filings",
        {"party_id": world.party2.pk, "power_id": power.pk, "consent_note": "委托"},
    )
    assert status == 404
    # without the consent note: refused
    status, _body = api.post(
        "/api/grid/proxy-filings",
        {"party_id": world.party1.pk, "power_id": power.pk, "consent_note": " "},
    )
    assert status == 400
    assert Application.objects.count() == ProxyFiling.objects.count() == 1
    # the worker of the other grid does not see the filing; the window clerk does
    api.login(world.worker2)
    assert api.get("/api/grid/proxy-filings")[1]["count"] == 0


def test_only_grid_workers_file_as_agent_through_intake(world, make_user, travel):
    """The intake change: AGENT for a grid worker only within their grid."""
    from shenguan.approvals.services import intake
    from shenguan.core.errors import Forbidden

    travel(TUESDAY)
    power = _approval_item()
    with pytest.raises(Forbidden):
        intake.create_application(
            power_id=power.pk, applicant_id=world.party2.pk, channel="agent", user=world.worker1
        )
    with pytest.raises(Forbidden):
        intake.create_application(
            power_id=power.pk, applicant_id=world.party1.pk, channel="window", user=world.worker1
        )


def test_list_query_counts(api, world, travel, django_assert_max_num_queries):
    travel(TUESDAY)
    for n in range(6):
        services.report_event(
            grid_id=world.grid1.pk,
            category=["hazard", "unlicensed_operation", "complaint"][n % 3],
            title=f"事件{n}",
            place="路口",
            photos=[(PNG, "p.png")],
            user=world.worker1,
        )
    power = _approval_item()
    for party in (world.party1, world.resident1):
        services.file_on_behalf(
            party_id=party.pk, power_id=power.pk, consent_note="委托", user=world.worker1
        )
    for user in (world.worker1, world.command):
        api.login(user)
        api.get("/api/grid/events")  # warm the scope/session
        with django_assert_max_num_queries(12):
            status, body = api.get("/api/grid/events?limit=50")
        assert status == 200 and body["count"] == 6
    api.login(world.worker1)
    with django_assert_max_num_queries(12):
        status, body = api.get("/api/grid/proxy-filings?limit=50")
    assert status == 200 and body["count"] == 2
