"""The other intake outcomes of 行政许可法 art 32 (refusal to accept, redirection, no licence
needed) and withdrawal."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import outbox

from ..choices import (
    CommitmentStatus,
    ReceiptKind,
)
from ..models import (
    Application,
    Commitment,
    Suspension,
)
from ._base import (
    authorize,
    event_payload,
    lock_application,
    record_transition,
    require_text,
    set_status,
    today,
)
from .intake import DEFAULT_REMEDIES, _receipt

# --- other intake outcomes --------------------------------------------------------------------


def _close_at_intake(
    application_id, action, kind, user, *, reasons="", remedies="", competent_body=""
):
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, action, user)
        day = today()
        receipt = _receipt(
            app,
            kind,
            user,
            day,
            reasons=reasons,
            remedies=remedies,
            competent_body=competent_body,
        )
        change = set_status(
            app,
            transition,
            actor,
            user,
            note=receipt.number,
            fields={"closed_on": day, "closing_note": reasons or competent_body},
        )
        record_transition(
            app,
            change,
            {"receipt": receipt.number, "reasons": reasons, "competent_body": competent_body},
        )
        outbox.emit(
            f"approvals.application.{transition.target}",
            app,
            event_payload(app, receipt_number=receipt.number, reasons=reasons),
        )
        return app


def refuse_intake(
    application_id: int, *, reasons: str, remedies: str = DEFAULT_REMEDIES, user=None
) -> Application:
    """不予受理: a written refusal receipt with reasons and remedies (行政许可法 art 32)."""
    reasons = require_text(reasons, "reasons", _("不予受理须写明理由"))
    remedies = require_text(remedies, "remedies", _("须告知申请人依法享有的救济权利"))
    return _close_at_intake(
        application_id,
        "refuse_intake",
        ReceiptKind.REFUSAL,
        user,
        reasons=reasons,
        remedies=remedies,
    )


def redirect(
    application_id: int, *, competent_body: str, reasons: str = "", user=None
) -> Application:
    """Not this body's power: refuse at once and name the body to apply to (art 32(2))."""
    competent_body = require_text(
        competent_body, "competent_body", _("须告知申请人向哪个有权机关申请")
    )
    return _close_at_intake(
        application_id,
        "redirect",
        ReceiptKind.REDIRECT,
        user,
        reasons=reasons,
        competent_body=competent_body,
    )


def declare_not_required(application_id: int, *, reasons: str, user=None) -> Application:
    """The matter needs no licence: tell the applicant at once (art 32(1))."""
    reasons = require_text(reasons, "reasons", _("须写明无需取得许可的依据"))
    return _close_at_intake(
        application_id, "not_required", ReceiptKind.NOT_REQUIRED, user, reasons=reasons
    )


def withdraw(application_id: int, *, reason: str = "", user=None) -> Application:
    """The applicant withdraws before the decision; an open suspension ends with it."""
    with transaction.atomic():
        app = lock_application(application_id, user)
        transition, actor = authorize(app, "withdraw", user)
        day = today()
        Suspension.objects.filter(application=app, ended_on__isnull=True).update(
            ended_on=day, ended_by=user
        )
        Commitment.objects.filter(
            application=app, status__in=[CommitmentStatus.NOTIFIED, CommitmentStatus.SIGNED]
        ).update(withdrawn_at=timezone.now(), status=CommitmentStatus.WITHDRAWN)
        change = set_status(
            app,
            transition,
            actor,
            user,
            note=reason,
            fields={"closed_on": day, "closing_note": reason},
        )
        record_transition(app, change, {"reason": reason})
        outbox.emit("approvals.application.withdrawn", app, event_payload(app, reason=reason))
        return app
