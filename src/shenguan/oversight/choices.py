"""Choices of the oversight app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("黄色预警")
    OVERDUE = "overdue", _("红色逾期")


class Resolution(models.TextChoices):
    """Why an alert stopped being open."""

    STOPPED = "stopped", _("计时已停止（已办结）")
    SUPERSEDED = "superseded", _("已升级为逾期")
    RESCHEDULED = "rescheduled", _("期限已变更")


class EscalationTarget(models.TextChoices):
    BACKUP = "backup", _("B角（备岗人）")
    SECTION_HEAD = "section_head", _("科室/中队负责人")


class AccountabilityOrigin(models.TextChoices):
    SWEEP = "sweep", _("逾期自动提出")
    MANUAL = "manual", _("负责人提出")


class AccountabilityStatus(models.TextChoices):
    """The moves between these are in ``workflow.py``."""

    PROPOSED = "proposed", _("待审核")
    CONFIRMED = "confirmed", _("已确认问责")
    DISMISSED = "dismissed", _("不予问责")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("维持问责")
    OVERTURNED = "overturned", _("撤销问责")


class ClockKind(models.TextChoices):
    """Every clock the sweep watches; the provider that yields it is in ``clocks/``."""

    APPLICATION = "approval.application", _("许可申请承诺时限")
    TOLERANCE_CURE = "approval.tolerance_cure", _("容缺材料补交期限")
    LICENCE_ISSUE = "approval.licence_issue", _("准予许可后发证期限")
    PUSH_ACK = "verification.push_ack", _("批后推送签收期限")
    VERIFICATION = "verification.task", _("批后核查期限")
    LEAD_REVIEW = "enforcement.lead_review", _("线索立案审查期限")
    CASE_DECISION = "enforcement.case_decision", _("处罚决定期限")
    CASE_SERVICE = "enforcement.case_service", _("决定书送达期限")
    PAYMENT = "enforcement.payment", _("罚款缴纳期限")
    COERCIVE_MEASURE = "enforcement.coercive_measure", _("查封扣押期限")
    GRID_EVENT = "grid.event", _("网格事件处置期限")
