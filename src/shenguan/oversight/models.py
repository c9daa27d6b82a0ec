"""Oversight (效能监察): the versioned policy, one alert per clock and level, escalations to
the post's backup and the section head, and accountability records (效能问责)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet

from .choices import (
    AccountabilityOrigin,
    AccountabilityStatus,
    AlertLevel,
    EscalationTarget,
    Resolution,
)

# Roles that watch every clock of the zone (the bureau heads and the command centre).
OVERSEER_ROLES = (Role.BUREAU_HEAD, Role.COMMAND_CENTRE)


def _headed_sections(scope):
    from shenguan.org.models import Section

    return Section.objects.filter(head_id=scope.staff_id).values("id")


class OversightPolicy(models.Model):
    """One version of the oversight thresholds (policy, DOMAIN.md: local, configurable).
    Versions are never edited: a change publishes a new version with its own effective date."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_from = models.DateField(_("生效日期"))
    warning_share = models.DecimalField(
        _("黄色预警比例"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("已用时限达到该比例时黄色预警，如0.80即80%"),
    )
    backup_after_days = models.PositiveSmallIntegerField(_("逾期几个工作日后提醒B角"), default=0)
    section_head_after_days = models.PositiveSmallIntegerField(
        _("逾期几个工作日后上报科室负责人"), default=2
    )
    accountability_after_days = models.PositiveSmallIntegerField(
        _("逾期几个工作日后提出效能问责"), default=3
    )
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("效能监察政策")
        verbose_name_plural = _("效能监察政策")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warning_share__gt=0) & Q(warning_share__lt=1),
                name="oversight_policy_share_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(section_head_after_days__gte=models.F("backup_after_days")),
                name="oversight_policy_head_after_backup",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.section_head_after_days is not None
            and self.backup_after_days is not None
            and self.section_head_after_days < self.backup_after_days
        ):
            raise ValidationError({"section_head_after_days": _("上报科室负责人不能早于提醒B角")})

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()

    @classmethod
    def in_force(cls, day: dt.date) -> OversightPolicy | None:
        return (
            cls.objects.filter(effective_from__lte=day)
            .order_by("-effective_from", "-version")
            .first()
        )


class AlertQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def with_related(self):
        return self.select_related("department", "section", "grid", "staff")


def _own_or_team_q(scope, prefix: str = "") -> Q:
    """Rows of the caller (responsible staff), of the sections they head, or escalated to them."""
    if scope.staff_id is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}staff_id": scope.staff_id}) | Q(
        **{f"{prefix}section_id__in": _headed_sections(scope)}
    )


class Alert(models.Model):
    """One warning or overdue signal of one clock (unique per clock, level and due date, so a
    repeated sweep creates nothing twice). ``resolved_at`` is set when the clock stops, moves
    or turns from warning to overdue."""

    clock_kind = models.CharField(_("计时类型"), max_length=40, db_index=True)
    level = models.CharField(_("级别"), max_length=10, choices=AlertLevel.choices)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象ID"), max_length=64)
    object_label = models.CharField(_("对象"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oversight_alerts",
        verbose_name=_("部门"),
    )
    section = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oversight_alerts",
        verbose_name=_("科室/中队"),
    )
    grid = models.ForeignKey(
        "org.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oversight_alerts",
        verbose_name=_("网格"),
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oversight_alerts",
        verbose_name=_("责任人"),
    )
    post = models.ForeignKey(
        "org.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任岗位"),
    )
    started_on = models.DateField(_("起算日期"))
    due_on = models.DateField(_("期限"))
    limit_days = models.PositiveIntegerField(_("时限(日)"))
    working_days = models.BooleanField(_("按工作日计算"), default=True)
    created = models.DateTimeField(_("预警时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True, db_index=True)
    resolution = models.CharField(
        _("解除原因"), max_length=20, choices=Resolution.choices, blank=True
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("时限预警")
        verbose_name_plural = _("时限预警")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock_kind", "object_type", "object_id", "level", "due_on"],
                name="oversight_alert_once_per_clock_level_due",
            )
        ]
        indexes = [
            models.Index(fields=["resolved_at", "level"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.object_label}"

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def clock_kind_label(self) -> str:
        from .choices import ClockKind

        try:
            return str(ClockKind(self.clock_kind).label)
        except ValueError:
            return self.clock_kind

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """Bureau heads and the command centre: all (read only); section heads: their
        sections'; staff: their own and those escalated to them; others: nothing."""
        if action == "view" and scope.has_role(*OVERSEER_ROLES):
            return qs
        if action != "view" or scope.staff_id is None:
            return qs.none()
        escalated = Escalation.objects.filter(alert_id=OuterRef("pk"), target_id=scope.staff_id)
        return qs.filter(_own_or_team_q(scope) | Q(Exists(escalated)))


class Escalation(models.Model):
    """An overdue alert passed on: first to the backup (B角) of the responsible post, then to
    the section head. One row per alert and target kind."""

    alert = models.ForeignKey(
        Alert, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("预警")
    )
    target_kind = models.CharField(_("升级对象"), max_length=20, choices=EscalationTarget.choices)
    target = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="oversight_escalations",
        verbose_name=_("接收人"),
    )
    overdue_working_days = models.PositiveSmallIntegerField(_("逾期工作日"))
    on = models.DateField(_("升级日期"))
    created = models.DateTimeField(_("时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("逾期升级")
        verbose_name_plural = _("逾期升级")
        ordering = ["alert", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "target_kind"], name="oversight_escalation_once_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.get_target_kind_display()} {self.target_id}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.has_role(*OVERSEER_ROLES):
            return qs
        if action != "view" or scope.staff_id is None:
            return qs.none()
        return qs.filter(_own_or_team_q(scope, "alert__") | Q(target_id=scope.staff_id))


class AccountabilityQuerySet(RestrictedQuerySet):
    def with_related(self):
        return self.select_related("staff", "department", "section", "alert", "policy")


class AccountabilityRecord(models.Model):
    """效能问责: a record against the staff member responsible for a late act, with the
    reason. Proposed by the sweep (overdue beyond the policy) or by a head; reviewed by the
    section head or a bureau head; the staff member may appeal a confirmed record to a bureau
    head. The moves are in ``workflow.py``."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AccountabilityStatus.choices,
        default=AccountabilityStatus.PROPOSED,
        db_index=True,
    )
    origin = models.CharField(_("来源"), max_length=10, choices=AccountabilityOrigin.choices)
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="accountability_records",
        verbose_name=_("被问责人"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("部门"),
    )
    section = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("科室/中队"),
    )
    alert = models.ForeignKey(
        Alert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountability_records",
        verbose_name=_("逾期预警"),
    )
    policy = models.ForeignKey(
        OversightPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("政策版本"),
    )
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=300, blank=True)
    reason = models.TextField(_("问责事由"))
    proposed_on = models.DateField(_("提出日期"))
    proposed_by_name = models.CharField(_("提出人"), max_length=200)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核账号"),
    )
    reviewed_by_name = models.CharField(_("审核人"), max_length=200, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_grounds = models.TextField(_("申诉理由"), blank=True)
    appeal_decided_at = models.DateTimeField(_("申诉处理时间"), null=True, blank=True)
    appeal_decided_by_name = models.CharField(_("申诉处理人"), max_length=200, blank=True)
    appeal_note = models.TextField(_("申诉处理意见"), blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("效能问责")
        verbose_name_plural = _("效能问责")
        ordering = ["-created", "-id"]
        constraints = [
            # the sweep proposes one record per overdue alert, however often it runs
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(origin=AccountabilityOrigin.SWEEP),
                name="oversight_accountability_once_per_alert",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """Bureau heads see and act on all, the command centre reads all; section heads their
        sections'; staff their own (to appeal); others nothing."""
        if scope.has_role(Role.BUREAU_HEAD):
            return qs
        if action == "view" and scope.has_role(Role.COMMAND_CENTRE):
            return qs
        return qs.filter(_own_or_team_q(scope))


class Counter(models.Model):
    """The last number issued of one kind of record in one year; locked while numbering."""

    key = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["key", "year"], name="oversight_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last}"
