"""Real Chromium against the live server: the command centre fills every chart from the API,
the feed shows journal entries, a click on a bar opens the records behind it, and nothing is
fetched from outside. Saves test-artifacts/screenshots/command-centre.png (like the other
browser tests; copy it to docs/img/ by hand when the page changes)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from django.db import transaction

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DOCS_SHOT = (
    Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots" / "command-centre.png"
)
PASSWORD = "Shenguan-demo-2026"


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
        reason = f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_centre_renders_every_chart_and_drills_down(browser, live_server, transactional_db):
    from shenguan.command.figures import FIGURES
    from shenguan.command.sample import seed
    from shenguan.core import journal
    from shenguan.core.factories import make_user

    seed(600, rng=random.Random(11), prefix="W", batch=300)
    for i in range(8):
        with transaction.atomic():
            journal.record(
                "approvals.application.accepted",
                object_type="approvals.application",
                object_id=str(i),
                object_repr=f"WSQ{i:08d}",
            )
    make_user("command_centre", staff=True, username="cc-browser", first_name="邓辉")

    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
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
    page.goto(live_server.url + "/command/")
    assert "/login/" in page.url
    page.fill("#id_username", "cc-browser")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/command/")

    page.wait_for_function(
        "n => document.querySelectorAll('.command-chart[data-rendered=\"1\"]').length === n",
        arg=len(FIGURES),
        timeout=30_000,
    )
    state = page.evaluate(
        """() => Object.entries(window.commandCharts).map(([name, chart]) => {
             const option = chart.getOption();
             const points = option.series.reduce((n, s) => n + (s.data || []).filter(
                 v => (Array.isArray(v) ? v[2] : (v && v.value !== undefined ? v.value : v)) > 0
             ).length, 0);
             return {name, series: option.series.length, points,
                     canvas: !!chart.getDom().querySelector('canvas')};
           })"""
    )
    assert {s["name"] for s in state} == set(FIGURES)
    for s in state:
        assert s["canvas"], s
        assert s["series"] >= 1 and s["points"] > 0, s

    page.wait_for_selector("#command-feed .list-group-item")
    assert "WSQ00000007" in page.inner_text("#command-feed")
    page.wait_for_timeout(500)  # let the chart animations settle for the picture
    DOCS_SHOT.parent.mkdir(parents=True, exist_ok=True)
    DOCS_SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SHOT), full_page=True)

    # a click in the middle of the credit tier "B" bar opens the parties of that tier
    x, y = page.evaluate(
        """() => {
             const chart = window.commandCharts.credit_tiers;
             const value = chart.getOption().series[0].data[1];
             return chart.convertToPixel({seriesIndex: 0}, [1, value / 2]);
           }"""
    )
    page.locator("#chart-credit_tiers").click(position={"x": x, "y": y})
    page.wait_for_url(lambda url: "/parties/" in url and url.endswith("credit_tier=B"))
    assert outside == []
    context.close()
