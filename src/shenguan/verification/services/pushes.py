"""Pushes and planning: every approval outcome becomes a push to the squad covering the party's
grid, which acknowledges it (签收) within the policy's deadline; a licence is planned for
verification by the policy table (a task, the sampling directory, or nothing if exempt)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.approvals.models import Licence
from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Scope
from shenguan.org.choices import SectionKind
from shenguan.org.models import Section
from shenguan.parties.models import Party

from .. import workflow
from ..choices import (
    PUSH_EVENTS,
    TASK_METHODS,
    Method,
    PoolStatus,
    PushKind,
    TaskOrigin,
    TaskStatus,
)
from ..models import PoolEntry, Push, VerificationTask
from ._base import (
    ASSIGN_ROLES,
    actor_name,
    next_number,
    place_of,
    real_user,
    require_roles,
    today,
    working_deadline,
)
from .policy import policy_in_force, rule_for

# --- tasks ------------------------------------------------------------------------------------


def create_task(
    licence: Licence,
    *,
    origin: str,
    method: str,
    rule,
    policy,
    tier: str,
    start: dt.date,
    basis: str,
    draw=None,
    pool_entry=None,
) -> VerificationTask:
    """A task for ``licence`` due ``rule.deadline_working_days`` working days after ``start``,
    assigned to the squad and grid of the party's location."""
    party = licence.holder
    squad, grid = place_of(party, policy, rule)
    days = rule.deadline_working_days
    task = VerificationTask.objects.create(
        number=next_number("task", "HC", start),
        origin=origin,
        method=method,
        party=party,
        application_id=licence.application_id,
        licence=licence,
        approval_class=licence.power_version.approval_class or "controlled",
        route=licence.route,
        credit_tier=tier,
        squad=squad,
        grid=grid,
        policy=policy,
        rule=rule,
        basis=basis[:300],
        draw=draw,
        pool_entry=pool_entry,
        planned_on=start,
        deadline_working_days=days,
        due_on=working_deadline(start, days),
    )
    journal.record("verification.task.planned", task, after=journal.snapshot(task))
    outbox.emit("verification.task.planned", task, task_payload(task))
    return task


def task_payload(task: VerificationTask, **extra) -> dict:
    return {
        "task_id": task.pk,
        "number": task.number,
        "origin": task.origin,
        "method": task.method,
        "status": task.status,
        "result": task.result,
        "party_id": task.party_id,
        "application_id": task.application_id,
        "licence_id": task.licence_id,
        "squad_id": task.squad_id,
        "grid_id": task.grid_id,
        "draw_id": task.draw_id,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        **extra,
    }


def _basis(policy, rule) -> str:
    return _("政策第%(v)s版：%(klass)s×%(route)s×%(tier)s级 → %(method)s，%(days)s个工作日") % {
        "v": policy.version,
        "klass": rule.get_approval_class_display(),
        "route": rule.get_route_display(),
        "tier": rule.credit_tier,
        "method": rule.get_method_display(),
        "days": rule.deadline_working_days,
    }


def plan_licence(licence: Licence, *, tier: str, day: dt.date, policy) -> dict:
    """Plan the verification of a newly issued licence under the policy in force: a task
    (on-site or document review), an entry in the sampling directory, or nothing (exempt).
    Planning the same licence twice changes nothing."""
    klass = licence.power_version.approval_class or "controlled"
    rule = rule_for(policy, klass, licence.route, tier)
    planned = {"method": rule.method, "policy_version": policy.version, "rule_id": rule.pk}
    if rule.method in TASK_METHODS:
        task = VerificationTask.objects.filter(licence=licence, origin=TaskOrigin.PLANNED).first()
        if task is None:
            task = create_task(
                licence,
                origin=TaskOrigin.PLANNED,
                method=rule.method,
                rule=rule,
                policy=policy,
                tier=tier,
                start=day,
                basis=_basis(policy, rule),
            )
        planned["task"] = task
    elif rule.method == Method.SAMPLING_POOL:
        entry, created = PoolEntry.objects.get_or_create(
            licence=licence,
            defaults={
                "application_id": licence.application_id,
                "party_id": licence.holder_id,
                "policy": policy,
                "rule": rule,
                "risk_weight": rule.risk_weight,
                "entered_on": day,
            },
        )
        if created:
            journal.record("verification.pool.entered", entry, after=journal.snapshot(entry))
        planned["pool_entry"] = entry
    return planned


def remove_from_pool(licence_id: int, reason: str) -> int:
    entries = list(
        PoolEntry.objects.select_for_update(no_key=True).filter(
            licence_id=licence_id, status=PoolStatus.WAITING
        )
    )
    for entry in entries:
        entry.status, entry.removed_reason = PoolStatus.REMOVED, reason[:200]
        entry.save(update_fields=["status", "removed_reason"])
        journal.record(
            "verification.pool.removed",
            entry,
            before={"status": PoolStatus.WAITING},
            after={"status": entry.status, "reason": entry.removed_reason},
        )
    return len(entries)


def close_for_licence(licence: Licence, action: str) -> list[VerificationTask]:
    """The licence ended by another path (revoked, cancelled, expired): its open tasks close."""
    from .findings import close_task

    closed = []
    tasks = VerificationTask.objects.select_for_update(no_key=True).filter(licence=licence)
    for task in tasks.exclude(status=TaskStatus.CLOSED).order_by("pk"):
        if (action, task.status) in workflow.TRANSITIONS:
            close_task(task, action)
            closed.append(task)
    remove_from_pool(licence.pk, _("许可已终止"))
    return closed


def _plan_unkept(licence: Licence, payload: dict, day: dt.date, policy):
    """DOMAIN.md §5: an unkept commitment gets an on-site inspection (unless a task of the
    licence is still open, or already decided on revocation)."""
    unkept = [d for d in payload.get("deferred_materials") or [] if not d.get("supplemented")]
    if not unkept:
        return None
    if VerificationTask.objects.filter(licence=licence).exclude(status=TaskStatus.CLOSED).exists():
        return None
    existing = VerificationTask.objects.filter(licence=licence, origin=TaskOrigin.UNKEPT).first()
    if existing is not None:
        return existing
    tier = payload.get("credit_tier") or licence.holder.credit_tier
    rule = rule_for(policy, licence.power_version.approval_class, licence.route, tier)
    remove_from_pool(licence.pk, _("承诺未履行，转为实地核查"))
    names = "、".join(str(d.get("name", "")) for d in unkept)
    return create_task(
        licence,
        origin=TaskOrigin.UNKEPT,
        method=Method.ON_SITE,
        rule=rule,
        policy=policy,
        tier=tier,
        start=day,
        basis=_("承诺未履行（%(names)s逾期未补交），转实地核查") % {"names": names},
    )


# --- pushes -----------------------------------------------------------------------------------


def _summary(payload: dict, party: Party, planned: dict | None) -> dict:
    keys = (
        "application_number",
        "licence_number",
        "verification_number",
        "item_code",
        "item_name",
        "approval_class",
        "route",
        "credit_tier",
        "deferred_materials",
        "reason",
        "grounds",
    )
    out = {k: payload[k] for k in keys if k in payload}
    out["number"] = payload.get("licence_number") or payload.get("application_number", "")
    out["party_name"] = party.name
    if planned is not None:
        out["planned_method"] = planned["method"]
    return out


def _self_started(licence: Licence | None) -> bool:
    """A revocation opened by a verification finding is not pushed back to the bureau."""
    return (
        licence is not None
        and VerificationTask.objects.filter(
            licence=licence, status=TaskStatus.REVOCATION_PENDING
        ).exists()
    )


def receive_event(event) -> Push | None:
    """Turn an approvals outbox event into a push (and plan verification). Applying the same
    event twice creates nothing new: one push per event, one planned task per licence."""
    kind = PUSH_EVENTS.get(event.type)
    if kind is None:
        return None
    payload = event.payload or {}
    # inside the worker's transaction: no savepoint needed (one round trip fewer each way)
    with transaction.atomic(savepoint=False):
        existing = Push.objects.filter(event_id=event.id).first()
        if existing is not None:
            return existing
        party_id = payload.get("party_id")
        party = (
            Party.objects.select_related("grid__squad").filter(pk=party_id).first()
            if party_id
            else None
        )
        if party is None:
            raise DomainError(f"{event.type} event {event.id} names no known party_id")
        licence = None
        if payload.get("licence_id"):
            # not locked: the finding services lock task then licence, never the reverse
            licence = (
                Licence.objects.select_related("power_version")
                .filter(pk=payload["licence_id"])
                .first()
            )
            if licence is not None and licence.holder_id == party.pk:
                licence.holder = party  # with its grid and squad already loaded
        application_id = payload.get("application_id") or (
            licence.application_id if licence is not None else None
        )
        if kind == PushKind.REVOCATION_STARTED and _self_started(licence):
            return None
        day = timezone.localdate(event.created)
        policy = policy_in_force(day)
        planned = None
        if kind == PushKind.LICENCE_ISSUED and licence is not None:
            tier = payload.get("credit_tier") or party.credit_tier
            planned = plan_licence(licence, tier=tier, day=day, policy=policy)
        elif kind == PushKind.REVOCATION_STARTED and licence is not None:
            task = _plan_unkept(licence, payload, day, policy)
            planned = {"method": Method.ON_SITE, "task": task} if task else None
        elif kind == PushKind.LICENCE_REVOKED and licence is not None:
            close_for_licence(licence, "licence_revoked")
        task = (planned or {}).get("task")
        squad, grid = (task.squad, task.grid) if task else place_of(party, policy)
        push = Push.objects.create(
            event_id=event.id,
            event_type=event.type,
            kind=kind,
            party=party,
            application_id=application_id,
            licence=licence,
            squad=squad,
            grid=grid,
            task=task,
            policy=policy,
            summary=journal.jsonable(_summary(payload, party, planned)),
            pushed_at=event.created,
            ack_due_on=working_deadline(day, policy.ack_working_days),
        )
        journal.record("verification.push.received", push, after=journal.snapshot(push))
        outbox.emit("verification.push.received", push, push_payload(push))
        return push


def push_payload(push: Push, **extra) -> dict:
    return {
        "push_id": push.pk,
        "kind": push.kind,
        "event_id": str(push.event_id),
        "party_id": push.party_id,
        "application_id": push.application_id,
        "licence_id": push.licence_id,
        "squad_id": push.squad_id,
        "task_id": push.task_id,
        "ack_due_on": push.ack_due_on.isoformat() if push.ack_due_on else None,
        **extra,
    }


def _lock_push(push_id, user) -> Push:
    push = Push.objects.select_for_update(no_key=True).filter(pk=push_id).first()
    if push is None or (
        user is not None and not Push.objects.restrict(user, "view").filter(pk=push_id).exists()
    ):
        raise NotFound(_("推送 %(id)s 不存在") % {"id": push_id})
    return push


def acknowledge_push(push_id: int, *, note: str = "", user=None) -> Push:
    """The receiving squad signs for the push (签收); after the deadline it still may, and the
    push is marked as acknowledged late."""
    with transaction.atomic():
        push = _lock_push(push_id, user)
        if user is not None:
            scope = Scope.of(user)
            if not (scope.is_admin or push.squad_id in scope.section_ids):
                raise Forbidden(_("只有接收中队的执法人员可以签收"))
        if push.acknowledged_at is not None:
            raise Conflict(_("该推送已于%(at)s签收") % {"at": push.acknowledged_at}, code="acked")
        now = timezone.now()
        push.acknowledged_at = now
        push.acknowledged_by = real_user(user)
        push.acknowledged_by_name = actor_name(user)
        push.acknowledged_late = push.ack_due_on is not None and timezone.localdate(now) > (
            push.ack_due_on
        )
        push.ack_note = (note or "").strip()[:300]
        push.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_by",
                "acknowledged_by_name",
                "acknowledged_late",
                "ack_note",
            ]
        )
        journal.record(
            "verification.push.acknowledged",
            push,
            before={"acknowledged_at": None},
            after={
                "acknowledged_at": now,
                "by": push.acknowledged_by_name,
                "late": push.acknowledged_late,
                "note": push.ack_note,
            },
        )
        outbox.emit(
            "verification.push.acknowledged",
            push,
            push_payload(push, late=push.acknowledged_late),
        )
        return push


def assign_squad(push_id: int, squad_id: int, *, user=None) -> Push:
    """Bureau heads and the command centre route a push (and its unassigned task) to a squad,
    e.g. when the party has no grid and the policy names no fallback squad."""
    require_roles(user, ASSIGN_ROLES, _("只有局领导或指挥中心可以指派执法中队"))
    with transaction.atomic():
        push = _lock_push(push_id, user)  # an unknown push is a 404 whatever the body says
        squad = Section.objects.filter(pk=squad_id, kind=SectionKind.SQUAD).first()
        if squad is None:
            raise DomainError(_("执法中队 %(id)s 不存在") % {"id": squad_id}, code="no_squad")
        before = {"squad_id": push.squad_id}
        push.squad = squad
        push.save(update_fields=["squad"])
        if push.task_id:
            VerificationTask.objects.filter(pk=push.task_id, squad__isnull=True).update(squad=squad)
        journal.record(
            "verification.push.assigned", push, before=before, after={"squad_id": squad.pk}
        )
        outbox.emit("verification.push.assigned", push, push_payload(push))
        return push


# --- time passing -----------------------------------------------------------------------------


def flag_overdue_pushes(day: dt.date | None = None) -> int:
    """Mark pushes not acknowledged by their deadline (once each), journalled and announced
    (the command centre watches ``verification.push.overdue``)."""
    day = day or today()
    ids = list(
        Push.objects.overdue(day)
        .filter(overdue_flagged_at__isnull=True)
        .values_list("pk", flat=True)
    )
    for push_id in ids:
        with transaction.atomic():
            push = Push.objects.select_for_update(no_key=True).get(pk=push_id)
            if push.acknowledged_at is not None or push.overdue_flagged_at is not None:
                continue
            push.overdue_flagged_at = timezone.now()
            push.save(update_fields=["overdue_flagged_at"])
            journal.record(
                "verification.push.overdue",
                push,
                after={"ack_due_on": push.ack_due_on, "flagged_on": day},
            )
            outbox.emit("verification.push.overdue", push, push_payload(push))
    return len(ids)


def fill_missing_deadlines() -> int:
    """Deadlines left open because a year's holidays were unknown, once they are known."""
    filled = 0
    pushes = Push.objects.filter(ack_due_on__isnull=True, acknowledged_at__isnull=True)
    for push in pushes.select_related("policy"):
        due = working_deadline(timezone.localdate(push.pushed_at), push.policy.ack_working_days)
        if due is not None:
            with transaction.atomic():
                Push.objects.filter(pk=push.pk).update(ack_due_on=due)
                journal.record("verification.push.deadline_set", push, after={"ack_due_on": due})
            filled += 1
    tasks = VerificationTask.objects.filter(due_on__isnull=True).exclude(status=TaskStatus.CLOSED)
    for task in tasks:
        due = working_deadline(task.planned_on, task.deadline_working_days)
        if due is not None:
            with transaction.atomic():
                VerificationTask.objects.filter(pk=task.pk).update(due_on=due)
                journal.record("verification.task.deadline_set", task, after={"due_on": due})
            filled += 1
    return filled
