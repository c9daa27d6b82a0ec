"""Organisation in the admin site: saves go through the services (journal source "admin"),
domain errors show next to the field, staff without the administrator role only look."""

from __future__ import annotations

import json

import pytest

from shenguan.core.models import JournalEntry
from shenguan.org.factories import DepartmentFactory, PostFactory, SectionFactory, StaffFactory
from shenguan.org.models import Department, Grid, Post, Section, Staff

pytestmark = pytest.mark.django_db


def _inline(prefix: str, rows: list[dict] | None = None) -> dict:
    rows = rows or []
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_superuser=True, is_staff=True)


def test_department_with_sections_added_in_the_admin_is_journalled(client, superuser):
    client.force_login(superuser)
    data = {
        "code": "ZFJ",
        "name": "综合执法局",
        "kind": "enforcement_bureau",
        "credit_code": "",
        "phone": "",
        "is_active": "on",
        **_inline("sections", [{"code": "ZFJ-1", "name": "执法一中队", "kind": "squad"}]),
    }
    response = client.post("/admin/org/department/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dep = Department.objects.get(code="ZFJ")
    assert Section.objects.get(code="ZFJ-1").department == dep
    created = JournalEntry.objects.filter(source="admin").values_list("action", flat=True)
    assert {"org.department.created", "org.section.created"} <= set(created)
    assert JournalEntry.objects.get(action="org.department.created").actor_id == superuser.pk


def test_holder_as_backup_is_refused_next_to_the_field(client, superuser):
    post = PostFactory()
    client.force_login(superuser)
    data = {
        "section": str(post.section_id),
        "code": post.code,
        "name": post.name,
        "duties": "",
        "holder": str(post.holder_id),
        "backup": str(post.holder_id),
    }
    response = client.post(f"/admin/org/post/{post.pk}/change/", data)
    assert response.status_code == 200
    assert "B角不能与A角为同一人" in response.content.decode()
    assert response.context["adminform"].form.errors["backup"]
    post.refresh_from_db()
    assert post.backup_id != post.holder_id
    assert not JournalEntry.objects.filter(action__startswith="org.post").exists()


def test_invalid_grid_boundary_is_refused_in_the_admin(client, superuser):
    client.force_login(superuser)
    data = {
        "code": "G9",
        "name": "坏网格",
        "kind": "village",
        "area": "",
        "boundary": json.dumps({"type": "Point", "coordinates": [114.6, 30.4]}),
        "worker_phone": "",
    }
    response = client.post("/admin/org/grid/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["boundary"]
    assert not Grid.objects.exists()


def test_absence_set_in_the_admin_goes_through_mark_absent(client, superuser):
    post = PostFactory()
    holder = post.holder
    client.force_login(superuser)
    data = {
        "employee_no": holder.employee_no,
        "name": holder.name,
        "department": str(holder.department_id),
        "section": str(holder.section_id),
        "title": "",
        "phone": holder.phone,
        "enforcement_cert_no": "",
        "is_absent": "on",
        "is_active": "on",
    }
    response = client.post(f"/admin/org/staff/{holder.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = JournalEntry.objects.get(action="org.staff.marked_absent")
    assert entry.source == "admin"
    post = Post.objects.select_related("holder", "backup").get(pk=post.pk)
    assert post.acting_staff() == post.backup


def test_roles_set_in_the_staff_admin_are_journalled(client, superuser, make_user):
    person = make_user("window_clerk", staff=True)
    staff = Staff.objects.get(user=person)
    client.force_login(superuser)
    data = {
        "user": str(person.pk),
        "employee_no": staff.employee_no,
        "name": staff.name,
        "department": str(staff.department_id),
        "section": str(staff.section_id),
        "title": "",
        "phone": staff.phone,
        "enforcement_cert_no": "",
        "is_active": "on",
        "roles": ["window_clerk", "approval_officer"],
    }
    response = client.post(f"/admin/org/staff/{staff.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(person.groups.values_list("name", flat=True)) == {
        "window_clerk",
        "approval_officer",
    }
    entry = JournalEntry.objects.get(action="org.user.roles_set")
    assert entry.source == "admin" and entry.after == {
        "roles": ["approval_officer", "window_clerk"]
    }


def test_staff_without_administrator_role_may_look_but_not_change(client, make_user):
    dep = DepartmentFactory()
    clerk = make_user("window_clerk", staff=True, is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/org/department/").status_code == 200
    assert client.get(f"/admin/org/department/{dep.pk}/change/").status_code == 200
    assert client.get("/admin/org/department/add/").status_code == 403
    response = client.post(
        f"/admin/org/department/{dep.pk}/change/",
        {"code": dep.code, "name": "改名", "kind": dep.kind, **_inline("sections")},
    )
    assert response.status_code == 403
    dep.refresh_from_db()
    assert dep.name != "改名"


def test_user_without_role_sees_no_organisation_admin(client, make_user):
    nobody = make_user(is_staff=True)
    client.force_login(nobody)
    assert client.get("/admin/org/department/").status_code == 403


def test_post_list_shows_who_acts(client, superuser):
    section = SectionFactory()
    holder = StaffFactory(section=section, name="甲A角", is_absent=True)
    backup = StaffFactory(section=section, name="乙B角")
    PostFactory(section=section, holder=holder, backup=backup)
    client.force_login(superuser)
    response = client.get("/admin/org/post/")
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert row.acting_staff() == backup


@pytest.mark.parametrize("model", ["department", "section", "staff", "post", "grid"])
def test_admin_pages_render(client, superuser, model):
    post = PostFactory()
    from shenguan.org.factories import GridFactory

    grid = GridFactory(worker=post.holder)
    pk = {
        "department": post.section.department_id,
        "section": post.section_id,
        "staff": post.holder_id,
        "post": post.pk,
        "grid": grid.pk,
    }[model]
    client.force_login(superuser)
    for path in (
        f"/admin/org/{model}/",
        f"/admin/org/{model}/add/",
        f"/admin/org/{model}/{pk}/change/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/admin/org/{model}/?q=x").status_code == 200


def test_mark_absent_action_in_the_staff_list(client, superuser):
    post = PostFactory()
    client.force_login(superuser)
    response = client.post(
        "/admin/org/staff/",
        {"action": "mark_absent_action", "_selected_action": [str(post.holder_id)]},
    )
    assert response.status_code == 302
    assert Staff.objects.get(pk=post.holder_id).is_absent
    assert JournalEntry.objects.get(action="org.staff.marked_absent").source == "admin"
