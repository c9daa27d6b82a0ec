"""Models of the supervision app: which powers a business department supervises beyond its
own (an administrator's routing table), and the objections (异议) supervisors raise against
approval acts in their domain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet

from .choices import ObjectionStatus, RequestedAction

# Who sees every department's acts and objections.
ZONE_ROLES = (Role.BUREAU_HEAD, Role.COMMAND_CENTRE)


class SupervisedPower(models.Model):
    """A power a business department supervises although the power list assigns it to another
    body (after concentration every approval item belongs to the approval bureau; its former
    department keeps watching it). Local data, changed by administrators."""

    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        related_name="supervised_powers",
        verbose_name=_("监管部门"),
    )
    power = models.ForeignKey(
        "catalog.Power",
        on_delete=models.CASCADE,
        related_name="supervisions",
        verbose_name=_("权力事项"),
    )
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监管事项分工")
        verbose_name_plural = _("监管事项分工")
        constraints = [
            models.UniqueConstraint(fields=["department", "power"], name="supervised_power_once")
        ]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.power_id}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()


class Objection(models.Model):
    """An objection by a department supervisor to an approval act in the department's domain,
    routed to the bureau heads, who uphold it (with an instruction) or reject it (with
    reasons). The act is named by its journal entry (``act_seq``), copied here so the
    objection reads on its own."""

    application = models.ForeignKey(
        "approvals.Application",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("申请"),
    )
    licence = models.ForeignKey(
        "approvals.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("许可证"),
    )
    act_seq = models.BigIntegerField(_("审批行为日志序号"), null=True, blank=True)
    act_action = models.CharField(_("审批行为"), max_length=100, blank=True)
    act_time = models.DateTimeField(_("行为时间"), null=True, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("提出部门"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    raised_by_name = models.CharField(_("提出人姓名"), max_length=200)
    grounds = models.TextField(_("异议理由"))
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    requested_action = models.CharField(
        _("请求事项"), max_length=20, choices=RequestedAction.choices
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.RAISED,
        db_index=True,
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    routed_at = models.DateTimeField(_("转送时间"), null=True, blank=True)
    review_started_at = models.DateTimeField(_("开始审查时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审查人"),
    )
    reviewer_name = models.CharField(_("审查人姓名"), max_length=200, blank=True)
    decision = models.TextField(_("处理决定/指示"), blank=True)
    rejection_reasons = models.TextField(_("不成立理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监管异议")
        verbose_name_plural = _("监管异议")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["department", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ObjectionStatus.UPHELD) | ~models.Q(decision=""),
                name="objection_upheld_has_decision",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ObjectionStatus.REJECTED)
                | ~models.Q(rejection_reasons=""),
                name="objection_rejected_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"异议#{self.pk} {self.application_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:objection", args=[self.pk])

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """Bureau heads: all (they decide); command centre: all, read only; department
        supervisors: their department's (change: only what they raised themselves)."""
        if scope.has_role(Role.BUREAU_HEAD):
            return qs
        if action == "view" and scope.has_role(Role.COMMAND_CENTRE):
            return qs
        if scope.has_role(Role.DEPARTMENT_SUPERVISOR) and scope.department_id:
            qs = qs.filter(department_id=scope.department_id)
            if action == "change":
                qs = qs.filter(raised_by=scope.user)
            return qs
        return qs.none()
