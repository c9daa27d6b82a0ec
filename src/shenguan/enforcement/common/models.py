"""Records every part of the enforcement bureau shares: document numbers, the versioned policy
(the numbers local practice may change), and the numbered documents each step produces."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from .scope import squad_restrict


class Counter(models.Model):
    """The last number issued for one kind of document in one year (gapless among committed
    documents: the row stays locked until the issuing transaction commits)."""

    key = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文书编号计数器")
        verbose_name_plural = _("文书编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["key", "year"], name="enforcement_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last}"


class MajorGround(models.TextChoices):
    """Grounds on which a case is "major" and needs legal review before the decision
    (行政处罚法 art 58); the policy lists which grounds apply."""

    LARGE_FINE = "large_fine", _("较大数额罚款")
    LARGE_CONFISCATION = "large_confiscation", _("没收较大数额违法所得或较大价值非法财物")
    REVOCATION = "revocation", _("降低资质等级、暂扣或吊销许可证件")
    CLOSURE = "closure", _("责令停产停业、责令关闭、限制从业")
    HEARING_HELD = "hearing_held", _("经过听证程序")
    PUBLIC_INTEREST = "public_interest", _("涉及重大公共利益")
    COMPLEX = "complex", _("案情疑难复杂、涉及多个法律关系")


def _all_grounds() -> list[str]:
    return [g.value for g in MajorGround]


class EnforcementPolicy(models.Model):
    """One version of the bureau's configurable numbers. A case keeps the version in force on
    the day it was opened; a change is a new version (``common.policy.publish_policy``), never
    an edit. Numbers fixed by statute are constants in the code, next to their article."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # local practice (market regulation): decide whether to open a case within 15 working days
    lead_open_working_days = models.PositiveSmallIntegerField(_("立案审查期限(工作日)"), default=15)
    # 行政处罚法 art 60 allows other rules; local practice: +30 days with the head's approval
    decision_extension_days = models.PositiveSmallIntegerField(_("决定期限可延长(日)"), default=30)
    statement_working_days = models.PositiveSmallIntegerField(_("陈述申辩期限(工作日)"), default=5)
    # 行政处罚法 art 63: "较大数额" is set locally (market regulation: 10,000 / 100,000 yuan)
    large_fine_person = models.DecimalField(
        _("较大数额罚款：个人(元)"), max_digits=14, decimal_places=2, default=10000
    )
    large_fine_organisation = models.DecimalField(
        _("较大数额罚款：单位(元)"), max_digits=14, decimal_places=2, default=100000
    )
    large_confiscation_person = models.DecimalField(
        _("较大数额没收：个人(元)"), max_digits=14, decimal_places=2, default=10000
    )
    large_confiscation_organisation = models.DecimalField(
        _("较大数额没收：单位(元)"), max_digits=14, decimal_places=2, default=100000
    )
    review_grounds = models.JSONField(
        _("须法制审核的重大案件情形"),
        default=_all_grounds,
        help_text=_("行政处罚法第五十八条：列出的情形在决定前须经法制审核"),
    )
    # 市场监督管理行政处罚信息公示规定 art 13-14: warnings and small fines 3 months, others 3 years
    small_fine_person = models.DecimalField(
        _("较低数额罚款：个人(元)"), max_digits=14, decimal_places=2, default=1000
    )
    small_fine_organisation = models.DecimalField(
        _("较低数额罚款：单位(元)"), max_digits=14, decimal_places=2, default=10000
    )
    publication_working_days = models.PositiveSmallIntegerField(_("公示期限(工作日)"), default=7)
    publication_short_months = models.PositiveSmallIntegerField(_("短公示期(月)"), default=3)
    publication_long_months = models.PositiveSmallIntegerField(_("长公示期(月)"), default=36)
    # 行政诉讼法 art 46: six months to sue; 行政强制法 art 53: then three months to apply to court
    remedy_period_months = models.PositiveSmallIntegerField(_("复议诉讼期限(月)"), default=6)
    court_application_months = models.PositiveSmallIntegerField(
        _("申请法院强制执行期限(月)"), default=3
    )
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法政策版本")
        verbose_name_plural = _("执法政策")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}（{self.effective_from:%Y-%m-%d}）"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        # Staff read the rules they work under; administrators (restrict's bypass) change them.
        return qs if action == "view" and scope.is_staff_member else qs.none()

    def clean(self):
        from django.core.exceptions import ValidationError

        unknown = sorted(set(self.review_grounds or []) - set(MajorGround.values))
        if not isinstance(self.review_grounds, list) or unknown:
            raise ValidationError(
                {"review_grounds": _("未知的重大案件情形：%(v)s") % {"v": ", ".join(unknown)}}
            )


class DocumentKind(models.TextChoices):
    CASE_OPENING = "case_opening", _("立案审批表")
    LEAD_DISMISSAL = "lead_dismissal", _("不予立案审批表")
    INVESTIGATION_REPORT = "investigation_report", _("案件调查终结报告")
    PENALTY_NOTICE = "penalty_notice", _("行政处罚事先告知书")
    STATEMENT_RECORD = "statement_record", _("陈述申辩笔录")
    HEARING_NOTICE = "hearing_notice", _("听证通知书")
    HEARING_RECORD = "hearing_record", _("听证笔录")
    LEGAL_OPINION = "legal_opinion", _("法制审核意见书")
    EXTENSION = "extension", _("案件延期审批表")
    DECISION = "decision", _("行政处罚决定书")
    NO_PENALTY_DECISION = "no_penalty_decision", _("不予行政处罚决定书")
    SPOT_DECISION = "spot_decision", _("当场行政处罚决定书")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    PAYMENT_DEMAND = "payment_demand", _("催告书")
    COURT_APPLICATION = "court_application", _("强制执行申请书")
    CLOSING = "closing", _("结案报告")
    TRANSFER = "transfer", _("涉嫌犯罪案件移送书")
    ANNULMENT = "annulment", _("撤销行政处罚决定书")
    INSPECTION_RECORD = "inspection_record", _("现场检查笔录")
    RECTIFICATION = "rectification", _("责令改正通知书")
    MEASURE_DECISION = "measure_decision", _("查封（扣押）决定书及清单")
    MEASURE_EXTENSION = "measure_extension", _("延长查封（扣押）期限决定书")
    MEASURE_RELEASE = "measure_release", _("解除查封（扣押）决定书")


class DocumentQuerySet(RestrictedQuerySet):
    pass


class Document(models.Model):
    """A numbered document (文书) issued by a step. Its text is kept here as issued; the PDF is
    rendered from it (``common.documents.render``) and so reads the same every time."""

    kind = models.CharField(_("文书种类"), max_length=30, choices=DocumentKind.choices)
    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=100)
    paragraphs = models.JSONField(_("正文"), default=list)
    issuer = models.CharField(_("制作机关"), max_length=100)
    issued_on = models.DateField(_("日期"))
    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("处罚案件"),
    )
    inspection = models.ForeignKey(
        "enforcement.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("检查"),
    )
    measure = models.ForeignKey(
        "enforcement.CoerciveMeasure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("强制措施"),
    )
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法文书")
        verbose_name_plural = _("执法文书")
        ordering = ["issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, inspection__isnull=True, measure__isnull=True)
                    | Q(case__isnull=True, inspection__isnull=False, measure__isnull=True)
                    | Q(case__isnull=True, inspection__isnull=True, measure__isnull=False)
                ),
                name="enforcement_document_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return squad_restrict(
            qs,
            scope,
            action,
            fields=("case__squad_id", "inspection__squad_id", "measure__squad_id"),
        )
