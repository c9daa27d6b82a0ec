from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """States of an application; the allowed moves between them are in ``workflow.py``."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    DEFICIENCY_NOTIFIED = "deficiency_notified", _("已一次性告知")
    RESUBMITTED = "resubmitted", _("已补正")
    ACCEPTED = "accepted", _("已受理")
    DEEMED_ACCEPTED = "deemed_accepted", _("视为受理")
    UNDER_REVIEW = "under_review", _("审查中")
    SUSPENDED = "suspended", _("中止计时")
    EXTENDED = "extended", _("已延期")
    APPROVED = "approved", _("准予许可")
    LICENCE_ISSUED = "licence_issued", _("已发证")
    REFUSED = "refused", _("不予许可/不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")
    REDIRECTED = "redirected", _("非本机关职权")
    NOT_REQUIRED = "not_required", _("无需许可")


class Route(models.TextChoices):
    ORDINARY = "ordinary", _("一般程序")
    TOLERANCE = "tolerance", _("容缺受理")
    COMMITMENT = "commitment", _("告知承诺")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上")
    AGENT = "agent", _("代办")


class MaterialState(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    MISSING = "missing", _("缺少")
    FAULTY = "faulty", _("不符合要求")
    DEFERRED = "deferred", _("容缺后补")
    SUPPLEMENTED = "supplemented", _("已补齐")


# States in which a material counts as in hand.
IN_HAND = {MaterialState.PROVIDED, MaterialState.SUPPLEMENTED}


class ReceiptKind(models.TextChoices):
    """Written, sealed, dated receipts at intake (行政许可法 art 32)."""

    ACCEPTANCE = "acceptance", _("受理通知书")
    REFUSAL = "refusal", _("不予受理通知书")
    NOT_REQUIRED = "not_required", _("不需取得许可告知书")
    REDIRECT = "redirect", _("非本机关职权告知书")


class CommitmentKind(models.TextChoices):
    TOLERANCE = "tolerance", _("容缺受理承诺书")
    NOTIFICATION = "notification", _("告知承诺书")


class CommitmentStatus(models.TextChoices):
    NOTIFIED = "notified", _("已告知")
    SIGNED = "signed", _("已签署")
    FULFILLED = "fulfilled", _("已履行")
    WITHDRAWN = "withdrawn", _("已撤回")
    BREACHED = "breached", _("未履行")


class SuspensionKind(models.TextChoices):
    """Procedures whose time does not count toward the limit (行政许可法 art 45)."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")


class ReviewConclusion(models.TextChoices):
    APPROVE = "approve", _("同意许可")
    REFUSE = "refuse", _("不予许可")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("准予许可")
    REFUSED = "refused", _("不予许可")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")
    CANCELLED = "cancelled", _("已注销")


class CancellationReason(models.TextChoices):
    """Grounds for cancellation (注销), 行政许可法 art 70."""

    EXPIRED = "expired", _("有效期届满未延续")
    DISSOLVED = "dissolved", _("法人或者其他组织依法终止")
    DECEASED = "deceased", _("赋予公民特定资格的许可，该公民死亡或者丧失行为能力")
    REVOKED_OR_WITHDRAWN = "revoked", _("许可依法被撤销、撤回，或者许可证件依法被吊销")
    FORCE_MAJEURE = "force_majeure", _("因不可抗力导致许可事项无法实施")
    OTHER = "other", _("法律、法规规定的其他情形")


class RenewalStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    APPROVED = "approved", _("准予延续")
    REFUSED = "refused", _("不予延续")
    DEEMED = "deemed", _("视为准予延续")


class WarningKind(models.TextChoices):
    PROMISED_80 = "promised_80", _("承诺时限已过80%")
