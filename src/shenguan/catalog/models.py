"""The power list (权力清单) and responsibility list (责任清单).

``Power`` is the stable identity of an entry (its code); its content lives in ``PowerVersion``
rows with effective dates, so a case that started under one version keeps it. Materials and
stage duties belong to a version. ``Responsibility`` names who answers for a power: the section
and the post whose holder (A role) is accountable and whose backup (B role) stands in."""

from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.calendar import DayCounting
from shenguan.core.querysets import RestrictedQuerySet

from .choices import ApprovalClass, EnforcementClass, PowerKind, Stage


class _PublicList:
    """The power and responsibility lists are published: anyone may read, administrators change."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return qs if action == "view" else qs.none()


# Codes appear in URLs (/api/catalog/powers/{code}); the national implementation codes and the
# platform unids both fit this alphabet.
CODE_RE = r"^[A-Za-z0-9-]+$"
validate_code = RegexValidator(CODE_RE, _("事项编码只能包含字母、数字和连字符"), code="code_format")


class Power(_PublicList, models.Model):
    code = models.CharField(_("事项编码"), max_length=80, unique=True, validators=[validate_code])
    kind = models.CharField(_("权力类型"), max_length=20, choices=PowerKind.choices, db_index=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="powers",
        verbose_name=_("实施部门"),
    )
    section = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="powers",
        verbose_name=_("承办科室"),
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("权力事项")
        verbose_name_plural = _("权力清单")
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.version_at()
        return f"{self.code} {current.name if current else ''}".strip()

    def version_at(self, day: dt.date | None = None) -> PowerVersion | None:
        day = day or timezone.localdate()
        return (
            self.versions.filter(effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .order_by("-version")
            .first()
        )

    @property
    def current(self) -> PowerVersion | None:
        return self.version_at()

    @property
    def latest(self) -> PowerVersion | None:
        """The newest version, which may not be in force yet (revisions build on it)."""
        return self.versions.order_by("-version").first()


class PowerVersion(_PublicList, models.Model):
    power = models.ForeignKey(
        Power, on_delete=models.PROTECT, related_name="versions", verbose_name=_("权力事项")
    )
    version = models.PositiveIntegerField(_("版本"))
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    name = models.CharField(_("事项名称"), max_length=300)
    main_item = models.CharField(_("主项名称"), max_length=300, blank=True)
    legal_basis = models.TextField(_("实施依据"), blank=True)
    acting_body = models.CharField(_("行使主体"), max_length=200, blank=True)
    handling_unit = models.CharField(_("承办机构"), max_length=200, blank=True)
    statutory_limit_days = models.PositiveIntegerField(_("法定时限(日)"), null=True, blank=True)
    promised_limit_days = models.PositiveIntegerField(_("承诺时限(日)"), null=True, blank=True)
    day_counting = models.CharField(
        _("计日规则"), max_length=20, choices=DayCounting.choices, default=DayCounting.LICENSING
    )
    approval_class = models.CharField(
        _("审批分类"), max_length=20, choices=ApprovalClass.choices, blank=True
    )
    enforcement_class = models.CharField(
        _("执法类别"), max_length=20, choices=EnforcementClass.choices, blank=True
    )
    accountability_clause = models.TextField(_("问责依据"), blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=60, blank=True)
    extra = models.JSONField(_("其他字段"), default=dict, blank=True)
    generated_fields = models.JSONField(
        _("按规则生成的字段"),
        default=list,
        blank=True,
        help_text=_("由演示规则补全、并非官方公布的字段"),
    )
    content_hash = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["power", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["power", "version"], name="power_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="power_version_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(promised_limit_days__isnull=True)
                | Q(statutory_limit_days__isnull=True)
                | Q(promised_limit_days__lte=models.F("statutory_limit_days")),
                name="promised_not_over_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            self.promised_limit_days is not None
            and self.statutory_limit_days is not None
            and self.promised_limit_days > self.statutory_limit_days
        ):
            errors["promised_limit_days"] = _("承诺时限不得长于法定时限")
        if self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = _("失效日期早于生效日期")
        if errors:
            raise ValidationError(errors)


class Material(_PublicList, models.Model):
    version = models.ForeignKey(
        PowerVersion, on_delete=models.CASCADE, related_name="materials", verbose_name=_("版本")
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=300)
    essential = models.BooleanField(_("要件"), default=True)
    deferrable = models.BooleanField(
        _("可容缺"), default=False, help_text=_("只有非要件可以容缺后补")
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    notes = models.CharField(_("说明"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["version", "seq"], name="material_seq_unique"),
            models.CheckConstraint(
                condition=~(Q(essential=True) & Q(deferrable=True)),
                name="essential_material_not_deferrable",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.essential and self.deferrable:
            raise ValidationError({"deferrable": _("要件不得容缺")})


class Duty(_PublicList, models.Model):
    """A duty of one stage in the responsibility list (e.g. 受理阶段责任)."""

    version = models.ForeignKey(
        PowerVersion, on_delete=models.CASCADE, related_name="duties", verbose_name=_("版本")
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    stage_label = models.CharField(_("阶段名称"), max_length=50, blank=True)
    text = models.TextField(_("责任内容"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段责任")
        verbose_name_plural = _("阶段责任")
        ordering = ["version", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["version", "seq"], name="duty_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.stage_label or self.get_stage_display()}: {self.text[:40]}"


class Responsibility(_PublicList, models.Model):
    """Who answers for a power: its section and the post whose A role is accountable and whose
    B role stands in when the holder is absent."""

    power = models.OneToOneField(
        Power, on_delete=models.CASCADE, related_name="responsibility", verbose_name=_("权力事项")
    )
    section = models.ForeignKey(
        "org.Section", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任科室")
    )
    post = models.ForeignKey(
        "org.Post",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("责任岗位"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任清单")

    def __str__(self) -> str:
        return f"{self.power.code} → {self.section}"

    @property
    def accountable(self):
        return self.post.holder if self.post_id else None

    @property
    def backup(self):
        return self.post.backup if self.post_id else None

    def acting_staff(self):
        return self.post.acting_staff() if self.post_id else None
