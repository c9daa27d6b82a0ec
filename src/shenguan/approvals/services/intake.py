"""Intake: creating an application, its material checklist, submission, the one-time notice,
acceptance and the other intake outcomes of 行政许可法 art 32, withdrawal."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.catalog.choices import ENFORCEMENT_KINDS
from shenguan.catalog.models import Power
from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.parties.models import Party

from .. import clocks, files, workflow
from ..choices import (
    IN_HAND,
    Channel,
    CommitmentStatus,
    MaterialState,
    ReceiptKind,
    Route,
    Status,
)
from ..models import (
    Application,
    DeficiencyNotice,
    MaterialSubmission,
    Receipt,
    RoutePolicy,
    StatusChange,
)
from ..workflow import Actor
from ._base import (
    acting_staff,
    actor_name,
    authorize,
    bureau_name,
    deferred_payload,
    document_number,
    event_payload,
    lock_application,
    next_number,
    record_transition,
    require_actor,
    require_text,
    rule_for,
    set_status,
    today,
)
from .routes import apply_route, check_route, commitment_for_route

RECEIPT_MARKS = {
    ReceiptKind.ACCEPTANCE: ("受", "receipt_acceptance"),
    ReceiptKind.REFUSAL: ("不受", "receipt_refusal"),
    ReceiptKind.NOT_REQUIRED: ("告", "receipt_not_required"),
    ReceiptKind.REDIRECT: ("转", "receipt_redirect"),
}
DEFAULT_REMEDIES = (
    "申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者自收到本决定之日起六个月内依法提起行政诉讼。"
)


def _names(subs) -> str:
    return "、".join(s.material.name for s in subs)


# --- create -----------------------------------------------------------------------------------


def create_application(
    *,
    power_id: int,
    applicant_id: int,
    channel: str,
    route: str = Route.ORDINARY,
    description: str = "",
    user=None,
) -> Application:
    """A draft application with one checklist row per material of the item's current
    version; it keeps the route policy version in force today. Applicants file online for
    their own parties; window clerks file at the window or as agents for anyone."""
    channel = Channel(channel)
    route = Route(route)
    with transaction.atomic():
        if user is not None:
            scope = Scope.of(user)
            as_applicant = applicant_id in scope.party_ids and channel != Channel.WINDOW
            as_clerk = scope.has_role(Role.WINDOW_CLERK) and channel != Channel.ONLINE
            # 代办: a grid worker files as agent for a party of their own grid (grid app).
            as_grid_agent = (
                channel == Channel.AGENT
                and Role.GRID_WORKER.value in scope.roles
                and Party.objects.filter(pk=applicant_id, grid_id__in=scope.grid_ids).exists()
            )
            if not (as_applicant or as_clerk or as_grid_agent):
                raise Forbidden(_("只有申请人本人（网上申请）或窗口人员（窗口/代办）可以提出申请"))
        party = Party.objects.filter(pk=applicant_id).first()
        if party is None:
            raise DomainError(
                _("申请人不存在"), code="invalid", field_errors={"applicant_id": [_("不存在")]}
            )
        power = Power.objects.filter(pk=power_id).first()
        if power is None:
            raise DomainError(
                _("审批事项不存在"), code="invalid", field_errors={"power_id": [_("不存在")]}
            )
        if power.kind in ENFORCEMENT_KINDS:
            raise DomainError(_("该事项是执法事项，不是审批服务事项"), code="not_an_approval_item")
        day = today()
        version = power.version_at(day)
        if version is None:
            raise DomainError(_("该事项当前没有生效的版本，暂不能申请"), code="no_version")
        policy = RoutePolicy.in_force(day)
        if policy is None:
            raise DomainError(_("尚未配置办理路径政策"), code="policy_missing")
        app = Application.objects.create(
            number=f"SQ-{day.year}-{next_number('application', day.year):06d}",
            applicant=party,
            power=power,
            power_version=version,
            channel=channel,
            route=Route.ORDINARY,
            route_policy=policy,
            description=description,
            filed_by=user,
        )
        MaterialSubmission.objects.bulk_create(
            [MaterialSubmission(application=app, material=m) for m in version.materials.all()]
        )
        change = StatusChange.objects.create(
            application=app,
            from_status="",
            to_status=Status.DRAFT,
            action="create",
            actor_kind=(Actor.SYSTEM if user is None else "user"),
            user=user,
            actor_name=actor_name(user)[:200],
        )
        app.current_change = change
        app.save(update_fields=["current_change"])
        if route != Route.ORDINARY:
            apply_route(app, route, user)
        journal.record("approvals.application.created", app, after=journal.snapshot(app))
        outbox.emit("approvals.application.created", app, event_payload(app, channel=channel))
        return app


# --- materials --------------------------------------------------------------------------------


def _lock_submission(app: Application, material_id) -> MaterialSubmission:
    sub = (
        MaterialSubmission.objects.select_for_update(no_key=True)
        .select_related("material")
        .filter(application=app, material_id=material_id)
        .first()
    )
    if sub is None:
        raise NotFound(_("该申请的材料清单中没有此材料"))
    return sub


def upload_material(
    application_id: int, material_id: int, *, content, filename: str, user=None
) -> MaterialSubmission:
    """Attach a file to a checklist item (PDF/PNG/JPEG, checksummed). A material deferred
    under a commitment is supplemented instead (see ``routes.supplement``)."""
    prepared = files.prepare(content, filename)
    try:
        with transaction.atomic():
            app = lock_application(application_id, user)
            require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("上传材料"))
            sub = _lock_submission(app, material_id)
            if sub.state == MaterialState.DEFERRED:
                from .commitments import _supplement_locked

                _supplement_locked(app, sub, prepared, user)
                sub.refresh_from_db()
                return sub
            if app.status not in workflow.OPEN_STATES or app.status == Status.SUSPENDED:
                raise Conflict(
                    _("申请当前状态为“%(state)s”，不能上传材料")
                    % {"state": Status(app.status).label}
                )
            if app.status not in workflow.BEFORE_ACCEPTANCE and sub.state in IN_HAND:
                raise Conflict(_("申请已受理，已提交的材料不能替换"))
            stored = files.create_row(prepared, user)
            before = sub.state
            sub.file = stored
            sub.state = MaterialState.PROVIDED
            sub.note = ""
            sub.updated = timezone.now()
            sub.save(update_fields=["file", "state", "note", "updated"])
            info = {"material_id": sub.material_id, "material": sub.material.name}
            journal.record(
                "approvals.material.uploaded",
                app,
                before={**info, "state": before},
                after={**info, "state": sub.state, "sha256": stored.sha256, "size": stored.size},
            )
            outbox.emit(
                "approvals.material.uploaded",
                app,
                {**event_payload(app), **info, "sha256": stored.sha256},
            )
            return sub
    except BaseException:
        prepared.discard()
        raise


def set_material_state(
    application_id: int, material_id: int, *, state: str, note: str = "", user=None
) -> MaterialSubmission:
    """The clerk's check of a checklist item before acceptance: provided (a paper original
    seen at the window), missing, or faulty (with what is wrong)."""
    state = MaterialState(state)
    if state not in (MaterialState.PROVIDED, MaterialState.MISSING, MaterialState.FAULTY):
        raise DomainError(_("容缺和补交须通过承诺书办理"), code="invalid_state")
    with transaction.atomic():
        app = lock_application(application_id, user)
        require_actor(app, user, {Actor.CLERK}, _("审核材料"))
        if app.status not in workflow.BEFORE_ACCEPTANCE:
            raise Conflict(_("申请已受理或已办结，不能再更改材料审核结果"))
        sub = _lock_submission(app, material_id)
        if sub.state == MaterialState.DEFERRED:
            raise Conflict(_("该材料已列入承诺书容缺后补"))
        if state == MaterialState.FAULTY:
            note = require_text(note, "note", _("请写明材料存在的问题"))
        before = {"state": sub.state, "note": sub.note}
        sub.state, sub.note, sub.updated = state, note[:300], timezone.now()
        sub.save(update_fields=["state", "note", "updated"])
        info = {"material_id": sub.material_id, "material": sub.material.name}
        journal.record(
            "approvals.material.checked",
            app,
            before={**info, **before},
            after={**info, "state": sub.state, "note": sub.note},
        )
        return sub


# --- submission and the one-time notice -------------------------------------------------------


def submit(application_id: int, *, user=None) -> Application:
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "submit", user)
        change = set_status(app, transition, actor, user, fields={"received_on": today()})
        record_transition(app, change, {"received_on": app.received_on})
        outbox.emit("approvals.application.submitted", app, event_payload(app))
        return app


def notify_deficiency(application_id: int, *, note: str = "", user=None) -> DeficiencyNotice:
    """The one-time notice: every missing or faulty material in one document, within 5
    working days of receipt (行政许可法 art 32). Later the application counts as accepted."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "notify_deficiency", user)
        day = today()
        last_day = clocks.deemed_acceptance_after(app.received_on)
        if day > last_day:
            raise Conflict(
                _(
                    "收件已超过5个工作日（最后告知日为%(day)s），依法自收件之日起视为受理，"
                    "不能再出具一次性告知书"
                )
                % {"day": last_day.isoformat()},
                code="notice_too_late",
            )
        subs = list(
            app.materials.select_related("material")
            .filter(state__in=[MaterialState.MISSING, MaterialState.FAULTY])
            .order_by("material__seq")
        )
        if not subs:
            raise DomainError(_("材料齐全，无需一次性告知，请直接受理"), code="nothing_missing")
        items = [
            {
                "material_id": s.material_id,
                "seq": s.material.seq,
                "name": s.material.name,
                "essential": s.material.essential,
                "state": s.state,
                "note": s.note,
            }
            for s in subs
        ]
        notice = DeficiencyNotice.objects.create(
            application=app,
            number=document_number("补", "deficiency_notice", day),
            issued_on=day,
            issued_by=user,
            items=items,
            note=note,
            issuing_body=bureau_name(),
        )
        change = set_status(app, transition, actor, user, note=notice.number)
        record_transition(app, change, {"notice": notice.number, "items": items})
        outbox.emit(
            "approvals.application.deficiency_notified",
            app,
            event_payload(app, notice_number=notice.number, items=items),
        )
        return notice


def resubmit(application_id: int, *, user=None) -> Application:
    """The applicant brings what the one-time notice listed; every listed item must now be in
    hand or deferred under a signed commitment."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "resubmit", user)
        listed = [i["material_id"] for i in app.deficiency_notice.items]
        outstanding = list(
            app.materials.select_related("material")
            .filter(material_id__in=listed)
            .exclude(state__in=[*IN_HAND, MaterialState.DEFERRED])
        )
        if outstanding:
            raise DomainError(
                _("一次性告知书所列材料尚未补正：%(names)s") % {"names": _names(outstanding)},
                code="still_missing",
            )
        change = set_status(app, transition, actor, user, fields={"resubmitted_on": today()})
        record_transition(app, change, {"resubmitted_on": app.resubmitted_on})
        outbox.emit("approvals.application.resubmitted", app, event_payload(app))
        return app


# --- acceptance -------------------------------------------------------------------------------


def _check_materials_for_acceptance(app: Application, rule) -> list:
    subs = list(app.materials.select_related("material").order_by("material__seq"))
    faulty = [s for s in subs if s.state == MaterialState.FAULTY]
    missing = [s for s in subs if s.state == MaterialState.MISSING]
    deferred = [s for s in subs if s.state == MaterialState.DEFERRED]
    if faulty:
        raise DomainError(
            _("以下材料不符合要求，不能受理：%(names)s") % {"names": _names(faulty)},
            code="materials_faulty",
        )
    if app.route == Route.ORDINARY and (missing or deferred):
        raise DomainError(
            _("材料不齐全，不能受理：缺少%(names)s。请出具一次性告知书，或在政策允许时选择容缺受理")
            % {"names": _names(missing + deferred)},
            code="materials_missing",
        )
    if missing:
        raise DomainError(
            _("以下材料既未提交也未列入承诺书：%(names)s") % {"names": _names(missing)},
            code="materials_missing",
        )
    if deferred:
        commitment = commitment_for_route(app)
        if commitment is None or commitment.status != CommitmentStatus.SIGNED:
            raise DomainError(_("容缺材料须由申请人签署承诺书"), code="commitment_unsigned")
        limit = rule.deferral_limit()
        if limit is not None and len(deferred) > limit:
            raise DomainError(
                _("按办理路径政策最多可容缺%(limit)s项材料，现容缺%(n)s项")
                % {"limit": limit, "n": len(deferred)},
                code="too_many_deferred",
            )
    return deferred


def accept(application_id: int, *, user=None) -> Application:
    """Accept (受理) with a numbered, sealed, dated receipt (行政许可法 art 32); the clocks
    start today. Tolerance and commitment applications may lack the non-essential materials
    their signed commitment defers, each due no later than the promised due date."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "accept", user)
        rule = rule_for(app)
        check_route(app, app.route, rule)
        deferred = _check_materials_for_acceptance(app, rule)
        responsible = acting_staff(app)
        if responsible is None:
            raise DomainError(
                _("该事项在责任清单中没有在岗的责任人，不能受理；请先在责任清单中指定岗位及A/B角"),
                code="no_responsible",
            )
        day = today()
        fields = _clock_fields(app, rule, day)
        commitment = commitment_for_route(app) if deferred else None
        if commitment is not None:
            late = [
                d
                for d in commitment.deferrals.select_related("submission__material")
                if d.due_on > fields["promised_due_on"] or d.due_on < day
            ]
            if late:
                raise DomainError(
                    _("容缺材料的补交期限须在受理日至承诺办结期限（%(due)s）之间：%(names)s")
                    % {
                        "due": fields["promised_due_on"].isoformat(),
                        "names": "、".join(d.submission.material.name for d in late),
                    },
                    code="cure_date_too_late",
                )
        receipt = _receipt(app, ReceiptKind.ACCEPTANCE, user, day)
        fields["responsible"] = responsible
        change = set_status(app, transition, actor, user, note=receipt.number, fields=fields)
        deferred_list = deferred_payload(app) if deferred else []
        record_transition(app, change, _clock_snapshot(app, receipt=receipt.number))
        outbox.emit(
            "approvals.application.accepted",
            app,
            event_payload(
                app,
                receipt_number=receipt.number,
                accepted_on=day.isoformat(),
                statutory_due_on=app.statutory_due_on.isoformat(),
                promised_due_on=app.promised_due_on.isoformat(),
                responsible_staff_id=responsible.pk,
                deferred_materials=deferred_list,
            ),
        )
        if app.route == Route.TOLERANCE:
            outbox.emit(
                "approvals.tolerance.granted",
                app,
                event_payload(app, deferred_materials=deferred_list),
            )
        return app


def _clock_fields(app: Application, rule, accepted_on: dt.date) -> dict:
    statutory = clocks.statutory_limit(app.power_version)
    promised = clocks.promised_limit(app.power_version, rule)
    clock = clocks.compute(accepted_on, statutory_days=statutory, promised_days=promised)
    return {
        "accepted_on": accepted_on,
        "statutory_limit_days": statutory,
        "promised_limit_days": promised,
        "green_channel": rule.green_channel,
        "strict_review": rule.strict_review,
        "statutory_due_on": clock.statutory_due_on,
        "promised_due_on": clock.promised_due_on,
        "warn_on": clock.warn_on,
    }


def _clock_snapshot(app: Application, **extra) -> dict:
    return {
        "accepted_on": app.accepted_on,
        "statutory_due_on": app.statutory_due_on,
        "promised_due_on": app.promised_due_on,
        "promised_limit_days": app.promised_limit_days,
        "green_channel": app.green_channel,
        **extra,
    }


def _receipt(app, kind, user, day, **fields) -> Receipt:
    mark, key = RECEIPT_MARKS[kind]
    return Receipt.objects.create(
        application=app,
        kind=kind,
        number=document_number(mark, key, day),
        issued_on=day,
        issued_by=user,
        issuing_body=bureau_name(),
        **fields,
    )


def deem_acceptance(application_id: int, *, on: dt.date | None = None) -> Application:
    """System only: no one-time notice within 5 working days of receipt → the application
    counts as accepted on the day the materials were received (行政许可法 art 32)."""
    day = on or today()
    with transaction.atomic():
        app = lock_application(application_id, None)
        transition, actor = authorize(app, "deem_acceptance", None)
        received = app.resubmitted_on if app.status == Status.RESUBMITTED else app.received_on
        if received is None or day <= clocks.deemed_acceptance_after(received):
            raise Conflict(_("收件未满5个工作日，尚不视为受理"), code="not_yet_due")
        rule = rule_for(app)
        fields = _clock_fields(app, rule, received)
        fields["responsible"] = acting_staff(app, day)
        change = set_status(
            app, transition, actor, None, note=_("逾期未告知，视为受理"), fields=fields
        )
        deferred = deferred_payload(app)
        record_transition(app, change, _clock_snapshot(app))
        outbox.emit(
            "approvals.application.deemed_accepted",
            app,
            event_payload(
                app,
                accepted_on=received.isoformat(),
                statutory_due_on=app.statutory_due_on.isoformat(),
                promised_due_on=app.promised_due_on.isoformat(),
                deferred_materials=deferred,
            ),
        )
        return app
