"""The credit engine shared by the services: helpers, the tier computation and the list and
publication steps. Everything here runs inside a service's transaction on a locked party and
journals and emits as it goes; nothing here is an entry point.

How a tier is computed (``recompute``): the base score of the policy in force plus the weights
of the party's active events (within their period, publication not ended) gives a score and so
a tier by the thresholds; an open serious-dishonesty entry caps it at D, an open watch entry
entered for an event or by hand at C. Then the tier rules of the policy put the party on or take
it off the lists that follow the tier (green for A, watch for C and D)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core import services as core
from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.parties.models import Party

from .choices import (
    ExitReason,
    ListKind,
    ListTrigger,
    worse_tier,
)
from .models import CreditEvent, CreditStanding, ListEntry, TierChange
from .policy import PolicyRules, add_months, policy_for

# Lists that cap the tier while the party is on them for an event or by a decision.
LIST_CAPS = {ListKind.SERIOUS_DISHONESTY: "D", ListKind.WATCH: "C"}
DECIDING_ROLES = (Role.BUREAU_HEAD, Role.LEGAL_REVIEWER)


class SourceRef(NamedTuple):
    type: str = ""
    id: str = ""
    display: str = ""


# --- helpers ----------------------------------------------------------------------------------


def today_or(day: dt.date | None = None) -> dt.date:
    return day or timezone.localdate()


def choice(choices: type[models.TextChoices], value, field: str) -> str:
    value = str(value or "")
    if value not in choices.values:
        message = _("无效的取值：%(value)s") % {"value": value}
        raise DomainError(message, code="invalid_choice", field_errors={field: [message]})
    return value


def parse_source_ref(ref) -> SourceRef:
    """``None``, a model instance, a mapping (type, id, display) or a tuple of those."""
    if ref is None:
        return SourceRef()
    if isinstance(ref, models.Model):
        return SourceRef(ref._meta.label_lower, str(ref.pk), str(ref)[:200])
    if isinstance(ref, Mapping):
        ref = (ref.get("type", ""), ref.get("id", ""), ref.get("display", ""))
    kind, ident, display = (list(ref) + ["", "", ""])[:3]
    return SourceRef(str(kind or "")[:100], str(ident or "")[:64], str(display or "")[:200])


def real_user(user):
    return user if getattr(user, "is_authenticated", False) else None


def actor_name(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:200]


def ensure_visible(user, party_id) -> None:
    """404 for a party the caller cannot see (nothing else about it is revealed)."""
    if user is None:
        return
    if not Party.objects.restrict(user, "view").filter(pk=party_id).exists():
        raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})


def require_roles(user, roles, message: str) -> None:
    if user is None:
        return
    if not Scope.of(user).has_role(*roles):
        raise Forbidden(message)


def lock_party(party_id) -> Party:
    party = Party.objects.select_for_update(no_key=True).filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
    return party


def emit(event_type: str, obj, payload: dict) -> None:
    outbox.emit(event_type, obj, payload)


def end_publication(event: CreditEvent, reason: str, ended_on: dt.date) -> None:
    before = {"publication_ended_on": None, "publication_end_reason": ""}
    event.publication_ended_on = ended_on
    event.publication_end_reason = reason
    event.save(update_fields=["publication_ended_on", "publication_end_reason"])
    after = {"publication_ended_on": ended_on, "publication_end_reason": reason}
    journal.record("credit.event.publication_ended", event, before=before, after=after)
    emit(
        "credit.event.publication_ended",
        event,
        {"id": event.pk, "party_id": event.party_id, "reason": reason, "ended_on": ended_on},
    )


# --- tier -------------------------------------------------------------------------------------


def recompute(party: Party, day: dt.date, *, trigger: str) -> str:
    """Compute and store the standing of a locked party; write a changed tier to the party."""
    rules = PolicyRules(policy_for(day))
    policy = rules.policy
    events = list(
        CreditEvent.objects.filter(
            party=party, publication_ended_on__isnull=True, publish_until__gte=day
        )
        .order_by("occurred_on", "pk")
        .values("id", "kind", "weight")
    )
    score = policy.base_score + sum(e["weight"] for e in events)
    score_tier = policy.tier_for(score)
    tier = score_tier
    caps = []
    entries = {}
    for entry in ListEntry.objects.select_for_update(no_key=True).filter(
        party=party, exited_on__isnull=True
    ):
        if entry.expires_on is not None and entry.expires_on <= day:
            # past its automatic exit: close it now rather than let it cap the tier until the
            # sweep comes (queries.open_entries already ignores it)
            exit_entry(entry, ExitReason.EXPIRED, "", entry.expires_on)
        else:
            entries[entry.list_kind] = entry
    for entry in entries.values():
        cap = LIST_CAPS.get(entry.list_kind)
        # entries that follow the tier are its consequence, not its cause
        if cap and entry.trigger != ListTrigger.TIER:
            tier = worse_tier(tier, cap)
            caps.append({"entry": entry.pk, "list": entry.list_kind, "cap": cap})

    following = {k for k, e in entries.items() if e.trigger == ListTrigger.TIER}
    for list_kind in sorted(rules.tier_lists | following | {ListKind.GREEN}):
        entry = entries.get(list_kind)
        rule = rules.list_rule(list_kind, tier=tier)
        if rule is not None and entry is None:
            enter_or_extend(
                party,
                list_kind,
                trigger=ListTrigger.TIER,
                reason=_("信用等级 %(tier)s 级") % {"tier": tier},
                source_event=None,
                min_months=rule.min_months,
                max_months=rule.max_months,
                policy=policy,
                day=day,
            )
        elif rule is None and entry is not None:
            # the green channel is closed at once to a party whose tier fell to D, whatever
            # put it there (DOMAIN.md §1: blacklisted parties get strict review)
            closes = entry.trigger == ListTrigger.TIER and entry.earliest_exit_on <= day
            if list_kind == ListKind.GREEN and tier == "D":
                closes = True
            if closes:
                exit_entry(
                    entry, ExitReason.TIER_CHANGED, _("信用等级变为 %(t)s 级") % {"t": tier}, day
                )

    standing = CreditStanding.objects.select_for_update(no_key=True).filter(party=party).first()
    result = {"score": score, "score_tier": score_tier, "tier": tier, "policy_id": policy.pk}
    if standing is None:
        standing = CreditStanding.objects.create(party=party, computed_on=day, **result)
        journal.record("credit.standing.computed", standing, after=journal.snapshot(standing))
    elif any(getattr(standing, k) != v for k, v in result.items()):
        before = journal.snapshot(standing)
        for k, v in result.items():
            setattr(standing, k, v)
        standing.computed_on = day
        standing.computed_at = timezone.now()
        standing.save()
        b, a = journal.diff(before, journal.snapshot(standing))
        journal.record("credit.standing.computed", standing, before=b, after=a)

    if party.credit_tier != tier:
        explanation = {
            "policy_version": policy.version,
            "base_score": policy.base_score,
            "thresholds": {"A": policy.tier_a_min, "B": policy.tier_b_min, "C": policy.tier_c_min},
            "events": events,
            "score": score,
            "score_tier": score_tier,
            "caps": caps,
            "tier": tier,
        }
        change = TierChange.objects.create(
            party=party,
            from_tier=party.credit_tier,
            to_tier=tier,
            score=score,
            policy=policy,
            computed_on=day,
            trigger=trigger[:100],
            explanation=journal.jsonable(explanation),
        )
        journal.record("credit.tier.changed", change, after=journal.snapshot(change))
        emit(
            "credit.tier.changed",
            change,
            {
                "party_id": party.pk,
                "from": change.from_tier,
                "to": tier,
                "score": score,
                "policy_version": policy.version,
            },
        )
        from shenguan.parties.services import set_credit_tier

        set_credit_tier(
            party.pk, tier, reason=_("信用档案按政策 v%(v)s 计算") % {"v": policy.version}
        )
        party.credit_tier = tier
    return tier


# --- lists ------------------------------------------------------------------------------------


def enter_or_extend(
    party, list_kind, *, trigger, reason, source_event, min_months, max_months, policy, day
) -> ListEntry:
    earliest = add_months(day, min_months or 0)
    expires = add_months(day, max_months) if max_months is not None else None
    entry = (
        ListEntry.objects.select_for_update(no_key=True)
        .filter(party=party, list_kind=list_kind, exited_on__isnull=True)
        .first()
    )
    if entry is None:
        entry = ListEntry(
            party=party,
            list_kind=list_kind,
            trigger=trigger,
            reason=str(reason)[:300],
            source_event=source_event,
            policy=policy,
            entered_on=day,
            earliest_exit_on=earliest,
            expires_on=expires,
        )
        core.full_clean(entry)
        entry.save()
        journal.record("credit.list.entered", entry, after=journal.snapshot(entry))
        emit(
            "credit.list.entered",
            entry,
            {
                "id": entry.pk,
                "party_id": party.pk,
                "list": list_kind,
                "trigger": trigger,
                "earliest_exit_on": earliest,
                "expires_on": expires,
            },
        )
        return entry
    if trigger == ListTrigger.TIER:
        return entry  # already on the list for a stronger reason
    before = journal.snapshot(entry)
    if entry.trigger == ListTrigger.TIER:
        # an event (or a decision) now holds the party on a list its tier had put it on
        entry.trigger = trigger
        entry.reason = str(reason)[:300]
        entry.source_event = source_event
        entry.policy = policy
        entry.expires_on = expires
    elif entry.expires_on is not None:
        entry.expires_on = None if expires is None else max(entry.expires_on, expires)
    entry.earliest_exit_on = max(entry.earliest_exit_on, earliest)
    b, a = journal.diff(before, journal.snapshot(entry))
    if a:
        entry.save()
        journal.record("credit.list.extended", entry, before=b, after=a)
        emit(
            "credit.list.extended",
            entry,
            {"id": entry.pk, "party_id": party.pk, "list": list_kind, "changed": sorted(a)},
        )
    return entry


def exit_entry(entry: ListEntry, reason: str, note: str, day: dt.date) -> None:
    before = {"exited_on": None, "exit_reason": "", "exit_note": entry.exit_note}
    entry.exited_on = day
    entry.exit_reason = reason
    entry.exit_note = str(note)[:300]
    core.full_clean(entry)
    entry.save(update_fields=["exited_on", "exit_reason", "exit_note"])
    after = {"exited_on": day, "exit_reason": reason, "exit_note": entry.exit_note}
    journal.record("credit.list.exited", entry, before=before, after=after)
    emit(
        "credit.list.exited",
        entry,
        {"id": entry.pk, "party_id": entry.party_id, "list": entry.list_kind, "reason": reason},
    )
