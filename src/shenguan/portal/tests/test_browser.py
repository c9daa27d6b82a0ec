"""Real Chromium (Debian's) through Playwright against the live test server: the pages render
in Chinese and, after the switch, in English; htmx filters in place; without JavaScript every
link is still reachable; nothing is fetched from outside. Screenshots go to
test-artifacts/screenshots/ (gitignored) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    refuse ORM calls from it (set-up data, teardown flush). Nothing async touches the ORM here:
    the live server answers from its own thread."""
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
        reason = f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


def _watch_requests(page, origin: str) -> list[str]:
    """Every URL the page requests that is not our own server (must stay empty: no CDN)."""
    outside: list[str] = []

    def check(request):
        url = request.url
        if not (url.startswith(origin) or url.startswith("data:")):
            outside.append(url)

    page.on("request", check)
    return outside


def test_home_and_power_list_in_chinese_then_english(
    browser, live_server, transactional_db, catalog, shot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    outside = _watch_requests(page, live_server.url)

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "审管" in page.locator("h1").first.inner_text()
    assert page.locator('[data-stat="powers"]').inner_text().strip() == "3"
    shot(page, "home-zh")

    page.goto(live_server.url + "/catalog/")
    assert page.locator("h1").inner_text().strip() == "权力清单"
    assert page.get_by_text("食品经营许可", exact=True).is_visible()
    assert page.locator('[data-value="controlled"]').first.inner_text() == "控制类"
    # Tabler's stylesheet is applied (served by us): the navbar is laid out as a flex row
    assert page.locator("header.navbar").evaluate("e => getComputedStyle(e).display") == "flex"
    shot(page, "catalog-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().strip() == "Power list"
    assert page.locator('[data-value="controlled"]').first.inner_text() == "Controlled"
    assert page.url.endswith("/catalog/")
    shot(page, "catalog-en")

    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Staff login").is_visible()
    shot(page, "home-en")

    page.goto(live_server.url + "/catalog/" + catalog["licence"].code + "/")
    assert page.get_by_text("Application materials").is_visible()
    shot(page, "power-detail-en")

    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_text("申请材料", exact=True).is_visible()
    shot(page, "power-detail-zh")
    assert outside == []
    context.close()


def test_htmx_filters_the_power_list_in_place(browser, live_server, transactional_db, catalog):
    page = browser.new_page(locale="zh-CN")
    page.goto(live_server.url + "/catalog/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__sgMarker = 1; }")
    page.select_option("#id_kind", "penalty")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/catalog/?*kind=penalty*")
    page.wait_for_function(
        "() => !document.querySelector('#results').innerText.includes('个体工商户登记')"
    )
    assert page.get_by_text("对未取得食品经营许可从事食品经营的处罚").is_visible()
    # the page was not reloaded: the marker set before the filter is still there
    assert page.evaluate("() => window.__sgMarker") == 1
    page.close()


def test_pages_work_without_javascript(browser, live_server, transactional_db, catalog, shot):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(live_server.url + "/catalog/")
    # on a phone-sized screen without JavaScript the menu is open and its links reachable
    assert page.get_by_role("link", name="权力清单").first.is_visible()
    page.select_option("#id_kind", "penalty")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert "kind=penalty" in page.url
    assert page.get_by_text("对未取得食品经营许可从事食品经营的处罚").is_visible()
    assert not page.get_by_text("个体工商户登记").is_visible()
    shot(page, "catalog-phone-nojs")
    context.close()


def test_staff_login_and_dashboard(
    browser, live_server, transactional_db, make_user, parties, shot
):
    make_user("grid_worker", "command_centre", username="browser1", first_name="赵指挥")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/parties/")
    assert "/login/" in page.url  # staff pages ask for a login first
    page.fill("#id_username", "browser1")
    page.fill("#id_password", "wrong-password-1")
    page.get_by_role("button", name="登录").last.click()
    assert page.locator(".alert-danger").is_visible()
    shot(page, "login-error")
    page.fill("#id_password", "Shenguan-demo-2026")
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/parties/")
    assert page.get_by_text(parties["other_grid"].name).is_visible()
    shot(page, "parties-command-centre")
    page.goto(live_server.url + "/")
    assert page.locator('[data-role="command_centre"]').is_visible()
    assert page.locator('[data-role="grid_worker"]').is_visible()
    shot(page, "dashboard")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    context.close()
