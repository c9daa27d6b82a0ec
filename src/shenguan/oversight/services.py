"""Every state change of the oversight app: the policy versions, alerts raised and resolved,
escalations, and the accountability records with their review and appeal (``workflow.py``).
Each function runs in one transaction, locks what it changes, and writes the journal entry
and the outbox event with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.context import current_actor
from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.core.services import full_clean, lock_for_change
from shenguan.org.models import Section, Staff

from . import workflow
from .choices import (
    AccountabilityOrigin,
    AlertLevel,
    EscalationTarget,
)
from .models import AccountabilityRecord, Alert, Counter, Escalation, OversightPolicy

# The first version is in force from the Gedian reform on, so that every day finds one.
DEFAULT_EFFECTIVE_FROM = dt.date(2014, 1, 1)
DEFAULTS = {
    "warning_share": Decimal("0.80"),
    "backup_after_days": 0,
    "section_head_after_days": 2,
    "accountability_after_days": 3,
}
POLICY_FIELDS = tuple(DEFAULTS)


def _actor_name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return current_actor().display_name[:200]
    full = user.get_full_name()
    return (f"{full} ({user.get_username()})" if full else user.get_username())[:200]


def _real(user):
    return user if getattr(user, "is_authenticated", False) else None


def next_number(key: str, prefix: str, day: dt.date) -> str:
    """``WZ2026000012``-style numbers, gapless among committed rows."""
    row = Counter.objects.select_for_update(no_key=True).filter(key=key, year=day.year).first()
    if row is None:
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, year=day.year, last=0)
        except IntegrityError:
            pass
        row = Counter.objects.select_for_update(no_key=True).get(key=key, year=day.year)
    row.last += 1
    Counter.objects.filter(pk=row.pk).update(last=row.last)
    return f"{prefix}{day.year}{row.last:06d}"


# --- policy -----------------------------------------------------------------------------------


def policy_in_force(day: dt.date | None = None) -> OversightPolicy:
    """The version in force on ``day``; before the first effective date the first version;
    with none at all (a fresh or flushed database) the defaults, stored as version 1."""
    day = day or timezone.localdate()
    policy = OversightPolicy.in_force(day)
    if policy is not None:
        return policy
    first = OversightPolicy.objects.order_by("effective_from", "version").first()
    if first is not None:
        return first
    try:
        with transaction.atomic():
            return _store_policy(1, DEFAULT_EFFECTIVE_FROM, DEFAULTS, _("默认政策"), None)
    except IntegrityError:
        return OversightPolicy.objects.get(version=1)


def _store_policy(version, effective_from, values, note, user) -> OversightPolicy:
    policy = OversightPolicy(
        version=version,
        effective_from=effective_from,
        note=note,
        created_by=_real(user),
        **values,
    )
    full_clean(policy)
    policy.save()
    journal.record("oversight.policy.published", policy, after=journal.snapshot(policy))
    outbox.emit(
        "oversight.policy.published",
        policy,
        {"version": version, "effective_from": effective_from.isoformat(), **values},
    )
    return policy


def publish_policy(*, effective_from: dt.date, note: str = "", user=None, **values):
    """A new version (administrators only); unspecified thresholds are kept from the version
    in force."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以修改效能监察政策"))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError(_("未知的政策项：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        current = policy_in_force(effective_from)
        merged = {
            f: (values[f] if values.get(f) is not None else getattr(current, f))
            for f in POLICY_FIELDS
        }
        merged["warning_share"] = Decimal(str(merged["warning_share"]))
        last = OversightPolicy.objects.select_for_update(no_key=True).order_by("-version").first()
        return _store_policy((last.version if last else 0) + 1, effective_from, merged, note, user)


# --- alerts and escalation (written by the sweep) ---------------------------------------------


def raise_alert(clock, level: str, day: dt.date) -> Alert | None:
    """The alert of ``clock`` at ``level``; None if it already exists (open or resolved)."""
    with transaction.atomic():
        key = {
            "clock_kind": str(clock.kind),
            "object_type": clock.object_type,
            "object_id": clock.object_id,
            "level": level,
            "due_on": clock.due_on,
        }
        if Alert.objects.filter(**key).exists():
            return None
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    **key,
                    object_label=clock.label[:300],
                    url=clock.url[:300],
                    department_id=clock.department_id,
                    section_id=clock.section_id,
                    grid_id=clock.grid_id,
                    staff_id=clock.staff_id,
                    post_id=clock.post_id,
                    started_on=clock.started_on,
                    limit_days=clock.limit_days,
                    working_days=clock.working_days,
                )
        except IntegrityError:
            return None  # a concurrent sweep raised it
        journal.record("oversight.alert.raised", alert, after=journal.snapshot(alert))
        outbox.emit(
            "oversight.alert.raised",
            alert,
            {
                "clock_kind": alert.clock_kind,
                "level": level,
                "object_type": alert.object_type,
                "object_id": alert.object_id,
                "object_label": alert.object_label,
                "due_on": alert.due_on.isoformat(),
                "staff_id": alert.staff_id,
                "section_id": alert.section_id,
                "on": day.isoformat(),
            },
        )
        return alert


def resolve_alert(alert_id: int, resolution: str) -> Alert | None:
    with transaction.atomic():
        alert = Alert.objects.select_for_update(no_key=True).filter(pk=alert_id).first()
        if alert is None or alert.resolved_at is not None:
            return None
        alert.resolved_at = timezone.now()
        alert.resolution = resolution
        alert.save(update_fields=["resolved_at", "resolution"])
        journal.record(
            "oversight.alert.resolved",
            alert,
            before={"resolved_at": None},
            after={"resolved_at": alert.resolved_at, "resolution": resolution},
        )
        outbox.emit(
            "oversight.alert.resolved",
            alert,
            {"clock_kind": alert.clock_kind, "level": alert.level, "resolution": resolution},
        )
        return alert


def _backup_target(alert: Alert) -> Staff | None:
    """The B role of the post the responsible person holds (业务AB角); if the responsible
    person is that backup already, the holder."""
    from .clocks import responsible_post

    post = alert.post
    if post is None:
        post = responsible_post(alert.staff_id, alert.section_id)
    if post is None:
        return None
    for candidate_id in (post.backup_id, post.holder_id):
        if candidate_id and candidate_id != alert.staff_id:
            return Staff.objects.filter(pk=candidate_id, is_active=True).first()
    return None


def _section_head(alert: Alert) -> Staff | None:
    section_id = alert.section_id
    if section_id is None and alert.staff_id:
        section_id = Staff.objects.filter(pk=alert.staff_id).values_list("section_id", flat=True)
        section_id = section_id.first()
    if section_id is None:
        return None
    head_id = Section.objects.filter(pk=section_id).values_list("head_id", flat=True).first()
    if head_id is None or head_id == alert.staff_id:
        return None
    return Staff.objects.filter(pk=head_id, is_active=True).first()


def escalate(alert_id: int, target_kind: str, overdue_days: int, day: dt.date):
    """Pass an overdue alert on to the backup or the section head, once per target kind.
    Returns the new escalation, or None (already escalated, nobody to escalate to, or the
    alert resolved meanwhile)."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update(no_key=True).filter(pk=alert_id).first()
        if alert is None or alert.resolved_at is not None or alert.level != AlertLevel.OVERDUE:
            return None
        if Escalation.objects.filter(alert=alert, target_kind=target_kind).exists():
            return None
        target = (
            _backup_target(alert)
            if target_kind == EscalationTarget.BACKUP
            else _section_head(alert)
        )
        if target is None:
            return None
        esc = Escalation.objects.create(
            alert=alert,
            target_kind=target_kind,
            target=target,
            overdue_working_days=overdue_days,
            on=day,
        )
        journal.record(
            "oversight.escalation.created",
            esc,
            after={
                "alert": alert.pk,
                "target_kind": target_kind,
                "target": target.pk,
                "target_name": target.name,
                "overdue_working_days": overdue_days,
            },
        )
        outbox.emit(
            "oversight.escalated",
            esc,
            {
                "alert_id": alert.pk,
                "clock_kind": alert.clock_kind,
                "object_type": alert.object_type,
                "object_id": alert.object_id,
                "object_label": alert.object_label,
                "url": alert.url,
                "due_on": alert.due_on.isoformat(),
                "target_kind": target_kind,
                "target_id": target.pk,
                "target_name": target.name,
                "responsible_id": alert.staff_id,
                "overdue_working_days": overdue_days,
            },
        )
        return esc


# --- accountability ---------------------------------------------------------------------------


def _record_created(record: AccountabilityRecord) -> None:
    journal.record("oversight.accountability.proposed", record, after=journal.snapshot(record))
    outbox.emit(
        "oversight.accountability.proposed",
        record,
        {
            "number": record.number,
            "origin": record.origin,
            "staff_id": record.staff_id,
            "alert_id": record.alert_id,
            "reason": record.reason,
        },
    )


def propose_from_alert(alert_id: int, overdue_days: int, day: dt.date, policy):
    """The sweep's proposal against the staff member responsible for an overdue alert; once
    per alert (partial unique constraint)."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update(no_key=True).filter(pk=alert_id).first()
        if alert is None or alert.staff is None or alert.level != AlertLevel.OVERDUE:
            return None
        if AccountabilityRecord.objects.filter(
            alert=alert, origin=AccountabilityOrigin.SWEEP
        ).exists():
            return None
        kind_label = alert.clock_kind_label
        record = AccountabilityRecord(
            number=next_number("accountability", "WZ", day),
            origin=AccountabilityOrigin.SWEEP,
            staff=alert.staff,
            department_id=alert.department_id or alert.staff.department_id,
            section_id=alert.section_id or alert.staff.section_id,
            alert=alert,
            policy=policy,
            object_type=alert.object_type,
            object_id=alert.object_id,
            object_label=alert.object_label,
            reason=_(
                "%(label)s：%(kind)s于%(due)s届满，截至%(day)s已逾期%(n)s个工作日未办结"
                "（效能监察政策第%(v)s版：逾期%(limit)s个工作日提出问责）"
            )
            % {
                "label": alert.object_label,
                "kind": kind_label,
                "due": alert.due_on.isoformat(),
                "day": day.isoformat(),
                "n": overdue_days,
                "v": policy.version,
                "limit": policy.accountability_after_days,
            },
            proposed_on=day,
            proposed_by_name=current_actor().display_name[:200],
        )
        full_clean(record)
        record.save()
        _record_created(record)
        return record


def _actors(record: AccountabilityRecord, user) -> set[workflow.Actor]:
    if user is None:  # the system acts as a bureau head (commands run by an administrator)
        return {workflow.Actor.BUREAU_HEAD}
    scope = Scope.of(user)
    if scope.staff_id is not None and scope.staff_id == record.staff_id:
        return {workflow.Actor.STAFF}  # nobody judges their own record
    actors = set()
    if scope.has_role(Role.BUREAU_HEAD):
        actors.add(workflow.Actor.BUREAU_HEAD)
    if (
        scope.staff_id is not None
        and record.section_id is not None
        and Section.objects.filter(pk=record.section_id, head_id=scope.staff_id).exists()
    ):
        actors.add(workflow.Actor.SECTION_HEAD)
    return actors


def propose(staff_id: int, *, reason: str, alert_id: int | None = None, user=None):
    """A head's proposal (效能问责) against a staff member: the head of their section or a
    bureau head."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("须写明问责事由"), code="required", field_errors={"reason": [_("必填")]}
        )
    with transaction.atomic():
        staff = Staff.objects.select_for_update(no_key=True).filter(pk=staff_id).first()
        if staff is None:
            raise NotFound(f"staff {staff_id} not found")
        alert = None
        if alert_id is not None:
            alert = Alert.objects.restrict(user, "view").filter(pk=alert_id).first()
            if alert is None:
                raise NotFound(f"alert {alert_id} not found")
            if alert.staff_id != staff.pk:
                raise DomainError(_("该预警的责任人不是被问责人"), code="alert_mismatch")
        probe = AccountabilityRecord(staff=staff, section_id=staff.section_id)
        actors = _actors(probe, user)
        if not actors & {workflow.Actor.SECTION_HEAD, workflow.Actor.BUREAU_HEAD}:
            raise Forbidden(_("只有被问责人所在科室负责人或局领导可以提出效能问责"))
        day = timezone.localdate()
        record = AccountabilityRecord(
            number=next_number("accountability", "WZ", day),
            origin=AccountabilityOrigin.MANUAL,
            staff=staff,
            department_id=staff.department_id,
            section_id=staff.section_id,
            alert=alert,
            policy=policy_in_force(day),
            object_type=alert.object_type if alert else "",
            object_id=alert.object_id if alert else "",
            object_label=alert.object_label if alert else "",
            reason=reason,
            proposed_on=day,
            proposed_by_name=_actor_name(user),
        )
        full_clean(record)
        record.save()
        _record_created(record)
        _recheck(record, user)
        return record


def _recheck(record, user) -> None:
    if user is not None and not (
        AccountabilityRecord.objects.restrict(user, "view").filter(pk=record.pk).exists()
    ):
        raise Forbidden(_("操作后您将无法查看该记录"))


def _move(record_id: int, action: str, user, text_field: str, text: str, stamp: dict):
    with transaction.atomic():
        record = lock_for_change(user, AccountabilityRecord, record_id)
        t = workflow.check(action, record.status, _actors(record, user))
        if (
            action in ("uphold", "overturn")
            and user is not None
            and record.reviewed_by_id == user.pk
        ):
            raise Forbidden(_("申诉须由原审核人以外的局领导处理"))
        before = {"status": record.status}
        record.status = t.target
        setattr(record, text_field, text)
        for name, value in stamp.items():
            setattr(record, name, value)
        record.save(update_fields=["status", text_field, *stamp])
        after = {"status": record.status, text_field: text}
        journal.record(f"oversight.accountability.{action}", record, before=before, after=after)
        outbox.emit(
            f"oversight.accountability.{t.target}",
            record,
            {
                "number": record.number,
                "staff_id": record.staff_id,
                "action": action,
                "from": before["status"],
                "to": record.status,
            },
        )
        return record


def review(record_id: int, *, confirm: bool, note: str = "", user=None):
    """Confirm or dismiss a proposal (section head or bureau head)."""
    note = (note or "").strip()
    if not confirm and not note:
        raise DomainError(
            _("不予问责须说明理由"), code="required", field_errors={"note": [_("必填")]}
        )
    return _move(
        record_id,
        "confirm" if confirm else "dismiss",
        user,
        "review_note",
        note,
        {
            "reviewed_at": timezone.now(),
            "reviewed_by": _real(user),
            "reviewed_by_name": _actor_name(user),
        },
    )


def appeal(record_id: int, *, grounds: str, user=None):
    """The staff member appeals a confirmed record, with written grounds."""
    grounds = (grounds or "").strip()
    if not grounds:
        raise DomainError(
            _("须写明申诉理由"), code="required", field_errors={"grounds": [_("必填")]}
        )
    return _move(
        record_id, "appeal", user, "appeal_grounds", grounds, {"appealed_at": timezone.now()}
    )


def decide_appeal(record_id: int, *, uphold: bool, note: str = "", user=None):
    """A bureau head (not the reviewer) upholds or overturns the record."""
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("须写明申诉处理意见"), code="required", field_errors={"note": [_("必填")]}
        )
    return _move(
        record_id,
        "uphold" if uphold else "overturn",
        user,
        "appeal_note",
        note,
        {"appeal_decided_at": timezone.now(), "appeal_decided_by_name": _actor_name(user)},
    )


def sweep(day: dt.date | None = None):
    """Run the deadline sweep (``sweeping.run_sweep``)."""
    from .sweeping import run_sweep

    return run_sweep(day)
