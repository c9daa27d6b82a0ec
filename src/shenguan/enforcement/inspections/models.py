"""Inspections (行政检查): a checklist per item, two certified officers who both sign, evidence,
the result, and rectification orders with their re-checks.

An inspection names where its task came from with ``source`` plus a generic reference
(``source_type``, ``source_id``) — e.g. a verification task of the verification app is
``("verification", "verification.task", "12")``. ``Inspection.objects.for_source`` finds it
back; the event ``enforcement.inspection.completed`` carries the same reference."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from ..common.scope import squad_restrict


class InspectionSource(models.TextChoices):
    VERIFICATION = "verification", _("批后核查")
    DRAW = "draw", _("双随机抽查")
    COMPLAINT = "complaint", _("投诉举报")
    GRID_REPORT = "grid_report", _("网格上报")
    PLAN = "plan", _("计划检查")
    RECHECK = "recheck", _("整改复查")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("待检查")
    IN_PROGRESS = "in_progress", _("检查中")
    SIGNING = "signing", _("待第二人签名")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class InspectionResult(models.TextChoices):
    COMPLIANT = "compliant", _("未发现问题")
    RECTIFY = "rectify", _("责令限期改正")
    VIOLATION = "violation", _("发现违法行为，移交立案")
    NOT_FOUND = "not_found", _("检查对象不存在或无法检查")


class Answer(models.TextChoices):
    OK = "ok", _("符合")
    NOT_OK = "not_ok", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class Checklist(models.Model):
    """The checklist of one item (检查单). ``power`` empty = the default checklist."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    power = models.OneToOneField(
        "catalog.Power",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_checklist",
        verbose_name=_("对应事项"),
    )
    is_active = models.BooleanField(_("有效"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查单")
        verbose_name_plural = _("检查单")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return qs if action == "view" and scope.is_staff_member else qs.none()


class ChecklistEntry(models.Model):
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="entries", verbose_name=_("检查单")
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("检查内容"), max_length=300)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    requires_evidence = models.BooleanField(
        _("不符合时须取证"), default=True, help_text=_("判为不符合时必须附照片或文件")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["checklist", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "seq"], name="checklist_entry_seq")
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.text}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return qs if action == "view" and scope.is_staff_member else qs.none()


class InspectionQuerySet(RestrictedQuerySet):
    def for_source(self, source_type: str, source_id) -> InspectionQuerySet:
        return self.filter(source_type=source_type, source_id=str(source_id))

    def with_related(self):
        return self.select_related("party", "power", "squad", "checklist", "recheck_of")


class Inspection(models.Model):
    number = models.CharField(_("检查编号"), max_length=60, unique=True)
    source = models.CharField(_("任务来源"), max_length=20, choices=InspectionSource.choices)
    source_type = models.CharField(_("来源记录类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源记录ID"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
        db_index=True,
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("检查对象"),
    )
    power = models.ForeignKey(
        "catalog.Power",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查事项"),
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查单")
    )
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("承办中队"),
    )
    subject = models.CharField(_("检查事由"), max_length=300)
    place = models.CharField(_("检查地点"), max_length=300, blank=True)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    result = models.CharField(
        _("检查结果"), max_length=20, choices=InspectionResult.choices, blank=True
    )
    findings = models.TextField(_("检查情况"), blank=True)
    rectify_days = models.PositiveSmallIntegerField(_("整改期限(日)"), null=True, blank=True)
    rectify_requirements = models.TextField(_("整改要求"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    recheck_of = models.ForeignKey(
        "RectificationOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rechecks",
        verbose_name=_("复查的整改通知"),
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

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action)


class InspectionOfficer(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="officers", verbose_name=_("检查")
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
        verbose_name=_("执法人员"),
    )
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员")
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "staff"], name="inspection_officer")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.staff_id}"


class ChecklistAnswer(models.Model):
    """An entry of the checklist as copied into the inspection, with its answer (the
    inspection keeps the checklist it was done with, whatever later edits happen)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="answers", verbose_name=_("检查")
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("检查内容"), max_length=300)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    requires_evidence = models.BooleanField(_("不符合时须取证"), default=True)
    answer = models.CharField(_("结论"), max_length=10, choices=Answer.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    answered_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    answered_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["inspection", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "seq"], name="inspection_answer_seq")
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.text}: {self.answer or '—'}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    COMPLIED = "complied", _("已整改")
    NOT_COMPLIED = "not_complied", _("逾期未整改")


class RectificationOrder(models.Model):
    """An order to put things right by a date (责令改正, 行政处罚法 art 28), re-checked after."""

    inspection = models.OneToOneField(
        Inspection,
        on_delete=models.PROTECT,
        related_name="rectification",
        verbose_name=_("检查"),
    )
    requirements = models.TextField(_("整改要求"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("责令改正")
        verbose_name_plural = _("责令改正")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.inspection.number} → {self.due_on}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action, fields=("inspection__squad_id",))

    @property
    def open(self) -> bool:
        return self.status == RectificationStatus.OPEN

    @staticmethod
    def open_q() -> Q:
        return Q(status=RectificationStatus.OPEN)
