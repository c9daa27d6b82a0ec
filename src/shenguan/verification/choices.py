from django.db import models
from django.utils.translation import gettext_lazy as _


class PushKind(models.TextChoices):
    """Approval outcomes pushed to the enforcement bureau (批后推送)."""

    LICENCE_ISSUED = "licence_issued", _("许可已发证")
    TOLERANCE_GRANTED = "tolerance_granted", _("容缺受理")
    COMMITMENT_TAKEN = "commitment_taken", _("告知承诺")
    REVOCATION_STARTED = "revocation_started", _("启动撤销（承诺未履行）")
    LICENCE_REVOKED = "licence_revoked", _("许可已撤销")


# approvals event type -> push kind
PUSH_EVENTS = {
    "approvals.licence.issued": PushKind.LICENCE_ISSUED,
    "approvals.tolerance.granted": PushKind.TOLERANCE_GRANTED,
    "approvals.commitment.taken": PushKind.COMMITMENT_TAKEN,
    "approvals.licence.revocation_started": PushKind.REVOCATION_STARTED,
    "approvals.licence.revoked": PushKind.LICENCE_REVOKED,
}


class Method(models.TextChoices):
    ON_SITE = "on_site", _("实地核查")
    DOCUMENT_REVIEW = "document_review", _("书面核查")
    SAMPLING_POOL = "sampling_pool", _("纳入双随机抽查")
    EXEMPT = "exempt", _("免于核查")


# Methods that make a task at once; the others put the approval in the pool or nowhere.
TASK_METHODS = {Method.ON_SITE, Method.DOCUMENT_REVIEW}


class TaskOrigin(models.TextChoices):
    PLANNED = "planned", _("批后核查计划")
    DRAWN = "drawn", _("双随机抽查")
    UNKEPT = "unkept", _("承诺未履行转实地核查")


class TaskStatus(models.TextChoices):
    """The moves between these are in ``workflow.py``."""

    OPEN = "open", _("待核查")
    RECTIFYING = "rectifying", _("责令整改中")
    REVOCATION_PENDING = "revocation_pending", _("待撤销许可")
    CLOSED = "closed", _("已办结")


class TaskResult(models.TextChoices):
    COMPLIANT = "compliant", _("符合承诺/许可条件")
    RECTIFIED = "rectified", _("整改后符合")
    REVOKED = "revoked", _("许可已撤销")
    LICENCE_ENDED = "licence_ended", _("许可已终止，核查终结")


class FindingOutcome(models.TextChoices):
    COMPLIANT = "compliant", _("符合")
    NON_COMPLIANT = "non_compliant", _("不符合")
    FALSIFIED = "falsified", _("承诺不实（虚假承诺）")


class FindingStatus(models.TextChoices):
    DRAFT = "draft", _("待第二名执法人员会签")
    FINAL = "final", _("已会签确认")


class PoolStatus(models.TextChoices):
    WAITING = "waiting", _("待抽取")
    DRAWN = "drawn", _("已抽中")
    REMOVED = "removed", _("已移出")


class DrawStatus(models.TextChoices):
    DRAWN = "drawn", _("已抽取，检查中")
    PUBLISHED = "published", _("已公示")


class LeadKind(models.TextChoices):
    FALSIFIED_COMMITMENT = "falsified_commitment", _("虚假承诺")


class LeadStatus(models.TextChoices):
    NEW = "new", _("待处理")
    ACCEPTED = "accepted", _("已立案审查")
    CLOSED = "closed", _("已处理")
