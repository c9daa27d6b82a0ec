import datetime as dt

import pytest
from django.utils import timezone

from shenguan.catalog import services
from shenguan.catalog.factories import make_power
from shenguan.org.factories import DepartmentFactory, PostFactory, SectionFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - dt.timedelta(days=365)


@pytest.fixture
def catalogue():
    bureau = DepartmentFactory(name="行政审批局", kind="approval_bureau")
    enforcement = DepartmentFactory(name="综合执法局", kind="enforcement_bureau")
    section = SectionFactory(department=bureau, name="市场准入科")
    holder = StaffFactory(section=section, name="张三")
    backup = StaffFactory(section=section, name="李四")
    post = PostFactory(section=section, name="食品许可岗", holder=holder, backup=backup)
    food = make_power(
        code="FOOD-1",
        department=bureau,
        section=section,
        name="食品经营许可",
        approval_class="cautious",
        statutory_limit_days=20,
        promised_limit_days=5,
        materials=[{"name": "申请书"}, {"name": "平面图", "essential": False, "deferrable": True}],
        duties=[{"stage": "intake", "stage_label": "受理阶段责任", "text": "一次性告知"}],
        effective_from=LAST_YEAR,
    )
    services.revise_power(
        food.pk,
        changes={"name": "食品经营许可（新）"},
        effective_from=TODAY - dt.timedelta(days=10),
    )
    services.assign_responsibility(food.pk, section_id=section.pk, post_id=post.pk)
    make_power(
        code="FIRE-1",
        kind="penalty",
        department=enforcement,
        name="消防处罚",
        effective_from=LAST_YEAR,
    )
    make_power(
        code="PERMIT-2",
        department=bureau,
        name="排污许可",
        approval_class="controlled",
        effective_from=LAST_YEAR,
    )
    make_power(
        code="LATER-1",
        department=bureau,
        name="明年才生效",
        effective_from=TODAY + dt.timedelta(days=30),
    )
    return {"bureau": bureau, "enforcement": enforcement, "section": section, "post": post}


def test_anyone_may_read_the_power_list(api, catalogue):
    status, body = api.get("/api/catalog/powers")
    assert status == 200
    assert body["count"] == 3  # LATER-1 is not in force yet
    codes = [item["code"] for item in body["items"]]
    assert codes == ["FIRE-1", "FOOD-1", "PERMIT-2"]
    food = body["items"][1]
    assert food["version"]["version"] == 2 and food["version"]["name"] == "食品经营许可（新）"
    assert food["department"]["name"] == "行政审批局" and food["section"]["name"] == "市场准入科"
    assert food["kind_label"] == "行政许可"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=penalty", ["FIRE-1"]),
        ("enforcement_class=penalty", ["FIRE-1"]),
        ("approval_class=controlled", ["PERMIT-2"]),
        ("approval_class=cautious", ["FOOD-1"]),
        ("q=许可", ["FOOD-1", "PERMIT-2"]),
        ("q=（新）", ["FOOD-1"]),
        ("q=fire", ["FIRE-1"]),
        ("limit=1&offset=1", ["FOOD-1"]),
    ],
)
def test_filters(api, catalogue, query, expected):
    status, body = api.get(f"/api/catalog/powers?{query}")
    assert status == 200, body
    assert [item["code"] for item in body["items"]] == expected


def test_filter_by_department(api, catalogue):
    _, body = api.get(f"/api/catalog/powers?department_id={catalogue['enforcement'].pk}")
    assert [item["code"] for item in body["items"]] == ["FIRE-1"]


def test_on_a_past_day_the_version_then_in_force(api, catalogue):
    past = (TODAY - dt.timedelta(days=30)).isoformat()
    _, body = api.get(f"/api/catalog/powers?on={past}&q=FOOD")
    assert body["items"][0]["version"]["version"] == 1
    assert body["items"][0]["version"]["name"] == "食品经营许可"
    # A search by name looks at the version in force that day.
    _, body = api.get(f"/api/catalog/powers?on={past}&q=（新）")
    assert body["count"] == 0
    future = (TODAY + dt.timedelta(days=31)).isoformat()
    _, body = api.get(f"/api/catalog/powers?on={future}")
    assert "LATER-1" in [item["code"] for item in body["items"]]


def test_bad_filter_value_is_a_problem_document(api, catalogue):
    status, body = api.get("/api/catalog/powers?kind=magic")
    assert status == 422 and body["status"] == 422


def test_detail(api, catalogue):
    status, body = api.get("/api/catalog/powers/FOOD-1")
    assert status == 200
    version = body["version"]
    assert version["version"] == 2
    assert [m["name"] for m in version["materials"]] == ["申请书", "平面图"]
    assert version["materials"][1]["deferrable"] is True
    assert version["duties"][0]["stage"] == "intake"
    assert version["duties"][0]["stage_name"] == "受理"
    assert version["duties"][0]["stage_label"] == "受理阶段责任"
    resp = body["responsibility"]
    assert resp["section"]["name"] == "市场准入科"
    assert resp["department"]["name"] == "行政审批局"
    assert resp["post"] == {
        "code": catalogue["post"].code,
        "name": "食品许可岗",
        "holder": "张三",
        "backup": "李四",
        "acting": "张三",
    }


def test_detail_shows_the_backup_acting_when_the_holder_is_absent(api, catalogue):
    holder = catalogue["post"].holder
    holder.is_absent = True
    holder.save()
    _, body = api.get("/api/catalog/powers/FOOD-1")
    assert body["responsibility"]["post"]["acting"] == "李四"


def test_detail_on_a_day_and_without_responsibility(api, catalogue):
    past = (TODAY - dt.timedelta(days=30)).isoformat()
    _, body = api.get(f"/api/catalog/powers/FOOD-1?on={past}")
    assert body["version"]["version"] == 1
    _, body = api.get("/api/catalog/powers/FIRE-1")
    assert body["responsibility"] is None
    assert body["version"]["enforcement_class"] == "penalty"


def test_detail_not_found(api, catalogue):
    status, body = api.get("/api/catalog/powers/NOPE-1")
    assert status == 404 and body["status"] == 404
    status, _ = api.get("/api/catalog/powers/LATER-1")  # exists, but not in force today
    assert status == 404


def test_versions(api, catalogue):
    status, body = api.get("/api/catalog/powers/FOOD-1/versions")
    assert status == 200
    assert [v["version"] for v in body] == [2, 1]
    assert body[1]["effective_to"] == (TODAY - dt.timedelta(days=11)).isoformat()
    assert body[0]["content_hash"] != body[1]["content_hash"]
    assert len(body[1]["materials"]) == 2


def test_responsibilities(api, catalogue):
    status, body = api.get("/api/catalog/responsibilities")
    assert status == 200 and body["count"] == 1
    item = body["items"][0]
    assert item["power_code"] == "FOOD-1" and item["power_name"] == "食品经营许可（新）"
    assert item["post"]["holder"] == "张三" and item["post"]["backup"] == "李四"
    _, body = api.get(f"/api/catalog/responsibilities?department_id={catalogue['enforcement'].pk}")
    assert body["count"] == 0


def test_logged_in_users_read_the_same(api, catalogue, make_user):
    status, body = api.login(make_user("applicant")).get("/api/catalog/powers")
    assert status == 200 and body["count"] == 3


def _more_powers(catalogue, n):
    for i in range(n):
        power = make_power(
            code=f"MORE-{i}",
            department=catalogue["bureau"],
            section=catalogue["section"],
            materials=[{"name": "材料"}],
            duties=[{"stage": "review", "text": "审查"}],
            effective_from=LAST_YEAR,
        )
        services.revise_power(power.pk, changes={"main_item": "主项"})
        post = PostFactory(section=catalogue["section"])
        services.assign_responsibility(
            power.pk, section_id=catalogue["section"].pk, post_id=post.pk
        )


def test_power_list_query_count_does_not_grow(api, catalogue, django_assert_max_num_queries):
    _more_powers(catalogue, 12)
    with django_assert_max_num_queries(4):
        status, body = api.get("/api/catalog/powers?limit=100")
    assert status == 200 and body["count"] == 15


def test_responsibility_list_query_count_does_not_grow(
    api, catalogue, django_assert_max_num_queries
):
    _more_powers(catalogue, 12)
    with django_assert_max_num_queries(4):
        status, body = api.get("/api/catalog/responsibilities?limit=100")
    assert status == 200 and body["count"] == 13
    assert all(item["post"]["holder"] for item in body["items"])


def test_versions_query_count(api, catalogue, django_assert_max_num_queries):
    power = make_power(code="MANY-1", effective_from=LAST_YEAR, materials=[{"name": "a"}])
    for i in range(6):
        services.revise_power(power.pk, changes={"main_item": f"第{i}次"})
    with django_assert_max_num_queries(4):
        status, body = api.get("/api/catalog/powers/MANY-1/versions")
    assert status == 200 and len(body) == 7


def test_detail_query_count(api, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        status, _ = api.get("/api/catalog/powers/FOOD-1")
    assert status == 200


def test_a_long_list_counts_only_so_far(api, catalogue, monkeypatch):
    """Past the count cap a list's count is a lower bound that keeps ahead of the page, and
    says it is not exact; paging on still reaches every row."""
    from shenguan.core import pagination

    _more_powers(catalogue, 5)  # 3 + 5 = 8 in force
    _, body = api.get("/api/catalog/powers?limit=2")
    assert (body["count"], body["count_exact"]) == (8, True)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    _, body = api.get("/api/catalog/powers?limit=2")
    assert (body["count"], body["count_exact"]) == (3, False)
    _, body = api.get("/api/catalog/powers?limit=2&offset=4")
    assert (body["count"], body["count_exact"]) == (7, False)
    _, body = api.get("/api/catalog/powers?limit=2&offset=6")
    assert (body["count"], body["count_exact"]) == (8, True)
    codes, offset = [], 0
    while True:
        _, body = api.get(f"/api/catalog/powers?limit=3&offset={offset}")
        codes += [p["code"] for p in body["items"]]
        offset += 3
        if offset >= body["count"]:
            break
    assert len(codes) == len(set(codes)) == 8
