"""The credit policy: the default table (DOMAIN.md §8 and the laws cited; numbers marked
*policy* are our defaults, all changeable by an administrator), the lookup of the version in
force, and the service that publishes a new version.

Versions are immutable. ``create_policy_version`` copies the version it is based on, applies
the changes, validates the whole table and stores it under the next number, journalled."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core import services as core
from shenguan.core.errors import DomainError, Forbidden
from shenguan.core.permissions import Scope
from shenguan.parties.choices import CreditTier

from .choices import EventKind, ListKind
from .models import CreditPolicy, EventKindRule, ListRule

# The first version is in force from the Gedian reform on, so that any event date finds it.
DEFAULT_EFFECTIVE_FROM = dt.date(2014, 1, 1)

POLICY_FIELDS = (
    "base_score",
    "tier_a_min",
    "tier_b_min",
    "tier_c_min",
    "sampling_weight_a",
    "sampling_weight_b",
    "sampling_weight_c",
    "sampling_weight_d",
)

# kind: (weight, public, period in months, minimum months before repair or None)
DEFAULT_KIND_RULES: dict[str, tuple[int, bool, int, int | None]] = {
    # 深圳经济特区社会信用条例 art 64: commitments and whether they were kept enter the record
    EventKind.COMMITMENT_KEPT: (5, True, 36, None),
    EventKind.COMMITMENT_BROKEN: (-20, True, 36, 3),  # policy
    EventKind.COMMITMENT_FALSIFIED: (-60, True, 36, 12),  # policy
    EventKind.TOLERANCE_CURED: (2, False, 12, None),
    EventKind.TOLERANCE_MISSED: (-10, False, 12, 3),
    EventKind.INSPECTION_PASSED: (3, True, 12, None),
    EventKind.INSPECTION_FAILED: (-10, True, 12, 3),
    # 市场监督管理行政处罚信息公示规定 art 13: small penalties 3 months, others 3 years
    EventKind.PENALTY_LIGHT: (-5, True, 3, None),
    EventKind.PENALTY_HEAVY: (-30, True, 36, 12),
    # same, art 14 last paragraph: revocation of a licence may not end its publication early
    EventKind.LICENCE_REVOKED: (-40, True, 36, None),
    EventKind.COURT_DISHONEST: (-50, True, 36, None),
    EventKind.AWARD: (10, True, 36, None),
    EventKind.HONOUR: (20, True, 36, None),
    EventKind.ADJUSTMENT: (0, False, 12, None),
}

# (list, event kind, tier, min months, max months or None)
DEFAULT_LIST_RULES: list[tuple[str, str, str, int, int | None]] = [
    # DOMAIN.md §1, issue 4 item 5: a falsified commitment puts the party on the blacklist
    (ListKind.SERIOUS_DISHONESTY, EventKind.COMMITMENT_FALSIFIED, "", 12, 36),
    (ListKind.SERIOUS_DISHONESTY, EventKind.COURT_DISHONEST, "", 0, 36),
    (ListKind.WATCH, EventKind.COMMITMENT_BROKEN, "", 3, 12),
    (ListKind.WATCH, EventKind.LICENCE_REVOKED, "", 6, 12),
    (ListKind.WATCH, "", CreditTier.C, 0, None),
    (ListKind.WATCH, "", CreditTier.D, 0, None),
    (ListKind.GREEN, "", CreditTier.A, 0, None),
]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; without such a day, the month's last (民法典 art 202)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def default_kind_rows() -> list[dict]:
    return [
        {
            "kind": str(kind),
            "weight": weight,
            "is_public": public,
            "period_months": period,
            "repair_after_months": repair,
        }
        for kind, (weight, public, period, repair) in DEFAULT_KIND_RULES.items()
    ]


def default_list_rows() -> list[dict]:
    return [
        {
            "list_kind": str(list_kind),
            "event_kind": str(event_kind),
            "tier": str(tier),
            "min_months": min_months,
            "max_months": max_months,
        }
        for list_kind, event_kind, tier, min_months, max_months in DEFAULT_LIST_RULES
    ]


def kind_rows(policy: CreditPolicy) -> list[dict]:
    return list(
        policy.kind_rules.order_by("kind").values(
            "kind", "weight", "is_public", "period_months", "repair_after_months"
        )
    )


def list_rows(policy: CreditPolicy) -> list[dict]:
    return list(
        policy.list_rules.order_by("list_kind", "event_kind", "tier").values(
            "list_kind", "event_kind", "tier", "min_months", "max_months"
        )
    )


def policy_snapshot(policy: CreditPolicy) -> dict:
    data = journal.snapshot(policy)
    data["kind_rules"] = kind_rows(policy)
    data["list_rules"] = list_rows(policy)
    return data


# --- lookup -----------------------------------------------------------------------------------


def policy_for(day: dt.date | None = None) -> CreditPolicy:
    """The version in force on ``day``. With no version at all, the defaults are stored as
    version 1 (journalled, by the system); before the first effective date, the first version."""
    day = day or timezone.localdate()
    policy = CreditPolicy.in_force(day)
    if policy is not None:
        return policy
    first = CreditPolicy.objects.order_by("effective_from", "version").first()
    if first is not None:
        return first
    return ensure_default_policy()


def ensure_default_policy() -> CreditPolicy:
    existing = CreditPolicy.objects.order_by("version").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _store(
                1,
                DEFAULT_EFFECTIVE_FROM,
                {},
                default_kind_rows(),
                default_list_rows(),
                note=_("默认政策"),
                user=None,
            )
    except IntegrityError:
        # another transaction stored version 1 first
        return CreditPolicy.objects.get(version=1)


class PolicyRules:
    """One version's tables as dictionaries, read once per computation."""

    def __init__(self, policy: CreditPolicy):
        self.policy = policy
        self.kinds = {r.kind: r for r in policy.kind_rules.all()}
        rules = list(policy.list_rules.all())
        self.by_event: dict[str, list[ListRule]] = {}
        self.by_tier: dict[str, list[ListRule]] = {}
        for rule in rules:
            if rule.event_kind:
                self.by_event.setdefault(rule.event_kind, []).append(rule)
            else:
                self.by_tier.setdefault(rule.tier, []).append(rule)
        self.tier_lists = {r.list_kind for r in rules if r.tier}

    def kind(self, kind: str) -> EventKindRule:
        rule = self.kinds.get(kind)
        if rule is None:
            raise DomainError(
                _("信用政策 %(policy)s 未规定事件类型 %(kind)s")
                % {"policy": self.policy, "kind": kind},
                code="policy_incomplete",
            )
        return rule

    def list_rule(self, list_kind: str, *, event_kind: str = "", tier: str = ""):
        source = self.by_event.get(event_kind, []) if event_kind else self.by_tier.get(tier, [])
        return next((r for r in source if r.list_kind == list_kind), None)


# --- new versions -----------------------------------------------------------------------------


def _validate_rows(kind_rules: list[dict], list_rules: list[dict]) -> None:
    kinds = [r.get("kind") for r in kind_rules]
    missing = sorted(set(EventKind.values) - set(kinds))
    if missing or len(kinds) != len(set(kinds)):
        raise DomainError(
            _("每种事件类型须有且只有一条规则；缺少：%(kinds)s") % {"kinds": ", ".join(missing)},
            code="policy_incomplete",
            field_errors={"kind_rules": [_("每种事件类型须有且只有一条规则")]},
        )
    unknown = sorted(set(kinds) - set(EventKind.values))
    if unknown:
        raise DomainError(_("未知事件类型：%(kinds)s") % {"kinds": ", ".join(unknown)})


def _store(version, effective_from, fields, kind_rules, list_rules, *, note, user):
    policy = CreditPolicy(
        version=version,
        effective_from=effective_from,
        note=note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    core.full_clean(policy)
    policy.save()
    for row in kind_rules:
        rule = EventKindRule(policy=policy, **row)
        core.full_clean(rule)
        rule.save()
    for row in list_rules:
        rule = ListRule(policy=policy, **row)
        core.full_clean(rule)
        rule.save()
    journal.record("credit.policy.created", policy, after=policy_snapshot(policy))
    outbox.emit(
        "credit.policy.created",
        policy,
        {"id": policy.pk, "version": version, "effective_from": effective_from},
    )
    return policy


def create_policy_version(
    *,
    effective_from: dt.date,
    changes: Mapping | None = None,
    kind_rules: Iterable[Mapping] | None = None,
    list_rules: Iterable[Mapping] | None = None,
    note: str = "",
    based_on: int | None = None,
    user=None,
) -> CreditPolicy:
    """Publish the next version: a copy of version ``based_on`` (default the latest) with
    ``changes`` (fields of ``POLICY_FIELDS``), ``kind_rules`` (rows by kind replacing the copied
    ones) and ``list_rules`` (the whole list table, if given). Administrators or the system. A
    version may not take effect before today: decisions already taken keep their version."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以修改信用政策"))
    changes = dict(changes or {})
    unknown = sorted(set(changes) - set(POLICY_FIELDS))
    if unknown:
        raise DomainError(
            _("不能修改的字段：%(fields)s") % {"fields": ", ".join(unknown)},
            field_errors={name: [_("不能修改此字段")] for name in unknown},
        )
    with transaction.atomic():
        ensure_default_policy()
        # the latest version's row is the lock that numbers versions one at a time
        latest = CreditPolicy.objects.select_for_update(no_key=True).order_by("-version").first()
        base = latest
        if based_on is not None:
            base = CreditPolicy.objects.filter(version=based_on).first()
            if base is None:
                raise DomainError(_("信用政策版本 %(v)s 不存在") % {"v": based_on})
        if effective_from < timezone.localdate():
            raise DomainError(
                _("新版本的生效日期不能早于今天"),
                field_errors={"effective_from": [_("新版本的生效日期不能早于今天")]},
            )
        fields = {name: getattr(base, name) for name in POLICY_FIELDS}
        fields.update(changes)
        rows = {r["kind"]: r for r in kind_rows(base)}
        for row in kind_rules or ():
            row = dict(row)
            rows[str(row.get("kind"))] = {**rows.get(str(row.get("kind")), {}), **row}
        new_kind_rows = list(rows.values())
        new_list_rows = [dict(r) for r in list_rules] if list_rules is not None else list_rows(base)
        _validate_rows(new_kind_rows, new_list_rows)
        return _store(
            latest.version + 1,
            effective_from,
            fields,
            new_kind_rows,
            new_list_rows,
            note=note,
            user=user,
        )
