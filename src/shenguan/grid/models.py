"""Grid management (网格化服务管理, DOMAIN §10): the events grid workers report, the routing
policy that sends each to the responsible department or squad, the history of every step, and
applications a grid worker filed on behalf of a resident (代办)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet

from .choices import Category, EventStatus


class _StaffReadable:
    """Policy: read by staff, changed by administrators only."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()


class RoutingPolicy(_StaffReadable, models.Model):
    """One version of the routing table. Versions are never edited: a change is a new
    version with its own effective date; every event keeps the version it was routed under."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_from = models.DateField(_("生效日期"))
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
        verbose_name = _("网格事件分派政策")
        verbose_name_plural = _("网格事件分派政策")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from})"

    @classmethod
    def in_force(cls, day: dt.date | None = None) -> RoutingPolicy | None:
        day = day or timezone.localdate()
        return (
            cls.objects.filter(effective_from__lte=day)
            .order_by("-effective_from", "-version")
            .first()
        )


class RoutingRule(_StaffReadable, models.Model):
    """One row of the table: an event category (and, optionally, words in its text) → who
    receives it. The receiver is found in the power list: a named power, or the first power of
    a kind whose name contains a word, through its responsibility (责任科室); or the grid's
    own enforcement squad. ``limit_days`` is the closing limit in working days (条例 art 11)."""

    policy = models.ForeignKey(
        RoutingPolicy, on_delete=models.CASCADE, related_name="rules", verbose_name=_("政策版本")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    category = models.CharField(_("事件类别"), max_length=30, choices=Category.choices)
    keywords = models.CharField(
        _("关键词"),
        max_length=200,
        blank=True,
        help_text=_("事件标题或描述含其中任一词时适用，以“|”分隔；留空表示该类别全部"),
    )
    power = models.ForeignKey(
        "catalog.Power",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("权力事项"),
    )
    power_kind = models.CharField(_("权力类型"), max_length=20, blank=True)
    power_keywords = models.CharField(
        _("事项名称关键词"), max_length=200, blank=True, help_text=_("以“|”分隔")
    )
    to_grid_squad = models.BooleanField(
        _("交网格责任执法中队"), default=False, help_text=_("执法类事件交网格所属执法中队办理")
    )
    limit_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=5)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["policy", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(limit_days__gte=1), name="grid_rule_limit_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.keywords}".strip()

    def clean(self):
        from django.core.exceptions import ValidationError

        if not (self.power_id or self.power_kind or self.to_grid_squad):
            raise ValidationError(_("须指定权力事项、权力类型或交网格执法中队"))

    @staticmethod
    def words(text: str) -> list[str]:
        return [w.strip() for w in (text or "").replace("｜", "|").split("|") if w.strip()]

    def matches(self, category: str, text: str) -> bool:
        if self.category != category:
            return False
        words = self.words(self.keywords)
        return not words or any(w in text for w in words)


class GridEventQuerySet(RestrictedQuerySet):
    pass


def _receiver_q(scope, prefix: str = "") -> Q:
    cond = Q(pk__in=[])
    if scope.section_ids:
        cond |= Q(**{f"{prefix}assigned_section_id__in": scope.section_ids})
    if scope.department_id:
        cond |= Q(
            **{f"{prefix}assigned_section__isnull": True},
            **{f"{prefix}assigned_department_id": scope.department_id},
        )
    return cond


def event_scope_q(scope, action: str, prefix: str = "") -> Q | None:
    """The events a scope may see or change; None = all."""
    if scope.is_admin or scope.has_role(Role.COMMAND_CENTRE):
        return None
    if action == "view" and scope.zone_wide:
        return None
    if not scope.is_staff_member:
        return Q(pk__in=[])
    cond = _receiver_q(scope, prefix)
    if scope.has_role(Role.GRID_WORKER) and scope.grid_ids:
        cond |= Q(**{f"{prefix}grid_id__in": scope.grid_ids})
    return cond


class GridEvent(models.Model):
    number = models.CharField(_("事件编号"), max_length=30, unique=True)
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("情况描述"), blank=True)
    place = models.CharField(_("地点"), max_length=300)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    grid = models.ForeignKey(
        "org.Grid", on_delete=models.PROTECT, related_name="events", verbose_name=_("网格")
    )
    reporter = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="reported_grid_events",
        verbose_name=_("上报网格员"),
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_events",
        verbose_name=_("相关主体"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.REPORTED
    )
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    reported_on = models.DateField(_("上报日期"))
    # routing
    policy = models.ForeignKey(
        RoutingPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分派政策"),
    )
    rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分派规则"),
    )
    routed_power = models.ForeignKey(
        "catalog.Power",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_events",
        verbose_name=_("对应权力事项"),
    )
    routing_basis = models.CharField(_("分派依据"), max_length=300, blank=True)
    routed_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    assigned_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_events",
        verbose_name=_("承办部门"),
    )
    assigned_section = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_events",
        verbose_name=_("承办科室/中队"),
    )
    assignee = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_grid_events",
        verbose_name=_("承办人"),
    )
    limit_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    # closure and feedback
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closure_report = models.TextField(_("办理结果"), blank=True)
    closed_overdue = models.BooleanField(_("超期办结"), default=False)
    is_overdue = models.BooleanField(_("已超期"), default=False)
    overdue_marked_at = models.DateTimeField(_("超期标记时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    feedback = models.CharField(_("反馈意见"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GridEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="grid_event_status_due"),
            models.Index(fields=["grid", "status"], name="grid_event_grid_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="grid_event_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("grid:event", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.status not in (
            EventStatus.CLOSED,
            EventStatus.CONFIRMED,
        )

    def overdue_on(self, day: dt.date) -> bool:
        return self.is_open and self.due_on is not None and day > self.due_on

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        cond = event_scope_q(scope, action)
        return qs if cond is None else qs.filter(cond)


class _ThroughEvent:
    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        cond = event_scope_q(scope, "view", prefix="event__")
        if action != "view":
            return qs.none()
        return qs if cond is None else qs.filter(cond)


class PhotoStage(models.TextChoices):
    REPORT = "report", _("上报")
    CLOSURE = "closure", _("办结")


class EventPhoto(_ThroughEvent, models.Model):
    event = models.ForeignKey(
        GridEvent, on_delete=models.PROTECT, related_name="photos", verbose_name=_("事件")
    )
    stage = models.CharField(_("环节"), max_length=20, choices=PhotoStage.choices)
    file = models.FileField(_("文件"), upload_to="grid/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class EventStep(_ThroughEvent, models.Model):
    """The event's electronic file (条例 art 14): every transition with who, when and why."""

    event = models.ForeignKey(
        GridEvent, on_delete=models.PROTECT, related_name="steps", verbose_name=_("事件")
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    article = models.CharField(_("依据"), max_length=100, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    created = models.DateTimeField(_("时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action}"

    @property
    def action_label(self) -> str:
        from django.utils.translation import gettext

        from .workflow import ACTION_LABELS

        return gettext(ACTION_LABELS.get(self.action, self.action))


class ProxyFiling(models.Model):
    """An application a grid worker filed on behalf of a resident (公共服务代办, 条例 art 3)."""

    grid = models.ForeignKey(
        "org.Grid", on_delete=models.PROTECT, related_name="proxy_filings", verbose_name=_("网格")
    )
    worker = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("代办网格员")
    )
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("委托人")
    )
    application = models.OneToOneField(
        "approvals.Application",
        on_delete=models.PROTECT,
        related_name="proxy_filing",
        verbose_name=_("申请"),
    )
    consent_note = models.CharField(_("委托说明"), max_length=500)
    created = models.DateTimeField(_("代办时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("代办记录")
        verbose_name_plural = _("代办记录")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.worker} → {self.party}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.zone_wide:
            return qs
        if action == "view" and scope.has_role(Role.GRID_WORKER) and scope.grid_ids:
            return qs.filter(grid_id__in=scope.grid_ids)
        return qs.none()
