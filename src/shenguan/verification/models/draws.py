"""Double random, one public (双随机、一公开; 优化营商环境条例 art 54): the directory of approvals
awaiting random sampling, the draws (seed, inputs and result recorded so that a draw can be
replayed exactly) and the recusal list."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from ..choices import DrawStatus, PoolStatus
from .scoping import is_officer, sees_all, visible_tasks


class _ZoneOnly:
    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and sees_all(scope):
            return qs
        return qs.none()


class PoolEntry(_ZoneOnly, models.Model):
    """An approval in the random-sampling directory (抽查对象名录库)."""

    licence = models.OneToOneField(
        "approvals.Licence",
        on_delete=models.PROTECT,
        related_name="sampling_entry",
        verbose_name=_("许可证"),
    )
    application = models.ForeignKey(
        "approvals.Application",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("许可申请"),
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="sampling_entries",
        verbose_name=_("当事人"),
    )
    policy = models.ForeignKey(
        "VerificationPolicy", on_delete=models.PROTECT, related_name="+", verbose_name=_("政策版本")
    )
    rule = models.ForeignKey(
        "VerificationRule", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用规则")
    )
    risk_weight = models.DecimalField(
        _("风险系数"), max_digits=5, decimal_places=2, default=Decimal("1.00")
    )
    entered_on = models.DateField(_("入库日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PoolStatus.choices, default=PoolStatus.WAITING
    )
    draw = models.ForeignKey(
        "Draw",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("抽查批次"),
    )
    removed_reason = models.CharField(_("移出原因"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象名录库")
        ordering = ["entered_on", "id"]

    def __str__(self) -> str:
        return f"{self.party_id}/{self.licence_id} {self.status}"


class Draw(models.Model):
    """One draw. ``inputs`` is the canonical snapshot the result was computed from (targets with
    their weights and recusals, the inspector pool, the parameters); ``shenguan draw replay``
    recomputes ``result`` from ``seed`` and ``inputs`` and compares it byte for byte, and
    compares both digests with the journal entry written when the draw was made."""

    number = models.CharField(_("批次编号"), max_length=30, unique=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DrawStatus.choices, default=DrawStatus.DRAWN
    )
    algorithm = models.CharField(_("算法"), max_length=40)
    seed = models.CharField(_("随机种子"), max_length=128)
    inputs = models.JSONField(_("抽取输入"))
    inputs_sha256 = models.CharField(_("输入摘要(SHA-256)"), max_length=64)
    result = models.JSONField(_("抽取结果"))
    result_sha256 = models.CharField(_("结果摘要(SHA-256)"), max_length=64)
    drawn_on = models.DateField(_("抽取日期"))
    created = models.DateTimeField(_("抽取时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("组织抽取人"),
    )
    created_by_name = models.CharField(_("组织抽取人姓名"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("双随机抽查批次")
        verbose_name_plural = _("双随机抽查批次")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and sees_all(scope):
            return qs
        if action == "view" and is_officer(scope):
            return qs.filter(pk__in=visible_tasks(scope).values("draw_id"))
        return qs.none()


class Recusal(_ZoneOnly, models.Model):
    """An inspector who must not inspect a party (关联关系 declared or found; 行政处罚法 art 43).
    Besides these rows, an inspector whose login acts for the party (``PartyAccount``) is
    always recused."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="recusals", verbose_name=_("执法人员")
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="inspector_recusals",
        verbose_name=_("当事人"),
    )
    reason = models.CharField(_("回避事由"), max_length=300)
    created = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("回避登记")
        verbose_name_plural = _("回避登记")
        ordering = ["staff", "party"]
        constraints = [models.UniqueConstraint(fields=["staff", "party"], name="recusal_unique")]

    def __str__(self) -> str:
        return f"{self.staff} ↛ {self.party}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and sees_all(scope):
            return qs
        if cls.can_create(scope):
            return qs
        return qs.none()

    @classmethod
    def can_create(cls, scope) -> bool:
        from shenguan.core.permissions import Role

        return scope.has_role(Role.BUREAU_HEAD, Role.LEGAL_REVIEWER)
