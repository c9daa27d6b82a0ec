"""Commitments: signing the tolerance commitment (容缺受理承诺书) and the notification-commitment
(告知承诺书), withdrawing the latter, and supplements of deferred materials."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.context import current_actor
from shenguan.core.errors import Conflict, DomainError, NotFound

from .. import clocks, files, workflow
from ..choices import IN_HAND, CommitmentKind, CommitmentStatus, MaterialState, Route, Status
from ..models import (
    Application,
    Commitment,
    DeferredMaterial,
    MaterialSubmission,
)
from ..workflow import Actor
from ._base import (
    bureau_name,
    deferred_payload,
    event_payload,
    lock_application,
    require_actor,
    require_text,
    rule_for,
    today,
)
from .routes import _revert_deferrals, check_route

EVENT_PREFIX = {
    CommitmentKind.TOLERANCE: "approvals.tolerance",
    CommitmentKind.NOTIFICATION: "approvals.commitment",
}
# Once closed this way, nothing is owed any more.
CLOSED = {
    Status.REFUSED,
    Status.WITHDRAWN,
    Status.TERMINATED,
    Status.REDIRECTED,
    Status.NOT_REQUIRED,
}


def tolerance_text(app: Application, deferrals: list[tuple[MaterialSubmission, dt.date]]) -> str:
    version = app.power_version
    lines = [
        _("容缺受理承诺书"),
        "",
        _("事项名称：%(name)s（%(code)s）") % {"name": version.name, "code": app.power.code},
        _("申请人：%(party)s") % {"party": app.applicant.name},
        _("申请编号：%(number)s") % {"number": app.number},
        "",
        _("本人（本单位）申请容缺受理，承诺已提交材料真实有效，并在下列期限内补齐容缺材料："),
        *[
            f"{i}. {sub.material.name}　{_('补交期限')}：{due.isoformat()}"
            for i, (sub, due) in enumerate(deferrals, start=1)
        ],
        "",
        _("逾期未补齐的，审批机关终止办理；已取得许可的，依法启动撤销程序。"),
        _("受理机关：%(body)s") % {"body": bureau_name()},
    ]
    return "\n".join(lines)


# --- signing ----------------------------------------------------------------------------------


def _prospective_promised_due(app: Application, day: dt.date) -> dt.date:
    rule = rule_for(app)
    promised = clocks.promised_limit(app.power_version, rule)
    base = app.accepted_on or day
    return clocks.compute(
        base,
        statutory_days=clocks.statutory_limit(app.power_version),
        promised_days=promised,
    ).promised_due_on


def _validate_deferrals(app: Application, deferrals, *, required: bool):
    """``deferrals``: [{"material_id": id, "due_on": date}] → [(locked submission, date)]."""
    rows = []
    for item in deferrals or []:
        material_id = item["material_id"] if isinstance(item, dict) else item[0]
        due = item["due_on"] if isinstance(item, dict) else item[1]
        if isinstance(due, str):
            due = dt.date.fromisoformat(due)
        rows.append((material_id, due))
    if required and not rows:
        raise DomainError(_("容缺受理须列明每一项容缺材料及其补交期限"), code="no_deferrals")
    ids = [m for m, _d in rows]
    if len(set(ids)) != len(ids):
        raise DomainError(_("同一材料不能重复列入"), code="duplicate_deferral")
    subs = {
        s.material_id: s
        for s in MaterialSubmission.objects.select_for_update(no_key=True)
        .select_related("material")
        .filter(application=app, material_id__in=ids)
    }
    day = today()
    due_limit = _prospective_promised_due(app, day) if rows else None
    out, errors = [], []
    for material_id, due in rows:
        sub = subs.get(material_id)
        if sub is None:
            raise NotFound(_("该申请的材料清单中没有材料 %(id)s") % {"id": material_id})
        m = sub.material
        if m.essential or not m.deferrable:
            errors.append(_("%(name)s是要件或不可容缺的材料，不得容缺") % {"name": m.name})
        elif sub.state in IN_HAND:
            errors.append(_("%(name)s已提交，无需容缺") % {"name": m.name})
        elif due < day:
            errors.append(_("%(name)s的补交期限早于今天") % {"name": m.name})
        elif due > due_limit:
            # Local practice (DOMAIN §5 #7): the cure date may not pass the promised limit.
            errors.append(
                _("%(name)s的补交期限不得晚于承诺办结期限%(due)s")
                % {"name": m.name, "due": due_limit.isoformat()}
            )
        out.append((sub, due))
    if errors:
        raise DomainError("；".join(errors), code="invalid_deferral")
    if out:
        limit = rule_for(app).deferral_limit()
        if limit is not None and len(out) > limit:
            raise DomainError(
                _("按办理路径政策最多可容缺%(limit)s项材料") % {"limit": limit},
                code="too_many_deferred",
            )
    return out


def _write_deferrals(commitment: Commitment, rows) -> None:
    keep = {sub.pk for sub, _due in rows}
    _revert_deferrals(commitment, keep)
    existing = {d.submission_id: d for d in commitment.deferrals.all()}
    new = []
    for sub, due in rows:
        if sub.pk in existing:
            DeferredMaterial.objects.filter(pk=existing[sub.pk].pk).update(due_on=due)
        else:
            new.append(DeferredMaterial(commitment=commitment, submission=sub, due_on=due))
    DeferredMaterial.objects.bulk_create(new)
    MaterialSubmission.objects.filter(pk__in=keep).update(
        state=MaterialState.DEFERRED, updated=timezone.now()
    )


def _sign(commitment: Commitment, signer_name: str, user, scan=None) -> None:
    commitment.status = CommitmentStatus.SIGNED
    commitment.signer_name = signer_name[:100]
    commitment.signed_at = timezone.now()
    commitment.signer_ip = current_actor().ip[:64]
    commitment.signed_by = user if user is not None and user.is_authenticated else None
    if scan is not None:
        commitment.scan = scan


def sign_tolerance(application_id: int, *, signer_name: str, deferrals, user=None) -> Commitment:
    """The applicant signs the tolerance commitment naming each deferred non-essential
    material and its due date (no later than the promised due date). Before acceptance it
    may be signed again to change the list."""
    signer_name = require_text(signer_name, "signer_name", _("须填写签署人姓名"))
    with transaction.atomic():
        app = lock_application(application_id, user)
        require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("签署容缺受理承诺书"))
        if app.status not in workflow.BEFORE_ACCEPTANCE:
            raise Conflict(_("申请受理后不能再签署或变更容缺受理承诺书"))
        if app.route != Route.TOLERANCE:
            raise Conflict(_("请先选择容缺受理路径"), code="route_mismatch")
        check_route(app, Route.TOLERANCE)
        rows = _validate_deferrals(app, deferrals, required=True)
        commitment, _created = Commitment.objects.get_or_create(
            application=app, kind=CommitmentKind.TOLERANCE
        )
        _write_deferrals(commitment, rows)
        commitment.notice_text = tolerance_text(app, rows)
        commitment.notice_issued_at = commitment.notice_issued_at or timezone.now()
        commitment.withdrawn_at, commitment.withdrawal_reason = None, ""
        _sign(commitment, signer_name, user)
        commitment.save()
        deferred = deferred_payload(app)
        journal.record(
            "approvals.tolerance.signed",
            app,
            after={
                "signer": commitment.signer_name,
                "ip": commitment.signer_ip,
                "deferred": deferred,
            },
        )
        outbox.emit(
            "approvals.tolerance.signed", app, event_payload(app, deferred_materials=deferred)
        )
        return commitment


def sign_commitment(
    application_id: int,
    *,
    signer_name: str,
    deferrals=(),
    scan=None,
    scan_name: str = "",
    user=None,
) -> Commitment:
    """The applicant, having read the written notice, signs the notification-commitment
    (name, time and IP recorded; a scan of the signed paper optional); non-essential
    materials it defers are listed with due dates."""
    signer_name = require_text(signer_name, "signer_name", _("须填写签署人姓名"))
    prepared = files.prepare(scan, scan_name or "commitment.pdf") if scan is not None else None
    try:
        with transaction.atomic():
            app = lock_application(application_id, user)
            require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("签署告知承诺书"))
            if app.status not in workflow.BEFORE_ACCEPTANCE:
                raise Conflict(_("申请受理后不能再签署告知承诺书"))
            if app.route != Route.COMMITMENT:
                raise Conflict(_("请先选择告知承诺路径并阅读告知书"), code="route_mismatch")
            check_route(app, Route.COMMITMENT)
            commitment = (
                Commitment.objects.select_for_update(no_key=True)
                .filter(application=app, kind=CommitmentKind.NOTIFICATION)
                .first()
            )
            if commitment is None or commitment.status != CommitmentStatus.NOTIFIED:
                raise Conflict(_("告知书未出具或承诺书已签署"), code="commitment_state")
            rows = _validate_deferrals(app, deferrals, required=False)
            _write_deferrals(commitment, rows)
            scan_row = files.create_row(prepared, user) if prepared else None
            _sign(commitment, signer_name, user, scan_row)
            commitment.save()
            deferred = deferred_payload(app)
            journal.record(
                "approvals.commitment.taken",
                app,
                after={
                    "signer": commitment.signer_name,
                    "ip": commitment.signer_ip,
                    "scan_sha256": scan_row.sha256 if scan_row else None,
                    "deferred": deferred,
                },
            )
            outbox.emit(
                "approvals.commitment.taken",
                app,
                event_payload(app, commitment_id=commitment.pk, deferred_materials=deferred),
            )
            return commitment
    except BaseException:
        if prepared is not None:
            prepared.discard()
        raise


def withdraw_commitment(application_id: int, *, reason: str, user=None) -> Commitment:
    """Before the matter is completed the applicant may withdraw the commitment for good
    reason; handling continues under the ordinary procedure (深圳经济特区社会信用条例 art 62)."""
    reason = require_text(reason, "reason", _("撤回承诺须说明理由"))
    with transaction.atomic():
        app = lock_application(application_id, user)
        require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("撤回告知承诺"))
        if app.status not in workflow.OPEN_STATES:
            raise Conflict(_("事项已办结，不能撤回承诺"), code="completed")
        commitment = (
            Commitment.objects.select_for_update(no_key=True)
            .filter(application=app, kind=CommitmentKind.NOTIFICATION)
            .exclude(status=CommitmentStatus.WITHDRAWN)
            .first()
        )
        if commitment is None or app.route != Route.COMMITMENT:
            raise Conflict(_("本申请没有可撤回的告知承诺"), code="no_commitment")
        _revert_deferrals(commitment)
        commitment.status = CommitmentStatus.WITHDRAWN
        commitment.withdrawn_at = timezone.now()
        commitment.withdrawal_reason = reason
        commitment.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        app.route = Route.ORDINARY
        app.save(update_fields=["route"])
        journal.record(
            "approvals.commitment.withdrawn",
            app,
            before={"route": Route.COMMITMENT},
            after={"route": app.route, "reason": reason},
        )
        outbox.emit("approvals.commitment.withdrawn", app, event_payload(app, reason=reason))
        return commitment


# --- supplements ------------------------------------------------------------------------------


def supplement(
    application_id: int, material_id: int, *, content, filename: str, user=None
) -> DeferredMaterial:
    """The deferred material arrives: recorded against the commitment; once all are in, the
    commitment is fulfilled. Also after the licence was issued under tolerance."""
    prepared = files.prepare(content, filename)
    try:
        with transaction.atomic():
            app = lock_application(application_id, user)
            require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("补交容缺材料"))
            sub = (
                MaterialSubmission.objects.select_for_update(no_key=True)
                .select_related("material")
                .filter(application=app, material_id=material_id)
                .first()
            )
            if sub is None:
                raise NotFound(_("该申请的材料清单中没有此材料"))
            return _supplement_locked(app, sub, prepared, user)
    except BaseException:
        prepared.discard()
        raise


def _supplement_locked(app, sub, prepared, user) -> DeferredMaterial:
    if app.status in CLOSED:
        raise Conflict(_("申请已%(state)s，不再接收补交材料") % {"state": Status(app.status).label})
    deferral = (
        DeferredMaterial.objects.select_for_update(no_key=True)
        .select_related("commitment")
        .filter(
            submission=sub,
            supplemented_at__isnull=True,
            commitment__status=CommitmentStatus.SIGNED,
        )
        .first()
    )
    if deferral is None or sub.state != MaterialState.DEFERRED:
        raise Conflict(_("该材料不是待补交的容缺材料"), code="not_deferred")
    day = today()
    if day > deferral.due_on:
        raise Conflict(
            _("补交期限%(due)s已过") % {"due": deferral.due_on.isoformat()}, code="cure_date_passed"
        )
    stored = files.create_row(prepared, user)
    now = timezone.now()
    deferral.supplemented_at, deferral.file = now, stored
    deferral.save(update_fields=["supplemented_at", "file"])
    sub.state, sub.file, sub.updated = MaterialState.SUPPLEMENTED, stored, now
    sub.save(update_fields=["state", "file", "updated"])
    commitment = deferral.commitment
    fulfilled = not commitment.deferrals.filter(supplemented_at__isnull=True).exists()
    if fulfilled:
        commitment.status = CommitmentStatus.FULFILLED
        commitment.fulfilled_at = now
        commitment.save(update_fields=["status", "fulfilled_at"])
    prefix = EVENT_PREFIX[CommitmentKind(commitment.kind)]
    info = {"material_id": sub.material_id, "material": sub.material.name}
    licence_ids = list(app.licences.values_list("pk", flat=True))
    deferred = deferred_payload(app) if fulfilled else []
    journal.record(
        f"{prefix}.supplemented",
        app,
        after={**info, "sha256": stored.sha256, "fulfilled": fulfilled},
    )
    payload = event_payload(app, **info, licence_ids=licence_ids, sha256=stored.sha256)
    outbox.emit(f"{prefix}.supplemented", app, payload)
    if fulfilled:
        outbox.emit(
            f"{prefix}.fulfilled",
            app,
            event_payload(app, licence_ids=licence_ids, deferred_materials=deferred),
        )
    return deferral


def attach_commitment_scan(application_id: int, *, content, filename: str, user=None) -> Commitment:
    """Attach the scan of the signed paper commitment (optional; name, time and IP are the
    record of the online signature)."""
    prepared = files.prepare(content, filename)
    try:
        with transaction.atomic():
            app = lock_application(application_id, user)
            require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("上传承诺书扫描件"))
            commitment = (
                Commitment.objects.select_for_update(no_key=True)
                .filter(application=app, kind=CommitmentKind.NOTIFICATION)
                .first()
            )
            if commitment is None or commitment.status not in (
                CommitmentStatus.SIGNED,
                CommitmentStatus.FULFILLED,
            ):
                raise Conflict(_("承诺书尚未签署"), code="commitment_state")
            stored = files.create_row(prepared, user)
            commitment.scan = stored
            commitment.save(update_fields=["scan"])
            journal.record(
                "approvals.commitment.scan_attached", app, after={"sha256": stored.sha256}
            )
            return commitment
    except BaseException:
        prepared.discard()
        raise
