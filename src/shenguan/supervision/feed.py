"""The supervision feed: approval acts as they happen, read from the journal.

Every approval act (a status change of an application, the route taken, a tolerance or
commitment signed, a licence issued, revoked, cancelled…) is journalled in its own
transaction with the application or the licence as its object. The journal's ``seq`` is
assigned under the chain-head lock held to commit, so a reader who has seen entry *n* has
seen every entry before it: ``seq`` is a gap-free cursor (``?after=n``), unlike row ids,
which commit out of order.

A department's domain is the powers it implements (``Power.department``), the powers whose
responsible section belongs to it (``Responsibility.section.department``) and the powers an
administrator assigned it (``SupervisedPower``). Supervisors see their department's acts;
bureau heads, the command centre and administrators see all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from shenguan.approvals.models import Application, Licence
from shenguan.catalog.models import Power
from shenguan.core.errors import Forbidden
from shenguan.core.models import JournalEntry
from shenguan.core.permissions import Role, Scope

APPLICATION = "approvals.application"
LICENCE = "approvals.licence"

# The acts shown: everything journalled on an application or a licence under these prefixes
# except clock warnings and drafts, with a Chinese label where known (else the code).
ACT_PREFIXES = (
    "approvals.application.",
    "approvals.licence.",
    "approvals.tolerance.",
    "approvals.commitment.",
)
NOT_ACTS = (
    "approvals.application.create",
    "approvals.application.created",
    "approvals.application.warned",
    "approvals.application.warning",
)
_APPLICATION_ACTS = {
    # workflow.py actions (record_transition) …
    "submit": _("提交申请"),
    "notify_deficiency": _("一次性告知补正"),
    "resubmit": _("补正材料"),
    "accept": _("受理"),
    "deem_acceptance": _("视为受理"),
    "redirect": _("告知非本机关职权"),
    "not_required": _("告知无需许可"),
    "refuse_intake": _("不予受理"),
    "start_review": _("开始审查"),
    "suspend": _("中止计时"),
    "resume": _("恢复计时"),
    "extend": _("延长期限"),
    "approve": _("准予许可"),
    "refuse": _("不予许可"),
    "issue_licence": _("发放许可证"),
    "withdraw": _("撤回申请"),
    "terminate": _("终止办理"),
    # … and the entries named after the state reached.
    "submitted": _("提交申请"),
    "deficiency_notified": _("一次性告知补正"),
    "resubmitted": _("补正材料"),
    "accepted": _("受理"),
    "deemed_accepted": _("视为受理"),
    "redirected": _("告知非本机关职权"),
    "refused": _("不予许可/不予受理"),
    "under_review": _("开始审查"),
    "reviewed": _("审查意见"),
    "suspended": _("中止计时"),
    "resumed": _("恢复计时"),
    "extended": _("延长期限"),
    "approved": _("准予许可"),
    "licence_issued": _("发放许可证"),
    "withdrawn": _("撤回申请"),
    "terminated": _("终止办理"),
    "route_chosen": _("选择办理路径（容缺受理/告知承诺）"),
}
ACT_LABELS = {f"approvals.application.{k}": v for k, v in _APPLICATION_ACTS.items()} | {
    "approvals.tolerance.signed": _("签署容缺受理承诺"),
    "approvals.tolerance.granted": _("容缺受理"),
    "approvals.tolerance.supplemented": _("容缺材料补齐"),
    "approvals.tolerance.fulfilled": _("容缺承诺履行"),
    "approvals.commitment.taken": _("采用告知承诺"),
    "approvals.commitment.withdrawn": _("撤回告知承诺"),
    "approvals.commitment.supplemented": _("承诺材料补齐"),
    "approvals.commitment.fulfilled": _("告知承诺履行"),
    "approvals.commitment.scan_attached": _("上传承诺书扫描件"),
    "approvals.licence.issued": _("发放许可证"),
    "approvals.licence.revocation_started": _("启动撤销许可"),
    "approvals.licence.revoked": _("撤销许可"),
    "approvals.licence.cancelled": _("注销许可"),
    "approvals.licence.expired": _("许可证到期"),
    "approvals.licence.renewal_applied": _("申请延续许可"),
    "approvals.licence.renewal_deemed": _("视为准予延续"),
    "approvals.licence.status": _("许可证状态变更"),
}
PAGE = 50


def act_label(action: str) -> str:
    return str(ACT_LABELS.get(action, action))


def can_watch(scope: Scope) -> bool:
    if scope.has_role(Role.BUREAU_HEAD, Role.COMMAND_CENTRE):
        return True
    return scope.has_role(Role.DEPARTMENT_SUPERVISOR) and scope.department_id is not None


def sees_all(scope: Scope) -> bool:
    return scope.has_role(Role.BUREAU_HEAD, Role.COMMAND_CENTRE)


def domain_powers(department_id: int) -> QuerySet:
    return Power.objects.filter(
        Q(department_id=department_id)
        | Q(responsibility__section__department_id=department_id)
        | Q(supervisions__department_id=department_id)
    ).values("pk")


def domain_applications(scope: Scope) -> QuerySet:
    """Applications whose acts the scope watches (no role check; see ``can_watch``)."""
    qs = Application.objects.all()
    if not sees_all(scope):
        qs = qs.filter(power_id__in=domain_powers(scope.department_id or 0))
    return qs


def acts_queryset(
    scope: Scope, *, item: str = "", act: str = "", application_id: int | None = None
) -> QuerySet:
    if not can_watch(scope):
        raise Forbidden(_("只有业务部门监管人员、局领导和指挥中心可以查看审批行为"))
    apps = domain_applications(scope)
    if item:
        apps = apps.filter(power__code=item)
    if application_id is not None:
        apps = apps.filter(pk=application_id)
    licences = Licence.objects.filter(application__in=apps)
    prefixes = Q()
    for prefix in ACT_PREFIXES:
        prefixes |= Q(action__startswith=prefix)
    qs = JournalEntry.objects.filter(prefixes).exclude(action__in=NOT_ACTS)
    if item or application_id is not None or not sees_all(scope):
        app_keys = apps.annotate(key=Cast("pk", CharField())).values("key")
        licence_keys = licences.annotate(key=Cast("pk", CharField())).values("key")
        qs = qs.filter(
            Q(object_type=APPLICATION, object_id__in=app_keys)
            | Q(object_type=LICENCE, object_id__in=licence_keys)
        )
    else:
        qs = qs.filter(object_type__in=(APPLICATION, LICENCE))
    if act:
        qs = qs.filter(action=act)
    return qs


@dataclass
class Act:
    seq: int
    time: dt.datetime
    action: str
    label: str
    actor_name: str
    application: Application | None
    licence: Licence | None
    status: str = ""

    @property
    def application_id(self):
        return self.application.pk if self.application else None


def _status_of(entry: JournalEntry) -> str:
    after = entry.after if isinstance(entry.after, dict) else {}
    value = after.get("status")
    return value if isinstance(value, str) else ""


def acts(
    scope: Scope,
    *,
    after: int | None = None,
    before: int | None = None,
    item: str = "",
    act: str = "",
    application_id: int | None = None,
    limit: int = PAGE,
) -> list[Act]:
    """Newest first: entries with seq > ``after`` (polling) or < ``before`` (older pages).
    Three queries whatever the page size."""
    qs = acts_queryset(scope, item=item, act=act, application_id=application_id)
    if after is not None:
        qs = qs.filter(seq__gt=after)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    entries = list(
        qs.order_by("-seq").only(
            "seq", "time", "action", "actor_name", "object_type", "object_id", "after"
        )[: max(1, min(limit, 200))]
    )
    licence_ids = {int(e.object_id) for e in entries if e.object_type == LICENCE}
    licences = {
        lic.pk: lic
        for lic in Licence.objects.filter(pk__in=licence_ids).select_related(
            "application",
            "application__power",
            "application__power_version",
            "application__applicant",
        )
    }
    app_ids = {int(e.object_id) for e in entries if e.object_type == APPLICATION}
    app_ids -= {lic.application_id for lic in licences.values()}
    applications = {
        a.pk: a
        for a in Application.objects.filter(pk__in=app_ids).select_related(
            "power", "power_version", "applicant"
        )
    }
    for lic in licences.values():
        applications[lic.application_id] = lic.application
    result = []
    for e in entries:
        licence = licences.get(int(e.object_id)) if e.object_type == LICENCE else None
        application = licence.application if licence else applications.get(int(e.object_id))
        result.append(
            Act(
                seq=e.seq,
                time=e.time,
                action=e.action,
                label=act_label(e.action),
                actor_name=e.actor_name,
                application=application,
                licence=licence,
                status=_status_of(e),
            )
        )
    return result


def act_for(scope: Scope, application: Application, seq: int) -> JournalEntry | None:
    """The journal entry ``seq`` if it is an act on this application (or its licence) that
    the scope watches."""
    return acts_queryset(scope, application_id=application.pk).filter(seq=seq).first()
