"""Enforcement classes and their procedures (DOMAIN.md §1): every enforcement power belongs to
one of four classes; each class is bound to exactly one fixed procedure, so that officers have
little room to choose how to act; powers that share a procedure and an acting body are merged
onto one group (合并同类项)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.catalog.choices import EnforcementClass
from shenguan.core.querysets import RestrictedQuerySet


class _Published:
    """Procedures and the powers they serve are public, like the power list itself."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return qs if action == "view" else qs.none()


class Procedure(_Published, models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("程序名称"), max_length=100)
    enforcement_class = models.CharField(
        _("执法类别"), max_length=20, choices=EnforcementClass.choices, unique=True
    )
    description = models.TextField(_("说明"), blank=True)
    steps = models.JSONField(
        _("步骤"), default=list, help_text=_("[{key, label, article}]，按办理顺序")
    )
    workflow = models.CharField(
        _("系统流程"),
        max_length=100,
        blank=True,
        help_text=_("实现该程序的状态转换表（模块路径）"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法程序")
        verbose_name_plural = _("执法程序")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProcedureGroup(_Published, models.Model):
    """The merged powers of one procedure and one acting body (合并同类项)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="groups", verbose_name=_("执法程序")
    )
    acting_body = models.CharField(_("行使主体"), max_length=200)
    updated = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("合并事项组")
        verbose_name_plural = _("合并事项组")
        ordering = ["procedure", "acting_body"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "acting_body"], name="procedure_group_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure.name} · {self.acting_body}"


class GroupMember(_Published, models.Model):
    group = models.ForeignKey(
        ProcedureGroup,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("合并事项组"),
    )
    power = models.OneToOneField(
        "catalog.Power",
        on_delete=models.CASCADE,
        related_name="procedure_membership",
        verbose_name=_("权力事项"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("合并事项")
        verbose_name_plural = _("合并事项")
        ordering = ["group", "power__code"]

    def __str__(self) -> str:
        return f"{self.group} ← {self.power.code}"
