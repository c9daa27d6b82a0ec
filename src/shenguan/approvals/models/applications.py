"""Applications and everything recorded along the way: status history, materials, the one-time
notice, receipts, commitments, suspensions, the extension, reviews, the decision, warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role
from shenguan.core.querysets import RestrictedQuerySet

from ..choices import (
    Channel,
    CommitmentKind,
    CommitmentStatus,
    DecisionOutcome,
    MaterialState,
    ReceiptKind,
    ReviewConclusion,
    Route,
    Status,
    SuspensionKind,
    WarningKind,
)

# Staff of the approval bureau: they see and work on every application.
APPROVAL_STAFF_ROLES = (Role.WINDOW_CLERK, Role.APPROVAL_OFFICER, Role.BUREAU_HEAD)
# Those who watch approval acts without changing them (DOMAIN §1: business departments and the
# command centre follow approvals in real time).
READ_ONLY_ROLES = (Role.DEPARTMENT_SUPERVISOR, Role.COMMAND_CENTRE)


class StoredFile(models.Model):
    """An uploaded file with its checksum; the content type is sniffed, not taken on trust."""

    file = models.FileField(_("文件"), upload_to="approvals/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class ApplicationQuerySet(RestrictedQuerySet):
    def with_related(self):
        return self.select_related(
            "applicant",
            "power",
            "power_version",
            "route_policy",
            "responsible",
            "current_change",
        )

    def for_list(self):
        """What a list row shows (applicant, item, version, responsible officer): each
        extra join costs PostgreSQL planning time on every page (≈15 ms for the six of
        ``with_related`` against 5 ms for these four at a million applications)."""
        return self.select_related(None).select_related(
            "applicant", "power", "power_version", "responsible"
        )


# Accepted and not yet closed: the states of the review queue (views.common.REVIEW_STATES).
IN_REVIEW = [
    Status.ACCEPTED,
    Status.DEEMED_ACCEPTED,
    Status.UNDER_REVIEW,
    Status.SUSPENDED,
    Status.EXTENDED,
    Status.APPROVED,
]


class Application(models.Model):
    number = models.CharField(_("申请编号"), max_length=40, unique=True)
    applicant = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("申请人"),
    )
    power = models.ForeignKey(
        "catalog.Power",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("审批事项"),
    )
    power_version = models.ForeignKey(
        "catalog.PowerVersion",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("事项版本"),
    )
    route = models.CharField(
        _("办理路径"), max_length=20, choices=Route.choices, default=Route.ORDINARY
    )
    channel = models.CharField(_("申请渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    current_change = models.ForeignKey(
        "StatusChange",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前状态记录"),
    )
    route_policy = models.ForeignKey(
        "RoutePolicy",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("办理路径政策版本"),
    )
    description = models.TextField(_("申请说明"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created = models.DateTimeField(_("创建时间"), default=timezone.now)
    received_on = models.DateField(_("收件日期"), null=True, blank=True)
    resubmitted_on = models.DateField(_("补正日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closing_note = models.TextField(_("办结说明"), blank=True)
    responsible = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_applications",
        verbose_name=_("责任人"),
    )
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    strict_review = models.BooleanField(_("从严审查"), default=False)
    # Clock (see clocks.py): limits fixed at acceptance, dates recomputed on every clock event.
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("法定时限(工作日)"), null=True, blank=True
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺时限(工作日)"), null=True, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("延长(工作日)"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("已中止(工作日)"), default=0)
    statutory_due_on = models.DateField(_("法定办结期限"), null=True, blank=True)
    promised_due_on = models.DateField(_("承诺办结期限"), null=True, blank=True)
    warn_on = models.DateField(_("预警日期"), null=True, blank=True, db_index=True)
    licence_due_on = models.DateField(_("发证期限"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("许可申请")
        verbose_name_plural = _("许可申请")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["applicant", "status"]),
            # command centre figures (index-only scans over the period): intake by month,
            # decisions against their limits and time to decision, acceptances by route
            models.Index(fields=["received_on"], name="application_received_idx"),
            models.Index(
                fields=[
                    "decided_on",
                    "promised_due_on",
                    "statutory_due_on",
                    "accepted_on",
                    "route",
                ],
                name="application_decided_idx",
            ),
            models.Index(fields=["accepted_on", "route"], name="application_accepted_idx"),
            # the application lists: newest first, one page at a time
            models.Index(fields=["-created", "-id"], name="application_newest_idx"),
            # the review queue (views.common.REVIEW_STATES, soonest promised date first)
            models.Index(
                fields=["promised_due_on", "statutory_due_on", "id"],
                name="application_queue_idx",
                condition=Q(status__in=IN_REVIEW),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def approval_class(self) -> str:
        return self.power_version.approval_class

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """Approval bureau staff: all; supervisors and the command centre: read only;
        applicants: their own parties' applications; everyone else: nothing."""
        if scope.has_role(*APPROVAL_STAFF_ROLES):
            return qs
        if action == "view" and scope.has_role(*READ_ONLY_ROLES):
            return qs
        if scope.party_ids:
            return qs.filter(applicant_id__in=scope.party_ids)
        return qs.none()


class StatusChange(models.Model):
    """Append-only status history; ``Application.current_change`` points at the latest."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="history", verbose_name=_("申请")
    )
    from_status = models.CharField(_("原状态"), max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, choices=Status.choices)
    action = models.CharField(_("操作"), max_length=40)
    article = models.CharField(_("依据"), max_length=100, blank=True)
    actor_kind = models.CharField(_("操作人身份"), max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=200)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("状态记录")
        verbose_name_plural = _("状态记录")
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class MaterialSubmission(models.Model):
    """One checklist item of one application (a row per material of the item's version)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="materials", verbose_name=_("申请")
    )
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("材料")
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=MaterialState.choices, default=MaterialState.MISSING
    )
    file = models.ForeignKey(
        StoredFile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("文件"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    updated = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application", "material__seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"], name="material_submission_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.material_id} {self.state}"


class DeficiencyNotice(models.Model):
    """The one-time notice (一次性告知书) listing every missing or faulty material at once;
    there is only ever one per application (行政许可法 art 32)."""

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="deficiency_notice",
        verbose_name=_("申请"),
    )
    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    issued_on = models.DateField(_("告知日期"))
    issued_at = models.DateTimeField(_("告知时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("告知人"),
    )
    items = models.JSONField(_("需补正材料"), default=list)
    note = models.TextField(_("其他说明"), blank=True)
    issuing_body = models.CharField(_("告知机关"), max_length=100)

    class Meta:
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")

    def __str__(self) -> str:
        return self.number


class Receipt(models.Model):
    """A written, sealed, dated receipt at intake (行政许可法 art 32)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("申请")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ReceiptKind.choices)
    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    issued_on = models.DateField(_("日期"))
    issued_at = models.DateTimeField(_("时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    reasons = models.TextField(_("理由"), blank=True)
    remedies = models.TextField(_("救济途径"), blank=True)
    competent_body = models.CharField(_("有权机关"), max_length=200, blank=True)
    issuing_body = models.CharField(_("出具机关（印章）"), max_length=100)

    class Meta:
        verbose_name = _("受理凭证")
        verbose_name_plural = _("受理凭证")
        ordering = ["application", "issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="receipt_once_per_kind")
        ]

    def __str__(self) -> str:
        return self.number


class Commitment(models.Model):
    """A tolerance commitment (容缺受理承诺书) or a notification-commitment (告知承诺书)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("申请")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=CommitmentKind.choices)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.NOTIFIED,
    )
    notice_text = models.TextField(_("告知内容"), blank=True)
    notice_issued_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    signer_name = models.CharField(_("签署人"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signer_ip = models.CharField(_("签署IP"), max_length=64, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签署账号"),
    )
    scan = models.ForeignKey(
        StoredFile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签字扫描件"),
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    fulfilled_at = models.DateTimeField(_("履行完毕时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("认定未履行时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺书")
        verbose_name_plural = _("承诺书")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="commitment_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application_id}"


class DeferredMaterial(models.Model):
    """A non-essential material promised by a due date under a commitment."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="deferrals", verbose_name=_("承诺书")
    )
    submission = models.ForeignKey(
        MaterialSubmission, on_delete=models.PROTECT, related_name="+", verbose_name=_("材料")
    )
    due_on = models.DateField(_("补交期限"))
    supplemented_at = models.DateTimeField(_("补交时间"), null=True, blank=True)
    file = models.ForeignKey(
        StoredFile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("补交文件"),
    )

    class Meta:
        verbose_name = _("容缺材料")
        verbose_name_plural = _("容缺材料")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "submission"], name="deferral_once_per_material"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.due_on}"


class Suspension(models.Model):
    """Time for hearing, testing, expert review… which does not count toward the limit; the
    applicant is told in writing how long it takes (行政许可法 art 45)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="suspensions", verbose_name=_("申请")
    )
    kind = models.CharField(_("事由类型"), max_length=20, choices=SuspensionKind.choices)
    reason = models.TextField(_("理由"))
    expected_working_days = models.PositiveSmallIntegerField(_("预计所需(工作日)"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("不计入时限(工作日)"), default=0)
    resume_status = models.CharField(_("恢复后状态"), max_length=30, choices=Status.choices)
    notice_text = models.TextField(_("书面告知内容"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["application", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(ended_on__isnull=True),
                name="suspension_one_open_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.started_on}–{self.ended_on or ''}"


class Extension(models.Model):
    """The one extension of the decision limit, approved by the bureau head, its reason told to
    the applicant (行政许可法 art 42)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="extension", verbose_name=_("申请")
    )
    days = models.PositiveSmallIntegerField(_("延长(工作日)"))
    reason = models.TextField(_("延长理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    notice_text = models.TextField(_("告知申请人内容"))

    class Meta:
        verbose_name = _("延长审批期限")
        verbose_name_plural = _("延长审批期限")

    def __str__(self) -> str:
        return f"{self.application_id} +{self.days}"


class Review(models.Model):
    """One reviewer's opinion; strict review needs two distinct reviewers agreeing."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("申请")
    )
    reviewer = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("审查人")
    )
    conclusion = models.CharField(_("结论"), max_length=20, choices=ReviewConclusion.choices)
    opinion = models.TextField(_("审查意见"), blank=True)
    created = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审查意见")
        verbose_name_plural = _("审查意见")
        ordering = ["application", "created"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_once_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.reviewer_id} {self.conclusion}"


class Decision(models.Model):
    """The written decision (行政许可法 art 38): approval, or refusal with reasons and the
    applicant's right to administrative review or litigation."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision", verbose_name=_("申请")
    )
    outcome = models.CharField(_("决定"), max_length=20, choices=DecisionOutcome.choices)
    reasons = models.TextField(_("理由"), blank=True)
    remedies = models.TextField(_("救济途径"), blank=True)
    conditions = models.TextField(_("许可条件"), blank=True)
    decided_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    decided_on = models.DateField(_("决定日期"))
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)
    on_the_spot = models.BooleanField(_("当场决定"), default=False)

    class Meta:
        verbose_name = _("许可决定")
        verbose_name_plural = _("许可决定")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=DecisionOutcome.APPROVED) | (~Q(reasons="") & ~Q(remedies="")),
                name="decision_refusal_has_reasons_and_remedies",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.outcome}"


class DeadlineWarning(models.Model):
    """A warning to the responsible person; at most one of each kind per application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="warnings", verbose_name=_("申请")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=WarningKind.choices)
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approval_warnings",
        verbose_name=_("被预警人"),
    )
    due_on = models.DateField(_("办结期限"))
    created = models.DateTimeField(_("预警时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("时限预警")
        verbose_name_plural = _("时限预警")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="warning_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action != "view":
            return qs.none()
        if scope.has_role(*APPROVAL_STAFF_ROLES, *READ_ONLY_ROLES):
            return qs
        return qs.none()
