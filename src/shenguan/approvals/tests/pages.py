"""Helpers of the page tests (test_pages_*.py): dates of the 2026 calendar counted by hand,
and short ways to post a form and read a page. Set-up data goes through the services."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shenguan.approvals import factories, services

# Tuesday before the Spring Festival (15–23 February off; Saturdays 14 and 28 February are
# make-up working days).
DAY = dt.date(2026, 2, 10)
NOTICE_DEADLINE = dt.date(2026, 2, 24)  # 5 working days: 11, 12, 13, 14*, 24
PROMISED_DUE = dt.date(2026, 3, 2)  # 10 working days: … 24, 25, 26, 27, 28*, 2 Mar
STATUTORY_DUE = dt.date(2026, 3, 16)  # 20 working days
WARN_ON = dt.date(2026, 2, 27)  # 8 of 10 working days


def text(response) -> str:
    return response.content.decode()


def field_error(response, field: str) -> str:
    """The message shown under ``field`` (data-field-error), or '' if none."""
    match = re.search(
        rf'data-field-error="{re.escape(field)}">(.*?)</div>', text(response), flags=re.S
    )
    return match.group(1).strip() if match else ""


def form_error(response) -> str:
    match = re.search(r"data-form-error>(.*?)</div>\s*</div>", text(response), flags=re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def action_error(response) -> str:
    """The summary of a refused action at the top of the page."""
    match = re.search(
        r'data-testid="action-error">(.*?)</div>\s*(?:<div class|$)', text(response), flags=re.S
    )
    if not match:
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def submitted(flow, materials=None):
    """A new online application with ``materials`` (default all) uploaded, submitted."""
    flow.create()
    flow.provide(materials)
    flow.submit()
    return flow.refresh()


def accepted(flow):
    submitted(flow)
    flow.accept()
    return flow.refresh()


def second_application(item, clerk):
    """Another applicant's application of the same item, submitted."""
    user, party = factories.applicant_user()
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    return app, user, party
