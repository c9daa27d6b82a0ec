"""Review and decision: start of review, reviewers' opinions, suspension (art 45), extension
(art 42), approval and refusal (art 34, 38), the licence (art 44), termination, warnings."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Staff

from .. import clocks, workflow
from ..choices import (
    CommitmentStatus,
    DecisionOutcome,
    MaterialState,
    ReviewConclusion,
    Route,
    Status,
    SuspensionKind,
    WarningKind,
)
from ..models import (
    Application,
    Commitment,
    DeadlineWarning,
    Decision,
    DeferredMaterial,
    Extension,
    ItemTemplate,
    Licence,
    Review,
    Suspension,
)
from ._base import (
    acting_staff,
    authorize,
    bureau_name,
    deferred_payload,
    doc_prefix,
    event_payload,
    lock_application,
    next_number,
    record_transition,
    require_text,
    set_status,
    today,
    verification_prefix,
)
from .intake import DEFAULT_REMEDIES

DECIDABLE = (Status.ACCEPTED, Status.DEEMED_ACCEPTED, Status.UNDER_REVIEW, Status.EXTENDED)


def _staff_of(user) -> Staff | None:
    if user is None:
        return None
    scope = Scope.of(user)
    return Staff.objects.filter(pk=scope.staff_id).first() if scope.staff_id else None


def start_review(application_id: int, *, user=None) -> Application:
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "start_review", user)
        change = set_status(app, transition, actor, user)
        record_transition(app, change)
        outbox.emit("approvals.application.under_review", app, event_payload(app))
        return app


def record_review(application_id: int, *, conclusion: str, opinion: str = "", user=None) -> Review:
    """A reviewer's opinion. Any approval officer may review (strict review needs a second
    person besides the one who decides); recording again replaces one's own opinion."""
    conclusion = ReviewConclusion(conclusion)
    with transaction.atomic():
        app = lock_application(application_id, user)
        if app.status not in DECIDABLE:
            raise Conflict(
                _("申请当前状态为“%(state)s”，不能提出审查意见")
                % {"state": Status(app.status).label}
            )
        staff = _staff_of(user)
        scope = Scope.of(user) if user is not None else None
        if staff is None or not scope.has_role(Role.APPROVAL_OFFICER):
            raise Forbidden(_("只有审批人员可以提出审查意见"))
        review, _created = Review.objects.update_or_create(
            application=app,
            reviewer=staff,
            defaults={"conclusion": conclusion, "opinion": opinion, "created": timezone.now()},
        )
        journal.record(
            "approvals.application.reviewed",
            app,
            after={"reviewer": staff.name, "conclusion": conclusion, "opinion": opinion},
        )
        return review


# --- clock stops and extension ----------------------------------------------------------------


def suspend(
    application_id: int,
    *,
    kind: str,
    reason: str,
    expected_working_days: int,
    user=None,
) -> Application:
    """Stop the clock for a hearing, testing, expert review…; the applicant is told in
    writing how long it takes (行政许可法 art 45)."""
    kind = SuspensionKind(kind)
    reason = require_text(reason, "reason", _("须写明中止计时的理由"))
    if not isinstance(expected_working_days, int) or expected_working_days < 1:
        raise DomainError(
            _("须告知所需时间（工作日，至少1日）"),
            field_errors={"expected_working_days": [_("至少1日")]},
        )
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "suspend", user)
        day = today()
        notice = _(
            "因%(kind)s（%(reason)s），%(item)s的审查期间中止计算，预计需要%(days)s个工作日；"
            "所需时间不计算在法定期限内（行政许可法第四十五条）。"
        ) % {
            "kind": kind.label,
            "reason": reason,
            "item": app.power_version.name,
            "days": expected_working_days,
        }
        suspension = Suspension.objects.create(
            application=app,
            kind=kind,
            reason=reason,
            expected_working_days=expected_working_days,
            started_on=day,
            resume_status=app.status,
            notice_text=notice,
            started_by=user,
        )
        change = set_status(app, transition, actor, user, note=notice)
        record_transition(
            app, change, {"kind": kind, "expected_working_days": expected_working_days}
        )
        outbox.emit(
            "approvals.application.suspended",
            app,
            event_payload(
                app,
                suspension_id=suspension.pk,
                kind=kind,
                expected_working_days=expected_working_days,
                notice=notice,
            ),
        )
        return app


def resume(application_id: int, *, user=None) -> Application:
    """Restart the clock; the working days it stood still move every due date."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        suspension = (
            Suspension.objects.select_for_update(no_key=True)
            .filter(application=app, ended_on__isnull=True)
            .first()
        )
        if app.status == Status.SUSPENDED and suspension is None:
            raise Conflict(_("没有进行中的中止计时"), code="no_open_suspension")
        target = suspension.resume_status if suspension is not None else None
        transition, actor = authorize(app, "resume", user, target=target)
        day = today()
        paused = clocks.working_days_between(suspension.started_on, day)
        suspension.ended_on, suspension.ended_by, suspension.paused_days = day, user, paused
        suspension.save(update_fields=["ended_on", "ended_by", "paused_days"])
        app.suspended_days += paused
        fields = {"suspended_days": app.suspended_days}
        clocks.apply(app)
        fields.update(
            statutory_due_on=app.statutory_due_on,
            promised_due_on=app.promised_due_on,
            warn_on=app.warn_on,
        )
        change = set_status(app, transition, actor, user, fields=fields)
        record_transition(
            app,
            change,
            {
                "paused_days": paused,
                "statutory_due_on": app.statutory_due_on,
                "promised_due_on": app.promised_due_on,
            },
        )
        outbox.emit(
            "approvals.application.resumed",
            app,
            event_payload(
                app,
                paused_days=paused,
                statutory_due_on=app.statutory_due_on.isoformat(),
                promised_due_on=app.promised_due_on.isoformat(),
            ),
        )
        return app


def extend(application_id: int, *, reason: str, user=None) -> Application:
    """+10 working days, once, approved by the bureau head before the limit runs out, the
    reason told to the applicant (行政许可法 art 42)."""
    reason = require_text(reason, "reason", _("延长审批期限须写明理由并告知申请人"))
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "extend", user)
        if Extension.objects.filter(application=app).exists():
            raise Conflict(_("审批期限只能延长一次"), code="already_extended")
        day = today()
        if app.statutory_due_on is not None and day > app.statutory_due_on:
            raise Conflict(
                _("法定期限已于%(due)s届满，不能再延长") % {"due": app.statutory_due_on},
                code="limit_passed",
            )
        app.extension_days = clocks.EXTENSION_DAYS
        clocks.apply(app)
        notice = _(
            "因%(reason)s，%(item)s（申请编号%(number)s）的审批期限经本机关负责人批准延长"
            "%(days)s个工作日，法定办结期限延至%(due)s（行政许可法第四十二条）。"
        ) % {
            "reason": reason,
            "item": app.power_version.name,
            "number": app.number,
            "days": clocks.EXTENSION_DAYS,
            "due": app.statutory_due_on.isoformat(),
        }
        Extension.objects.create(
            application=app,
            days=clocks.EXTENSION_DAYS,
            reason=reason,
            approved_by=user,
            notice_text=notice,
        )
        change = set_status(
            app,
            transition,
            actor,
            user,
            note=notice,
            fields={"extension_days": app.extension_days, "statutory_due_on": app.statutory_due_on},
        )
        record_transition(app, change, {"reason": reason, "statutory_due_on": app.statutory_due_on})
        outbox.emit(
            "approvals.application.extended",
            app,
            event_payload(
                app,
                reason=reason,
                notice=notice,
                statutory_due_on=app.statutory_due_on.isoformat(),
            ),
        )
        return app


# --- decision ---------------------------------------------------------------------------------


def _check_materials_for_decision(app: Application) -> None:
    subs = list(app.materials.select_related("material"))
    faulty = [s for s in subs if s.state in (MaterialState.MISSING, MaterialState.FAULTY)]
    deferred = [s for s in subs if s.state == MaterialState.DEFERRED]
    if app.route == Route.ORDINARY:
        faulty += deferred
    if faulty:
        raise DomainError(
            _("材料不齐全或不符合要求，不能准予许可：%(names)s")
            % {"names": "、".join(s.material.name for s in faulty)},
            code="materials_incomplete",
        )


def approve(
    application_id: int,
    *,
    opinion: str = "",
    conditions: str = "",
    issue_now: bool | None = None,
    user=None,
) -> Application:
    """The written approval (行政许可法 art 38) by the responsible staff member (A role, or B
    role while the holder is away). Strict review needs a second, different reviewer who
    agreed. On the commitment route — or with ``issue_now`` — the licence is issued on the
    spot in the same transaction; otherwise within 10 working days (art 44)."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "approve", user)
        staff = _staff_of(user)
        _check_materials_for_decision(app)
        if app.strict_review:
            others = (
                Review.objects.filter(application=app, conclusion=ReviewConclusion.APPROVE)
                .exclude(reviewer=staff)
                .exists()
            )
            if not others:
                raise DomainError(
                    _("本申请须从严审查：须另一名审查人员提出同意意见后方可准予许可（两人审查）"),
                    code="second_reviewer_required",
                )
        Review.objects.update_or_create(
            application=app,
            reviewer=staff,
            defaults={"conclusion": ReviewConclusion.APPROVE, "opinion": opinion},
        )
        day = today()
        template = ItemTemplate.objects.filter(power_id=app.power_id).first()
        decision = Decision.objects.create(
            application=app,
            outcome=DecisionOutcome.APPROVED,
            reasons=opinion,
            conditions=conditions or (template.licence_conditions if template else ""),
            decided_by=staff,
            decided_on=day,
            on_the_spot=app.accepted_on == day,
        )
        on_the_spot = issue_now if issue_now is not None else app.route == Route.COMMITMENT
        fields = {"decided_on": day}
        if not on_the_spot:
            fields["licence_due_on"] = clocks.licence_due(day)
        change = set_status(app, transition, actor, user, fields=fields)
        issued = None
        if on_the_spot:
            issue = workflow.transition_for("issue_licence", app.status)
            issued = _issue_writes(app, issue, actor, user, staff, decision, template)
        # Journal and events last: the journal holds the chain head locked until commit.
        deferred = deferred_payload(app)
        record_transition(
            app, change, {"decision": decision.outcome, "conditions": decision.conditions}
        )
        outbox.emit(
            "approvals.application.approved",
            app,
            event_payload(
                app,
                status=Status.APPROVED,
                decision_id=decision.pk,
                decided_by_staff_id=staff.pk,
                on_the_spot=on_the_spot,
                deferred_materials=deferred,
            ),
        )
        if issued is not None:
            _issue_records(app, *issued, deferred)
        return app


def refuse(
    application_id: int, *, reasons: str, remedies: str = DEFAULT_REMEDIES, user=None
) -> Application:
    """The written refusal with reasons and the right to administrative review or
    litigation (行政许可法 art 38)."""
    reasons = require_text(reasons, "reasons", _("不予许可须写明理由（行政许可法第三十八条）"))
    remedies = require_text(
        remedies, "remedies", _("须告知申请人申请行政复议或者提起行政诉讼的权利")
    )
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "refuse", user)
        staff = _staff_of(user)
        day = today()
        decision = Decision.objects.create(
            application=app,
            outcome=DecisionOutcome.REFUSED,
            reasons=reasons,
            remedies=remedies,
            decided_by=staff,
            decided_on=day,
            on_the_spot=app.accepted_on == day,
        )
        Commitment.objects.filter(
            application=app, status__in=[CommitmentStatus.NOTIFIED, CommitmentStatus.SIGNED]
        ).update(status=CommitmentStatus.WITHDRAWN, withdrawn_at=timezone.now())
        change = set_status(
            app,
            transition,
            actor,
            user,
            note=reasons,
            fields={"decided_on": day, "closed_on": day, "closing_note": reasons},
        )
        record_transition(app, change, {"reasons": reasons, "remedies": remedies})
        outbox.emit(
            "approvals.application.refused",
            app,
            event_payload(app, decision_id=decision.pk, reasons=reasons),
        )
        return app


def issue_licence(application_id: int, *, user=None) -> Licence:
    """The certificate after an approval (行政许可法 art 44)."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "issue_licence", user)
        staff = _staff_of(user)
        template = ItemTemplate.objects.filter(power_id=app.power_id).first()
        return _issue_locked(app, transition, actor, user, staff, app.decision, template)


def _issue_locked(app, transition, actor, user, staff, decision, template) -> Licence:
    licence, change = _issue_writes(app, transition, actor, user, staff, decision, template)
    _issue_records(app, licence, change, deferred_payload(app))
    return licence


def _issue_writes(app, transition, actor, user, staff, decision, template):
    day = today()
    n = next_number("licence", day.year)
    years = template.licence_validity_years if template is not None else 5
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                number=f"{doc_prefix()}许〔{day.year}〕{n:06d}号",
                verification_number=f"{verification_prefix()}-{day.year}-{n:06d}",
                application=app,
                holder=app.applicant,
                power=app.power,
                power_version=app.power_version,
                title=(template.licence_title if template else "") or "行政许可证",
                item_name=app.power_version.name,
                holder_name=app.applicant.name,
                conditions=decision.conditions,
                route=app.route,
                valid_from=day,
                valid_until=clocks.validity_end(day, years),
                issued_on=day,
                issued_by=staff,
                issuing_body=bureau_name(),
            )
    except IntegrityError:
        # The partial unique constraint: another transaction issued this application's licence.
        raise Conflict(_("该申请已颁发许可证"), code="licence_exists")
    change = set_status(
        app, transition, actor, user, note=licence.number, fields={"closed_on": day}
    )
    return licence, change


def _issue_records(app, licence, change, deferred) -> None:
    record_transition(app, change, {"licence": licence.number})
    journal.record("approvals.licence.issued", licence, after=journal.snapshot(licence))
    outbox.emit(
        "approvals.licence.issued",
        licence,
        event_payload(
            app,
            licence_id=licence.pk,
            licence_number=licence.number,
            verification_number=licence.verification_number,
            valid_from=licence.valid_from.isoformat(),
            valid_until=licence.valid_until.isoformat() if licence.valid_until else None,
            deferred_materials=deferred,
        ),
    )


# --- system actions ---------------------------------------------------------------------------


def _overdue_deferrals(app: Application, day: dt.date):
    return list(
        DeferredMaterial.objects.select_related("submission__material", "commitment")
        .filter(
            commitment__application=app,
            commitment__status=CommitmentStatus.SIGNED,
            supplemented_at__isnull=True,
            due_on__lt=day,
        )
        .order_by("due_on")
    )


def terminate(application_id: int, *, on: dt.date | None = None) -> Application:
    """System only: a deferred material was not supplied by its due date, so handling ends
    (local practice, DOMAIN §5 #7; 深圳经济特区社会信用条例 art 64) and the commitment is
    recorded as unkept."""
    day = on or today()
    with transaction.atomic():
        app = lock_application(application_id, None)
        transition, actor = authorize(app, "terminate", None)
        overdue = _overdue_deferrals(app, day)
        if not overdue:
            raise Conflict(_("没有逾期未补交的容缺材料"), code="nothing_overdue")
        names = "、".join(d.submission.material.name for d in overdue)
        reason = _("容缺材料逾期未补交：%(names)s") % {"names": names}
        Commitment.objects.filter(pk__in={d.commitment_id for d in overdue}).update(
            status=CommitmentStatus.BREACHED, breached_at=timezone.now()
        )
        Suspension.objects.filter(application=app, ended_on__isnull=True).update(ended_on=day)
        change = set_status(
            app,
            transition,
            actor,
            None,
            note=reason,
            fields={"closed_on": day, "closing_note": reason},
        )
        deferred = deferred_payload(app)
        record_transition(app, change, {"reason": reason})
        outbox.emit(
            "approvals.application.terminated",
            app,
            event_payload(app, reason=reason, deferred_materials=deferred),
        )
        return app


def warn(application_id: int, *, on: dt.date | None = None) -> DeadlineWarning | None:
    """System only: warn the responsible person once 80 % of the promised limit has run.
    Returns None if not (or no longer) due or already warned."""
    day = on or today()
    with transaction.atomic():
        app = lock_application(application_id, None)
        if app.status not in workflow.CLOCK_RUNNING or app.warn_on is None or app.warn_on > day:
            return None
        if DeadlineWarning.objects.filter(application=app, kind=WarningKind.PROMISED_80).exists():
            return None
        staff = acting_staff(app, day) or app.responsible
        warning = DeadlineWarning.objects.create(
            application=app, kind=WarningKind.PROMISED_80, staff=staff, due_on=app.promised_due_on
        )
        journal.record(
            "approvals.application.warned",
            app,
            after={
                "kind": warning.kind,
                "staff": staff.name if staff else None,
                "promised_due_on": app.promised_due_on,
            },
        )
        outbox.emit(
            "approvals.application.warning",
            app,
            event_payload(
                app,
                warning_id=warning.pk,
                kind=warning.kind,
                staff_id=staff.pk if staff else None,
                promised_due_on=app.promised_due_on.isoformat(),
            ),
        )
        return warning
