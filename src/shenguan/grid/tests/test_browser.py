"""The grid pages in real Chromium (Debian's, through Playwright) at a phone's 390×844
viewport, against the live test server: the grid worker reports a hazard with a photo from the
file input and the phone's location; the environmental squad's officer (found through the
power list) closes it with a report; the worker confirms with a rating. Nothing is fetched
from outside the server and no page scrolls sideways. Screenshots:
test-artifacts/screenshots/grid-*.png."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
import time_machine

from shenguan.grid.models import GridEvent

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
PASSWORD = "Shenguan-demo-2026"
CHINA = dt.timezone(dt.timedelta(hours=8))
PHONE = {"width": 390, "height": 844}


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


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


def phone(browser, live_server, username: str):
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 30.508, "longitude": 114.64},
        permissions=["geolocation"],
    )
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(live_server.url) or r.url.startswith("data:")
            else outside.append(r.url)
        ),
    )
    page.goto(live_server.url + "/grid/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/grid/")
    return context, page, outside


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"grid-{name}.png"), full_page=True)


def test_report_close_confirm_on_phones(browser, live_server, transactional_db):
    traveller = time_machine.travel(dt.datetime(2026, 9, 29, 9, 0, tzinfo=CHINA), tick=True)
    traveller.start()
    try:
        from shenguan.grid.factories import build_world

        world = build_world()
        photo = _png()

        ctx, page, outside1 = phone(browser, live_server, world.worker1.username)
        page.get_by_role("link", name="上报事件").first.click()
        page.wait_for_selector("#report-form")
        page.select_option("#category", "hazard")
        page.fill("#title", "河沟有企业偷排废水")
        page.fill("#description", "沟内水体发黑、有异味")
        page.fill("#place", "葛店村三组河沟")
        page.click("#locate")
        page.wait_for_function("() => document.getElementById('latitude').value !== ''")
        files = page.locator("#photos")
        assert files.get_attribute("accept") == "image/*"
        assert files.get_attribute("capture") == "environment"
        files.set_input_files({"name": "河沟.png", "mimeType": "image/png", "buffer": photo})
        assert no_sideways_scroll(page)
        shot(page, "report")
        page.get_by_role("button", name="上报", exact=True).click()
        page.wait_for_selector("[data-receiver]")
        assert world.eco_squad.name in page.locator("[data-receiver]").inner_text()
        shot(page, "reported")
        ctx.close()
        event = GridEvent.objects.get()
        assert float(event.latitude) == pytest.approx(30.508)
        assert event.photos.get().sha256 == hashlib.sha256(photo).hexdigest()

        ctx, page, outside2 = phone(browser, live_server, world.eco_inspector.username)
        card = page.locator(f'[data-event="{event.number}"]')
        assert card.is_visible()
        card.click()
        page.fill('#close-form textarea[name="report"]', "已责令停止排放，立案调查")
        page.locator("#close-form").get_by_role("button", name="办结").click()
        page.wait_for_selector("[data-closure]")
        assert no_sideways_scroll(page)
        shot(page, "closed")
        ctx.close()

        ctx, page, outside3 = phone(browser, live_server, world.worker1.username)
        page.locator(f'[data-event="{event.number}"]').click()
        page.locator('label[for="rating4"]').click()
        page.fill('#confirm-form input[name="comment"]', "处理及时")
        page.locator("#confirm-form").get_by_role("button", name="确认").click()
        page.wait_for_selector(".alert-success")
        shot(page, "confirmed")
        ctx.close()
        event.refresh_from_db()
        assert event.status == "confirmed" and event.rating == 4
        assert outside1 == outside2 == outside3 == []
    finally:
        traveller.stop()
