"""The supervision feed in real Chromium against the live test server: a department
supervisor watches the feed, a new approval act appears by itself (htmx poll with the
``after`` cursor), and they raise an objection from it, which lands in the head's inbox.
Screenshots: test-artifacts/screenshots/supervision-*.png."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from shenguan.approvals import services as approval_services
from shenguan.supervision.models import Objection

from .conftest import Zone

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _session(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_feed_updates_itself_and_objection_reaches_the_head(
    browser, live_server, transactional_db, make_user
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 0, tzinfo=CHINA), tick=True):
        zone = Zone(make_user)
        first = zone.application(zone.food)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        _session(context, live_server, zone.sup_market)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/supervision/")
        page.get_by_text(first.number).first.wait_for()
        before = page.locator("[data-act]").count()
        # A new act in the department's domain, and one outside it.
        second = zone.application(zone.food, accept=False)
        approval_services.accept(second.pk, user=zone.clerk)
        zone.application(zone.building)
        page.locator(f"#feed-list >> text={second.number}").first.wait_for(timeout=15_000)
        assert page.locator("[data-act]").count() > before
        first_row = page.locator("[data-act]").first
        assert second.number in first_row.inner_text()
        page.screenshot(path=str(SHOTS / "supervision-feed.png"), full_page=True)
        first_row.get_by_text("提出异议").click()
        page.fill("#o-grounds", "受理时缺少要件材料")
        page.fill("#o-basis", "行政许可法第三十二条")
        page.select_option("#o-req", "reconsider")
        page.get_by_role("button", name="提交异议并转局领导").click()
        page.wait_for_url("**/supervision/objections/*/")
        page.screenshot(path=str(SHOTS / "supervision-objection.png"), full_page=True)
        obj = Objection.objects.get()
        assert obj.application_id == second.pk and obj.act_seq is not None
        assert obj.status == "routed"
        context.close()
        head_context = browser.new_context(locale="zh-CN")
        _session(head_context, live_server, zone.head)
        head_page = head_context.new_page()
        head_page.goto(f"{live_server.url}/supervision/objections/?status=open")
        head_page.locator(f'[data-objection="{obj.pk}"]').wait_for()
        head_context.close()
