from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a credit event comes from."""

    APPROVAL = "approval", _("行政审批")
    VERIFICATION = "verification", _("批后核查")
    ENFORCEMENT = "enforcement", _("综合执法")
    COURT = "court", _("人民法院")
    MANUAL = "manual", _("人工录入")


class EventKind(models.TextChoices):
    """What happened. Weights, publication and list consequences per kind are policy
    (``CreditPolicy``), not code."""

    COMMITMENT_KEPT = "commitment_kept", _("承诺已履行")
    COMMITMENT_BROKEN = "commitment_broken", _("承诺未履行")
    COMMITMENT_FALSIFIED = "commitment_falsified", _("虚假承诺")
    TOLERANCE_CURED = "tolerance_cured", _("容缺材料按期补齐")
    TOLERANCE_MISSED = "tolerance_missed", _("容缺材料逾期未补")
    INSPECTION_PASSED = "inspection_passed", _("检查合格")
    INSPECTION_FAILED = "inspection_failed", _("检查不合格")
    # 市场监督管理行政处罚信息公示规定 art 13: 通报批评 or a small fine — 3 months; others 3 years
    PENALTY_LIGHT = "penalty_light", _("行政处罚（警告、通报批评或较低数额罚款）")
    PENALTY_HEAVY = "penalty_heavy", _("行政处罚（其他）")
    LICENCE_REVOKED = "licence_revoked", _("许可被撤销或吊销")
    COURT_DISHONEST = "court_dishonest", _("失信被执行人")
    AWARD = "award", _("表彰奖励")
    HONOUR = "honour", _("守信荣誉")
    ADJUSTMENT = "adjustment", _("人工调整")


# Kinds that make a commitment route unavailable until repaired (深圳经济特区社会信用条例 art 59 (4)).
FALSE_OR_UNKEPT_COMMITMENT = {EventKind.COMMITMENT_BROKEN, EventKind.COMMITMENT_FALSIFIED}


class ListKind(models.TextChoices):
    GREEN = "green", _("绿色通道名单")
    WATCH = "watch", _("重点关注名单")
    SERIOUS_DISHONESTY = "serious_dishonesty", _("严重失信主体名单")


# Lists shown in the public lookup. The watch list is a supervision tool, not a sanction, and
# stays internal; the serious-dishonesty list is published (深圳经济特区社会信用条例 art 74–78),
# and so is the green list (守信激励).
PUBLIC_LISTS = {ListKind.GREEN, ListKind.SERIOUS_DISHONESTY}


class ListTrigger(models.TextChoices):
    EVENT = "event", _("信用事件")
    TIER = "tier", _("信用等级")
    MANUAL = "manual", _("人工认定")


class ExitReason(models.TextChoices):
    REPAIRED = "repaired", _("信用修复")
    EXPIRED = "expired", _("期满移出")
    TIER_CHANGED = "tier_changed", _("信用等级变化")
    # 深圳经济特区社会信用条例 art 48, 51: listed in error — may leave at any time
    CORRECTED = "corrected", _("异议更正")


class PublicationEnd(models.TextChoices):
    EXPIRED = "expired", _("公示期满")
    REPAIRED = "repaired", _("信用修复")


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("准予修复")
    REFUSED = "refused", _("不予修复")


# 深圳经济特区社会信用条例 art 82: decided within three working days of receipt.
REPAIR_DECISION_WORKING_DAYS = 3

# Worst first: used to cap a tier ("at most C") and to compare tiers.
TIER_ORDER = ["A", "B", "C", "D"]


def worse_tier(a: str, b: str) -> str:
    return a if TIER_ORDER.index(a) >= TIER_ORDER.index(b) else b
