"""Publication of licensing and penalty decisions (双公示, DOMAIN.md §8): the public fields only,
within 7 working days, withdrawn when the decision changes, ended when the period runs out."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet


class PublicationKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")


class PublicationStatus(models.TextChoices):
    PUBLISHED = "published", _("公示中")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("公示期满")


class Publication(models.Model):
    kind = models.CharField(_("类别"), max_length=20, choices=PublicationKind.choices)
    source_type = models.CharField(_("来源类型"), max_length=60)
    source_id = models.CharField(_("来源ID"), max_length=64)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PUBLISHED,
        db_index=True,
    )
    document_number = models.CharField(_("决定文书号"), max_length=80)
    party_name = models.CharField(
        _("行政相对人名称"), max_length=200, help_text=_("自然人只公示姓氏，其余以*代替")
    )
    party_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, help_text=_("自然人不公示身份证号")
    )
    is_person = models.BooleanField(_("自然人"), default=False)
    title = models.CharField(_("事项/案由"), max_length=300)
    content = models.TextField(_("决定内容"))
    basis = models.TextField(_("依据"), blank=True)
    authority = models.CharField(_("决定机关"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    due_on = models.DateField(_("公示期限"))
    published_on = models.DateField(_("公示日期"))
    expires_on = models.DateField(_("公示截止"))
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("双公示信息")
        verbose_name_plural = _("双公示信息")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id"], name="publication_one_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """The public sees what is being published; staff of the bureaus see every row
        (withdrawn and expired too); heads and legal reviewers withdraw."""
        if action == "view":
            if scope.is_staff_member:
                return qs
            return qs.filter(status=PublicationStatus.PUBLISHED)
        if scope.has_role(Role.BUREAU_HEAD, Role.LEGAL_REVIEWER):
            return qs
        return qs.none()
