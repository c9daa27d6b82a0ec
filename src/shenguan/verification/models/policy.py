"""The verification policy: a versioned table approval class × route used × credit tier →
method, deadline and inspector pool (深圳经济特区社会信用条例 art 63: each item's verification
time, standard and method are set by its features and the applicant's credit). Versions are
never edited: an administrator's change publishes a new version with its own effective date,
and every task keeps the version it was planned under."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.approvals.choices import Route
from shenguan.catalog.choices import ApprovalClass
from shenguan.core.querysets import RestrictedQuerySet
from shenguan.parties.choices import CreditTier

from ..choices import Method


class _StaffReadable:
    """Policy is read by staff and changed by administrators only (through the service)."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()


class VerificationPolicy(_StaffReadable, models.Model):
    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    ack_working_days = models.PositiveSmallIntegerField(
        _("签收时限(工作日)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("执法中队签收批后推送的时限"),
    )
    rectification_working_days = models.PositiveSmallIntegerField(
        _("整改期限(工作日)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("核查不符合时责令整改的期限（深圳经济特区社会信用条例第六十四条）"),
    )
    fallback_squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("兜底执法中队"),
        help_text=_("当事人未划入网格或网格未指定责任中队时接收推送和核查任务"),
    )
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
        verbose_name = _("批后核查政策")
        verbose_name_plural = _("批后核查政策")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from})"

    @classmethod
    def in_force(cls, day: dt.date | None = None) -> VerificationPolicy | None:
        """The version in force on ``day``: the latest effective date not after it, and of
        versions sharing that date the highest."""
        day = day or timezone.localdate()
        return (
            cls.objects.select_related("fallback_squad")
            .filter(effective_from__lte=day)
            .order_by("-effective_from", "-version")
            .first()
        )


class VerificationRule(_StaffReadable, models.Model):
    """One cell: approval class × route used × credit tier."""

    policy = models.ForeignKey(
        VerificationPolicy,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("政策版本"),
    )
    approval_class = models.CharField(_("审批分类"), max_length=20, choices=ApprovalClass.choices)
    route = models.CharField(_("办理路径"), max_length=20, choices=Route.choices)
    credit_tier = models.CharField(_("信用等级"), max_length=1, choices=CreditTier.choices)
    method = models.CharField(_("核查方式"), max_length=20, choices=Method.choices)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("核查时限(工作日)"),
        default=20,
        validators=[MaxValueValidator(250)],
        help_text=_("自发证之日（抽查为抽取之日）起算；免于核查时不适用"),
    )
    inspector_pool = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("执法人员库（中队）"),
        help_text=_("留空：由当事人所在网格的责任中队核查"),
    )
    risk_weight = models.DecimalField(
        _("风险系数"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("抽查库中的抽取权重 = 信用等级权重 × 风险系数"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("批后核查规则")
        verbose_name_plural = _("批后核查规则")
        ordering = ["policy", "approval_class", "route", "credit_tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "approval_class", "route", "credit_tier"],
                name="verification_rule_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(method=Method.EXEMPT) | Q(deadline_working_days__gte=1),
                name="verification_rule_deadline_positive",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.policy} {self.get_approval_class_display()} × {self.get_route_display()}"
            f" × {self.credit_tier} → {self.get_method_display()}"
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        from shenguan.org.choices import SectionKind

        errors = {}
        if self.method != Method.EXEMPT and not self.deadline_working_days:
            errors["deadline_working_days"] = _("须规定核查时限")
        pool = self.inspector_pool if self.inspector_pool_id else None
        if pool is not None and pool.kind != SectionKind.SQUAD:
            errors["inspector_pool"] = _("执法人员库须为执法中队")
        if errors:
            raise ValidationError(errors)


# DOMAIN.md §5 defaults (policy).
def default_rules() -> list[dict]:
    rows = []
    for klass in ApprovalClass.values:
        for route in Route.values:
            for tier in CreditTier.values:
                if klass == ApprovalClass.CONTROLLED:
                    method, days = Method.ON_SITE, 10  # every approval, on site, 10 days
                elif klass == ApprovalClass.CAUTIOUS:
                    # on site if anything was deferred or committed, else document review
                    method = Method.DOCUMENT_REVIEW if route == Route.ORDINARY else Method.ON_SITE
                    days = 20
                else:
                    # random sampling at a rate set by credit tier (the draw weights by tier)
                    method, days = Method.SAMPLING_POOL, 20
                rows.append(
                    {
                        "approval_class": klass,
                        "route": route,
                        "credit_tier": tier,
                        "method": method,
                        "deadline_working_days": days,
                        "risk_weight": Decimal("1.50")
                        if route == Route.COMMITMENT
                        else Decimal("1.00"),
                    }
                )
    return rows
