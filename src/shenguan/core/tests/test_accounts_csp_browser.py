"""The Content-Security-Policy does not break the main pages: no violation reported in a real
browser (headless Chromium) on the pages of the main roles."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/catalog/", "/org/", "/parties/", "/approvals/window/", "/journal/", "/apply/"]


def test_main_pages_raise_no_csp_violation(live_server, make_user):
    from playwright.sync_api import sync_playwright

    from shenguan.approvals.factories import ensure_route_policy

    ensure_route_policy()
    make_user("window_clerk", "bureau_head", staff=True, username="csp_clerk")
    violations = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(live_server.url + "/login/")
        page.fill("input[name=username]", "csp_clerk")
        page.fill("input[name=password]", "Shenguan-demo-2026")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for path in PAGES:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status < 500, path
            assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
            page.wait_for_load_state("networkidle")
        browser.close()
    assert not violations, violations
