"""The route policy table: a new version on every change, never an edit in place."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shenguan.catalog.choices import ApprovalClass
from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError, Forbidden
from shenguan.core.permissions import Scope
from shenguan.core.services import full_clean
from shenguan.parties.choices import CreditTier

from ..models import RoutePolicy, RoutePolicyRule

RULE_FIELDS = (
    "allow_tolerance",
    "allow_commitment",
    "max_deferred",
    "green_channel",
    "promised_reduction_percent",
    "strict_review",
)


def publish_route_policy(
    *, effective_from: dt.date, rules: list[dict], note: str = "", user=None
) -> RoutePolicy:
    """A new policy version effective from ``effective_from``: ``rules`` must give every
    approval class × credit tier exactly once. Administrators only; applications already
    started keep the version they started under."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以修改办理路径政策"))
    cells = {(r["approval_class"], r["credit_tier"]) for r in rules}
    expected = {(c, t) for c in ApprovalClass.values for t in CreditTier.values}
    if len(rules) != len(expected) or cells != expected:
        raise DomainError(
            _("政策须对每一审批分类×信用等级各规定一行（共%(n)s行）") % {"n": len(expected)},
            code="policy_incomplete",
        )
    with transaction.atomic():
        # Lock the newest version so that two administrators cannot both take the same number.
        list(RoutePolicy.objects.select_for_update(no_key=True).order_by("-version")[:1])
        version = (RoutePolicy.objects.aggregate(m=Max("version"))["m"] or 0) + 1
        policy = RoutePolicy.objects.create(
            version=version,
            effective_from=effective_from,
            note=note,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        objs = []
        for row in rules:
            obj = RoutePolicyRule(
                policy=policy,
                approval_class=row["approval_class"],
                credit_tier=row["credit_tier"],
                **{
                    f: row.get(f, RoutePolicyRule._meta.get_field(f).get_default())
                    for f in RULE_FIELDS
                },
            )
            full_clean(obj)
            objs.append(obj)
        RoutePolicyRule.objects.bulk_create(objs)
        snapshot = [
            {"approval_class": o.approval_class, "credit_tier": o.credit_tier}
            | {f: getattr(o, f) for f in RULE_FIELDS}
            for o in objs
        ]
        journal.record(
            "approvals.route_policy.published",
            policy,
            after={"version": version, "effective_from": effective_from, "rules": snapshot},
        )
        outbox.emit(
            "approvals.route_policy.published",
            policy,
            {"version": version, "effective_from": effective_from.isoformat()},
        )
        return policy
