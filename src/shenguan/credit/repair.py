"""Credit repair (信用修复, 深圳经济特区社会信用条例 art 79–83): the party's own account applies,
after the minimum period, to end an event's publication early or to leave a list; a bureau head
or legal reviewer decides within three working days; the sweep flags applications past due."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils.translation import gettext as _

from shenguan.core import calendar, journal
from shenguan.core import services as core
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound, TransitionNotAllowed
from shenguan.core.permissions import Scope

from .choices import (
    REPAIR_DECISION_WORKING_DAYS,
    ExitReason,
    ListKind,
    ListTrigger,
    PublicationEnd,
    RepairStatus,
)
from .engine import (
    DECIDING_ROLES,
    actor_name,
    emit,
    end_publication,
    ensure_visible,
    exit_entry,
    lock_party,
    real_user,
    recompute,
    require_roles,
    today_or,
)
from .models import CreditEvent, ListEntry, RepairApplication


def _repair_target(party, event_id, list_entry_id, day):
    if (event_id is None) == (list_entry_id is None):
        raise DomainError(
            _("请选择一项要修复的信用事件或名单记录"),
            code="one_target",
            field_errors={"event_id": [_("须且只能选择一项")]},
        )
    if event_id is not None:
        event = (
            CreditEvent.objects.select_for_update(no_key=True)
            .filter(pk=event_id, party=party)
            .first()
        )
        if event is None:
            raise NotFound(_("信用事件 %(id)s 不存在") % {"id": event_id})
        if not event.is_active(day):
            raise Conflict(_("该信息已停止公示，无需修复"), code="not_active")
        if event.repairable_from is None:
            # 市场监督管理行政处罚信息公示规定 art 14 last paragraph; positive records
            raise DomainError(_("该类信息不得提前停止公示"), code="not_repairable")
        if day < event.repairable_from:
            # 深圳经济特区社会信用条例 art 79: only after the minimum publication period
            raise DomainError(
                _("最短公示期限至 %(d)s 届满，届满后方可申请信用修复")
                % {"d": event.repairable_from},
                code="too_early",
            )
        return event, None
    entry = (
        ListEntry.objects.select_for_update(no_key=True)
        .filter(pk=list_entry_id, party=party)
        .first()
    )
    if entry is None:
        raise NotFound(_("名单记录 %(id)s 不存在") % {"id": list_entry_id})
    if entry.exited_on is not None:
        raise Conflict(_("该名单记录已移出"), code="already_exited")
    if entry.list_kind == ListKind.GREEN or entry.trigger == ListTrigger.TIER:
        raise DomainError(_("该名单随信用等级自动调整，无需申请修复"), code="not_repairable")
    if day < entry.earliest_exit_on:
        raise DomainError(
            _("最短列入期限至 %(d)s 届满，届满后方可申请信用修复") % {"d": entry.earliest_exit_on},
            code="too_early",
        )
    return None, entry


def apply_for_repair(
    party_id: int,
    *,
    event_id: int | None = None,
    list_entry_id: int | None = None,
    reasons: str,
    evidence: str = "",
    user=None,
) -> RepairApplication:
    """A party applies to end an event's publication early or to leave a list (信用修复,
    深圳经济特区社会信用条例 art 79–81). Only the party's own account (or the system); only after
    the minimum period; one open application per event or entry. Received today; due three
    working days later (art 82)."""
    if not str(reasons or "").strip():
        raise DomainError(_("请填写申请理由"), field_errors={"reasons": [_("请填写申请理由")]})
    day = today_or()
    with transaction.atomic():
        ensure_visible(user, party_id)
        if user is not None:
            scope = Scope.of(user)
            if not (scope.is_admin or int(party_id) in scope.party_ids):
                raise Forbidden(_("只能由信用主体本人（本单位）账号申请信用修复"))
        party = lock_party(party_id)
        event, entry = _repair_target(party, event_id, list_entry_id, day)
        open_ = RepairApplication.objects.filter(status=RepairStatus.SUBMITTED)
        if open_.filter(models.Q(event=event) if event else models.Q(list_entry=entry)).exists():
            raise Conflict(_("已有待处理的修复申请"), code="repair_pending")
        try:
            due = calendar.deadline(calendar.Law.WORKING, day, REPAIR_DECISION_WORKING_DAYS)
        except calendar.UnknownYear as exc:
            raise DomainError(str(exc), code="unknown_calendar_year")
        repair = RepairApplication(
            party=party,
            event=event,
            list_entry=entry,
            reasons=reasons.strip(),
            evidence=evidence.strip(),
            submitted_on=day,
            submitted_by=real_user(user),
            due_on=due,
        )
        core.full_clean(repair)
        repair.save()
        journal.record("credit.repair.submitted", repair, after=journal.snapshot(repair))
        emit(
            "credit.repair.submitted",
            repair,
            {"id": repair.pk, "party_id": party.pk, "due_on": due},
        )
        return repair


def decide_repair(repair_id: int, *, approve: bool, opinion: str, user) -> RepairApplication:
    """Approve or refuse a repair application (bureau heads, legal reviewers; ``user=None`` is
    the system). Approval ends the event's publication (and takes the party off lists entered
    for that event whose minimum period has passed) or takes the party off the list; the tier
    is recomputed (深圳经济特区社会信用条例 art 82)."""
    if not str(opinion or "").strip():
        raise DomainError(_("请填写处理意见"), field_errors={"opinion": [_("请填写处理意见")]})
    day = today_or()
    with transaction.atomic():
        repair = (
            RepairApplication.objects.select_for_update(no_key=True).filter(pk=repair_id).first()
        )
        if repair is None:
            raise NotFound(_("修复申请 %(id)s 不存在") % {"id": repair_id})
        ensure_visible(user, repair.party_id)
        require_roles(user, DECIDING_ROLES, _("只有局领导或法制审核人员可以决定信用修复"))
        party = lock_party(repair.party_id)
        if repair.status != RepairStatus.SUBMITTED:
            raise TransitionNotAllowed(_("该申请已作出决定"))
        before = journal.snapshot(repair)
        repair.status = RepairStatus.APPROVED if approve else RepairStatus.REFUSED
        repair.decided_by = real_user(user)
        repair.decided_by_name = actor_name(real_user(user))
        repair.decided_on = day
        repair.opinion = opinion.strip()
        repair.save()
        b, a = journal.diff(before, journal.snapshot(repair))
        journal.record(f"credit.repair.{repair.status}", repair, before=b, after=a)
        emit(
            "credit.repair.decided",
            repair,
            {
                "id": repair.pk,
                "party_id": party.pk,
                "approved": bool(approve),
                "late": repair.is_overdue(),
            },
        )
        if approve:
            note = _("信用修复申请 %(id)s 准予修复") % {"id": repair.pk}
            if repair.event_id:
                event = CreditEvent.objects.select_for_update(no_key=True).get(pk=repair.event_id)
                if event.is_active(day):
                    end_publication(event, PublicationEnd.REPAIRED, day)
                for entry in ListEntry.objects.select_for_update(no_key=True).filter(
                    source_event=event, exited_on__isnull=True, earliest_exit_on__lte=day
                ):
                    exit_entry(entry, ExitReason.REPAIRED, note, day)
            else:
                entry = ListEntry.objects.select_for_update(no_key=True).get(
                    pk=repair.list_entry_id
                )
                if entry.exited_on is None:
                    exit_entry(entry, ExitReason.REPAIRED, note, day)
            recompute(party, day, trigger=f"repair:{repair.pk}")
        return repair


def flag_overdue_repairs(today: dt.date | None = None) -> int:
    """Mark (once) and announce repair applications past their three working days."""
    day = today_or(today)
    total = 0
    ids = RepairApplication.objects.filter(
        status=RepairStatus.SUBMITTED, due_on__lt=day, overdue_flagged_on__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(ids):
        with transaction.atomic():
            repair = RepairApplication.objects.select_for_update(no_key=True).get(pk=pk)
            if repair.status != RepairStatus.SUBMITTED or repair.overdue_flagged_on:
                continue
            repair.overdue_flagged_on = day
            repair.save(update_fields=["overdue_flagged_on"])
            journal.record(
                "credit.repair.overdue",
                repair,
                before={"overdue_flagged_on": None},
                after={"overdue_flagged_on": day},
            )
            emit(
                "credit.repair.overdue",
                repair,
                {"id": pk, "party_id": repair.party_id, "due_on": repair.due_on},
            )
            total += 1
    return total
