"""Organisation: departments, sections (科室) and squads, staff, posts with A/B roles, grids."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from .choices import DepartmentKind, GridKind, SectionKind


class OrgQuerySet(RestrictedQuerySet):
    pass


def _present_q(prefix: str) -> Q:
    """Staff (reached through ``prefix``) who are at work today: active, and not absent or
    absent only until a day already past."""
    today = timezone.localdate()
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}is_absent": False}) | Q(**{f"{prefix}absent_until__lt": today})
    )


class PostQuerySet(OrgQuerySet):
    def acted_by(self, staff) -> PostQuerySet:
        """Posts this staff member acts for today: those held, and those backed up while the
        holder is away (业务AB角). None while the staff member is away themselves."""
        if not staff.is_present():
            return self.none()
        holder_away = Q(holder__isnull=True) | ~_present_q("holder__")
        return self.filter(Q(holder=staff) | (Q(backup=staff) & holder_away))


def _related_or_none(obj, name: str):
    """The related object, or None if unset or missing (a missing one is reported by
    ``clean_fields`` as a field error; ``clean`` must not crash on it)."""
    try:
        return getattr(obj, name)
    except models.ObjectDoesNotExist:
        return None


class _StaffVisible:
    """Organisation data is visible to every staff member; only administrators change it."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()


class Department(_StaffVisible, models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(
        _("类型"), max_length=30, choices=DepartmentKind.choices, default=DepartmentKind.BUSINESS
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from shenguan.parties.validators import validate_uscc

        if self.credit_code:
            try:
                self.credit_code = validate_uscc(self.credit_code)
            except ValidationError as exc:
                raise ValidationError({"credit_code": exc.messages})


class Section(_StaffVisible, models.Model):
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sections", verbose_name=_("部门")
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=20, choices=SectionKind.choices, default=SectionKind.SECTION
    )
    head = models.ForeignKey(
        "Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_sections",
        verbose_name=_("负责人"),
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("科室/中队")
        verbose_name_plural = _("科室/中队")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="section_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"


class Staff(_StaffVisible, models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("用户账号"),
    )
    employee_no = models.CharField(_("工号"), max_length=30, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("部门")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("科室/中队"),
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    enforcement_cert_no = models.CharField(_("执法证号"), max_length=40, blank=True)
    cert_valid_until = models.DateField(_("执法证有效期至"), null=True, blank=True)
    is_absent = models.BooleanField(
        _("不在岗"), default=False, help_text=_("不在岗时由B角接替其岗位")
    )
    absent_until = models.DateField(_("不在岗至"), null=True, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        section = _related_or_none(self, "section")
        if section is not None and section.department_id != self.department_id:
            raise ValidationError({"section": _("科室不属于该部门")})

    def is_present(self, on=None) -> bool:
        """At work on the given day (today by default): active, and not marked absent, or
        absent only until an earlier day (``absent_until`` is the last day away)."""
        if not self.is_active:
            return False
        if not self.is_absent:
            return True
        on = on or timezone.localdate()
        return self.absent_until is not None and self.absent_until < on

    @property
    def is_certified(self) -> bool:
        """Holds an enforcement certificate valid today (行政处罚法 art 42)."""
        if not self.enforcement_cert_no:
            return False
        return self.cert_valid_until is None or self.cert_valid_until >= timezone.localdate()


class Post(_StaffVisible, models.Model):
    """A post (岗位) with its A role (holder) and B role (backup). One person may hold several."""

    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="posts", verbose_name=_("科室/中队")
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("岗位名称"), max_length=100)
    duties = models.TextField(_("岗位职责"), blank=True)
    holder = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_posts",
        verbose_name=_("A角（责任人）"),
    )
    backup = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_posts",
        verbose_name=_("B角（备岗人）"),
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位（AB角）")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder__isnull=True)
                | Q(backup__isnull=True)
                | ~Q(holder=models.F("backup")),
                name="post_backup_differs_from_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.section.name} {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.holder_id and self.holder_id == self.backup_id:
            raise ValidationError({"backup": _("B角不能与A角为同一人")})

    def acting_staff(self, on=None) -> Staff | None:
        """Who acts for this post (today by default): the holder, or the backup while the
        holder is absent or has left; nobody if both are away."""
        if self.holder is not None and self.holder.is_present(on):
            return self.holder
        if self.backup is not None and self.backup.is_present(on):
            return self.backup
        return None


class Grid(_StaffVisible, models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=GridKind.choices)
    area = models.CharField(_("范围说明"), max_length=300, blank=True)
    boundary = models.JSONField(_("边界(GeoJSON)"), null=True, blank=True)
    worker = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grids",
        verbose_name=_("网格员"),
    )
    worker_phone = models.CharField(_("网格员电话"), max_length=30, blank=True)
    squad = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grids",
        verbose_name=_("责任执法中队"),
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from .geojson import validate_geojson

        errors = {}
        if self.boundary in ("", {}):
            self.boundary = None
        if self.boundary is not None:
            try:
                validate_geojson(self.boundary)
            except ValueError as exc:
                errors["boundary"] = _("GeoJSON边界无效：%(reason)s") % {"reason": exc}
        squad = _related_or_none(self, "squad")
        if squad is not None and squad.kind != SectionKind.SQUAD:
            errors["squad"] = _("责任执法中队须为执法中队类型的科室")
        if errors:
            raise ValidationError(errors)
