"""Organisation services: the only code that changes departments, sections, staff, posts, grids
and users' roles. Each runs in one transaction with its journal entry and outbox event (through
``core.services`` for plain reference data). ``user`` is the person acting (checked: only
administrators change the organisation); ``user=None`` is the system (commands, the seeder)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core import services as core
from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope, forget_scope
from shenguan.parties.validators import normalize_uscc

from .models import Department, Grid, Post, Section, Staff

# --- departments ------------------------------------------------------------------------------


def _normalise_department(data: dict) -> dict:
    if data.get("credit_code"):
        data["credit_code"] = normalize_uscc(data["credit_code"])
    return data


def create_department(*, user=None, **fields) -> Department:
    """``create_department(code=, name=, kind=DepartmentKind..., credit_code="", phone="")``."""
    return core.create_object(Department, _normalise_department(fields), user=user)


def update_department(department_id: int, changes: dict, *, user=None) -> Department:
    return core.update_object(
        Department, department_id, _normalise_department(dict(changes)), user=user
    )


def delete_department(department_id: int, *, user=None) -> None:
    core.delete_object(Department, department_id, user=user)


# --- sections ---------------------------------------------------------------------------------


def create_section(*, user=None, **fields) -> Section:
    """``create_section(department_id=, code=, name=, kind=SectionKind..., head_id=None)``."""
    return core.create_object(Section, fields, user=user)


def update_section(section_id: int, changes: dict, *, user=None) -> Section:
    return core.update_object(Section, section_id, changes, user=user)


def delete_section(section_id: int, *, user=None) -> None:
    core.delete_object(Section, section_id, user=user)


# --- staff ------------------------------------------------------------------------------------


def _fill_department_from_section(data: dict) -> dict:
    """A staff member given only a section belongs to that section's department."""
    section_id = data.get("section_id", getattr(data.get("section"), "pk", None))
    if section_id and not (data.get("department_id") or data.get("department")):
        department_id = Section.objects.filter(pk=section_id).values_list(
            "department_id", flat=True
        )
        data["department_id"] = department_id.first()
    return data


def create_staff(*, user=None, **fields) -> Staff:
    """``create_staff(employee_no=, name=, department_id=, section_id=None, user_id=None,
    title="", phone="", enforcement_cert_no="", cert_valid_until=None)``. The department may
    be left out when a section is given; a section of another department is refused."""
    return core.create_object(Staff, _fill_department_from_section(dict(fields)), user=user)


def update_staff(staff_id: int, changes: dict, *, user=None) -> Staff:
    """Absence goes through ``mark_absent``; leaving (``is_active=False``) is refused while
    the person still holds or backs up a post, so that no post loses its A/B pair silently."""
    changes = dict(changes)
    if {"is_absent", "absent_until"} & set(changes):
        raise DomainError(_("请通过“标记不在岗”修改在岗状态"), code="use_mark_absent")
    if changes.get("is_active") is False:
        posts = list(Post.objects.filter(holder_id=staff_id).values_list("code", flat=True)) + list(
            Post.objects.filter(backup_id=staff_id).values_list("code", flat=True)
        )
        if posts:
            raise DomainError(
                _("该人员仍担任岗位（%(posts)s），请先调整AB角") % {"posts": ", ".join(posts)},
                code="still_holds_posts",
                field_errors={"is_active": [_("仍担任岗位，不能设为离职")]},
            )
    return core.update_object(Staff, staff_id, changes, user=user)


def delete_staff(staff_id: int, *, user=None) -> None:
    core.delete_object(Staff, staff_id, user=user)


def mark_absent(staff_id: int, *, absent: bool, until: dt.date | None = None, user=None) -> Staff:
    """Mark a staff member away (``absent=True``, optionally until a last day away) or back.
    While the holder is away ``Post.acting_staff()`` returns the backup (业务AB角). The event
    lists every post concerned and who acts for it now, so that open work can follow."""
    if not absent and until is not None:
        raise DomainError(_("返岗时不填写不在岗截止日期"), code="until_without_absence")
    if absent and until is not None and until < timezone.localdate():
        raise DomainError(
            _("不在岗截止日期不能早于今天"),
            code="until_in_past",
            field_errors={"absent_until": [_("不在岗截止日期不能早于今天")]},
        )
    with transaction.atomic():
        staff = core.lock_for_change(user, Staff, staff_id)
        before = {"is_absent": staff.is_absent, "absent_until": staff.absent_until}
        staff.is_absent = absent
        staff.absent_until = until if absent else None
        after = {"is_absent": staff.is_absent, "absent_until": staff.absent_until}
        if journal.jsonable(before) == journal.jsonable(after):
            return staff
        staff.save(update_fields=["is_absent", "absent_until"])
        posts = (
            Post.objects.filter(holder=staff) | Post.objects.filter(backup=staff)
        ).select_related("holder", "backup")
        covered = []
        for post in posts.order_by("code"):
            acting = post.acting_staff()
            covered.append({"post_id": post.pk, "acting_staff_id": acting.pk if acting else None})
        action = "org.staff.marked_absent" if absent else "org.staff.marked_present"
        journal.record(action, staff, before=before, after=after)
        outbox.emit(
            "org.staff.absence_changed",
            staff,
            {"id": staff.pk, "absent": absent, "until": staff.absent_until, "posts": covered},
        )
        return staff


# --- posts (A/B roles) ------------------------------------------------------------------------


def _check_assignable(holder_id, backup_id) -> None:
    """Only staff still in service can be given a post (either role)."""
    errors = {}
    for field, staff_id in (("holder", holder_id), ("backup", backup_id)):
        if staff_id is None:
            continue
        staff = Staff.objects.filter(pk=staff_id).only("is_active").first()
        if staff is None:
            errors[field] = [_("工作人员不存在")]
        elif not staff.is_active:
            errors[field] = [_("该人员已离职，不能担任岗位")]
    if holder_id is not None and holder_id == backup_id:
        errors["backup"] = [_("B角不能与A角为同一人")]
    if errors:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise DomainError(message, code="validation", field_errors=errors)


def create_post(*, user=None, **fields) -> Post:
    """``create_post(section_id=, code=, name=, duties="", holder_id=None, backup_id=None)``."""
    _check_assignable(fields.get("holder_id"), fields.get("backup_id"))
    return core.create_object(Post, fields, user=user)


def update_post(post_id: int, changes: dict, *, user=None) -> Post:
    changes = dict(changes)
    if {"holder_id", "backup_id"} & set(changes):
        current = Post.objects.filter(pk=post_id).values("holder_id", "backup_id").first() or {}
        _check_assignable(
            changes.get("holder_id", current.get("holder_id")),
            changes.get("backup_id", current.get("backup_id")),
        )
    return core.update_object(Post, post_id, changes, user=user)


def delete_post(post_id: int, *, user=None) -> None:
    core.delete_object(Post, post_id, user=user)


def assign_post(post_id: int, *, holder_id: int | None, backup_id: int | None, user=None) -> Post:
    """Give a post its A role (holder) and B role (backup); either may be None (vacant). The
    backup must differ from the holder; both must be in service."""
    _check_assignable(holder_id, backup_id)
    return core.update_object(
        Post,
        post_id,
        {"holder_id": holder_id, "backup_id": backup_id},
        user=user,
        action="org.post.assigned",
    )


# --- grids ------------------------------------------------------------------------------------


def _fill_worker_phone(data: dict, current_phone: str = "") -> dict:
    """A grid names its worker with a phone (DOMAIN.md §10): the worker's own by default."""
    worker_id = data.get("worker_id")
    if worker_id and not data.get("worker_phone") and not current_phone:
        data["worker_phone"] = (
            Staff.objects.filter(pk=worker_id).values_list("phone", flat=True).first() or ""
        )
    return data


def create_grid(*, user=None, **fields) -> Grid:
    """``create_grid(code=, name=, kind=GridKind..., area="", boundary=None (GeoJSON Polygon,
    MultiPolygon or Feature), worker_id=None, worker_phone="", squad_id=None)``. The squad
    must be a section of kind ``squad``."""
    return core.create_object(Grid, _fill_worker_phone(dict(fields)), user=user)


def update_grid(grid_id: int, changes: dict, *, user=None) -> Grid:
    current = Grid.objects.filter(pk=grid_id).values_list("worker_phone", flat=True).first()
    changes = dict(changes)
    if "worker_id" in changes and "worker_phone" not in changes:
        current = ""  # a new worker brings their own phone unless one is given
    return core.update_object(Grid, grid_id, _fill_worker_phone(changes, current or ""), user=user)


def delete_grid(grid_id: int, *, user=None) -> None:
    core.delete_object(Grid, grid_id, user=user)


# --- roles ------------------------------------------------------------------------------------


def set_roles(user_id: int, roles: list[str], *, user=None) -> list[str]:
    """Make the user's roles exactly ``roles`` (codes of ``core.permissions.Role``); groups
    that are not roles are left alone. Access to the admin site (``is_staff``) follows the
    administrator role. The last administrator cannot be removed. Returns the roles, sorted."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以分配角色"))
    wanted = set()
    unknown = []
    for role in roles:
        try:
            wanted.add(Role(role).value)
        except ValueError:
            unknown.append(str(role))
    if unknown:
        raise DomainError(
            _("未知角色：%(roles)s") % {"roles": ", ".join(unknown)},
            code="unknown_role",
            field_errors={"roles": [_("未知角色：%(roles)s") % {"roles": ", ".join(unknown)}]},
        )
    User = get_user_model()
    with transaction.atomic():
        try:
            target = User.objects.select_for_update(no_key=True).get(pk=user_id)
        except (User.DoesNotExist, ValueError):
            raise NotFound(_("用户 %(id)s 不存在") % {"id": user_id})
        role_names = {r.value for r in Role}
        current = set(target.groups.filter(name__in=role_names).values_list("name", flat=True))
        if current == wanted:
            return sorted(wanted)
        if (
            Role.ADMINISTRATOR.value in current
            and Role.ADMINISTRATOR.value not in wanted
            and not target.is_superuser
        ):
            others = (
                User.objects.filter(is_active=True)
                .exclude(pk=target.pk)
                .filter(groups__name=Role.ADMINISTRATOR.value)
                .exists()
                or User.objects.filter(is_active=True, is_superuser=True)
                .exclude(pk=target.pk)
                .exists()
            )
            if not others:
                raise DomainError(_("不能移除最后一位系统管理员"), code="last_administrator")
        groups = {g.name: g for g in Group.objects.filter(name__in=wanted)}
        for name in wanted - set(groups):
            groups[name] = Group.objects.create(name=name)
        target.groups.remove(*Group.objects.filter(name__in=current - wanted))
        target.groups.add(*(groups[name] for name in wanted - current))
        is_staff = target.is_superuser or Role.ADMINISTRATOR.value in wanted
        if target.is_staff != is_staff:
            target.is_staff = is_staff
            target.save(update_fields=["is_staff"])
        journal.record(
            "org.user.roles_set",
            target,
            before={"roles": sorted(current)},
            after={"roles": sorted(wanted)},
        )
        outbox.emit("org.user.roles_set", target, {"id": target.pk, "roles": sorted(wanted)})
        forget_scope(target)
        if user is not None and getattr(user, "pk", None) == target.pk:
            forget_scope(user)
        return sorted(wanted)


__all__ = [
    "assign_post",
    "create_department",
    "create_grid",
    "create_post",
    "create_section",
    "create_staff",
    "delete_department",
    "delete_grid",
    "delete_post",
    "delete_section",
    "delete_staff",
    "mark_absent",
    "set_roles",
    "update_department",
    "update_grid",
    "update_post",
    "update_section",
    "update_staff",
]
