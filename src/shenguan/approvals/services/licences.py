"""After the licence: renewal (art 50), cancellation (art 70), revocation (art 69) and its
start when a deferred material is not supplied, expiry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, NotFound
from shenguan.core.permissions import Role, Scope

from .. import clocks
from ..choices import CancellationReason, CommitmentStatus, LicenceStatus, RenewalStatus
from ..models import Commitment, ItemTemplate, Licence, Renewal
from ..models.licences import LICENCE_READERS
from ..workflow import Actor
from ._base import require_actor, require_text, today
from .decisions import _overdue_deferrals


def licence_can_view(scope: Scope, licence: Licence) -> bool:
    """Python twin of ``Licence.restrict_queryset(…, "view")`` for a locked row."""
    if scope.is_admin or scope.has_role(
        Role.APPROVAL_OFFICER, Role.BUREAU_HEAD, Role.WINDOW_CLERK, *LICENCE_READERS
    ):
        return True
    return licence.holder_id in scope.party_ids


def lock_licence(licence_id, user) -> Licence:
    try:
        licence = (
            Licence.objects.select_for_update(of=("self",), no_key=True)
            .select_related("holder", "power", "power_version", "application")
            .get(pk=licence_id)
        )
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("许可证 %(id)s 不存在") % {"id": licence_id})
    if user is not None and not licence_can_view(Scope.of(user), licence):
        raise NotFound(_("许可证 %(id)s 不存在") % {"id": licence_id})
    return licence


def licence_payload(licence: Licence, **extra) -> dict:
    version = licence.power_version
    return {
        "licence_id": licence.pk,
        "licence_number": licence.number,
        "verification_number": licence.verification_number,
        "application_id": licence.application_id,
        "party_id": licence.holder_id,
        "credit_tier": licence.holder.credit_tier,
        "power_id": licence.power_id,
        "item_code": licence.power.code,
        "item_name": licence.item_name,
        "approval_class": version.approval_class or "controlled",
        "route": licence.route,
        "status": licence.status,
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        **extra,
    }


def _record(licence: Licence, action: str, before: dict, after: dict, **payload) -> None:
    journal.record(f"approvals.licence.{action}", licence, before=before, after=after)
    outbox.emit(f"approvals.licence.{action}", licence, licence_payload(licence, **payload))


def _validity_years(licence: Licence) -> int:
    template = ItemTemplate.objects.filter(power_id=licence.power_id).first()
    return (template.licence_validity_years if template else None) or 5


# --- renewal ----------------------------------------------------------------------------------


def apply_renewal(licence_id: int, *, user=None) -> Renewal:
    """The holder applies to extend the validity, at least 30 days before expiry (行政许可法
    art 50)."""
    with transaction.atomic():
        licence = lock_licence(licence_id, user)
        require_actor(
            licence,
            user,
            {Actor.APPLICANT, Actor.CLERK},
            _("申请延续"),
            party_id=licence.holder_id,
        )
        if licence.status != LicenceStatus.VALID:
            raise Conflict(
                _("许可证%(status)s，不能申请延续") % {"status": licence.get_status_display()}
            )
        if licence.valid_until is None:
            raise DomainError(_("长期有效的许可无需延续"), code="no_expiry")
        day = today()
        latest = clocks.latest_renewal_day(licence.valid_until)
        if day > latest:
            raise DomainError(
                _(
                    "须在有效期届满30日前（即%(day)s前）提出延续申请（行政许可法第五十条）；"
                    "已逾期，请重新申请许可"
                )
                % {"day": latest.isoformat()},
                code="renewal_too_late",
            )
        if Renewal.objects.filter(licence=licence, status=RenewalStatus.PENDING).exists():
            raise Conflict(_("已有待决定的延续申请"), code="renewal_pending")
        renewal = Renewal.objects.create(
            licence=licence,
            applied_on=day,
            previous_valid_until=licence.valid_until,
            filed_by=user,
        )
        _record(
            licence,
            "renewal_applied",
            {},
            {"renewal_id": renewal.pk, "applied_on": day},
            renewal_id=renewal.pk,
        )
        return renewal


def _lock_renewal(renewal_id, user) -> tuple[Renewal, Licence]:
    renewal = Renewal.objects.filter(pk=renewal_id).values_list("licence_id", flat=True).first()
    if renewal is None:
        raise NotFound(_("延续申请 %(id)s 不存在") % {"id": renewal_id})
    licence = lock_licence(renewal, user)  # the licence row first, as everywhere
    return Renewal.objects.select_for_update(no_key=True).get(pk=renewal_id), licence


def _extend_validity(licence: Licence, renewal: Renewal) -> dt.date:
    start = renewal.previous_valid_until + dt.timedelta(days=1)
    new_until = clocks.validity_end(start, _validity_years(licence))
    licence.valid_until = new_until
    licence.status = LicenceStatus.VALID
    licence.expired_on = None
    licence.save(update_fields=["valid_until", "status", "expired_on"])
    return new_until


def decide_renewal(renewal_id: int, *, approve: bool, reasons: str = "", user=None) -> Renewal:
    """The decision before expiry (art 50) by the responsible staff member or a bureau head;
    a refusal states its reasons."""
    with transaction.atomic():
        renewal, licence = _lock_renewal(renewal_id, user)
        require_actor(licence.application, user, {Actor.RESPONSIBLE, Actor.HEAD}, _("延续决定"))
        if renewal.status != RenewalStatus.PENDING:
            raise Conflict(_("该延续申请已经决定"), code="renewal_decided")
        day = today()
        if day > renewal.previous_valid_until:
            raise Conflict(
                _("有效期届满前未作决定，依法视为准予延续（行政许可法第五十条）"),
                code="renewal_deemed",
            )
        before = {"status": renewal.status, "valid_until": licence.valid_until}
        renewal.decided_on, renewal.decided_by = day, user
        if approve:
            renewal.status = RenewalStatus.APPROVED
            renewal.new_valid_until = _extend_validity(licence, renewal)
            renewal.reasons = reasons
        else:
            renewal.status = RenewalStatus.REFUSED
            renewal.reasons = require_text(reasons, "reasons", _("不予延续须写明理由"))
        renewal.save()
        _record(
            licence,
            f"renewal_{renewal.status}",
            before,
            {"status": renewal.status, "valid_until": licence.valid_until, "reasons": reasons},
            renewal_id=renewal.pk,
        )
        return renewal


def deem_renewal(renewal_id: int, *, on: dt.date | None = None) -> Renewal:
    """System only: no decision by expiry → renewal granted (行政许可法 art 50)."""
    day = on or today()
    with transaction.atomic():
        renewal, licence = _lock_renewal(renewal_id, None)
        if renewal.status != RenewalStatus.PENDING:
            raise Conflict(_("该延续申请已经决定"), code="renewal_decided")
        if day <= renewal.previous_valid_until:
            raise Conflict(_("有效期尚未届满"), code="not_yet_due")
        before = {"status": renewal.status, "valid_until": licence.valid_until}
        renewal.status = RenewalStatus.DEEMED
        renewal.decided_on = day
        renewal.new_valid_until = _extend_validity(licence, renewal)
        renewal.reasons = _("有效期届满前未作决定，视为准予延续（行政许可法第五十条）")
        renewal.save()
        _record(
            licence,
            "renewal_deemed",
            before,
            {"status": renewal.status, "valid_until": licence.valid_until},
            renewal_id=renewal.pk,
        )
        return renewal


# --- end of a licence -------------------------------------------------------------------------


def expire_licence(licence_id: int, *, on: dt.date | None = None) -> Licence:
    """System only: past its validity with no renewal pending."""
    day = on or today()
    with transaction.atomic():
        licence = lock_licence(licence_id, None)
        if licence.status != LicenceStatus.VALID or licence.valid_until is None:
            raise Conflict(_("许可证不是有效状态或长期有效"), code="not_expirable")
        if day <= licence.valid_until:
            raise Conflict(_("有效期尚未届满"), code="not_yet_due")
        if Renewal.objects.filter(licence=licence, status=RenewalStatus.PENDING).exists():
            raise Conflict(_("延续申请待决定"), code="renewal_pending")
        licence.status = LicenceStatus.EXPIRED
        licence.expired_on = licence.valid_until + dt.timedelta(days=1)
        licence.save(update_fields=["status", "expired_on"])
        _record(licence, "expired", {"status": LicenceStatus.VALID}, {"status": licence.status})
        return licence


def cancel_licence(licence_id: int, *, reason: str, note: str = "", user=None) -> Licence:
    """注销 on one of the grounds of 行政许可法 art 70 (expiry, dissolution, revocation…), by
    the responsible staff member or a bureau head."""
    reason = CancellationReason(reason)
    with transaction.atomic():
        licence = lock_licence(licence_id, user)
        require_actor(licence.application, user, {Actor.RESPONSIBLE, Actor.HEAD}, _("注销许可"))
        if licence.status == LicenceStatus.CANCELLED:
            raise Conflict(_("许可证已注销"), code="already_cancelled")
        if reason == CancellationReason.OTHER:
            note = require_text(note, "note", _("其他情形须写明依据"))
        before = {"status": licence.status}
        licence.status = LicenceStatus.CANCELLED
        licence.cancelled_on = today()
        licence.cancellation_reason = reason
        licence.cancellation_note = note
        licence.save(
            update_fields=["status", "cancelled_on", "cancellation_reason", "cancellation_note"]
        )
        Renewal.objects.filter(licence=licence, status=RenewalStatus.PENDING).update(
            status=RenewalStatus.REFUSED, reasons=_("许可已注销"), decided_on=licence.cancelled_on
        )
        _record(
            licence,
            "cancelled",
            before,
            {"status": licence.status, "reason": reason, "note": note},
            reason=reason,
        )
        return licence


def revoke_licence(licence_id: int, *, reason: str, user=None) -> Licence:
    """撤销 with its reason (行政许可法 art 69), approved by a bureau head. A pending
    revocation started by the sweep is completed this way."""
    reason = require_text(reason, "reason", _("撤销许可须写明理由（行政许可法第六十九条）"))
    with transaction.atomic():
        licence = lock_licence(licence_id, user)
        require_actor(licence.application, user, {Actor.HEAD}, _("撤销许可"))
        if licence.status not in (LicenceStatus.VALID, LicenceStatus.EXPIRED):
            raise Conflict(
                _("许可证%(status)s，不能撤销") % {"status": licence.get_status_display()},
                code="not_revocable",
            )
        before = {"status": licence.status}
        licence.status = LicenceStatus.REVOKED
        licence.revoked_on = today()
        licence.revocation_reason = reason
        licence.save(update_fields=["status", "revoked_on", "revocation_reason"])
        Renewal.objects.filter(licence=licence, status=RenewalStatus.PENDING).update(
            status=RenewalStatus.REFUSED, reasons=_("许可已撤销"), decided_on=licence.revoked_on
        )
        _record(
            licence,
            "revoked",
            before,
            {"status": licence.status, "reason": reason},
            reason=reason,
            deferred_materials=_deferred_of(licence),
        )
        return licence


def _deferred_of(licence: Licence) -> list[dict]:
    from ._base import deferred_payload

    return deferred_payload(licence.application)


def start_revocation(
    licence_id: int, *, grounds: str = "", on: dt.date | None = None, user=None
) -> Licence:
    """Open revocation of a licence issued on a tolerance or commitment route whose deferred
    material was not supplied in time (深圳经济特区社会信用条例 art 64); the commitment is
    recorded as unkept. The bureau head completes it with ``revoke_licence``."""
    day = on or today()
    with transaction.atomic():
        licence = lock_licence(licence_id, user)
        if user is not None:
            require_actor(
                licence.application, user, {Actor.RESPONSIBLE, Actor.HEAD}, _("启动撤销程序")
            )
        if licence.status != LicenceStatus.VALID:
            raise Conflict(_("许可证不是有效状态"), code="not_valid")
        if licence.revocation_started_on is not None:
            raise Conflict(_("已启动撤销程序"), code="already_started")
        overdue = _overdue_deferrals(licence.application, day)
        if not grounds:
            if not overdue:
                raise Conflict(_("没有逾期未补交的容缺材料"), code="nothing_overdue")
            grounds = _("容缺材料逾期未补交：%(names)s") % {
                "names": "、".join(d.submission.material.name for d in overdue)
            }
        if overdue:
            Commitment.objects.filter(pk__in={d.commitment_id for d in overdue}).update(
                status=CommitmentStatus.BREACHED, breached_at=timezone.now()
            )
        licence.revocation_started_on = day
        licence.revocation_grounds = grounds
        licence.save(update_fields=["revocation_started_on", "revocation_grounds"])
        _record(
            licence,
            "revocation_started",
            {},
            {"revocation_started_on": day, "grounds": grounds},
            grounds=grounds,
            deferred_materials=_deferred_of(licence),
        )
        return licence
