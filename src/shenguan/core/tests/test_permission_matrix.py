"""The permission matrix (issue 8 item 1): every role × every API endpoint and page × our own
side's object and the other side's (other squad, other grid, other applicant, other department)
→ the answer the scope rules promise: 200 to read what one may see, 404 for what lies outside
one's scope, 403 for what one sees but may not change, 401 (API) or the login page (pages) for
anonymous callers. The rows are in ``perm_rules.py``; an endpoint without a row fails
``test_every_api_endpoint_has_a_row`` / ``test_every_page_has_a_row``.

The world (``perm_world.py``) is built once per module inside a transaction rolled back at the
end; each case runs in its own savepoint, so a permitted POST changes nothing for the next."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shenguan.api import api

from . import perm_rules as rules
from . import perm_world

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA.get("components", {}).get("schemas", {})
METHODS = ("get", "post", "put", "patch", "delete")


def _operations():
    for path, ops in SCHEMA["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", op


OPERATIONS = dict(_operations())


def _pages():
    """(name, route) of every named page outside /admin/ and /api/."""
    out = []

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route in ("admin/", "api/"):
                    continue
                walk(p.url_patterns, prefix + route, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                out.append((ns + p.name, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return out


PAGES = _pages()


def _pending(path: str, prefixes) -> bool:
    return path.startswith(prefixes)


# --- completeness -------------------------------------------------------------------------


def test_every_api_endpoint_has_a_row():
    missing = [
        key
        for key in OPERATIONS
        if key not in rules.API and not _pending(key.split(" ", 1)[1], rules.PENDING_API_PREFIXES)
    ]
    assert not missing, "endpoints with no row in the matrix (perm_rules.API): " + ", ".join(
        missing
    )
    stale = [key for key in rules.API if key not in OPERATIONS]
    assert not stale, "rows for endpoints that no longer exist: " + ", ".join(stale)


def test_every_page_has_a_row():
    missing = [
        name
        for name, route in PAGES
        if name not in rules.PAGES
        and name not in rules.PAGES_WITHOUT_ROWS
        and not _pending("/" + route, rules.PENDING_PAGE_PREFIXES)
    ]
    assert not missing, "pages with no row in the matrix (perm_rules.PAGES): " + ", ".join(missing)
    names = {name for name, _ in PAGES}
    stale = [name for name in rules.PAGES if name not in names]
    assert not stale, "rows for pages that no longer exist: " + ", ".join(stale)


def test_openapi_schema_names_are_unique():
    """Two request/response schemas of the same class name share one OpenAPI component, so the
    document shows one of them for both endpoints and clients send the wrong body (the matrix
    builds its bodies from the document). Name schemas uniquely across apps."""
    from collections import defaultdict

    seen = defaultdict(set)
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                for model in getattr(op, "models", []) or []:
                    for f in model.model_fields.values():
                        t = f.annotation
                        if hasattr(t, "model_json_schema"):
                            seen[t.__name__].add(f"{t.__module__}.{t.__qualname__}")
    clashes = {name: sorted(v) for name, v in seen.items() if len(v) > 1}
    assert not clashes, f"schemas sharing an OpenAPI name: {clashes}"


# --- the world ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_uploads_outside_tmp():
    """The world's files live in the module's media directory (``world``), not per test."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import transaction
    from django.test import override_settings

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix") / "media")
    media.enable()
    traveller = time_machine.travel(perm_world.NOW, tick=False)
    traveller.start()
    try:
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                yield perm_world.build()
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
    finally:
        traveller.stop()
        media.disable()


def _client(world, role: str) -> tuple[Client, dict]:
    client = Client()
    headers = {}
    if role == rules.MACHINE:
        headers["Authorization"] = f"Bearer {world.token}"
    elif role != rules.ANON:
        client.force_login(world.users[role])
    return client, headers


# --- request bodies from the OpenAPI schema -----------------------------------------------


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def sample(schema: dict, depth: int = 0):
    """A value that passes the schema's shape (so that a denial, not a 422, is what answers)."""
    schema = _resolve(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s).get("type") != "null"]
            return sample(options[0], depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if "default" in schema and schema.get("default") not in ("", None):
        return schema["default"]
    if kind == "string":
        if fmt == "date":
            return perm_world.TODAY.isoformat()
        if fmt == "date-time":
            return perm_world.NOW.isoformat()
        if fmt == "binary":
            return "binary"
        text = "权限矩阵测试" * max(1, schema.get("minLength", 0))
        return text[: schema.get("maxLength", len(text))]
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "array":
        # one item at least, so that the service runs (an empty list may change nothing)
        n = max(schema.get("minItems", 0), 1)
        return [sample(schema.get("items", {}), depth + 1) for _ in range(n)]
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        # every field, optional ones too: an empty note is a 400 that would answer before
        # the permission check we are after
        return {k: sample(v, depth + 1) for k, v in props.items()}
    return "x"


def _params(world, path: str, rel: str, kind: str | None) -> dict:
    values = {}
    for name in [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]:
        name = name.split("}", 1)[0]
        if kind in ("missing", "missing_public") or name not in world.params:
            values[name] = "notification" if name == "kind" else "999999"
        else:
            own, other = world.params[name]
            values[name] = own if rel in ("own", "-") else other
    return values


def _fill(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _query(op: dict) -> dict:
    out = {"limit": 200}
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required"):
            out[p["name"]] = sample(p.get("schema", {}))
    return out


def _call_api(world, role: str, key: str, rel: str, kind: str | None):
    method, path = key.split(" ", 1)
    op = OPERATIONS[key]
    client, headers = _client(world, role)
    url = _fill(path, _params(world, path, rel, kind))
    if method == "GET":
        return client.get(url, _query(op), headers=headers)
    body = op.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        schema = _resolve(body["multipart/form-data"]["schema"])
        data = {}
        for name, prop in schema.get("properties", {}).items():
            prop = _resolve(prop)
            if prop.get("format") == "binary":
                f = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
                f.name = "matrix.pdf"
                data[name] = f
            else:  # every form field, as for JSON bodies
                value = sample(prop)
                data[name] = value if not isinstance(value, (dict, list)) else ""
        data.update(rules.BODIES.get(key, {}))
        assert method == "POST", "multipart bodies are posted"
        return client.post(url, data, headers=headers)
    payload = sample(body["application/json"]["schema"]) if "application/json" in body else {}
    if isinstance(payload, dict):
        payload.update(rules.BODIES.get(key, {}))
    return client.generic(
        method, url, json.dumps(payload), content_type="application/json", headers=headers
    )


# --- the API cases ------------------------------------------------------------------------


ONLY = os.environ.get("PERM_MATRIX_ONLY", "")  # a substring of the case id, while working on rows


def _api_cases():
    for key, _op in OPERATIONS.items():
        if ONLY and ONLY not in key:
            continue
        path = key.split(" ", 1)[1]
        if _pending(path, rules.PENDING_API_PREFIXES):
            for role in perm_world.ROLES:
                yield pytest.param(role, key, "-", id=f"{role}|{key}|pending")
            continue
        rule = rules.API.get(key)
        if rule is None:
            continue  # test_every_api_endpoint_has_a_row says so
        kind = _kind_of(path, rule)
        rels = ["-"] if kind is None else ["own", "other"]
        if kind in ("missing", "missing_public"):
            rels = ["missing"]
        for role in perm_world.ROLES:
            for rel in rels:
                yield pytest.param(role, key, rel, id=f"{role}|{key}|{rel}")


def _kind_of(path: str, rule: rules.Rule) -> str | None:
    if rule.kind is not None:
        return rule.kind
    names = [seg[1:].split("}", 1)[0] for seg in path.split("/") if seg.startswith("{")]
    for name in reversed(names):
        if name in rules.PARAM_KINDS:
            return rules.PARAM_KINDS[name]
    return None


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _json(response, content: bytes | None = None):
    content = _content(response) if content is None else content
    if content and response.get("Content-Type", "").startswith(
        ("application/json", "application/problem")
    ):
        return json.loads(content)
    return None


def _ids(body) -> set:
    items = body.get("items", []) if isinstance(body, dict) else body
    return {row.get("id") for row in items if isinstance(row, dict)}


@pytest.mark.parametrize(("role", "key", "rel"), list(_api_cases()))
def test_api(world, role, key, rel):
    path = key.split(" ", 1)[1]
    if rel == "-" and _pending(path, rules.PENDING_API_PREFIXES):
        response = _call_api(world, role, key, "own", None)
        status = response.status_code
        assert status < 500, f"{role} {key}: {status}"
        if role == rules.ANON:
            assert status == 401, f"anonymous {key}: {status}"
        if role == rules.APPLICANT:
            # a read: refused or an empty list; a change: refused (an input check may answer
            # first, 400/422 — nothing is changed either way)
            want = rules.SCOPED_EMPTY if key.startswith("GET ") else rules.CREATE_DENIED
            assert want.check(status, _json(response)), f"applicant {key}: {status}"
        return
    rule = rules.API[key]
    kind = _kind_of(path, rule)
    # a collection rule: the relation is about nothing; "read(kind)" for a child list
    expect = rule.expect(role, "own" if rel in ("-", "missing") else rel)
    if rel != "-" and rule.kind is None:
        expect = rules.Rule(
            kind=kind, mode=rule.mode, roles=rule.roles, public=rule.public, extra=rule.extra
        ).expect(role, rel)
    response = _call_api(world, role, key, rel, kind)
    status = response.status_code
    raw = _content(response)
    detail = raw[:300].decode("utf-8", "replace")
    body = _json(response, raw)
    assert expect.check(status, body), (
        f"{role} {key} [{rel}]: got {status}, want {expect}: {detail}"
    )
    if rule.list_kind and status == 200:
        ids = _ids(body)
        own, other = world.params[f"{rule.list_kind}_id"]
        if not rules._sees(rule.list_kind, role, "other"):
            assert other not in ids, f"{role} {key}: lists the other side's {rule.list_kind}"
        if rules._sees(rule.list_kind, role, "own"):
            assert own in ids, f"{role} {key}: does not list its own {rule.list_kind}"


# --- the page cases -----------------------------------------------------------------------


def _page_cases():
    for name, route in PAGES:
        if ONLY and ONLY not in name:
            continue
        if _pending("/" + route, rules.PENDING_PAGE_PREFIXES):
            for role in perm_world.ROLES:
                yield pytest.param(role, name, "-", id=f"{role}|page {name}|pending")
            continue
        if name not in rules.PAGES:
            continue
        rule, args = rules.PAGES[name]
        rels = ["-"] if rule.kind is None else ["own", "other"]
        if rule.kind in ("missing", "missing_public"):
            rels = ["missing"]
        for role in perm_world.ROLES:
            for rel in rels:
                yield pytest.param(role, name, rel, id=f"{role}|page {name}|{rel}")


def _page_url(world, name: str, rel: str) -> str:
    if name not in rules.PAGES:  # a pending app's page: any id (none exists)
        route = dict(PAGES)[name]
        return reverse(
            name,
            kwargs={
                arg: (999_999 if conv in ("int", "") else "x")
                for conv, arg in re.findall(r"<(?:(\w+):)?(\w+)>", route)
            },
        )
    _rule, args = rules.PAGES[name]
    kwargs = {}
    for arg, source in args.items():
        if source.startswith("="):
            kwargs[arg] = source[1:]
        else:
            own, other = world.params[source]
            kwargs[arg] = own if rel in ("own", "-") else other
    return reverse(name, kwargs=kwargs)


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(("role", "name", "rel"), list(_page_cases()))
def test_page(world, role, name, rel):
    client, headers = _client(world, role)
    # a machine client sends its API token to a page: a token is no login for pages
    if name not in rules.PAGES:  # pending app page
        response = client.get(_page_url(world, name, rel), headers=headers)
        status = response.status_code
        assert status < 500
        # 405: a POST-only URL answers a GET so before any login check; it shows nothing
        if role in (rules.ANON, rules.MACHINE):
            assert _login_redirect(response) or status == 405, f"{role} page {name}: {status}"
        if role == rules.APPLICANT:
            assert status in (403, 404, 405), f"applicant page {name}: {status}"
        return
    rule, _args = rules.PAGES[name]
    url = _page_url(world, name, rel)
    if rule.mode == "act":
        response = client.post(url, {}, headers=headers)
    else:
        response = client.get(url, headers=headers)
    status = response.status_code
    as_role = rules.ANON if role == rules.MACHINE else role
    expect = rule.expect(as_role, "own" if rel in ("-", "missing") else rel)
    if expect == rules.UNAUTH:
        assert _login_redirect(response), f"{role} page {name}: {status}, want the login page"
        return
    if rule.mode == "read" and expect.codes == frozenset({200}) and status == 302:
        pytest.fail(f"{role} page {name} [{rel}]: redirected to {response['Location']}")
    assert expect.check(status), f"{role} page {name} [{rel}]: got {status}, want {expect}"


def test_the_matrix_is_big_enough():
    """Guards against a change that silently drops rows (e.g. a broken schema walk)."""
    assert len(OPERATIONS) >= 180 and len(PAGES) >= 60
