"""Penalty cases: leads, the case with its dates and proposal, its step history, its officers,
the party's statements and the hearing. Legal review opinions live in ``legal.models``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from ..common.scope import squad_restrict
from .choices import (
    CaseProcedure,
    CaseStatus,
    DecisionOutcome,
    LeadSource,
    LeadStatus,
    ServiceMethod,
)


class _SquadScoped:
    squad_field = "squad_id"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action, fields=(cls.squad_field,))


class CaseLead(_SquadScoped, models.Model):
    """A lead (案件线索): what may become a case. ``source_type``/``source_id`` name the record
    it came from in another app (e.g. ``verification.lead`` 12) — one lead per source record."""

    source = models.CharField(_("线索来源"), max_length=20, choices=LeadSource.choices)
    source_type = models.CharField(_("来源记录类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源记录ID"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.RECEIVED
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_leads",
        verbose_name=_("当事人"),
    )
    power = models.ForeignKey(
        "catalog.Power",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及事项"),
    )
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_leads",
        verbose_name=_("承办中队"),
    )
    description = models.TextField(_("线索内容"))
    reporter = models.CharField(_("反映人/上报人"), max_length=100, blank=True)
    payload = models.JSONField(_("来源数据"), default=dict, blank=True)
    received_on = models.DateField(_("收到日期"))
    open_due_on = models.DateField(_("立案审查截止"))
    closed_on = models.DateField(_("处理日期"), null=True, blank=True)
    dismissal_reason = models.TextField(_("不予立案理由"), blank=True)
    created = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件线索")
        verbose_name_plural = _("案件线索")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=~Q(source_id=""),
                name="lead_one_per_source_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}线索 #{self.pk}"


class CaseQuerySet(RestrictedQuerySet):
    def with_related(self):
        return self.select_related(
            "party", "power", "power_version", "squad", "policy", "current_step", "lead"
        )


class PenaltyCase(_SquadScoped, models.Model):
    number = models.CharField(_("案件编号"), max_length=60, unique=True)
    procedure = models.CharField(_("程序"), max_length=10, choices=CaseProcedure.choices)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, db_index=True)
    current_step = models.ForeignKey(
        "CaseStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前步骤"),
    )
    lead = models.OneToOneField(
        CaseLead,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("线索"),
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="penalty_cases",
        verbose_name=_("当事人"),
    )
    power = models.ForeignKey(
        "catalog.Power", on_delete=models.PROTECT, related_name="+", verbose_name=_("处罚事项")
    )
    power_version = models.ForeignKey(
        "catalog.PowerVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("事项版本"),
    )
    squad = models.ForeignKey(
        "org.Section",
        on_delete=models.PROTECT,
        related_name="penalty_cases",
        verbose_name=_("承办中队"),
    )
    policy = models.ForeignKey(
        "enforcement.EnforcementPolicy",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("适用政策版本"),
    )
    title = models.CharField(_("案由"), max_length=300)
    facts = models.TextField(_("违法事实"), blank=True)
    violated_provision = models.TextField(_("违反条款"), blank=True)
    penalty_basis = models.TextField(_("处罚依据"), blank=True)
    place = models.CharField(_("地点"), max_length=300, blank=True)
    public_interest = models.BooleanField(_("涉及重大公共利益"), default=False)
    complex = models.BooleanField(_("疑难复杂、涉及多个法律关系"), default=False)
    # opening and the decision clock (art 60)
    opened_on = models.DateField(_("立案日期"))
    open_late_reason = models.TextField(_("逾期立案说明"), blank=True)
    decision_due_on = models.DateField(_("决定期限"), null=True, blank=True)
    extended_on = models.DateField(_("延期批准日期"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    # the proposal (拟处罚意见) with its discretion rationale (art 34)
    sanctions = models.JSONField(_("处罚种类"), default=list, blank=True)
    fine_amount = models.DecimalField(
        _("罚款(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    confiscation_amount = models.DecimalField(
        _("没收金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    proposal_reasons = models.TextField(_("裁量理由"), blank=True)
    benchmark = models.ForeignKey(
        "enforcement.Benchmark",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("裁量基准"),
    )
    discretion = models.JSONField(_("裁量计算"), default=dict, blank=True)
    no_benchmark_reason = models.TextField(_("未适用裁量基准的理由"), blank=True)
    proposed_on = models.DateField(_("拟处罚日期"), null=True, blank=True)
    # the notice (art 44) and what it told the party: the ceiling after it (art 45)
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    notified_sanctions = models.JSONField(_("告知的处罚种类"), default=list, blank=True)
    notified_fine = models.DecimalField(
        _("告知的罚款(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    notified_confiscation = models.DecimalField(
        _("告知的没收金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    statement_due_on = models.DateField(_("陈述申辩截止"), null=True, blank=True)
    hearing_eligible = models.BooleanField(_("可要求听证"), default=False)
    hearing_request_due_on = models.DateField(_("听证申请截止"), null=True, blank=True)
    rights_waived = models.BooleanField(_("当事人明确放弃陈述申辩和听证"), default=False)
    # legal review (art 58)
    review_required = models.BooleanField(_("须法制审核"), default=False)
    review_grounds = models.JSONField(_("法制审核情形"), default=list, blank=True)
    review_approved_on = models.DateField(_("法制审核通过日期"), null=True, blank=True)
    # decision (art 57, 59)
    outcome = models.CharField(
        _("处理结果"), max_length=20, choices=DecisionOutcome.choices, blank=True
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_number = models.CharField(_("决定书文号"), max_length=60, blank=True)
    decided_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    service_due_on = models.DateField(_("送达期限"), null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    service_method = models.CharField(
        _("送达方式"), max_length=20, choices=ServiceMethod.choices, blank=True
    )
    # payment (art 67, 72) and enforcement (行政强制法 art 53-54)
    payment_due_on = models.DateField(_("缴款期限"), null=True, blank=True)
    paid_on = models.DateField(_("缴款日期"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("实缴金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    late_fee = models.DecimalField(
        _("加处罚款(元)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    demanded_on = models.DateField(_("催告日期"), null=True, blank=True)
    court_applied_on = models.DateField(_("申请强制执行日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closing_note = models.TextField(_("结案说明"), blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gte=0),
                name="case_fine_not_negative",
            ),
            # 行政处罚法 art 51: the simple procedure stops at 3,000 yuan whoever the party is
            models.CheckConstraint(
                condition=~Q(procedure="simple")
                | Q(fine_amount__isnull=True)
                | Q(fine_amount__lte=3000),
                name="case_simple_fine_cap",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def fine_total(self) -> Decimal:
        return self.fine_amount or Decimal("0")

    @property
    def review_ground_labels(self) -> list[str]:
        from ..common.models import MajorGround

        return [str(MajorGround(g).label) for g in self.review_grounds or []]

    @property
    def sanction_labels(self) -> list[str]:
        from .choices import Sanction

        return [str(Sanction(s).label) for s in self.sanctions or []]

    @property
    def is_final(self) -> bool:
        return self.status in (CaseStatus.CLOSED, CaseStatus.TRANSFERRED)


class CaseStep(models.Model):
    """One step of a case (append-only): which action, from and to which state, under which
    article, by whom and with which officers present. The case points at its latest step."""

    case = models.ForeignKey(
        PenaltyCase, on_delete=models.PROTECT, related_name="steps", verbose_name=_("案件")
    )
    action = models.CharField(_("步骤"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CaseStatus.choices)
    article = models.CharField(_("法律依据"), max_length=200, blank=True)
    actor_kind = models.CharField(_("身份"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作账号"),
    )
    actor_name = models.CharField(_("办理人"), max_length=200)
    officers = models.JSONField(_("执法人员"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    document = models.ForeignKey(
        "enforcement.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("文书"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办案步骤")
        verbose_name_plural = _("办案步骤")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    @property
    def action_label(self) -> str:
        from .workflow import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(qs, scope, action, fields=("case__squad_id",))


class CaseOfficer(models.Model):
    case = models.ForeignKey(
        PenaltyCase, on_delete=models.PROTECT, related_name="officers", verbose_name=_("案件")
    )
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法人员")
    )
    assigned_on = models.DateField(_("指派日期"))
    recused_on = models.DateField(_("回避日期"), null=True, blank=True)
    recusal_reason = models.TextField(_("回避理由"), blank=True)

    class Meta:
        verbose_name = _("承办执法人员")
        verbose_name_plural = _("承办执法人员")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "staff"], name="case_officer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.staff_id}"


class Statement(models.Model):
    """The party's statement and defence (陈述、申辩), and the bureau's review of it (art 45)."""

    case = models.ForeignKey(
        PenaltyCase, on_delete=models.PROTECT, related_name="statements", verbose_name=_("案件")
    )
    received_on = models.DateField(_("收到日期"))
    text = models.TextField(_("陈述申辩内容"))
    adopted = models.BooleanField(_("理由成立，予以采纳"), default=False)
    review = models.TextField(_("复核意见"), blank=True)
    recorded_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("陈述申辩")
        verbose_name_plural = _("陈述申辩")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on}"


class Hearing(models.Model):
    case = models.OneToOneField(
        PenaltyCase, on_delete=models.PROTECT, related_name="hearing", verbose_name=_("案件")
    )
    requested_on = models.DateField(_("申请日期"))
    notice_on = models.DateField(_("通知日期"), null=True, blank=True)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    place = models.CharField(_("听证地点"), max_length=300, blank=True)
    public = models.BooleanField(_("公开举行"), default=True)
    host = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主持人"),
    )
    held_on = models.DateField(_("举行日期"), null=True, blank=True)
    attended = models.BooleanField(_("当事人到场"), default=True)
    record = models.TextField(_("听证笔录摘要"), blank=True)

    class Meta:
        verbose_name = _("听证")
        verbose_name_plural = _("听证")

    def __str__(self) -> str:
        return f"{self.case_id} {self.hearing_on or ''}"
