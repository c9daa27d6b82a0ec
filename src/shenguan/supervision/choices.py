from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectionStatus(models.TextChoices):
    RAISED = "raised", _("已提出")
    ROUTED = "routed", _("已转局领导")
    UNDER_REVIEW = "under_review", _("审查中")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("异议不成立")
    WITHDRAWN = "withdrawn", _("已撤回")


class RequestedAction(models.TextChoices):
    RECONSIDER = "reconsider", _("重新审查")
    CORRECT = "correct", _("责令纠正")
    SUSPEND = "suspend", _("暂停办理")
    REVOKE = "revoke", _("撤销许可")
    EXPLAIN = "explain", _("说明理由")
    OTHER = "other", _("其他")
