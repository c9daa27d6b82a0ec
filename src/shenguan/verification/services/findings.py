"""Findings and the outcome chain (DOMAIN.md §5 #4–5; 深圳经济特区社会信用条例 art 64).

A finding is recorded by one certified inspector naming a second, and is final only when the
second signs too (行政处罚法 art 42: at least two officers). Its outcome then moves the task:

- compliant → closed; a kept commitment (or a passed inspection) enters the credit record;
- non-compliant → a rectification order with a deadline; the re-inspection (the next round)
  closes the task if compliant, else opens revocation of the licence and records the unkept
  commitment (or failed inspection) in the credit record;
- falsified commitment → revocation of the licence opened, a penalty-case lead handed to
  enforcement and the falsified commitment recorded, which puts the party on the
  serious-dishonesty list (credit policy);
- a bureau head completes the revocation (行政许可法 art 69) with ``revoke_licence``.

This is the seam for issue 5: full inspections (checklists, evidence) will produce the
finding that ``record_finding`` records here."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.approvals import services as approvals
from shenguan.approvals.choices import LicenceStatus, Route
from shenguan.approvals.models import Licence
from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.credit import services as credit
from shenguan.credit.choices import EventKind, Source
from shenguan.credit.models import CreditEvent
from shenguan.org.models import Staff

from .. import workflow
from ..choices import (
    DrawStatus,
    FindingOutcome,
    FindingStatus,
    LeadKind,
    TaskStatus,
)
from ..models import (
    Draw,
    Finding,
    FindingSignature,
    Lead,
    RectificationOrder,
    TaskInspector,
    VerificationTask,
)
from ._base import REVOKE_ROLES, next_number, require_roles, staff_of, today, working_deadline
from .recusal import recused_staff_ids

# Routes on which the applicant committed in writing (a commitment can be falsified or kept).
COMMITTED_ROUTES = {Route.COMMITMENT, Route.TOLERANCE}


def lock_task(task_id, user) -> VerificationTask:
    task = (
        VerificationTask.objects.select_for_update(of=("self",), no_key=True)
        .select_related("licence", "application", "party", "policy")
        .filter(pk=task_id)
        .first()
    )
    if task is None or (
        user is not None
        and not VerificationTask.objects.restrict(user, "view").filter(pk=task_id).exists()
    ):
        raise NotFound(_("核查任务 %(id)s 不存在") % {"id": task_id})
    return task


def _is_officer(staff: Staff) -> bool:
    if staff.user_id is None:
        return False
    return Group.objects.filter(name=Role.ENFORCEMENT_OFFICER, user=staff.user_id).exists()


def check_inspector(task: VerificationTask, staff: Staff, day: dt.date) -> None:
    """A certified enforcement officer at work, drawn for the task if it was drawn, and not
    linked to the party (行政处罚法 art 42–43)."""
    if not _is_officer(staff):
        raise Forbidden(_("%(name)s不是执法人员") % {"name": staff.name})
    if not staff.is_certified:
        raise Forbidden(
            _("%(name)s未持有有效的行政执法证，不能实施核查（行政处罚法第四十二条）")
            % {"name": staff.name}
        )
    if not staff.is_present(day):
        raise Forbidden(_("%(name)s不在岗") % {"name": staff.name})
    drawn = set(task.inspectors.filter(drawn=True).values_list("staff_id", flat=True))
    if drawn and staff.pk not in drawn:
        raise Forbidden(
            _("本任务由双随机抽取的执法人员核查，%(name)s不在抽取名单中") % {"name": staff.name}
        )
    if staff.pk in recused_staff_ids(task.party_id, [staff.pk]):
        raise Forbidden(
            _("%(name)s与当事人存在关联关系，应当回避（行政处罚法第四十三条）")
            % {"name": staff.name}
        )


def record_finding(
    task_id: int,
    *,
    outcome: str,
    facts: str,
    co_inspector_id: int,
    inspected_on: dt.date | None = None,
    requirements: str = "",
    user,
) -> Finding:
    """The first inspector records the finding of the current round and signs it; it waits for
    ``co_inspector_id`` to sign (``sign_finding``). A first non-compliant finding states the
    rectification requirements."""
    outcome = FindingOutcome(outcome)
    facts = (facts or "").strip()
    if not facts:
        raise DomainError(_("须写明核查情况"), field_errors={"facts": [_("须写明核查情况")]})
    day = today()
    inspected_on = inspected_on or day
    if inspected_on > day:
        raise DomainError(_("核查日期不能晚于今天"), field_errors={"inspected_on": [_("无效")]})
    with transaction.atomic():
        task = lock_task(task_id, user)
        staff = staff_of(user)
        if staff is None:
            raise Forbidden(_("只有执法人员可以记录核查结论"))
        scope = Scope.of(user)
        drawn = task.inspectors.filter(drawn=True, staff=staff).exists()
        if not (drawn or task.squad_id in scope.section_ids):
            raise Forbidden(_("只有责任中队或抽取的执法人员可以记录核查结论"))
        if task.status not in workflow.INSPECTABLE:
            raise Conflict(
                _("核查任务当前状态为“%(s)s”，不能记录核查结论")
                % {"s": TaskStatus(task.status).label},
                code="not_inspectable",
            )
        if (
            outcome == FindingOutcome.NON_COMPLIANT
            and task.status == TaskStatus.OPEN
            and not (requirements or "").strip()
        ):
            message = _("核查不符合的，须写明整改要求")
            raise DomainError(message, field_errors={"requirements": [message]})
        if outcome == FindingOutcome.FALSIFIED and task.route not in COMMITTED_ROUTES:
            raise DomainError(
                _("本许可按一般程序办理，没有承诺可以认定为虚假承诺"), code="no_commitment"
            )
        if task.findings.filter(status=FindingStatus.DRAFT).exists():
            raise Conflict(_("已有待会签的核查结论"), code="draft_pending")
        co = Staff.objects.filter(pk=co_inspector_id).first()
        if co is None:
            raise DomainError(
                _("协办执法人员 %(id)s 不存在") % {"id": co_inspector_id},
                field_errors={"co_inspector_id": [_("不存在")]},
            )
        if co.pk == staff.pk:
            message = _("核查须由两名执法人员实施，协办人员不能是本人（行政处罚法第四十二条）")
            raise DomainError(message, field_errors={"co_inspector_id": [message]})
        check_inspector(task, staff, day)
        check_inspector(task, co, day)
        last = task.findings.aggregate(m=Max("round"))["m"] or 0
        finding = Finding.objects.create(
            task=task,
            round=last + 1,
            outcome=outcome,
            facts=facts,
            inspected_on=inspected_on,
            requirements=(requirements or "").strip(),
            recorded_by=staff,
            co_inspector=co,
        )
        FindingSignature.objects.create(
            finding=finding, staff=staff, cert_no=staff.enforcement_cert_no
        )
        for person in (staff, co):
            TaskInspector.objects.get_or_create(task=task, staff=person)
        journal.record("verification.finding.recorded", finding, after=journal.snapshot(finding))
        return finding


def sign_finding(finding_id: int, *, user) -> Finding:
    """The second inspector signs; the finding becomes final and its outcome takes effect in
    the same transaction."""
    finding_task = Finding.objects.filter(pk=finding_id).values_list("task_id", flat=True).first()
    if finding_task is None:
        raise NotFound(_("核查结论 %(id)s 不存在") % {"id": finding_id})
    with transaction.atomic():
        task = lock_task(finding_task, user)  # the task row first, as everywhere
        finding = Finding.objects.select_for_update(no_key=True).get(pk=finding_id)
        staff = staff_of(user)
        if staff is None or staff.pk != finding.co_inspector_id:
            raise Forbidden(_("只有核查结论指定的协办执法人员可以会签"))
        if finding.status != FindingStatus.DRAFT:
            raise Conflict(_("该核查结论已会签"), code="already_signed")
        check_inspector(task, staff, today())
        FindingSignature.objects.create(
            finding=finding, staff=staff, cert_no=staff.enforcement_cert_no
        )
        finding.status = FindingStatus.FINAL
        finding.finalised_at = timezone.now()
        finding.save(update_fields=["status", "finalised_at"])
        journal.record(
            "verification.finding.signed",
            finding,
            before={"status": FindingStatus.DRAFT},
            after={"status": finding.status, "signed_by": staff.name},
        )
        _apply(task, finding)
        return finding


# --- the chain --------------------------------------------------------------------------------


def _credit(task: VerificationTask, finding: Finding, kind: str) -> CreditEvent:
    return credit.record_event(
        task.party_id,
        kind,
        source=Source.VERIFICATION,
        source_ref={
            "type": "verification.finding",
            "id": str(finding.pk),
            "display": _("批后核查%(number)s") % {"number": task.number},
        },
        occurred_on=finding.inspected_on,
        description=finding.facts[:500],
    )


def _kept_commitment(task: VerificationTask, finding: Finding) -> CreditEvent:
    """A commitment is kept once: if the approvals side already recorded it (all deferred
    materials supplied), that record stands for this finding too."""
    existing = CreditEvent.objects.filter(
        party_id=task.party_id,
        kind=EventKind.COMMITMENT_KEPT,
        source_type="approvals.application",
        source_id=str(task.application_id),
    ).first()
    return existing or _credit(task, finding, EventKind.COMMITMENT_KEPT)


def _open_revocation(task: VerificationTask, grounds: str) -> None:
    licence = Licence.objects.get(pk=task.licence_id)
    if licence.status == LicenceStatus.VALID and licence.revocation_started_on is None:
        # the system opens it (no user: the bureau head decides in revoke_licence)
        approvals.start_revocation(licence.pk, grounds=grounds, user=None)


def _apply(task: VerificationTask, finding: Finding) -> None:
    move = workflow.move_for(finding.outcome, task.status)
    committed = task.route in COMMITTED_ROUTES
    after: dict = {"finding_id": finding.pk, "round": finding.round, "outcome": finding.outcome}
    lead = None
    if finding.outcome == FindingOutcome.COMPLIANT:
        if finding.round == 1:
            event = (
                _kept_commitment(task, finding)
                if task.route == Route.COMMITMENT
                else _credit(task, finding, EventKind.INSPECTION_PASSED)
            )
            finding.credit_event = event
    elif finding.outcome == FindingOutcome.NON_COMPLIANT and move.target == TaskStatus.RECTIFYING:
        day = today()
        order = RectificationOrder.objects.create(
            task=task,
            finding=finding,
            number=next_number("order", "ZG", day),
            requirements=finding.requirements or finding.facts,
            issued_on=day,
            due_on=working_deadline(day, task.policy.rectification_working_days),
        )
        after["rectification_order"] = order.number
        after["rectification_due_on"] = order.due_on
    elif finding.outcome == FindingOutcome.NON_COMPLIANT:
        kind = EventKind.COMMITMENT_BROKEN if committed else EventKind.INSPECTION_FAILED
        finding.credit_event = _credit(task, finding, kind)
        task.revocation_grounds = _("经责令整改，复查仍不符合：%(facts)s") % {
            "facts": finding.facts
        }
    else:  # falsified
        finding.credit_event = _credit(task, finding, EventKind.COMMITMENT_FALSIFIED)
        task.revocation_grounds = _("核查发现承诺不实：%(facts)s") % {"facts": finding.facts}
        lead = _hand_over(task, finding)
        after["lead"] = lead.number
    if finding.credit_event_id:
        finding.save(update_fields=["credit_event"])
        after["credit_event_id"] = finding.credit_event.pk
    if move.target == TaskStatus.REVOCATION_PENDING:
        _open_revocation(task, task.revocation_grounds)
        task.save(update_fields=["revocation_grounds"])
    _move(task, move, finding.outcome, after)
    if lead is not None:
        outbox.emit("verification.lead.created", lead, lead_payload(lead))


def _hand_over(task: VerificationTask, finding: Finding) -> Lead:
    day = today()
    lead = Lead.objects.create(
        number=next_number("lead", "XS", day),
        kind=LeadKind.FALSIFIED_COMMITMENT,
        task=task,
        finding=finding,
        party_id=task.party_id,
        licence_id=task.licence_id,
        application_id=task.application_id,
        credit_event=finding.credit_event,
        facts=finding.facts,
    )
    journal.record("verification.lead.created", lead, after=journal.snapshot(lead))
    return lead


def lead_payload(lead: Lead) -> dict:
    """What enforcement needs to open a case lead (enforcement/consumers.py reads
    ``party_id``, ``description``, ``squad_id``, ``found_on``, ``kind`` and keeps the rest)."""
    return {
        "lead_id": lead.pk,
        "number": lead.number,
        "kind": lead.kind,
        "description": _("批后核查发现虚假承诺：%(facts)s") % {"facts": lead.facts},
        "found_on": lead.finding.inspected_on.isoformat(),
        "squad_id": lead.task.squad_id,
        "item_code": lead.licence.power.code,
        "party_id": lead.party_id,
        "licence_id": lead.licence_id,
        "licence_number": lead.licence.number,
        "application_id": lead.application_id,
        "application_number": lead.application.number,
        "task_id": lead.task_id,
        "task_number": lead.task.number,
        "finding_id": lead.finding_id,
        "credit_event_id": lead.credit_event_id,
        "facts": lead.facts,
        "inspected_on": lead.finding.inspected_on.isoformat(),
        "inspectors": [lead.finding.recorded_by_id, lead.finding.co_inspector_id],
    }


def _move(task: VerificationTask, move: workflow.Move, action: str, after: dict) -> None:
    from .pushes import task_payload

    before = {"status": task.status}
    task.status = move.target
    fields = ["status"]
    if move.target == TaskStatus.CLOSED:
        task.result = move.result
        task.closed_on = today()
        fields += ["result", "closed_on"]
    task.save(update_fields=fields)
    journal.record(
        f"verification.task.{action}",
        task,
        before=before,
        after={"status": task.status, "result": task.result, "article": move.article, **after},
    )
    outbox.emit(f"verification.task.{task.status}", task, task_payload(task, action=action))
    if task.status == TaskStatus.CLOSED and task.draw_id:
        publish_if_finished(task.draw_id)


def close_task(task: VerificationTask, action: str) -> None:
    """System: the licence ended by another path (``licence_revoked`` / ``licence_ended``)."""
    _move(task, workflow.move_for(action, task.status), action, {})


def revoke_licence(task_id: int, *, reason: str = "", user) -> VerificationTask:
    """A bureau head completes the revocation opened by the finding (行政许可法 art 69); the
    task closes with it."""
    require_roles(user, REVOKE_ROLES, _("只有局领导可以决定撤销许可"))
    if user is None:
        raise Forbidden(_("撤销许可须由局领导决定"))
    with transaction.atomic():
        task = lock_task(task_id, user)
        move = workflow.move_for("revoke", task.status)
        reason = (reason or "").strip() or task.revocation_grounds
        licence = approvals.revoke_licence(task.licence_id, reason=reason, user=user)
        _move(task, move, "revoke", {"licence_status": licence.status, "reason": reason})
        return task


def publish_if_finished(draw_id: int) -> bool:
    """A draw's results are published once every task of the draw is closed (优化营商环境条例
    art 54: results public)."""
    draw = Draw.objects.select_for_update(no_key=True).filter(pk=draw_id).first()
    if draw is None or draw.status == DrawStatus.PUBLISHED:
        return False
    if draw.tasks.exclude(status=TaskStatus.CLOSED).exists():
        return False
    draw.status = DrawStatus.PUBLISHED
    draw.published_at = timezone.now()
    draw.save(update_fields=["status", "published_at"])
    journal.record(
        "verification.draw.published",
        draw,
        before={"status": DrawStatus.DRAWN},
        after={"status": draw.status, "published_at": draw.published_at},
    )
    outbox.emit("verification.draw.published", draw, {"draw_id": draw.pk, "number": draw.number})
    return True
