"""The phone pages: report with a photo, the receiver's inbox and closure, the worker's
confirmation, scopes, and 代办."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenguan.core.permissions import Role
from shenguan.grid import services
from shenguan.grid.factories import JPEG, PNG
from shenguan.grid.models import GridEvent, ProxyFiling

pytestmark = pytest.mark.django_db
TUESDAY = dt.date(2026, 9, 29)


def test_report_close_confirm_pages(client, world, travel):
    travel(TUESDAY)
    client.force_login(world.worker1)
    page = client.get(reverse("grid:report"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'accept="image/*" capture="environment"' in html and 'id="locate"' in html
    r = client.post(
        reverse("grid:report"),
        {
            "grid_id": world.grid1.pk,
            "category": "unlicensed_operation",
            "title": "无证经营烧烤",
            "place": "高新社区北门",
            "latitude": "30.515",
            "longitude": "114.655",
            "photos": [SimpleUploadedFile("a.jpg", JPEG)],
        },
    )
    event = GridEvent.objects.get()
    assert r.status_code == 302 and r["Location"] == event.get_absolute_url()
    assert event.assigned_section_id == world.squad1.pk and event.photos.count() == 1
    home = client.get(reverse("grid:home")).content.decode()
    assert event.number in home

    client.force_login(world.inspector1)
    inbox = client.get(reverse("grid:home") + "?box=inbox").content.decode()
    assert event.number in inbox
    detail = client.get(event.get_absolute_url()).content.decode()
    assert 'id="close-form"' in detail and 'id="confirm-form"' not in detail
    r = client.post(
        event.get_absolute_url(),
        {"action": "close", "report": "已取缔", "photos": [SimpleUploadedFile("b.png", PNG)]},
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.status == "closed" and event.photos.count() == 2

    client.force_login(world.worker1)
    detail = client.get(event.get_absolute_url()).content.decode()
    assert 'id="confirm-form"' in detail and "已取缔" in detail
    client.post(event.get_absolute_url(), {"action": "confirm", "rating": "4", "comment": "好"})
    event.refresh_from_db()
    assert event.status == "confirmed" and event.rating == 4
    photo = event.photos.first()
    assert client.get(reverse("grid:photo", args=[photo.pk])).status_code == 200


def test_refused_action_shows_message_and_changes_nothing(client, world, travel):
    travel(TUESDAY)
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="hazard",
        title="井盖缺失",
        place="路口",
        user=world.worker1,
    )
    client.force_login(world.worker1)
    r = client.post(event.get_absolute_url(), {"action": "close", "report": "x"}, follow=True)
    assert r.status_code == 200
    event.refresh_from_db()
    assert event.status == "routed"
    bad = client.post(
        reverse("grid:report"),
        {
            "grid_id": world.grid1.pk,
            "category": "hazard",
            "title": "t",
            "place": "p",
            "photos": [SimpleUploadedFile("a.jpg", b"not an image at all")],
        },
    )
    assert bad.status_code == 200 and GridEvent.objects.count() == 1


def test_page_scopes(client, world, make_user, travel):
    travel(TUESDAY)
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="hazard",
        title="井盖缺失",
        place="路口",
        photos=[(PNG, "p.png")],
        user=world.worker1,
    )
    photo = event.photos.get()
    client.force_login(world.worker2)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("grid:photo", args=[photo.pk])).status_code == 404
    assert event.number not in client.get(reverse("grid:home")).content.decode()
    applicant = make_user(Role.APPLICANT, username="gw_app2")
    client.force_login(applicant)
    assert client.get(reverse("grid:home")).status_code == 404
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("grid:report")).status_code == 404
    client.force_login(world.command)
    assert event.number in client.get(reverse("grid:home") + "?box=all").content.decode()


def test_command_centre_dispatches_by_hand(client, world, travel):
    travel(TUESDAY)
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="help_request",
        title="独居老人求助",
        place="葛店村",
        user=world.worker1,
    )
    client.force_login(world.command)
    detail = client.get(event.get_absolute_url()).content.decode()
    assert 'id="dispatch-form"' in detail
    client.post(
        event.get_absolute_url(),
        {"action": "dispatch", "section_id": world.squad1.pk, "limit_days": "2"},
    )
    event.refresh_from_db()
    assert event.status == "routed" and event.assigned_section_id == world.squad1.pk
    assert event.due_on == dt.date(2026, 10, 8)  # two working days over National Day


def test_proxy_page(client, world, travel):
    from shenguan.approvals.factories import PowerVersionFactory, ensure_route_policy

    travel(TUESDAY)
    ensure_route_policy()
    power = PowerVersionFactory(effective_from=dt.date(2020, 1, 1)).power
    client.force_login(world.worker1)
    page = client.get(reverse("grid:proxy")).content.decode()
    assert world.resident1.name in page and world.party2.name not in page
    r = client.post(
        reverse("grid:proxy"),
        {"party_id": world.resident1.pk, "power_id": power.pk, "consent_note": "口头委托"},
    )
    assert r.status_code == 302
    filing = ProxyFiling.objects.get()
    assert filing.application.channel == "agent"
    assert filing.application.number in client.get(reverse("grid:proxy")).content.decode()


def test_home_page_queries_do_not_grow_with_events(client, world, travel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    travel(TUESDAY)

    def report(n):
        for i in range(n):
            services.report_event(
                grid_id=world.grid1.pk,
                category=["hazard", "unlicensed_operation", "complaint"][i % 3],
                title=f"事件{i}",
                place="路口",
                user=world.worker1,
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("grid:home") + "?box=all").status_code == 200
        return len(ctx)

    client.force_login(world.command)
    report(2)
    client.get(reverse("grid:home"))
    few = count()
    report(12)
    assert count() == few
