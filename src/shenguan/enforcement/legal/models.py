"""The legal section's records: review opinions (法制审核, 行政处罚法 art 58), guidance messages
to officers in the field, and alerts raised by the sweep."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet

from ..cases.choices import ReviewOpinion
from ..common.scope import squad_restrict


class LegalReview(models.Model):
    """One round of review: submitted by the officers, answered by a legal reviewer."""

    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("案件"),
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    grounds = models.JSONField(_("审核情形"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    submission_note = models.TextField(_("提交说明"), blank=True)
    reviewer = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    opinion = models.CharField(
        _("审核意见"), max_length=20, choices=ReviewOpinion.choices, blank=True
    )
    text = models.TextField(_("意见内容"), blank=True)
    answered_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("法制审核")
        verbose_name_plural = _("法制审核")
        ordering = ["case", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="legal_review_round_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(opinion=""), name="legal_review_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round} {self.opinion or '待审核'}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action, fields=("case__squad_id",))


class Guidance(models.Model):
    """A message from the legal section to an officer, optionally about one case or
    inspection (法制科 follows and guides officers in the field)."""

    author = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("发送人")
    )
    recipient = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="enforcement_guidance",
        verbose_name=_("接收人"),
    )
    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guidance",
        verbose_name=_("案件"),
    )
    inspection = models.ForeignKey(
        "enforcement.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guidance",
        verbose_name=_("检查"),
    )
    text = models.TextField(_("指导意见"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法指导")
        verbose_name_plural = _("执法指导")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """The legal section, heads and the command centre read all; an officer reads what was
        sent to them (and marks it read)."""
        if scope.has_role(Role.LEGAL_REVIEWER, Role.BUREAU_HEAD):
            return qs
        if action == "view" and scope.has_role(Role.COMMAND_CENTRE):
            return qs
        if scope.staff_id is not None and scope.has_role(Role.ENFORCEMENT_OFFICER):
            return qs.filter(recipient_id=scope.staff_id)
        return qs.none()


class AlertKind(models.TextChoices):
    SINGLE_OFFICER = "single_officer", _("单人执法")
    OVERDUE = "overdue", _("步骤超期")
    MISSING_EVIDENCE = "missing_evidence", _("缺少证据")


class Alert(models.Model):
    """A warning for the legal section. Raised and resolved by the sweep (``legal.sweep``):
    one open alert per subject, kind and step; it resolves itself once the cause is gone."""

    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    key = models.CharField(_("步骤"), max_length=60)
    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象ID"), max_length=64)
    subject_label = models.CharField(_("对象"), max_length=200)
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办中队"),
    )
    message = models.CharField(_("内容"), max_length=300)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    raised_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法预警")
        verbose_name_plural = _("执法预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "subject_type", "subject_id"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_cause",
            )
        ]

    def __str__(self) -> str:
        return self.message

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action)
