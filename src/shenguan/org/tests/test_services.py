"""Organisation services: A/B roles, absence, domain checks, roles, permissions, journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.core.permissions import Role, Scope
from shenguan.org import services
from shenguan.org.choices import GridKind, SectionKind
from shenguan.org.factories import (
    DepartmentFactory,
    PostFactory,
    SectionFactory,
    StaffFactory,
)
from shenguan.org.models import Department, Grid, Post, Section, Staff

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[114.6, 30.4], [114.7, 30.4], [114.7, 30.5], [114.6, 30.5], [114.6, 30.4]]],
}


# --- departments, sections, staff -----------------------------------------------------------


def test_create_department_is_journalled_and_emitted():
    dep = services.create_department(code="SPJ", name="行政审批局", kind="approval_bureau")
    entry = JournalEntry.objects.get(action="org.department.created", object_id=str(dep.pk))
    assert entry.after["name"] == "行政审批局" and entry.source == "system"
    assert OutboxEvent.objects.filter(type="org.department.created", subject_id=str(dep.pk))


def test_department_credit_code_is_normalised_and_checked():
    dep = services.create_department(code="D1", name="区发改局", credit_code="11511301 008778175u")
    assert dep.credit_code == "11511301008778175U"
    with pytest.raises(DomainError) as exc:
        services.create_department(code="D2", name="区财政局", credit_code="11511301008778220X")
    assert "credit_code" in exc.value.field_errors
    assert "应为 W" in " ".join(exc.value.field_errors["credit_code"])
    assert not Department.objects.filter(code="D2").exists()


def test_staff_department_comes_from_the_section():
    section = SectionFactory()
    staff = services.create_staff(employee_no="A001", name="张三", section_id=section.pk)
    assert staff.department_id == section.department_id


def test_staff_section_must_belong_to_their_department():
    section = SectionFactory()
    other = DepartmentFactory()
    with pytest.raises(DomainError) as exc:
        services.create_staff(
            employee_no="A002", name="李四", department_id=other.pk, section_id=section.pk
        )
    assert "section" in exc.value.field_errors
    assert not Staff.objects.filter(employee_no="A002").exists()
    staff = StaffFactory(section=section)
    with pytest.raises(DomainError):
        services.update_staff(staff.pk, {"department_id": other.pk})
    staff.refresh_from_db()
    assert staff.department_id == section.department_id


def test_staff_who_still_holds_a_post_cannot_leave():
    post = PostFactory()
    with pytest.raises(DomainError) as exc:
        services.update_staff(post.backup_id, {"is_active": False})
    assert exc.value.code == "still_holds_posts" and post.code in exc.value.message
    assert Staff.objects.get(pk=post.backup_id).is_active
    free = StaffFactory()
    assert services.update_staff(free.pk, {"is_active": False}).is_active is False


def test_absence_is_not_changed_by_a_plain_update():
    staff = StaffFactory()
    with pytest.raises(DomainError):
        services.update_staff(staff.pk, {"is_absent": True})


def test_a_department_in_use_cannot_be_deleted():
    section = SectionFactory()
    with pytest.raises(DomainError) as exc:
        services.delete_department(section.department_id)
    assert exc.value.code == "protected"
    services.delete_section(section.pk)
    services.delete_department(section.department_id)
    assert not Department.objects.filter(pk=section.department_id).exists()
    assert JournalEntry.objects.filter(action="org.department.deleted").exists()


# --- posts and A/B roles ----------------------------------------------------------------------


def test_backup_must_differ_from_holder():
    section = SectionFactory()
    staff = StaffFactory(section=section)
    with pytest.raises(DomainError) as exc:
        services.create_post(
            section_id=section.pk, code="P1", name="受理岗", holder_id=staff.pk, backup_id=staff.pk
        )
    assert "backup" in exc.value.field_errors
    assert not Post.objects.filter(code="P1").exists()
    post = PostFactory(section=section)
    with pytest.raises(DomainError):
        services.assign_post(post.pk, holder_id=post.holder_id, backup_id=post.holder_id)
    with pytest.raises(DomainError):
        services.update_post(post.pk, {"backup_id": post.holder_id})
    post.refresh_from_db()
    assert post.backup_id != post.holder_id


def test_staff_who_left_cannot_be_given_a_post():
    post = PostFactory()
    gone = StaffFactory(is_active=False)
    with pytest.raises(DomainError) as exc:
        services.assign_post(post.pk, holder_id=gone.pk, backup_id=post.backup_id)
    assert "holder" in exc.value.field_errors


def test_assign_post_journals_before_and_after():
    post = PostFactory()
    new_holder = StaffFactory()
    old_holder = post.holder_id
    services.assign_post(post.pk, holder_id=new_holder.pk, backup_id=post.backup_id)
    entry = JournalEntry.objects.get(action="org.post.assigned")
    assert entry.before == {"holder_id": old_holder}
    assert entry.after == {"holder_id": new_holder.pk}
    post.refresh_from_db()
    assert post.holder_id == new_holder.pk


def test_one_person_may_hold_several_posts():
    staff = StaffFactory()
    p1 = PostFactory(holder=staff)
    p2 = PostFactory(holder=staff)
    assert set(Post.objects.acted_by(staff)) == {p1, p2}


def test_backup_acts_while_the_holder_is_absent():
    post = PostFactory()
    holder, backup = post.holder, post.backup
    assert post.acting_staff() == holder
    assert list(Post.objects.acted_by(backup)) == []

    services.mark_absent(holder.pk, absent=True)
    post = Post.objects.select_related("holder", "backup").get(pk=post.pk)
    assert post.acting_staff() == backup
    assert list(Post.objects.acted_by(backup)) == [post]
    assert list(Post.objects.acted_by(Staff.objects.get(pk=holder.pk))) == []

    services.mark_absent(backup.pk, absent=True)
    post = Post.objects.select_related("holder", "backup").get(pk=post.pk)
    assert post.acting_staff() is None

    services.mark_absent(holder.pk, absent=False)
    post = Post.objects.select_related("holder", "backup").get(pk=post.pk)
    assert post.acting_staff() == holder


def test_absence_until_a_day_ends_after_that_day():
    post = PostFactory()
    today = timezone.localdate()
    services.mark_absent(post.holder_id, absent=True, until=today)
    post = Post.objects.select_related("holder", "backup").get(pk=post.pk)
    assert post.acting_staff() == post.backup
    tomorrow = today + dt.timedelta(days=1)
    assert post.acting_staff(on=tomorrow) == post.holder
    assert post.holder.is_present(on=tomorrow)


def test_an_absence_that_has_ended_hands_the_post_back():
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    holder = StaffFactory(is_absent=True, absent_until=yesterday)
    post = PostFactory(holder=holder)
    assert post.acting_staff() == holder
    assert list(Post.objects.acted_by(holder)) == [post]
    assert list(Post.objects.acted_by(post.backup)) == []
    gone = StaffFactory(is_active=False)
    vacated = PostFactory(holder=gone)
    assert list(Post.objects.acted_by(vacated.backup)) == [vacated]


def test_absence_with_a_past_end_is_refused():
    staff = StaffFactory()
    with pytest.raises(DomainError):
        services.mark_absent(staff.pk, absent=True, until=timezone.localdate() - dt.timedelta(1))
    with pytest.raises(DomainError):
        services.mark_absent(staff.pk, absent=False, until=timezone.localdate())
    assert not Staff.objects.get(pk=staff.pk).is_absent


def test_mark_absent_records_and_announces_who_acts_now():
    post = PostFactory()
    services.mark_absent(post.holder_id, absent=True)
    entry = JournalEntry.objects.get(action="org.staff.marked_absent")
    assert entry.object_id == str(post.holder_id)
    assert entry.before["is_absent"] is False and entry.after["is_absent"] is True
    event = OutboxEvent.objects.get(type="org.staff.absence_changed")
    assert event.payload["posts"] == [{"post_id": post.pk, "acting_staff_id": post.backup_id}]
    # marking again changes nothing and records nothing
    services.mark_absent(post.holder_id, absent=True)
    assert JournalEntry.objects.filter(action="org.staff.marked_absent").count() == 1


# --- grids ------------------------------------------------------------------------------------


def test_grid_with_a_valid_boundary_and_worker_phone_default():
    worker = StaffFactory(phone="13900000001")
    squad = SectionFactory(squad=True)
    grid = services.create_grid(
        code="G1",
        name="葛店社区",
        kind=GridKind.COMMUNITY,
        boundary=SQUARE,
        worker_id=worker.pk,
        squad_id=squad.pk,
    )
    assert grid.boundary == SQUARE and grid.worker_phone == "13900000001"
    other = StaffFactory(phone="13900000002")
    grid = services.update_grid(grid.pk, {"worker_id": other.pk})
    assert grid.worker_phone == "13900000002"


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [114.6, 30.4]},
        {"type": "Polygon", "coordinates": [[[114.6, 30.4], [114.7, 30.4], [114.6, 30.4]]]},
        {"type": "Polygon", "coordinates": [[[114.6, 30.4], [114.7, 30.4], [114.7, 30.5], [1, 1]]]},
        {"type": "Polygon", "coordinates": [[[214, 30], [114, 30], [114, 31], [214, 30]]]},
        "not geojson",
    ],
)
def test_invalid_grid_boundary_is_refused(boundary):
    with pytest.raises(DomainError) as exc:
        services.create_grid(code="GX", name="坏网格", kind=GridKind.VILLAGE, boundary=boundary)
    assert "boundary" in exc.value.field_errors
    assert not Grid.objects.filter(code="GX").exists()


def test_grid_squad_must_be_a_squad():
    office = SectionFactory(kind=SectionKind.OFFICE)
    with pytest.raises(DomainError) as exc:
        services.create_grid(
            code="GS", name="园区", kind=GridKind.INDUSTRIAL_PARK, squad_id=office.pk
        )
    assert "squad" in exc.value.field_errors


# --- roles ------------------------------------------------------------------------------------


def test_set_roles_replaces_role_groups_and_keeps_others(make_user, admin_user):
    target = make_user("window_clerk")
    other = Group.objects.create(name="newsletter")
    target.groups.add(other)
    roles = services.set_roles(target.pk, ["approval_officer", "legal_reviewer"], user=admin_user)
    assert roles == ["approval_officer", "legal_reviewer"]
    names = set(target.groups.values_list("name", flat=True))
    assert names == {"approval_officer", "legal_reviewer", "newsletter"}
    entry = JournalEntry.objects.get(action="org.user.roles_set")
    assert entry.before == {"roles": ["window_clerk"]}
    assert entry.after == {"roles": ["approval_officer", "legal_reviewer"]}
    target.refresh_from_db()
    assert Scope.of(target).has_role(Role.LEGAL_REVIEWER)


def test_set_roles_refuses_unknown_roles_and_non_administrators(make_user):
    target = make_user()
    with pytest.raises(DomainError) as exc:
        services.set_roles(target.pk, ["window_clerk", "king"])
    assert "king" in exc.value.message
    clerk = make_user("window_clerk", staff=True)
    with pytest.raises(Forbidden):
        services.set_roles(target.pk, ["window_clerk"], user=clerk)
    assert not target.groups.exists()
    with pytest.raises(NotFound):
        services.set_roles(999999, ["window_clerk"])


def test_administrator_role_gives_admin_site_access_and_the_last_one_stays(make_user):
    only_admin = make_user()
    services.set_roles(only_admin.pk, ["administrator"])
    only_admin.refresh_from_db()
    assert only_admin.is_staff
    with pytest.raises(DomainError) as exc:
        services.set_roles(only_admin.pk, ["window_clerk"])
    assert exc.value.code == "last_administrator"
    second = make_user()
    services.set_roles(second.pk, ["administrator"])
    services.set_roles(only_admin.pk, ["window_clerk"])
    only_admin.refresh_from_db()
    assert not only_admin.is_staff


# --- permissions ------------------------------------------------------------------------------


def test_only_administrators_change_the_organisation(make_user, admin_user):
    dep = DepartmentFactory()
    staff = StaffFactory()
    clerk = make_user("window_clerk", staff=True)
    applicant = make_user("applicant")
    with pytest.raises(Forbidden):
        services.update_department(dep.pk, {"name": "改名"}, user=clerk)
    with pytest.raises(NotFound):
        services.update_department(dep.pk, {"name": "改名"}, user=applicant)
    with pytest.raises(Forbidden):
        services.create_department(code="X", name="新部门", user=clerk)
    with pytest.raises(Forbidden):
        services.mark_absent(staff.pk, absent=True, user=clerk)
    assert services.update_department(dep.pk, {"name": "改名"}, user=admin_user).name == "改名"
    services.mark_absent(staff.pk, absent=True, user=admin_user)
    assert Staff.objects.get(pk=staff.pk).is_absent


def test_section_and_post_crud_through_services(admin_user):
    dep = DepartmentFactory()
    section = services.create_section(
        department_id=dep.pk, code="S1", name="受理科", user=admin_user
    )
    post = services.create_post(section_id=section.pk, code="P9", name="受理岗", user=admin_user)
    assert post.acting_staff() is None
    services.update_section(section.pk, {"name": "综合受理科"}, user=admin_user)
    assert Section.objects.get(pk=section.pk).name == "综合受理科"
    services.delete_post(post.pk, user=admin_user)
    assert not Post.objects.filter(pk=post.pk).exists()
    actions = set(JournalEntry.objects.values_list("action", flat=True))
    assert {"org.section.created", "org.post.created", "org.section.updated"} <= actions
    assert "org.post.deleted" in actions
