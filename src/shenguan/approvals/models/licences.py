"""Licences and their renewals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet

from ..choices import CancellationReason, LicenceStatus, RenewalStatus, Route
from .applications import READ_ONLY_ROLES, Application

# Enforcement officers verify approvals after the fact (批后核查), so they read licences.
LICENCE_READERS = (*READ_ONLY_ROLES, Role.ENFORCEMENT_OFFICER, Role.LEGAL_REVIEWER)


class LicenceQuerySet(RestrictedQuerySet):
    def with_related(self):
        return self.select_related("holder", "power", "power_version", "application")


class Licence(models.Model):
    number = models.CharField(_("许可证编号"), max_length=60, unique=True)
    verification_number = models.CharField(_("核验号"), max_length=30, unique=True)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="licences", verbose_name=_("申请")
    )
    holder = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("被许可人"),
    )
    power = models.ForeignKey(
        "catalog.Power", on_delete=models.PROTECT, related_name="licences", verbose_name=_("事项")
    )
    power_version = models.ForeignKey(
        "catalog.PowerVersion",
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("事项版本"),
    )
    title = models.CharField(_("证书名称"), max_length=100)
    item_name = models.CharField(_("许可事项"), max_length=300)
    holder_name = models.CharField(_("被许可人名称"), max_length=200)
    conditions = models.TextField(_("许可条件/范围"), blank=True)
    route = models.CharField(_("办理路径"), max_length=20, choices=Route.choices)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=LicenceStatus.choices,
        default=LicenceStatus.VALID,
        db_index=True,
    )
    issued_on = models.DateField(_("发证日期"))
    issued_at = models.DateTimeField(_("发证时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发证人"),
    )
    issuing_body = models.CharField(_("发证机关"), max_length=100)
    revocation_started_on = models.DateField(_("启动撤销日期"), null=True, blank=True)
    revocation_grounds = models.TextField(_("启动撤销事由"), blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revocation_reason = models.TextField(_("撤销理由"), blank=True)
    cancelled_on = models.DateField(_("注销日期"), null=True, blank=True)
    cancellation_reason = models.CharField(
        _("注销情形"), max_length=20, choices=CancellationReason.choices, blank=True
    )
    cancellation_note = models.TextField(_("注销说明"), blank=True)
    expired_on = models.DateField(_("过期日期"), null=True, blank=True)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("许可证")
        verbose_name_plural = _("许可证")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # At most one live licence per application, even under concurrent approve calls.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=LicenceStatus.VALID),
                name="licence_one_live_per_application",
            ),
            # 行政许可法 art 69: a revocation states its reason.
            models.CheckConstraint(
                condition=~Q(status=LicenceStatus.REVOKED) | ~Q(revocation_reason=""),
                name="licence_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if scope.has_role(Role.APPROVAL_OFFICER, Role.BUREAU_HEAD):
            return qs
        if action == "view" and scope.has_role(Role.WINDOW_CLERK, *LICENCE_READERS):
            return qs
        if scope.party_ids:
            return qs.filter(holder_id__in=scope.party_ids)
        return qs.none()

    @property
    def verify_path(self) -> str:
        return f"/verify/{self.verification_number}"

    @property
    def verify_url(self) -> str:
        return f"{settings.PUBLIC_URL}{self.verify_path}"


class Renewal(models.Model):
    """An application to extend a licence's validity (行政许可法 art 50): filed at least 30
    days before expiry; undecided at expiry it counts as granted."""

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="renewals", verbose_name=_("许可证")
    )
    applied_on = models.DateField(_("申请日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RenewalStatus.choices, default=RenewalStatus.PENDING
    )
    previous_valid_until = models.DateField(_("原有效期至"))
    new_valid_until = models.DateField(_("延续后有效期至"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    reasons = models.TextField(_("理由"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人账号"),
    )

    class Meta:
        verbose_name = _("延续申请")
        verbose_name_plural = _("延续申请")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence"],
                condition=Q(status=RenewalStatus.PENDING),
                name="renewal_one_pending_per_licence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.applied_on} {self.status}"
