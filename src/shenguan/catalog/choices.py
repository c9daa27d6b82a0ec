from django.db import models
from django.utils.translation import gettext_lazy as _


class PowerKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER = "other", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    INSPECTION = "inspection", _("行政检查")
    LEVY = "levy", _("行政征收")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")


# Kinds exercised by the enforcement side; their class is the kind itself.
ENFORCEMENT_KINDS = {PowerKind.INSPECTION, PowerKind.LEVY, PowerKind.PENALTY, PowerKind.COERCION}


class ApprovalClass(models.TextChoices):
    CONTROLLED = "controlled", _("控制类")
    CAUTIOUS = "cautious", _("慎审类")
    ENCOURAGED = "encouraged", _("鼓励类")


class EnforcementClass(models.TextChoices):
    INSPECTION = "inspection", _("行政检查")
    LEVY = "levy", _("行政征收")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")


class Stage(models.TextChoices):
    """Stages of the responsibility list (责任事项). Free text is allowed for rare stages."""

    INTAKE = "intake", _("受理")
    CASE_FILING = "case_filing", _("立案")
    INVESTIGATION = "investigation", _("调查")
    REVIEW = "review", _("审查")
    NOTICE = "notice", _("告知")
    DECISION = "decision", _("决定")
    SERVICE = "service", _("送达")
    EXECUTION = "execution", _("执行")
    SUPERVISION = "supervision", _("事后监管")
    OTHER = "other", _("其他")
