"""Route policy (which routes an applicant may take), item templates and document counters."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.catalog.choices import ApprovalClass
from shenguan.core.querysets import RestrictedQuerySet
from shenguan.parties.choices import CreditTier

from ..choices import Route


class _StaffReadable:
    """Policy and templates are read by staff and changed by administrators only."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()


class RoutePolicy(_StaffReadable, models.Model):
    """One version of the route policy table. Versions are never edited: an administrator's
    change creates a new version with its own effective date, and every application keeps the
    version it started under."""

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
        verbose_name = _("办理路径政策")
        verbose_name_plural = _("办理路径政策")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from})"

    @classmethod
    def in_force(cls, day: dt.date | None = None) -> RoutePolicy | None:
        """The version in force on ``day``: the latest effective date not after it, and of
        versions sharing that date the highest."""
        day = day or timezone.localdate()
        return (
            cls.objects.filter(effective_from__lte=day)
            .order_by("-effective_from", "-version")
            .first()
        )


class RoutePolicyRule(_StaffReadable, models.Model):
    """One cell of the table: approval class × credit tier. The ordinary route is always open
    (深圳经济特区社会信用条例 art 62: who will not or cannot commit is handled ordinarily)."""

    policy = models.ForeignKey(
        RoutePolicy, on_delete=models.CASCADE, related_name="rules", verbose_name=_("政策版本")
    )
    approval_class = models.CharField(_("审批分类"), max_length=20, choices=ApprovalClass.choices)
    credit_tier = models.CharField(_("信用等级"), max_length=1, choices=CreditTier.choices)
    allow_tolerance = models.BooleanField(_("可容缺受理"), default=False)
    allow_commitment = models.BooleanField(_("可告知承诺"), default=False)
    max_deferred = models.PositiveSmallIntegerField(
        _("最多容缺材料数"),
        null=True,
        blank=True,
        help_text=_("留空表示全部非要件均可容缺；0表示不得容缺"),
    )
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    promised_reduction_percent = models.PositiveSmallIntegerField(
        _("承诺时限压缩比例(%)"), default=0, help_text=_("绿色通道压缩承诺时限的比例，至少压缩1日")
    )
    strict_review = models.BooleanField(
        _("从严审查"), default=False, help_text=_("须两名审查人员分别提出同意意见")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理路径规则")
        verbose_name_plural = _("办理路径规则")
        ordering = ["policy", "approval_class", "credit_tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "approval_class", "credit_tier"], name="route_rule_unique_cell"
            ),
            # 深圳经济特区社会信用条例 art 59: items touching health and safety take no commitment.
            models.CheckConstraint(
                condition=~(Q(approval_class=ApprovalClass.CONTROLLED) & Q(allow_commitment=True)),
                name="route_rule_controlled_no_commitment",
            ),
            # Same art 59 and DOMAIN §5 #8: serious bad credit gets neither tolerance nor commitment.
            models.CheckConstraint(
                condition=~(
                    Q(credit_tier=CreditTier.D)
                    & (Q(allow_tolerance=True) | Q(allow_commitment=True))
                ),
                name="route_rule_blacklist_ordinary_only",
            ),
            models.CheckConstraint(
                condition=Q(promised_reduction_percent__lte=90),
                name="route_rule_reduction_at_most_90",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.get_approval_class_display()} × {self.credit_tier}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.approval_class == ApprovalClass.CONTROLLED and self.allow_commitment:
            errors["allow_commitment"] = _("控制类事项不适用告知承诺")
        if self.credit_tier == CreditTier.D and (self.allow_tolerance or self.allow_commitment):
            errors["credit_tier"] = _("D级（严重失信）主体不适用容缺受理和告知承诺")
        if self.promised_reduction_percent > 90:
            errors["promised_reduction_percent"] = _("压缩比例不得超过90%")
        if errors:
            raise ValidationError(errors)

    @property
    def allowed_routes(self) -> list[str]:
        routes = [Route.ORDINARY.value]
        if self.allow_tolerance:
            routes.append(Route.TOLERANCE.value)
        if self.allow_commitment:
            routes.append(Route.COMMITMENT.value)
        return routes

    def deferral_limit(self) -> int | None:
        """How many non-essential materials may be deferred: None = all, 0 = none."""
        if not (self.allow_tolerance or self.allow_commitment):
            return 0
        return self.max_deferred


# DOMAIN.md §5 defaults (policy): one row per class × tier.
def default_rules() -> list[dict]:
    rows = []
    for approval_class in ApprovalClass.values:
        for tier in CreditTier.values:
            row = {
                "approval_class": approval_class,
                "credit_tier": tier,
                "allow_tolerance": approval_class != ApprovalClass.CONTROLLED,
                "allow_commitment": approval_class != ApprovalClass.CONTROLLED,
                "max_deferred": {"controlled": 0, "cautious": 1, "encouraged": None}[
                    approval_class
                ],
                "green_channel": False,
                "promised_reduction_percent": 0,
                "strict_review": False,
            }
            if tier == CreditTier.D:
                row.update(
                    allow_tolerance=False,
                    allow_commitment=False,
                    max_deferred=0,
                    strict_review=True,
                )
            elif tier == CreditTier.C:
                row.update(allow_commitment=False)
            elif tier == CreditTier.A:
                row.update(green_channel=True, promised_reduction_percent=30)
            rows.append(row)
    return rows


class ItemTemplate(_StaffReadable, models.Model):
    """Per-item texts and settings for the commitment notice and the licence certificate."""

    power = models.OneToOneField(
        "catalog.Power",
        on_delete=models.CASCADE,
        related_name="approval_template",
        verbose_name=_("审批事项"),
    )
    conditions = models.TextField(_("办理条件"), blank=True)
    verification_text = models.TextField(
        _("核查说明"), blank=True, help_text=_("审批机关核查承诺内容的权力、方式和时间")
    )
    liability_text = models.TextField(_("不实承诺的法律责任"), blank=True)
    commitment_excluded = models.BooleanField(
        _("不适用告知承诺"),
        default=False,
        help_text=_(
            "直接涉及公共安全、人身健康、生命财产安全等的事项（深圳经济特区社会信用条例第五十九条）"
        ),
    )
    licence_title = models.CharField(_("证书名称"), max_length=100, default="行政许可证")
    licence_validity_years = models.PositiveSmallIntegerField(
        _("有效期(年)"), null=True, blank=True, default=5, help_text=_("留空表示长期有效")
    )
    licence_conditions = models.TextField(_("许可条件/许可范围"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("审批事项模板")
        verbose_name_plural = _("审批事项模板")

    def __str__(self) -> str:
        return str(self.power.code)


class Counter(models.Model):
    """The last number issued of one kind of document in one year; locked while numbering."""

    key = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文书编号计数器")
        verbose_name_plural = _("文书编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["key", "year"], name="approvals_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last}"
