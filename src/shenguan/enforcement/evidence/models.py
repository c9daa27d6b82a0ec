"""Evidence (证据): photos, documents, recordings with where and when they were taken and a
checksum, attached to an inspection, a penalty case or a coercive measure."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from ..common.scope import squad_restrict


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("书证/文件")
    AUDIO = "audio", _("录音")
    VIDEO = "video", _("视频")


class EvidenceQuerySet(RestrictedQuerySet):
    pass


class Evidence(models.Model):
    kind = models.CharField(_("证据种类"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="enforcement/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    place = models.CharField(_("取证地点"), max_length=300)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    taken_at = models.DateTimeField(_("取证时间"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    captured_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("取证人"),
    )
    officers = models.JSONField(_("在场执法人员"), default=list)
    inspection = models.ForeignKey(
        "enforcement.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("检查"),
    )
    answer_seq = models.PositiveSmallIntegerField(
        _("对应检查项"), null=True, blank=True, help_text=_("检查单中的序号")
    )
    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("处罚案件"),
    )
    measure = models.ForeignKey(
        "enforcement.CoerciveMeasure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("强制措施"),
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("证据")
        verbose_name_plural = _("证据")
        ordering = ["taken_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, inspection__isnull=True, measure__isnull=True)
                    | Q(case__isnull=True, inspection__isnull=False, measure__isnull=True)
                    | Q(case__isnull=True, inspection__isnull=True, measure__isnull=False)
                ),
                name="enforcement_evidence_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name} ({self.sha256[:12]})"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(
            qs,
            scope,
            action,
            fields=("case__squad_id", "inspection__squad_id", "measure__squad_id"),
        )
