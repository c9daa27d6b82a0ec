"""Pushes (批后推送) and their acknowledgement, verification tasks, their inspectors, findings
signed by two inspectors, rectification orders and penalty-case leads.

Links run both ways: a task points at its licence, application, party, draw and the push it
was planned from; the licence, application and party reach their tasks through
``verification_tasks``; a lead points at its task, finding, licence, application and credit
event; the credit event names its finding as its source."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.approvals.choices import Route
from shenguan.catalog.choices import ApprovalClass
from shenguan.core.querysets import RestrictedQuerySet
from shenguan.parties.choices import CreditTier

from ..choices import (
    FindingOutcome,
    FindingStatus,
    LeadKind,
    LeadStatus,
    Method,
    PushKind,
    TaskOrigin,
    TaskResult,
    TaskStatus,
)
from .scoping import is_officer, sees_all, task_q, visible_tasks


class Counter(models.Model):
    """The last number issued of one kind of record in one year; locked while numbering."""

    key = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["key", "year"], name="verification_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last}"


class PushQuerySet(RestrictedQuerySet):
    def overdue(self, day):
        """Not acknowledged and past the acknowledgement deadline on ``day``."""
        return self.filter(acknowledged_at__isnull=True, ack_due_on__lt=day)

    def with_related(self):
        return self.select_related(
            "party", "application", "licence", "squad", "grid", "task", "acknowledged_by"
        )


class Push(models.Model):
    """One approval outcome pushed to the enforcement bureau, made from one outbox event."""

    event_id = models.UUIDField(_("事件ID"), unique=True)
    event_type = models.CharField(_("事件类型"), max_length=100)
    kind = models.CharField(_("推送类型"), max_length=30, choices=PushKind.choices)
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="verification_pushes",
        verbose_name=_("当事人"),
    )
    application = models.ForeignKey(
        "approvals.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_pushes",
        verbose_name=_("许可申请"),
    )
    licence = models.ForeignKey(
        "approvals.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_pushes",
        verbose_name=_("许可证"),
    )
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_pushes",
        verbose_name=_("接收中队"),
    )
    grid = models.ForeignKey(
        "org.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_pushes",
        verbose_name=_("网格"),
    )
    task = models.ForeignKey(
        "VerificationTask",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pushes",
        verbose_name=_("核查任务"),
    )
    policy = models.ForeignKey(
        "VerificationPolicy",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("政策版本"),
    )
    summary = models.JSONField(_("推送内容"), default=dict)
    pushed_at = models.DateTimeField(_("推送时间"), help_text=_("审批结果发生（事件写入）的时间"))
    created = models.DateTimeField(_("接收时间"), default=timezone.now)
    ack_due_on = models.DateField(_("签收期限"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    acknowledged_by_name = models.CharField(_("签收人姓名"), max_length=200, blank=True)
    acknowledged_late = models.BooleanField(_("逾期签收"), default=False)
    ack_note = models.CharField(_("签收说明"), max_length=300, blank=True)
    overdue_flagged_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)

    objects = PushQuerySet.as_manager()

    class Meta:
        verbose_name = _("批后推送")
        verbose_name_plural = _("批后推送")
        ordering = ["-pushed_at", "-id"]
        indexes = [models.Index(fields=["squad", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.summary.get('number', '')}".strip()

    def is_overdue(self, day=None) -> bool:
        day = day or timezone.localdate()
        return (
            self.acknowledged_at is None and self.ack_due_on is not None and self.ack_due_on < day
        )

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and sees_all(scope):
            return qs
        if is_officer(scope):
            return qs.filter(squad_id__in=scope.section_ids)
        return qs.none()


class TaskQuerySet(RestrictedQuerySet):
    def with_related(self):
        return self.select_related(
            "party", "application", "licence", "squad", "grid", "policy", "draw"
        )

    def overdue(self, day):
        return self.exclude(status=TaskStatus.CLOSED).filter(due_on__lt=day)


class VerificationTask(models.Model):
    number = models.CharField(_("任务编号"), max_length=30, unique=True)
    origin = models.CharField(_("来源"), max_length=20, choices=TaskOrigin.choices)
    method = models.CharField(_("核查方式"), max_length=20, choices=Method.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    result = models.CharField(_("结果"), max_length=20, choices=TaskResult.choices, blank=True)
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="verification_tasks",
        verbose_name=_("当事人"),
    )
    application = models.ForeignKey(
        "approvals.Application",
        on_delete=models.PROTECT,
        related_name="verification_tasks",
        verbose_name=_("许可申请"),
    )
    licence = models.ForeignKey(
        "approvals.Licence",
        on_delete=models.PROTECT,
        related_name="verification_tasks",
        verbose_name=_("许可证"),
    )
    approval_class = models.CharField(_("审批分类"), max_length=20, choices=ApprovalClass.choices)
    route = models.CharField(_("办理路径"), max_length=20, choices=Route.choices)
    credit_tier = models.CharField(_("规划时信用等级"), max_length=1, choices=CreditTier.choices)
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_tasks",
        verbose_name=_("责任中队"),
    )
    grid = models.ForeignKey(
        "org.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_tasks",
        verbose_name=_("网格"),
    )
    policy = models.ForeignKey(
        "VerificationPolicy",
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("政策版本"),
    )
    rule = models.ForeignKey(
        "VerificationRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("适用规则"),
    )
    basis = models.CharField(_("规划依据"), max_length=300, blank=True)
    draw = models.ForeignKey(
        "Draw",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("抽查批次"),
    )
    pool_entry = models.OneToOneField(
        "PoolEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="task",
        verbose_name=_("抽查库条目"),
    )
    planned_on = models.DateField(_("起算日期"))
    due_on = models.DateField(_("核查期限"), null=True, blank=True, db_index=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("核查时限(工作日)"))
    created = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    revocation_grounds = models.TextField(_("撤销事由"), blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("批后核查任务")
        verbose_name_plural = _("批后核查任务")
        ordering = ["-created", "-id"]
        constraints = [
            # the consumer may see a licence's event twice: one planned task per licence
            models.UniqueConstraint(
                fields=["licence"],
                condition=Q(origin=TaskOrigin.PLANNED),
                name="verification_task_one_planned_per_licence",
            ),
            models.UniqueConstraint(
                fields=["licence"],
                condition=Q(origin=TaskOrigin.UNKEPT),
                name="verification_task_one_unkept_per_licence",
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.CLOSED, closed_on__isnull=False)
                | (~Q(status=TaskStatus.CLOSED) & Q(closed_on__isnull=True, result="")),
                name="verification_task_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.status != TaskStatus.CLOSED and self.due_on is not None and self.due_on < day

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if sees_all(scope) and action == "view":
            return qs
        if is_officer(scope):
            return qs.filter(task_q(scope))
        return qs.none()


class TaskInspector(models.Model):
    """An inspector drawn for (or signing) a task."""

    task = models.ForeignKey(
        VerificationTask,
        on_delete=models.CASCADE,
        related_name="inspectors",
        verbose_name=_("核查任务"),
    )
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法人员")
    )
    drawn = models.BooleanField(_("随机抽取"), default=False)
    created = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("核查人员")
        verbose_name_plural = _("核查人员")
        ordering = ["task", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "staff"], name="task_inspector_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.staff_id}"


class _TaskChild:
    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and sees_all(scope):
            return qs
        if is_officer(scope):
            return qs.filter(task__in=visible_tasks(scope).values("pk"))
        return qs.none()


class Finding(_TaskChild, models.Model):
    """The minimal finding of one inspection round (1: the verification; 2, 3…: re-inspections
    after a rectification order). Issue 5's inspections (checklists, evidence) attach here."""

    task = models.ForeignKey(
        VerificationTask,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("核查任务"),
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    outcome = models.CharField(_("核查结论"), max_length=20, choices=FindingOutcome.choices)
    facts = models.TextField(_("核查情况"))
    requirements = models.TextField(_("整改要求"), blank=True)
    inspected_on = models.DateField(_("核查日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.DRAFT
    )
    recorded_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办执法人员")
    )
    co_inspector = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("协办执法人员")
    )
    created = models.DateTimeField(_("记录时间"), default=timezone.now)
    finalised_at = models.DateTimeField(_("会签时间"), null=True, blank=True)
    credit_event = models.ForeignKey(
        "credit.CreditEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_findings",
        verbose_name=_("信用记录"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("核查结论")
        verbose_name_plural = _("核查结论")
        ordering = ["task", "round"]
        constraints = [
            models.UniqueConstraint(fields=["task", "round"], name="finding_once_per_round"),
            # 行政处罚法 art 42: at least two officers
            models.CheckConstraint(
                condition=~Q(recorded_by=models.F("co_inspector")),
                name="finding_two_distinct_inspectors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}#{self.round} {self.outcome}"


class FindingSignature(models.Model):
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("核查结论")
    )
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("签名人")
    )
    cert_no = models.CharField(_("执法证号"), max_length=40)
    signed_at = models.DateTimeField(_("签名时间"), default=timezone.now)

    class Meta:
        verbose_name = _("核查签名")
        verbose_name_plural = _("核查签名")
        ordering = ["finding", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "staff"], name="finding_signature_unique")
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.staff_id}"


class RectificationOrder(_TaskChild, models.Model):
    """责令限期整改 (深圳经济特区社会信用条例 art 64)."""

    task = models.ForeignKey(
        VerificationTask,
        on_delete=models.PROTECT,
        related_name="rectification_orders",
        verbose_name=_("核查任务"),
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        related_name="rectification_order",
        verbose_name=_("核查结论"),
    )
    number = models.CharField(_("文书编号"), max_length=40, unique=True)
    requirements = models.TextField(_("整改要求"))
    issued_on = models.DateField(_("责令日期"))
    due_on = models.DateField(_("整改期限"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("责令整改通知")
        verbose_name_plural = _("责令整改通知")
        ordering = ["task", "issued_on"]

    def __str__(self) -> str:
        return self.number


class Lead(_TaskChild, models.Model):
    """A penalty-case lead (案件线索) handed to enforcement; issue 5 takes it up from the
    ``verification.lead.created`` event."""

    number = models.CharField(_("线索编号"), max_length=30, unique=True)
    kind = models.CharField(_("类型"), max_length=30, choices=LeadKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    task = models.ForeignKey(
        VerificationTask, on_delete=models.PROTECT, related_name="leads", verbose_name=_("核查任务")
    )
    finding = models.OneToOneField(
        Finding, on_delete=models.PROTECT, related_name="lead", verbose_name=_("核查结论")
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="verification_leads",
        verbose_name=_("当事人"),
    )
    licence = models.ForeignKey(
        "approvals.Licence",
        on_delete=models.PROTECT,
        related_name="verification_leads",
        verbose_name=_("许可证"),
    )
    application = models.ForeignKey(
        "approvals.Application",
        on_delete=models.PROTECT,
        related_name="verification_leads",
        verbose_name=_("许可申请"),
    )
    credit_event = models.ForeignKey(
        "credit.CreditEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_leads",
        verbose_name=_("信用记录"),
    )
    facts = models.TextField(_("违法事实"))
    created = models.DateTimeField(_("移送时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件线索")
        verbose_name_plural = _("案件线索")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.number
