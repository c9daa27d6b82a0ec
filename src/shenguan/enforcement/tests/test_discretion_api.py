"""/api/enforcement/discretion/: published lists (art 34), details with rows, calculation for
enforcement staff only, problem documents, constant query counts."""

from __future__ import annotations

import pytest

from shenguan.enforcement.discretion import testing
from shenguan.enforcement.discretion.calculator import calculate
from shenguan.enforcement.discretion.choices import RowKind
from shenguan.enforcement.discretion.models import Benchmark, NoPenaltyRule
from shenguan.enforcement.discretion.services import find_benchmark

pytestmark = pytest.mark.django_db
guangdong = testing.guangdong  # the real table, imported once for this module

BASE = "/api/enforcement/discretion"


def test_benchmarks_are_published_to_anyone(guangdong, api):
    status, body = api.get(f"{BASE}/benchmarks?limit=5")
    assert status == 200
    assert body["count"] == 281
    first = body["items"][0]
    assert first["code"] == "§1.1" and first["model"] == "percentage_weight"
    assert first["table"] == {
        "id": guangdong.table.pk,
        "name": guangdong.table.name,
        "version": guangdong.table.version,
    }


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("model=fine_band", lambda b: b["model"] == "fine_band"),
        ("model=percentage_weight", lambda b: b["model"] == "percentage_weight"),
        ("chapter=环评类", lambda b: b["code"].startswith("§1.")),
        ("q=危险废物", lambda b: True),
        ("code=§8.17", lambda b: b["code"] == "§8.17"),
    ],
)
def test_benchmarks_can_be_filtered(guangdong, api, query, check):
    status, body = api.get(f"{BASE}/benchmarks?limit=300&{query}")
    assert status == 200 and body["count"] > 0
    assert body["count"] < 281
    assert all(check(b) for b in body["items"])


def test_search_matches_the_expected_benchmarks(guangdong, api):
    expected = Benchmark.objects.filter(
        table=guangdong.table, violation__contains="危险废物"
    ).values_list("code", flat=True)
    _, body = api.get(f"{BASE}/benchmarks?limit=300&q=危险废物")
    assert set(expected) <= {b["code"] for b in body["items"]}


def test_benchmarks_by_table_and_by_name_on_a_day(guangdong, api):
    _, by_id = api.get(f"{BASE}/benchmarks?table={guangdong.table.pk}&limit=1")
    _, by_name = api.get(f"{BASE}/benchmarks?table_name={guangdong.table.name}&on=2023-01-01")
    assert by_id["count"] == by_name["count"] == 281
    status, body = api.get(f"{BASE}/benchmarks?table_name={guangdong.table.name}&on=2021-12-31")
    assert status == 404  # not yet in force
    _, before = api.get(f"{BASE}/benchmarks?on=2021-06-01")
    assert before["count"] == 0


def test_list_endpoints_use_a_constant_number_of_queries(
    guangdong, api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        status, body = api.get(f"{BASE}/benchmarks?limit=300")
    assert status == 200 and len(body["items"]) == 281
    with django_assert_max_num_queries(4):
        status, body = api.get(f"{BASE}/tables")
    assert status == 200 and body["count"] >= 1
    with django_assert_max_num_queries(4):
        status, body = api.get(f"{BASE}/no-penalty-rules?limit=100")
    assert status == 200 and body["count"] == 20


def test_a_benchmark_detail_has_its_rows_and_rules(guangdong, api, django_assert_max_num_queries):
    bench = find_benchmark(guangdong.table, "§1.3")
    with django_assert_max_num_queries(5):
        status, body = api.get(f"{BASE}/benchmarks/{bench.pk}")
    assert status == 200
    entry = guangdong.entries[bench.position - 1]
    assert [r["cells"] for r in body["rows"]] == entry["table_rows"]
    assert body["penalty_basis"] == entry["penalty_basis"]
    assert [r["seq"] for r in body["no_penalty_rules"]] == [1]
    assert body["fine_columns"][0]["limits"]["source"] == "statute"
    assert api.get(f"{BASE}/benchmarks/987654")[0] == 404


def test_a_table_detail_lists_its_no_penalty_rules(guangdong, api):
    status, body = api.get(f"{BASE}/tables/{guangdong.table.pk}")
    assert status == 200
    assert body["benchmarks"] == 281
    assert [r["seq"] for r in body["no_penalty_rules"]] == list(range(1, 21))
    assert body["issuing_document"] == "粤环发〔2021〕7号"


def _fine_band_payload(guangdong):
    bench = find_benchmark(guangdong.table, "§8.35")
    row = bench.rows.filter(kind=RowKind.BAND).order_by("position")[2]
    return bench, row, {"rows": [row.pk], "aggravating": ["拒不改正"]}


def test_calculation_is_for_enforcement_staff(guangdong, api, make_user):
    bench, _, payload = _fine_band_payload(guangdong)
    url = f"{BASE}/benchmarks/{bench.pk}/calculate"
    status, body = api.post(url, payload)
    assert status == 401
    status, body = api.login(make_user("applicant")).post(url, payload)
    assert status == 403 and body["status"] == 403
    status, _ = api.login(make_user("window_clerk", staff=True)).post(url, payload)
    assert status == 403
    for role in ("enforcement_officer", "legal_reviewer", "bureau_head", "command_centre"):
        status, _ = api.login(make_user(role, staff=True)).post(url, payload)
        assert status == 200, role


def test_the_api_returns_the_calculators_result(guangdong, api, make_user):
    bench, row, payload = _fine_band_payload(guangdong)
    api.login(make_user("enforcement_officer", staff=True))
    status, body = api.post(f"{BASE}/benchmarks/{bench.pk}/calculate", payload)
    assert status == 200
    assert body == calculate(bench, rows=[row.pk], aggravating=["拒不改正"]).to_dict()
    assert body["rows"][0]["id"] == row.pk and body["band_move"] == 1


def test_calculation_by_table_name_and_code(guangdong, api, make_user):
    api.login(make_user("legal_reviewer", staff=True))
    bench = find_benchmark(guangdong.table, "§1.1")
    factors = {}
    for row in bench.rows.filter(kind=RowKind.FACTOR).order_by("position"):
        factors.setdefault(row.factor, row.position)
    status, body = api.post(
        f"{BASE}/calculate",
        {
            "table_name": guangdong.table.name,
            "code": "§1.1",
            "positions": list(factors.values()),
            "base_amount": "20000000",
        },
    )
    assert status == 200, body
    assert body["benchmark"]["id"] == bench.pk
    assert body["amount"] == body["amount_computed"]  # 20 % × 5 % of 20,000,000 = the legal minimum
    assert body["amount"] == "200000"


def test_calculation_errors_are_problem_documents(guangdong, api, make_user):
    api.login(make_user("enforcement_officer", staff=True))
    response = api.client.post(
        f"{BASE}/calculate",
        data={"table": guangdong.table.pk, "code": "§8.17", "positions": [1]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("ambiguous_code")
    bench = find_benchmark(guangdong.table, "§2.5.1")
    status, body = api.post(f"{BASE}/benchmarks/{bench.pk}/calculate", {"positions": [2]})
    assert status == 400 and body["type"].endswith("factor_missing")
    status, body = api.post(f"{BASE}/calculate", {"code": "§1.1"})
    assert status == 400


def test_no_penalty_rules_list_by_table(guangdong, api):
    status, body = api.get(f"{BASE}/no-penalty-rules?table={guangdong.table.pk}&limit=100")
    assert status == 200 and body["count"] == 20
    linked = {r["seq"]: r["benchmark_codes"] for r in body["items"]}
    rule = NoPenaltyRule.objects.get(table=guangdong.table, seq=11)
    assert linked[11] == list(rule.benchmarks.order_by("position").values_list("code", flat=True))
