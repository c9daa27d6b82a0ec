"""Every change to objections. Each function runs in one transaction, locks what it changes,
checks the workflow table (``workflow.py``) and the caller's role, writes, journals and emits.

Events: ``supervision.objection_raised``, ``supervision.objection_routed``,
``supervision.objection_review_started``, ``supervision.objection_upheld``,
``supervision.objection_rejected``, ``supervision.objection_withdrawn``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.approvals.models import Application
from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.core.services import full_clean, lock_for_change, recheck_visible

from . import feed, workflow
from .choices import ObjectionStatus, RequestedAction
from .models import Objection
from .workflow import Actor

SNAPSHOT_FIELDS = (
    "status",
    "routed_at",
    "review_started_at",
    "reviewer_id",
    "decision",
    "rejection_reasons",
    "decided_at",
    "withdrawn_at",
    "withdrawal_reason",
)


def _name(user) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (f"{full} ({user.get_username()})" if full else user.get_username())[:200]


def payload(obj: Objection, **extra) -> dict:
    return {
        "objection_id": obj.pk,
        "application_id": obj.application_id,
        "licence_id": obj.licence_id,
        "department_id": obj.department_id,
        "act_seq": obj.act_seq,
        "act_action": obj.act_action,
        "requested_action": obj.requested_action,
        "status": obj.status,
        **extra,
    }


def _state(obj: Objection) -> dict:
    return journal.jsonable({f: getattr(obj, f) for f in SNAPSHOT_FIELDS})


def _move(obj: Objection, action: str, actors: set[Actor], event: str, **fields) -> Objection:
    transition = workflow.transition_for(action, obj.status)
    workflow.require(transition, actors)
    before = _state(obj)
    obj.status = transition.target
    for name, value in fields.items():
        setattr(obj, name, value)
    full_clean(obj)
    obj.save()
    b, a = journal.diff(before, _state(obj))
    if transition.article:
        a = {**(a or {}), "article": transition.article}
    journal.record(f"supervision.objection.{action}", obj, before=b, after=a)
    outbox.emit(f"supervision.{event}", obj, payload(obj, article=transition.article))
    return obj


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            _("请填写%(label)s") % {"label": label},
            code="validation",
            field_errors={field: [_("必填")]},
        )
    return value


def raise_objection(
    application_id: int,
    *,
    user,
    grounds: str,
    legal_basis: str,
    requested_action: str,
    act_seq: int | None = None,
) -> Objection:
    """A department supervisor objects to an application (and optionally one act on it) in
    the department's domain; the objection is routed to the bureau heads at once."""
    scope = Scope.of(user)
    if not (scope.has_role(Role.DEPARTMENT_SUPERVISOR) and scope.department_id):
        raise Forbidden(_("只有业务部门监管人员可以提出异议"))
    grounds = _text(grounds, "grounds", _("异议理由"))
    legal_basis = _text(legal_basis, "legal_basis", _("法律依据"))
    if requested_action not in RequestedAction.values:
        raise DomainError(
            _("请求事项无效"),
            code="validation",
            field_errors={"requested_action": [_("请选择请求事项")]},
        )
    with transaction.atomic():
        try:
            app = (
                feed.domain_applications(scope)
                .select_for_update(no_key=True)
                .get(pk=int(application_id))
            )
        except (Application.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("申请 %(id)s 不存在") % {"id": application_id})
        licence = None
        act = None
        if act_seq is not None:
            act = feed.act_for(scope, app, int(act_seq))
            if act is None:
                raise DomainError(
                    _("日志 #%(seq)s 不是该申请的审批行为") % {"seq": act_seq},
                    code="validation",
                    field_errors={"act_seq": [_("不是该申请的审批行为")]},
                )
            if act.object_type == feed.LICENCE:
                licence = app.licences.get(pk=int(act.object_id))
        now = timezone.now()
        obj = Objection(
            application=app,
            licence=licence,
            act_seq=act.seq if act else None,
            act_action=act.action if act else "",
            act_time=act.time if act else None,
            department_id=scope.department_id,
            raised_by=user,
            raised_by_name=_name(user),
            grounds=grounds,
            legal_basis=legal_basis[:300],
            requested_action=requested_action,
            status=ObjectionStatus.RAISED,
            raised_at=now,
        )
        full_clean(obj)
        obj.save()
        journal.record(
            "supervision.objection.raised",
            obj,
            after=journal.snapshot(obj),
        )
        outbox.emit("supervision.objection_raised", obj, payload(obj))
        # Routed to the bureau heads at once (行政许可法第十条): their inbox is every routed
        # objection; the event lets notifications reach them.
        _move(obj, "route", {Actor.SYSTEM}, "objection_routed", routed_at=now)
        recheck_visible(user, obj)
    return obj


def _lock(objection_id: int, user) -> Objection:
    return lock_for_change(user, Objection, objection_id)


def start_review(objection_id: int, *, user) -> Objection:
    with transaction.atomic():
        obj = _lock(objection_id, user)
        actors = {Actor.HEAD} if Scope.of(user).has_role(Role.BUREAU_HEAD) else set()
        return _move(
            obj,
            "start_review",
            actors,
            "objection_review_started",
            review_started_at=timezone.now(),
            reviewer=user,
            reviewer_name=_name(user),
        )


def uphold(objection_id: int, *, user, decision: str) -> Objection:
    with transaction.atomic():
        obj = _lock(objection_id, user)
        actors = {Actor.HEAD} if Scope.of(user).has_role(Role.BUREAU_HEAD) else set()
        workflow.require(workflow.transition_for("uphold", obj.status), actors)
        return _move(
            obj,
            "uphold",
            actors,
            "objection_upheld",
            decision=_text(decision, "decision", _("处理决定或指示")),
            decided_at=timezone.now(),
            reviewer=user,
            reviewer_name=_name(user),
        )


def reject(objection_id: int, *, user, reasons: str) -> Objection:
    with transaction.atomic():
        obj = _lock(objection_id, user)
        actors = {Actor.HEAD} if Scope.of(user).has_role(Role.BUREAU_HEAD) else set()
        workflow.require(workflow.transition_for("reject", obj.status), actors)
        return _move(
            obj,
            "reject",
            actors,
            "objection_rejected",
            rejection_reasons=_text(reasons, "reasons", _("不成立理由")),
            decided_at=timezone.now(),
            reviewer=user,
            reviewer_name=_name(user),
        )


def withdraw(objection_id: int, *, user, reason: str = "") -> Objection:
    with transaction.atomic():
        obj = _lock(objection_id, user)
        actors = {Actor.RAISER} if obj.raised_by_id == user.pk else set()
        return _move(
            obj,
            "withdraw",
            actors,
            "objection_withdrawn",
            withdrawn_at=timezone.now(),
            withdrawal_reason=(reason or "").strip(),
        )
