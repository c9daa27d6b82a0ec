"""Organisation read API: staff only, A/B acting person, GeoJSON, constant query counts."""

from __future__ import annotations

import pytest

from shenguan.org import services
from shenguan.org.choices import GridKind
from shenguan.org.factories import (
    DepartmentFactory,
    GridFactory,
    PostFactory,
    SectionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[114.6, 30.4], [114.7, 30.4], [114.7, 30.5], [114.6, 30.5], [114.6, 30.4]]],
}

LIST_ENDPOINTS = [
    "/api/org/departments",
    "/api/org/sections",
    "/api/org/staff",
    "/api/org/posts",
    "/api/org/grids",
]


@pytest.fixture
def staff_user(make_user):
    return make_user("approval_officer", staff=True)


@pytest.mark.parametrize("path", [*LIST_ENDPOINTS, "/api/org/grids.geojson"])
def test_anonymous_is_refused(api, path):
    status, body = api.get(path)
    assert status == 401 and body["status"] == 401


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_applicants_see_no_organisation(api, make_user, path):
    PostFactory()
    GridFactory()
    api.login(make_user("applicant"))
    status, body = api.get(path)
    assert status == 200 and body == {"items": [], "count": 0, "count_exact": True}


def test_applicant_gets_404_on_details(api, make_user):
    post = PostFactory()
    api.login(make_user("applicant"))
    for path in (
        f"/api/org/departments/{post.section.department_id}",
        f"/api/org/sections/{post.section_id}",
        f"/api/org/staff/{post.holder_id}",
        f"/api/org/posts/{post.pk}",
    ):
        status, body = api.get(path)
        assert status == 404, path
        assert body["status"] == 404


def test_department_detail_lists_its_sections(api, staff_user):
    dep = DepartmentFactory(name="综合执法局", kind="enforcement_bureau")
    SectionFactory(department=dep, code="S-B", name="执法二中队")
    SectionFactory(department=dep, code="S-A", name="法制科")
    api.login(staff_user)
    status, body = api.get(f"/api/org/departments/{dep.pk}")
    assert status == 200
    assert body["kind"] == "enforcement_bureau"
    assert [s["name"] for s in body["sections"]] == ["法制科", "执法二中队"]
    assert body["sections"][0]["department_name"] == "综合执法局"


def test_posts_show_holder_backup_and_who_acts(api, staff_user):
    post = PostFactory()
    api.login(staff_user)
    status, body = api.get(f"/api/org/posts/{post.pk}")
    assert status == 200
    assert body["holder"]["id"] == post.holder_id and body["backup"]["id"] == post.backup_id
    assert body["acting"]["id"] == post.holder_id and body["holder_present"] is True

    services.mark_absent(post.holder_id, absent=True)
    status, body = api.get(f"/api/org/posts/{post.pk}")
    assert body["acting"]["id"] == post.backup_id and body["holder_present"] is False

    status, body = api.get(f"/api/org/staff/{post.backup_id}")
    assert body["acting_post_ids"] == [post.pk]
    assert [p["id"] for p in body["backup_posts"]] == [post.pk]
    status, body = api.get(f"/api/org/staff/{post.holder_id}")
    assert body["present"] is False and body["acting_post_ids"] == []

    services.mark_absent(post.backup_id, absent=True)
    status, body = api.get("/api/org/posts?uncovered=true")
    assert [p["id"] for p in body["items"]] == [post.pk]
    assert body["items"][0]["acting"] is None


def test_posts_filter_by_staff(api, staff_user):
    staff = StaffFactory()
    held = PostFactory(holder=staff)
    backed = PostFactory(backup=staff)
    PostFactory()
    api.login(staff_user)
    status, body = api.get(f"/api/org/posts?staff_id={staff.pk}")
    assert sorted(p["id"] for p in body["items"]) == sorted([held.pk, backed.pk])


def test_grids_carry_geojson_worker_and_squad(api, staff_user):
    worker = StaffFactory(name="王网格", phone="13900000009")
    squad = SectionFactory(squad=True)
    grid = services.create_grid(
        code="G01",
        name="葛店村",
        kind=GridKind.VILLAGE,
        boundary=SQUARE,
        worker_id=worker.pk,
        squad_id=squad.pk,
    )
    api.login(staff_user)
    status, body = api.get("/api/org/grids")
    assert status == 200 and body["count"] == 1
    item = body["items"][0]
    assert item["boundary"] == SQUARE
    assert item["worker"] == {"id": worker.pk, "name": "王网格", "phone": "13900000009"}
    assert item["worker_phone"] == "13900000009" and item["squad"]["id"] == squad.pk
    status, body = api.get(f"/api/org/grids/{grid.pk}")
    assert body["party_count"] == 0
    status, body = api.get("/api/org/grids.geojson")
    assert body["type"] == "FeatureCollection"
    assert body["features"][0]["geometry"] == SQUARE
    assert body["features"][0]["properties"]["name"] == "葛店村"


def test_staff_list_filters(api, staff_user):
    section = SectionFactory()
    a = StaffFactory(section=section, name="甲")
    StaffFactory(name="乙")
    api.login(staff_user)
    status, body = api.get(f"/api/org/staff?section_id={section.pk}")
    assert [s["id"] for s in body["items"]] == [a.pk]
    status, body = api.get("/api/org/staff?q=乙")
    assert [s["name"] for s in body["items"]] == ["乙"]


def _populate(n: int) -> None:
    for _ in range(n):
        section = SectionFactory()
        post = PostFactory(section=section)
        squad = SectionFactory(squad=True, department=section.department)
        GridFactory(worker=post.holder, squad=squad, boundary=SQUARE)


@pytest.mark.parametrize("path", [*LIST_ENDPOINTS, "/api/org/grids.geojson"])
def test_list_query_count_does_not_grow(api, staff_user, django_assert_max_num_queries, path):
    _populate(3)
    api.login(staff_user)
    status, body = api.get(path)
    assert status == 200
    _populate(12)
    with django_assert_max_num_queries(11):  # 9 of them: session, user, scope
        status, body = api.get(path + ("?limit=100" if "geojson" not in path else ""))
    assert status == 200
    items = body.get("items", body.get("features"))
    assert len(items) >= 15
