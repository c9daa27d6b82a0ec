"""What the legal section watches: every officer's open steps with their due dates (the live
view), and the alerts the sweep raises from them — steps overdue, work carried by fewer than
two officers, evidence missing where it is needed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shenguan.core import journal, outbox

from ..cases.choices import CaseStatus as S
from ..cases.choices import LeadStatus
from ..cases.models import CaseLead, CaseOfficer, PenaltyCase
from ..cases.workflow import FINAL_STATES
from ..coercion.models import CoerciveMeasure, MeasureStatus
from ..common.base import today
from ..inspections.models import (
    Inspection,
    InspectionOfficer,
    InspectionStatus,
    RectificationOrder,
    RectificationStatus,
)
from .models import Alert, AlertKind

# (label of the next step, the case field holding its due date, is it the bureau's move?)
CASE_NEXT = {
    S.OPENED: (_l("开始调查"), "decision_due_on", True),
    S.INVESTIGATING: (_l("调查终结，提出拟处罚意见"), "decision_due_on", True),
    S.PROPOSED: (_l("告知当事人拟处罚及权利"), "decision_due_on", True),
    S.NOTIFIED: (_l("听取陈述申辩后提交审核或决定"), "decision_due_on", True),
    S.HEARING_REQUESTED: (_l("通知听证"), "decision_due_on", True),
    S.HEARING_SCHEDULED: (_l("举行听证"), "decision_due_on", True),
    S.HEARD: (_l("提交法制审核或决定"), "decision_due_on", True),
    S.LEGAL_REVIEW: (_l("法制审核"), "decision_due_on", True),
    S.RETURNED: (_l("修改后重新提交审核"), "decision_due_on", True),
    S.REVIEWED: (_l("负责人作出决定"), "decision_due_on", True),
    S.DECIDED: (_l("送达决定书"), "service_due_on", True),
    S.SERVED: (_l("等待当事人缴纳罚款"), "payment_due_on", False),
    S.DEMANDED: (_l("催告期满后申请法院强制执行"), None, True),
    S.COURT_APPLIED: (_l("等待法院执行"), None, False),
}
INVESTIGATION_EVIDENCE_DAYS = 10  # policy: an investigation this old should hold evidence
SIGNATURE_WAIT = dt.timedelta(hours=24)
MEASURE_EVIDENCE_WAIT = dt.timedelta(hours=24)


@dataclass
class OpenStep:
    kind: str  # lead, case, inspection, rectification, measure
    id: int
    number: str
    step: str
    squad_id: int | None
    squad: str
    officers: list[str] = field(default_factory=list)
    due_on: dt.date | None = None
    overdue: bool = False
    bureau_move: bool = True
    url: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.step}"


def _case_steps(cases, day) -> list[OpenStep]:
    out = []
    for case in cases:
        label, due_field, ours = CASE_NEXT[case.status]
        label = str(label)
        due = getattr(case, due_field) if due_field else None
        if case.status == S.NOTIFIED and case.statement_due_on and day <= case.statement_due_on:
            label, due, ours = _("等待当事人陈述申辩"), case.statement_due_on, False
        if case.status == S.SERVED and case.payment_due_on and day > case.payment_due_on:
            label, ours = _("逾期未缴纳，催告当事人"), True
        out.append(
            OpenStep(
                kind="case",
                id=case.pk,
                number=case.number,
                step=label,
                squad_id=case.squad_id,
                squad=case.squad.name,
                officers=[o.staff.name for o in case.officers.all() if o.recused_on is None],
                due_on=due,
                overdue=bool(due and day > due and ours),
                bureau_move=ours,
                url=reverse("enforcement:case", args=[case.pk]),
            )
        )
    return out


def open_steps(queryset_user=None) -> list[OpenStep]:
    """Every open step in the caller's scope (``None``: all), soonest due first."""
    day = today()

    def scoped(qs):
        return qs.restrict(queryset_user, "view") if queryset_user is not None else qs

    officers = CaseOfficer.objects.select_related("staff")
    cases = (
        scoped(PenaltyCase.objects.exclude(status__in=FINAL_STATES))
        .select_related("squad")
        .prefetch_related(Prefetch("officers", queryset=officers))
    )
    steps = _case_steps(cases, day)
    for lead in scoped(CaseLead.objects.filter(status=LeadStatus.RECEIVED)).select_related("squad"):
        steps.append(
            OpenStep(
                kind="lead",
                id=lead.pk,
                number=f"#{lead.pk}",
                step=_("立案审查"),
                squad_id=lead.squad_id,
                squad=lead.squad.name if lead.squad else _("未分派"),
                due_on=lead.open_due_on,
                overdue=day > lead.open_due_on,
            )
        )
    inspections = (
        scoped(
            Inspection.objects.filter(
                status__in=[
                    InspectionStatus.PLANNED,
                    InspectionStatus.IN_PROGRESS,
                    InspectionStatus.SIGNING,
                ]
            )
        )
        .select_related("squad")
        .prefetch_related(
            Prefetch("officers", queryset=InspectionOfficer.objects.select_related("staff"))
        )
    )
    for insp in inspections:
        steps.append(
            OpenStep(
                kind="inspection",
                id=insp.pk,
                number=insp.number,
                step=str(InspectionStatus(insp.status).label),
                squad_id=insp.squad_id,
                squad=insp.squad.name,
                officers=[o.staff.name for o in insp.officers.all()],
                due_on=insp.due_on,
                overdue=bool(insp.due_on and day > insp.due_on),
                url=reverse("enforcement:field_inspection", args=[insp.pk]),
            )
        )
    orders = scoped(
        RectificationOrder.objects.filter(status=RectificationStatus.OPEN)
    ).select_related("inspection__squad")
    for order in orders:
        steps.append(
            OpenStep(
                kind="rectification",
                id=order.pk,
                number=order.inspection.number,
                step=_("整改期满复查"),
                squad_id=order.inspection.squad_id,
                squad=order.inspection.squad.name,
                due_on=order.due_on,
                overdue=day > order.due_on,
            )
        )
    for m in scoped(CoerciveMeasure.objects.filter(status=MeasureStatus.IN_FORCE)).select_related(
        "squad"
    ):
        label = _("期满前作出处理决定或解除")
        due = m.ends_on
        if m.emergency and m.reported_at is None:
            label, due = _("紧急措施24小时内报告负责人"), timezone.localtime(m.report_due_at).date()
        steps.append(
            OpenStep(
                kind="measure",
                id=m.pk,
                number=m.number,
                step=label,
                squad_id=m.squad_id,
                squad=m.squad.name,
                officers=[o.get("name", "") for o in m.officers],
                due_on=due,
                overdue=bool(due and day > due)
                or bool(m.emergency and m.reported_at is None and timezone.now() > m.report_due_at),
            )
        )
    steps.sort(key=lambda s: (s.due_on or dt.date.max, s.kind, s.id))
    return steps


# --- alerts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    kind: str
    key: str
    subject_type: str
    subject_id: str
    label: str
    squad_id: int | None
    message: str
    due_on: dt.date | None = None

    @property
    def ident(self):
        return (self.kind, self.key, self.subject_type, self.subject_id)


def _causes() -> list[Cause]:
    now = timezone.now()
    day = today()
    causes = []
    for step in open_steps():
        if step.overdue:
            causes.append(
                Cause(
                    AlertKind.OVERDUE,
                    step.key[:60],
                    f"enforcement.{step.kind}",
                    str(step.id),
                    step.number,
                    step.squad_id,
                    _("%(n)s：“%(s)s”已超过期限（%(d)s）")
                    % {"n": step.number, "s": step.step, "d": step.due_on},
                    step.due_on,
                )
            )
    # work carried by fewer than two certified officers
    thin_cases = PenaltyCase.objects.exclude(status__in=FINAL_STATES).annotate(
        active=Count(
            "officers",
            filter=Q(officers__recused_on__isnull=True)
            & ~Q(officers__staff__enforcement_cert_no=""),
        )
    )
    for case in thin_cases.filter(active__lt=2):
        causes.append(
            Cause(
                AlertKind.SINGLE_OFFICER,
                "case_officers",
                "enforcement.penaltycase",
                str(case.pk),
                case.number,
                case.squad_id,
                _("%(n)s：承办的持证执法人员少于两人（行政处罚法第四十二条）") % {"n": case.number},
            )
        )
    half_signed = Inspection.objects.filter(
        status=InspectionStatus.SIGNING, officers__signed_at__lt=now - SIGNATURE_WAIT
    ).distinct()
    for insp in half_signed:
        causes.append(
            Cause(
                AlertKind.SINGLE_OFFICER,
                "second_signature",
                "enforcement.inspection",
                str(insp.pk),
                insp.number,
                insp.squad_id,
                _("%(n)s：仅一名执法人员签名已超过24小时，第二名执法人员尚未签名")
                % {"n": insp.number},
            )
        )
    # evidence missing where it is needed
    stale = PenaltyCase.objects.filter(
        status=S.INVESTIGATING,
        opened_on__lt=day - dt.timedelta(days=INVESTIGATION_EVIDENCE_DAYS),
        evidence__isnull=True,
    )
    for case in stale:
        causes.append(
            Cause(
                AlertKind.MISSING_EVIDENCE,
                "investigation",
                "enforcement.penaltycase",
                str(case.pk),
                case.number,
                case.squad_id,
                _("%(n)s：立案已超过%(d)s日仍无证据")
                % {"n": case.number, "d": INVESTIGATION_EVIDENCE_DAYS},
            )
        )
    bare = CoerciveMeasure.objects.filter(
        status=MeasureStatus.IN_FORCE,
        taken_at__lt=now - MEASURE_EVIDENCE_WAIT,
        evidence__isnull=True,
    )
    for m in bare:
        causes.append(
            Cause(
                AlertKind.MISSING_EVIDENCE,
                "measure",
                "enforcement.coercivemeasure",
                str(m.pk),
                m.number,
                m.squad_id,
                _("%(n)s：查封扣押已实施超过24小时，尚无现场照片或笔录") % {"n": m.number},
            )
        )
    return causes


def sweep() -> dict:
    """Raise an alert for every new cause, resolve those whose cause is gone. Idempotent."""
    causes = {c.ident: c for c in _causes()}
    raised = resolved = 0
    with transaction.atomic():
        open_alerts = {
            (a.kind, a.key, a.subject_type, a.subject_id): a
            for a in Alert.objects.select_for_update(no_key=True).filter(resolved_at__isnull=True)
        }
        now = timezone.now()
        for ident, alert in open_alerts.items():
            if ident not in causes:
                alert.resolved_at = now
                alert.save(update_fields=["resolved_at"])
                journal.record("enforcement.alert.resolved", alert, after={"resolved_at": now})
                resolved += 1
        for ident, cause in causes.items():
            if ident in open_alerts:
                continue
            alert = Alert.objects.create(
                kind=cause.kind,
                key=cause.key,
                subject_type=cause.subject_type,
                subject_id=cause.subject_id,
                subject_label=cause.label[:200],
                squad_id=cause.squad_id,
                message=cause.message[:300],
                due_on=cause.due_on,
            )
            journal.record("enforcement.alert.raised", alert, after=journal.snapshot(alert))
            outbox.emit(
                "enforcement.alert.raised",
                alert,
                {
                    "alert_id": alert.pk,
                    "kind": alert.kind,
                    "subject_type": alert.subject_type,
                    "subject_id": alert.subject_id,
                    "squad_id": alert.squad_id,
                    "message": alert.message,
                },
            )
            raised += 1
    from ..publication.services import expire_due

    expired = expire_due()
    return {
        "raised": raised,
        "resolved": resolved,
        "open": len(causes),
        "publications_expired": expired,
    }
