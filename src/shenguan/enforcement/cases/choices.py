from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadSource(models.TextChoices):
    VERIFICATION = "verification", _("批后核查")
    COMPLAINT = "complaint", _("投诉举报")
    GRID_REPORT = "grid_report", _("网格上报")
    INSPECTION = "inspection", _("检查发现")
    REFERRAL = "referral", _("部门移送")
    OTHER = "other", _("其他")


class LeadStatus(models.TextChoices):
    RECEIVED = "received", _("待审查")
    OPENED = "opened", _("已立案")
    DISMISSED = "dismissed", _("不予立案")


class CaseProcedure(models.TextChoices):
    SIMPLE = "simple", _("简易程序")
    GENERAL = "general", _("普通程序")


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("已立案")
    INVESTIGATING = "investigating", _("调查取证")
    PROPOSED = "proposed", _("拟处罚")
    NOTIFIED = "notified", _("已告知")
    HEARING_REQUESTED = "hearing_requested", _("已申请听证")
    HEARING_SCHEDULED = "hearing_scheduled", _("已通知听证")
    HEARD = "heard", _("听证结束")
    LEGAL_REVIEW = "legal_review", _("法制审核中")
    RETURNED = "returned", _("退回修改")
    REVIEWED = "reviewed", _("法制审核通过")
    DECIDED = "decided", _("已决定")
    SERVED = "served", _("已送达待履行")
    DEMANDED = "demanded", _("已催告")
    COURT_APPLIED = "court_applied", _("已申请法院强制执行")
    CLOSED = "closed", _("已结案")
    TRANSFERRED = "transferred", _("已移送司法机关")


class Sanction(models.TextChoices):
    """Kinds of administrative penalty (行政处罚法 art 9) this bureau imposes."""

    WARNING = "warning", _("警告")
    CRITICISM = "criticism", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得、没收非法财物")
    SUSPENSION = "suspension", _("暂扣许可证件、降低资质等级")
    REVOCATION = "revocation", _("吊销许可证件")
    RESTRICTION = "restriction", _("限制开展生产经营活动、责令停产停业、责令关闭、限制从业")


# Severity order for art 45 (no heavier penalty because of a defence): a revised proposal may
# drop kinds but not add any, and may not raise an amount.
SIMPLE_SANCTIONS = {Sanction.WARNING, Sanction.FINE}  # 行政处罚法 art 51


class DecisionOutcome(models.TextChoices):
    PENALTY = "penalty", _("给予行政处罚")  # art 57 (1)
    NO_PENALTY = "no_penalty", _("不予行政处罚（违法行为轻微）")  # art 57 (2), art 33
    NOT_ESTABLISHED = "not_established", _("违法事实不能成立，不予行政处罚")  # art 57 (3)


class ServiceMethod(models.TextChoices):
    IN_PERSON = "in_person", _("直接送达")
    ON_THE_SPOT = "on_the_spot", _("当场交付")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达（经当事人同意）")
    NOTICE = "notice", _("公告送达")


class ReviewOpinion(models.TextChoices):
    APPROVE = "approve", _("同意")
    AMEND = "amend", _("修改后重新提交")
    REJECT = "reject", _("不同意，退回补充调查")
