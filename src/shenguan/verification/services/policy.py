"""The verification policy table: a new version on every change, never an edit in place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.approvals.choices import Route
from shenguan.catalog.choices import ApprovalClass
from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError, Forbidden
from shenguan.core.permissions import Scope
from shenguan.core.services import full_clean
from shenguan.parties.choices import CreditTier

from ..models import VerificationPolicy, VerificationRule, default_rules

RULE_FIELDS = ("method", "deadline_working_days", "inspector_pool", "risk_weight")
RULE_KEYS = ("approval_class", "route", "credit_tier")
POLICY_FIELDS = ("ack_working_days", "rectification_working_days", "fallback_squad")
# The first version is in force from the Gedian reform on, so that every approval finds one.
DEFAULT_EFFECTIVE_FROM = dt.date(2014, 1, 1)
KEEP = object()  # "as in the version in force"


def policy_in_force(day: dt.date | None = None) -> VerificationPolicy:
    """The version in force on ``day``; before the first effective date the first version;
    with none at all (a flushed test database) the defaults, stored as version 1."""
    day = day or timezone.localdate()
    policy = VerificationPolicy.in_force(day)
    if policy is not None:
        return policy
    first = VerificationPolicy.objects.order_by("effective_from", "version").first()
    if first is not None:
        return first
    try:
        with transaction.atomic():
            return _store(1, DEFAULT_EFFECTIVE_FROM, {}, default_rules(), _("默认政策"), None)
    except IntegrityError:
        return VerificationPolicy.objects.get(version=1)


def rule_for(
    policy: VerificationPolicy, approval_class: str, route: str, credit_tier: str
) -> VerificationRule:
    rule = (
        VerificationRule.objects.select_related("inspector_pool")
        .filter(
            policy=policy,
            approval_class=approval_class or ApprovalClass.CONTROLLED,
            route=route,
            credit_tier=credit_tier,
        )
        .first()
    )
    if rule is None:
        raise DomainError(
            _("批后核查政策%(policy)s未规定%(klass)s×%(route)s×%(tier)s的核查方式")
            % {"policy": policy, "klass": approval_class, "route": route, "tier": credit_tier},
            code="policy_missing",
        )
    return rule


def _store(version, effective_from, settings: dict, rules: list[dict], note, user):
    policy = VerificationPolicy(
        version=version,
        effective_from=effective_from,
        note=note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **{k: v for k, v in settings.items() if v is not None or k == "fallback_squad_id"},
    )
    full_clean(policy)
    policy.save()
    objs = []
    for row in rules:
        obj = VerificationRule(policy=policy, **{k: row[k] for k in RULE_KEYS})
        for f in RULE_FIELDS:
            name = "inspector_pool_id" if f == "inspector_pool" else f
            value = row.get(f, row.get(name))
            if f == "inspector_pool" and hasattr(value, "pk"):
                value = value.pk
            if value is None and f != "inspector_pool":
                value = VerificationRule._meta.get_field(f).get_default()
            if f == "risk_weight":
                value = Decimal(str(value))
            setattr(obj, name, value)
        full_clean(obj)
        objs.append(obj)
    VerificationRule.objects.bulk_create(objs)
    snapshot = [
        {k: getattr(o, k) for k in RULE_KEYS}
        | {
            "method": o.method,
            "deadline_working_days": o.deadline_working_days,
            "inspector_pool_id": o.inspector_pool_id,
            "risk_weight": o.risk_weight,
        }
        for o in objs
    ]
    journal.record(
        "verification.policy.published",
        policy,
        after={**journal.snapshot(policy), "rules": snapshot},
    )
    outbox.emit(
        "verification.policy.published",
        policy,
        {"version": version, "effective_from": effective_from.isoformat()},
    )
    return policy


def publish_policy(
    *,
    effective_from: dt.date,
    rules: list[dict],
    note: str = "",
    ack_working_days: int | None = None,
    rectification_working_days: int | None = None,
    fallback_squad_id=KEEP,
    user=None,
) -> VerificationPolicy:
    """A new version effective from ``effective_from``: ``rules`` give every approval class ×
    route × credit tier exactly once (``method``, ``deadline_working_days``,
    ``inspector_pool`` (a squad id or None), ``risk_weight``). Settings left out are copied
    from the version in force (``fallback_squad_id=None`` clears the fallback squad).
    Administrators only; tasks already planned keep their version."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以修改批后核查政策"))
    expected = {
        (c, r, t) for c in ApprovalClass.values for r in Route.values for t in CreditTier.values
    }
    cells = [tuple(row.get(k) for k in RULE_KEYS) for row in rules]
    if len(cells) != len(expected) or set(cells) != expected:
        raise DomainError(
            _("政策须对每一审批分类×办理路径×信用等级各规定一行（共%(n)s行）")
            % {"n": len(expected)},
            code="policy_incomplete",
        )
    with transaction.atomic():
        # lock the newest version so that two administrators cannot take the same number
        list(VerificationPolicy.objects.select_for_update(no_key=True).order_by("-version")[:1])
        version = (VerificationPolicy.objects.aggregate(m=Max("version"))["m"] or 0) + 1
        current = (
            VerificationPolicy.in_force(effective_from)
            or VerificationPolicy.objects.order_by("-version").first()
        )
        settings = {
            "ack_working_days": ack_working_days or (current.ack_working_days if current else None),
            "rectification_working_days": rectification_working_days
            or (current.rectification_working_days if current else None),
            "fallback_squad_id": (current.fallback_squad_id if current else None)
            if fallback_squad_id is KEEP
            else fallback_squad_id,
        }
        return _store(version, effective_from, settings, rules, note, user)


def current_rows(policy: VerificationPolicy | None = None) -> list[dict]:
    """The rows of ``policy`` (default: the version in force), to start a new version from."""
    policy = policy or policy_in_force()
    return list(
        policy.rules.order_by("approval_class", "route", "credit_tier").values(
            *RULE_KEYS, "method", "deadline_working_days", "inspector_pool", "risk_weight"
        )
    )
