"""Query-count guards for every paginated list endpoint (issue 7): the number of SQL queries an
API page costs must not grow with the number of rows on it — no query per row.

Every GET operation of the OpenAPI document whose 200 response is a page (``items`` and
``count``) and whose path has no parameters is called on the permission matrix's world by an
administrator (who sees every row) with ``limit=1`` and with ``limit=100``; the larger page
must cost no more queries than the one-row page. A list with fewer than two rows in the world
proves nothing about N+1 and is skipped, saying so; a test checks that most lists are proved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shenguan.core.factories import make_user

from .test_permission_matrix import COMPONENTS, OPERATIONS, _query, world  # noqa: F401


def _is_page(op: dict) -> bool:
    responses = op.get("responses", {})
    ok = responses.get(200) or responses.get("200") or {}
    schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return {"items", "count"} <= set(schema.get("properties", {}))


LISTS = sorted(
    key.split(" ", 1)[1]
    for key, op in OPERATIONS.items()
    if key.startswith("GET ") and "{" not in key and _is_page(op)
)


def _cost(client, path: str, query: dict, limit: int) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {**query, "limit": limit})
    body = response.json() if response.status_code == 200 else {}
    return response.status_code, len(ctx.captured_queries), len(body.get("items", []))


# the permission matrix's world, built once for this module (imported above as a fixture)
pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def admin_client(client):
    user = make_user("administrator", staff=True, username="guard_admin")
    user.is_superuser = True
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
def test_a_page_costs_no_more_queries_than_one_row(admin_client, path):
    query = {k: v for k, v in _query(OPERATIONS[f"GET {path}"]).items() if k != "limit"}
    status, _, _ = _cost(admin_client, path, query, 1)  # warm caches (scope, policies)
    assert status == 200, f"GET {path}: {status}"
    _, one, _ = _cost(admin_client, path, query, 1)
    _, many, rows = _cost(admin_client, path, query, 100)
    if rows < 2:
        pytest.skip(f"{path}: the world has {rows} row(s) here, too few to show N+1")
    assert many <= one, f"GET {path}: {one} queries for 1 row, {many} for {rows} rows"


def test_most_lists_are_guarded():
    assert len(LISTS) >= 30, LISTS
