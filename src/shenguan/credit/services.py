"""Credit services: the only code that records credit events, computes tiers, enters and exits
lists, ends publications and decides repairs. Each runs in one transaction: lock the party,
check, write, journal, outbox; the resulting tier is written to ``Party.credit_tier`` through
``parties.services.set_credit_tier`` in the same transaction.

Who may do what (``user=None`` is the system: consumers, the sweep, commands):
- record an event: staff who see the party; court and manual events only bureau heads and
  legal reviewers;
- enter or exit a list by hand: bureau heads and legal reviewers;
- apply for repair: the party's own account; decide: bureau heads and legal reviewers;
- policy versions (``credit.policy``): administrators.

The tier computation and the list steps are in ``engine.py``; repair in ``repair.py`` (its
functions are re-exported here)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shenguan.core import journal
from shenguan.core import services as core
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope

from .choices import (
    EventKind,
    ExitReason,
    ListKind,
    ListTrigger,
    PublicationEnd,
    Source,
)
from .engine import (
    DECIDING_ROLES,
    choice,
    emit,
    end_publication,
    ensure_visible,
    enter_or_extend,
    exit_entry,
    lock_party,
    parse_source_ref,
    real_user,
    recompute,
    require_roles,
    today_or,
)
from .models import CreditEvent, CreditStanding, ListEntry
from .policy import PolicyRules, add_months, create_policy_version, policy_for
from .queries import (
    has_unrepaired_false_commitment,
    is_blacklisted,
    public_lookup,
    sampling_weight,
    tier_of,
)
from .repair import apply_for_repair, decide_repair, flag_overdue_repairs

__all__ = [
    "record_event",
    "recompute_tier",
    "enter_list",
    "exit_list",
    "apply_for_repair",
    "decide_repair",
    "expire_publications",
    "expire_list_entries",
    "sweep",
    "flag_overdue_repairs",
    "create_policy_version",
    "tier_of",
    "is_blacklisted",
    "has_unrepaired_false_commitment",
    "sampling_weight",
    "public_lookup",
]


# --- events -----------------------------------------------------------------------------------


# Who may record an event of each source (besides the system itself and administrators).
SOURCE_ROLES = {
    Source.APPROVAL: (Role.WINDOW_CLERK, Role.APPROVAL_OFFICER, Role.BUREAU_HEAD),
    Source.VERIFICATION: (Role.ENFORCEMENT_OFFICER, Role.LEGAL_REVIEWER, Role.BUREAU_HEAD),
    Source.ENFORCEMENT: (Role.ENFORCEMENT_OFFICER, Role.LEGAL_REVIEWER, Role.BUREAU_HEAD),
}


def record_event(
    party_id: int,
    kind: str,
    *,
    source: str,
    source_ref=None,
    occurred_on: dt.date | None = None,
    description: str = "",
    weight: int | None = None,
    user=None,
) -> CreditEvent:
    """Record what happened to ``party_id``; weight, publication period and list consequences
    come from the policy in force today unless ``weight`` is given. ``source_ref`` names the
    source object (a model instance, or ``{"type", "id", "display"}``): the same kind from the
    same source object is recorded once (a second call returns the first event). Recomputes the
    tier, applies the list rules and writes the tier to the party."""
    kind = choice(EventKind, kind, "kind")
    source = choice(Source, source, "source")
    ref = parse_source_ref(source_ref)
    today = today_or()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise DomainError(
            _("发生日期不能晚于今天"), field_errors={"occurred_on": [_("发生日期不能晚于今天")]}
        )
    if weight is not None and not -1000 <= int(weight) <= 1000:
        raise DomainError(
            _("分值须在 -1000 到 1000 之间"), field_errors={"weight": [_("超出范围")]}
        )
    with transaction.atomic():
        ensure_visible(user, party_id)
        if source in (Source.COURT, Source.MANUAL):
            require_roles(user, DECIDING_ROLES, _("只有局领导或法制审核人员可以录入此类信用信息"))
        elif user is not None and not Scope.of(user).has_role(*SOURCE_ROLES[source]):
            # an event from approvals is recorded by approval staff, one from verification or
            # enforcement by the enforcement bureau: a watcher or a grid worker records none
            raise Forbidden(
                _("您的岗位不能记入来源为“%(s)s”的信用事件") % {"s": Source(source).label}
            )
        party = lock_party(party_id)
        if ref.id:
            existing = CreditEvent.objects.filter(
                party=party, kind=kind, source_type=ref.type, source_id=ref.id
            ).first()
            if existing is not None:
                return existing
        rules = PolicyRules(policy_for(today))
        rule = rules.kind(kind)
        event = CreditEvent(
            party=party,
            kind=kind,
            source=source,
            weight=rule.weight if weight is None else int(weight),
            occurred_on=occurred_on,
            recorded_on=today,
            source_type=ref.type,
            source_id=ref.id,
            source_display=ref.display,
            description=description.strip(),
            is_public=rule.is_public,
            # 市场监督管理行政处罚信息公示规定 art 13: the period runs from publication (today)
            publish_until=add_months(today, rule.period_months),
            repairable_from=(
                add_months(today, rule.repair_after_months)
                if rule.repair_after_months is not None
                else None
            ),
            policy=rules.policy,
            recorded_by=real_user(user),
        )
        core.full_clean(event)
        event.save()
        journal.record("credit.event.recorded", event, after=journal.snapshot(event))
        emit(
            "credit.event.recorded",
            event,
            {
                "id": event.pk,
                "party_id": party.pk,
                "kind": kind,
                "source": source,
                "weight": event.weight,
                "is_public": event.is_public,
                "publish_until": event.publish_until,
            },
        )
        for list_rule in rules.by_event.get(kind, []):
            label = event.get_kind_display()
            reason = f"{label}（{ref.display}）" if ref.display else str(label)
            enter_or_extend(
                party,
                list_rule.list_kind,
                trigger=ListTrigger.EVENT,
                reason=reason,
                source_event=event,
                min_months=list_rule.min_months,
                max_months=list_rule.max_months,
                policy=rules.policy,
                day=today,
            )
        recompute(party, today, trigger=f"event:{event.pk}")
        return event


def recompute_tier(party_id: int, *, today: dt.date | None = None, user=None) -> str:
    """Recompute a party's score and tier now (the tier is written to the party if it
    changed); returns the tier. Staff who see the party, or the system."""
    with transaction.atomic():
        ensure_visible(user, party_id)
        if user is not None and not (Scope.of(user).is_staff_member or Scope.of(user).is_admin):
            raise Forbidden(_("只有工作人员可以重新计算信用等级"))
        party = lock_party(party_id)
        return recompute(party, today_or(today), trigger="recompute")


# --- lists ------------------------------------------------------------------------------------


def enter_list(
    party_id: int,
    list_kind: str,
    *,
    reason: str,
    source_event_id: int | None = None,
    min_months: int = 0,
    max_months: int | None = None,
    user=None,
) -> ListEntry:
    """Put a party on a list by decision (bureau heads, legal reviewers, the system). If it is
    already on that list, the open entry is kept and its dates extended."""
    list_kind = choice(ListKind, list_kind, "list_kind")
    if not str(reason or "").strip():
        raise DomainError(_("请填写列入事由"), field_errors={"reason": [_("请填写列入事由")]})
    if min_months < 0 or (max_months is not None and max_months < min_months):
        raise DomainError(_("列入期限无效"), field_errors={"max_months": [_("列入期限无效")]})
    today = today_or()
    with transaction.atomic():
        ensure_visible(user, party_id)
        require_roles(user, DECIDING_ROLES, _("只有局领导或法制审核人员可以认定名单"))
        party = lock_party(party_id)
        event = None
        if source_event_id is not None:
            event = CreditEvent.objects.filter(pk=source_event_id, party=party).first()
            if event is None:
                raise NotFound(_("信用事件 %(id)s 不存在") % {"id": source_event_id})
        entry = enter_or_extend(
            party,
            list_kind,
            trigger=ListTrigger.MANUAL,
            reason=reason.strip(),
            source_event=event,
            min_months=min_months,
            max_months=max_months,
            policy=policy_for(today),
            day=today,
        )
        recompute(party, today, trigger=f"list:{entry.pk}")
        entry.refresh_from_db()
        return entry


def exit_list(
    entry_id: int, *, reason: str, note: str = "", user=None, today: dt.date | None = None
) -> ListEntry:
    """Take a party off a list. Before the entry's earliest exit date only a correction (the
    entry was wrong: 深圳经济特区社会信用条例 art 51) may do so."""
    reason = choice(ExitReason, reason, "reason")
    day = today_or(today)
    with transaction.atomic():
        entry = ListEntry.objects.select_for_update(no_key=True).filter(pk=entry_id).first()
        if entry is None:
            raise NotFound(_("名单记录 %(id)s 不存在") % {"id": entry_id})
        ensure_visible(user, entry.party_id)
        require_roles(user, DECIDING_ROLES, _("只有局领导或法制审核人员可以移出名单"))
        party = lock_party(entry.party_id)
        if entry.exited_on is not None:
            raise Conflict(_("该名单记录已移出"), code="already_exited")
        if reason != ExitReason.CORRECTED and day < entry.earliest_exit_on:
            raise DomainError(
                _("最短列入期限至 %(d)s 届满，届满前不得移出") % {"d": entry.earliest_exit_on},
                code="too_early",
            )
        exit_entry(entry, reason, note, day)
        recompute(party, day, trigger=f"list_exit:{entry.pk}")
        return entry


# --- time passing -----------------------------------------------------------------------------


def expire_publications(today: dt.date | None = None) -> int:
    """End the publication of every event whose period has run out (it stopped counting on the
    day after ``publish_until`` even before this runs: every read checks the date); recompute
    the parties concerned. Returns the number of events ended."""
    day = today_or(today)
    due = CreditEvent.objects.filter(publication_ended_on__isnull=True, publish_until__lt=day)
    total = 0
    for party_id in sorted(set(due.values_list("party_id", flat=True))):
        with transaction.atomic():
            party = lock_party(party_id)
            events = list(due.select_for_update(no_key=True).filter(party=party))
            for event in events:
                end_publication(
                    event, PublicationEnd.EXPIRED, event.publish_until + dt.timedelta(1)
                )
            recompute(party, day, trigger="publication_expired")
            total += len(events)
    return total


def expire_list_entries(today: dt.date | None = None) -> int:
    """Take parties off lists whose entries have reached their automatic exit date."""
    day = today_or(today)
    due = ListEntry.objects.filter(exited_on__isnull=True, expires_on__lte=day)
    total = 0
    for party_id in sorted(set(due.values_list("party_id", flat=True))):
        with transaction.atomic():
            party = lock_party(party_id)
            entries = list(due.select_for_update(no_key=True).filter(party=party))
            for entry in entries:
                exit_entry(entry, ExitReason.EXPIRED, "", entry.expires_on)
            recompute(party, day, trigger="list_expired")
            total += len(entries)
    return total


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """The hourly sweep: expire publications and list entries, let tier-following entries go
    once their tier changed and their minimum passed, recompute parties computed under an
    older policy version, flag overdue repairs."""
    day = today_or(today)
    result = {
        "publications_expired": expire_publications(day),
        "list_entries_expired": expire_list_entries(day),
    }
    if not CreditStanding.objects.exists():
        # nothing computed yet: nothing to bring up to date (and no default policy is
        # stored just because the sweep ran on an empty archive)
        result["recomputed"] = 0
        result["repairs_flagged_overdue"] = flag_overdue_repairs(day)
        return result
    rules = PolicyRules(policy_for(day))
    stale = set(
        CreditStanding.objects.exclude(policy=rules.policy).values_list("party_id", flat=True)
    )
    for list_kind in rules.tier_lists | {ListKind.GREEN}:
        tiers = [t for t, rs in rules.by_tier.items() if any(r.list_kind == list_kind for r in rs)]
        stale |= set(
            ListEntry.objects.filter(
                list_kind=list_kind,
                trigger=ListTrigger.TIER,
                exited_on__isnull=True,
                earliest_exit_on__lte=day,
            )
            .exclude(party__credit_tier__in=tiers)
            .values_list("party_id", flat=True)
        )
    for party_id in sorted(stale):
        with transaction.atomic():
            recompute(lock_party(party_id), day, trigger="sweep")
    result["recomputed"] = len(stale)
    result["repairs_flagged_overdue"] = flag_overdue_repairs(day)
    return result
