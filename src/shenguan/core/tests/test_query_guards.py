"""Query-count guards for every paginated list endpoint and list page (issue 7): the number of
SQL queries an API page or an HTML page costs must not grow with the number of rows on it — no
query per row.

Every GET operation of the OpenAPI document whose 200 response is a page (``items`` and
``count``) and whose path has no parameters is called on the permission matrix's world by an
administrator (who sees every row) with ``limit=1`` and with ``limit=100``; the larger page
must cost no more queries than the one-row page.

The matrix's world has one or two rows of most things; ``guard_world.py`` adds the rest (at
least three rows per list, tied to different squads, grids, parties, staff and items). A list
with fewer than two rows proves nothing about N+1, so it fails: a new list endpoint needs rows
in ``guard_world.py`` (or a query in ``QUERIES`` that shows them).

The HTML pages without URL parameters that show a ``?page=`` of rows are guarded the same way
(see ``LIST_PAGES`` below): each is opened with pages of one row and with its own page size."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shenguan.core.factories import make_user
from shenguan.portal import queries

from . import guard_world
from . import perm_rules as rules
from .test_permission_matrix import COMPONENTS, OPERATIONS, PAGES, _query, world  # noqa: F401


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


# query parameters a list needs to show rows at all (beyond the required ones)
QUERIES = {"/api/credit/public": {"q": guard_world.PUBLIC_QUERY}}


def _cost(client, path: str, query: dict, limit: int) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {**query, "limit": limit})
    body = response.json() if response.status_code == 200 else {}
    return response.status_code, len(ctx.captured_queries), len(body.get("items", []))


@pytest.fixture(scope="module")
def guard_rows(world, django_db_blocker, tmp_path_factory):  # noqa: F811
    """The permission matrix's world (imported above as a fixture) with the guards' rows on top
    (``guard_world.py``), built once for this module and rolled back with the world."""
    with django_db_blocker.unblock():
        return guard_world.build(world, tmp_path_factory.mktemp("guard_rows"))


pytestmark = pytest.mark.usefixtures("guard_rows")


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
    query.update(QUERIES.get(path, {}))
    status, _, _ = _cost(admin_client, path, query, 1)  # warm caches (scope, policies)
    assert status == 200, f"GET {path}: {status}"
    _, one, _ = _cost(admin_client, path, query, 1)
    _, many, rows = _cost(admin_client, path, query, 100)
    assert rows >= 2, (
        f"GET {path}: the world has {rows} row(s) here, too few to show N+1; "
        "give it rows in core/tests/guard_world.py"
    )
    assert many <= one, f"GET {path}: {one} queries for 1 row, {many} for {rows} rows"


def test_most_lists_are_guarded():
    assert len(LISTS) >= 30, LISTS


# --- HTML list pages ------------------------------------------------------------------------
# Every page without URL parameters whose view shows a ``?page=`` of rows (it builds its page
# through ``portal.queries.paginate``) is opened by a role that may see it, once with pages of
# one row and once with the page size it has; the page of many rows must cost no more queries.

# the role that opens each page: the first of these the matrix lets in (zone-wide roles first)
PAGE_ROLES = (
    rules.HEAD,
    rules.CMD,
    rules.LEGAL,
    rules.ENF,
    rules.CLERK,
    rules.OFFICER,
    rules.SUP,
    rules.GRID,
    rules.APPLICANT,
    rules.ANON,
)


def _page_role(name: str) -> str | None:
    rule, _args = rules.PAGES[name]
    for role in PAGE_ROLES:
        if rule.expect(role, "own").codes == frozenset({200}):
            return role
    return None


PLAIN_PAGES = sorted(
    name
    for name, route in PAGES
    if "<" not in route
    and name in rules.PAGES
    and rules.PAGES[name][0].mode == "read"
    and _page_role(name) is not None
)


@contextlib.contextmanager
def _paginators(per_page: int | None = None):
    """Record the pages ``portal.queries.paginate`` builds; with ``per_page``, of that size."""
    seen = []

    def probe(base):
        class Probe(base):
            def __init__(self, object_list, size, *args, **kwargs):
                super().__init__(object_list, per_page or size, *args, **kwargs)

            def page(self, number):
                found = super().page(number)
                seen.append(found)
                return found

        return Probe

    originals = queries.BoundedPaginator, queries.Paginator
    queries.BoundedPaginator, queries.Paginator = probe(originals[0]), probe(originals[1])
    try:
        yield seen
    finally:
        queries.BoundedPaginator, queries.Paginator = originals


def _page_client(world, name: str) -> Client:  # noqa: F811
    client = Client()
    role = _page_role(name)
    if role != rules.ANON:
        client.force_login(world.users[role])
    return client


# the pages that show a page of rows; ``test_every_list_page_is_guarded`` finds any other
LIST_PAGES = [
    "apply:catalogue",
    "apply:home",
    "approvals:review",
    "approvals:window",
    "enforcement:cases",
    "enforcement:legal_alerts",
    "enforcement:legal_guidance",
    "enforcement_publicity",
    "oversight:home",
    "portal:catalog",
    "portal:journal",
    "portal:parties",
    "verification:draws",
    "verification:inbox",
    "verification:tasks",
    "verification_public_draws",
]


def _page_cost(client, name: str, per_page: int | None) -> tuple[int, int, int]:
    with _paginators(per_page) as seen, CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name))
    return response.status_code, len(ctx.captured_queries), max((len(p) for p in seen), default=0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_list_page_costs_no_more_queries_than_one_row(world, name):  # noqa: F811
    client = _page_client(world, name)
    status, _, _ = _page_cost(client, name, 1)  # warm caches (scope, policies)
    assert status == 200, f"page {name}: {status}"
    _, one, _ = _page_cost(client, name, 1)
    _, many, rows = _page_cost(client, name, None)
    assert rows >= 2, (
        f"page {name}: the world shows {rows} row(s) here, too few to show N+1; "
        "give it rows in core/tests/guard_world.py"
    )
    assert many <= one, f"page {name}: {one} queries for 1 row, {many} for {rows} rows"


@pytest.mark.django_db
def test_every_list_page_is_guarded(world):  # noqa: F811
    """A page without URL parameters that builds a page of rows is in ``LIST_PAGES``."""
    lists = set()
    for name in PLAIN_PAGES:
        client = _page_client(world, name)
        with _paginators() as seen:
            status = client.get(reverse(name)).status_code
        assert status == 200, f"page {name} as {_page_role(name)}: {status}"
        if seen:
            lists.add(name)
    assert lists == set(LIST_PAGES)
