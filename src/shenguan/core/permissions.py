"""Roles and scopes. Roles are Django groups named by the codes below; the UI shows the
Chinese label. A ``Scope`` is what one user may see: their department, sections, grids and
parties, computed once per request (the sets on first use) and cached on the user object."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    APPROVAL_OFFICER = "approval_officer", _("审批人员")
    BUREAU_HEAD = "bureau_head", _("局领导")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("执法人员")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核人员")
    DEPARTMENT_SUPERVISOR = "department_supervisor", _("业务部门监管人员")
    COMMAND_CENTRE = "command_centre", _("指挥中心")
    GRID_WORKER = "grid_worker", _("网格员")
    APPLICANT = "applicant", _("申请人")
    ADMINISTRATOR = "administrator", _("系统管理员")


# Roles that serve the whole zone and so see every party; others see their grid or their own.
ZONE_WIDE_ROLES = {
    Role.WINDOW_CLERK,
    Role.APPROVAL_OFFICER,
    Role.BUREAU_HEAD,
    Role.LEGAL_REVIEWER,
    Role.COMMAND_CENTRE,
    Role.DEPARTMENT_SUPERVISOR,
}
# Roles whose work needs the full resident ID number; everyone else sees it masked.
FULL_IDENTIFIER_ROLES = {
    Role.WINDOW_CLERK,
    Role.APPROVAL_OFFICER,
    Role.BUREAU_HEAD,
    Role.ENFORCEMENT_OFFICER,
    Role.LEGAL_REVIEWER,
}
STAFF_ROLES = set(Role) - {Role.APPLICANT}


def roles_of(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_shenguan_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMINISTRATOR.value)
        user._shenguan_roles = cached
    return cached


@dataclass
class Scope:
    """What one user may see. Roles and the staff record are read at once; the sections, grids
    and parties only when a permission first asks for them (a zone-wide reader's list never
    does), then kept for the request like the rest."""

    user: object = None
    roles: set[str] = field(default_factory=set)
    is_admin: bool = False
    staff_id: int | None = None
    department_id: int | None = None
    home_section_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles & {r.value for r in STAFF_ROLES})

    @property
    def zone_wide(self) -> bool:
        return self.is_admin or bool(self.roles & {r.value for r in ZONE_WIDE_ROLES})

    def has_role(self, *roles: str) -> bool:
        return self.is_admin or bool(self.roles & {str(r) for r in roles})

    @property
    def sees_full_identifiers(self) -> bool:
        return self.is_admin or bool(self.roles & {r.value for r in FULL_IDENTIFIER_ROLES})

    @cached_property
    def section_ids(self) -> set[int]:
        """The staff member's own section and those of the posts held or backed up."""
        if self.staff_id is None:
            return set()
        from shenguan.org.models import Post

        ids = set(
            Post.objects.filter(
                models.Q(holder_id=self.staff_id) | models.Q(backup_id=self.staff_id)
            ).values_list("section_id", flat=True)
        )
        ids.add(self.home_section_id)
        ids.discard(None)
        return ids

    @cached_property
    def grid_ids(self) -> set[int]:
        """Grids the staff member works, and grids of the squads among their sections."""
        if self.staff_id is None:
            return set()
        from shenguan.org.models import Grid

        return set(
            Grid.objects.filter(
                models.Q(worker_id=self.staff_id) | models.Q(squad_id__in=self.section_ids)
            ).values_list("id", flat=True)
        )

    @cached_property
    def party_ids(self) -> set[int]:
        """Parties the login acts for (an applicant's own enterprise or person)."""
        if self.user is None:
            return set()
        from shenguan.parties.models import PartyAccount

        return set(PartyAccount.objects.filter(user=self.user).values_list("party_id", flat=True))

    @classmethod
    def of(cls, user) -> Scope:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls()
        cached = getattr(user, "_shenguan_scope", None)
        if cached is not None:
            return cached
        roles = roles_of(user)
        scope = cls(user=user, roles=roles, is_admin=Role.ADMINISTRATOR.value in roles)
        from shenguan.org.models import Staff

        staff = Staff.objects.filter(user=user).only("id", "department_id", "section_id").first()
        if staff is not None:
            scope.staff_id = staff.pk
            scope.department_id = staff.department_id
            scope.home_section_id = staff.section_id
        user._shenguan_scope = scope
        return scope


def forget_scope(user) -> None:
    """Drop the cached roles and scope (after a change of groups or posts)."""
    for attr in ("_shenguan_scope", "_shenguan_roles"):
        if hasattr(user, attr):
            delattr(user, attr)
