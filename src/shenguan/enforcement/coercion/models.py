"""Coercive measures (行政强制措施): sealing (查封) and seizure (扣押) under 行政强制法 art 18-28."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from ..common.scope import squad_restrict


class MeasureKind(models.TextChoices):
    SEALING = "sealing", _("查封")
    SEIZURE = "seizure", _("扣押")


class MeasureStatus(models.TextChoices):
    REQUESTED = "requested", _("待批准")
    IN_FORCE = "in_force", _("实施中")
    REFUSED = "refused", _("未批准")
    RELEASED = "released", _("已解除")


class ReleaseReason(models.TextChoices):
    """行政强制法 art 28 (1)-(5), and art 19 (the head finds it should not have been taken)."""

    NO_VIOLATION = "no_violation", _("当事人没有违法行为")
    UNRELATED = "unrelated", _("与违法行为无关")
    DECIDED = "decided", _("已作出处理决定，不再需要查封、扣押")
    EXPIRED = "expired", _("查封、扣押期限已经届满")
    NOT_NEEDED = "not_needed", _("其他不再需要采取查封、扣押措施的情形")
    NOT_RATIFIED = "not_ratified", _("负责人认为不应当采取（紧急措施未获批准）")


class CoerciveMeasure(models.Model):
    number = models.CharField(_("编号"), max_length=60, unique=True)
    kind = models.CharField(_("措施"), max_length=20, choices=MeasureKind.choices)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=MeasureStatus.choices,
        default=MeasureStatus.REQUESTED,
        db_index=True,
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="coercive_measures",
        verbose_name=_("当事人"),
    )
    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("处罚案件"),
    )
    inspection = models.ForeignKey(
        "enforcement.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("检查"),
    )
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        related_name="coercive_measures",
        verbose_name=_("承办中队"),
    )
    place = models.CharField(_("场所"), max_length=300)
    items = models.JSONField(_("清单"), default=list, help_text=_("[{name, quantity, unit}]"))
    reason = models.TextField(_("理由"))
    basis = models.TextField(_("依据"))
    officers = models.JSONField(_("实施人员"), default=list)
    emergency = models.BooleanField(_("紧急情况当场实施"), default=False)
    requested_at = models.DateTimeField(_("报批时间"), default=timezone.now)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批准人"),
    )
    taken_at = models.DateTimeField(_("实施时间"), null=True, blank=True)
    # 行政强制法 art 19: an emergency measure is reported to the head within 24 hours
    report_due_at = models.DateTimeField(_("报告期限"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    reported_late = models.BooleanField(_("逾期报告"), default=False)
    starts_on = models.DateField(_("起始日期"), null=True, blank=True)
    ends_on = models.DateField(_("期限届满"), null=True, blank=True)
    extended_on = models.DateField(_("延长日期"), null=True, blank=True)
    extension_reason = models.TextField(_("延长理由"), blank=True)
    released_on = models.DateField(_("解除日期"), null=True, blank=True)
    release_reason = models.CharField(
        _("解除原因"), max_length=20, choices=ReleaseReason.choices, blank=True
    )
    release_note = models.TextField(_("解除说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("查封扣押")
        verbose_name_plural = _("查封扣押")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="in_force") | Q(ends_on__isnull=False),
                name="measure_in_force_has_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action)
