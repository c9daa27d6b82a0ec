"""The versioned enforcement policy: which version is in force, and publishing a new one."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError
from shenguan.core.services import ensure_can_create, full_clean

from .base import today
from .models import EnforcementPolicy

POLICY_FIELDS = tuple(
    f.name
    for f in EnforcementPolicy._meta.concrete_fields
    if f.name not in ("id", "version", "created")
)


def policy_in_force(day: dt.date | None = None) -> EnforcementPolicy:
    """The newest version in force on ``day``; refuses if none is (an administrator must
    publish one — the data migration writes version 1)."""
    day = day or today()
    policy = EnforcementPolicy.objects.filter(effective_from__lte=day).order_by("-version").first()
    if policy is None:
        raise DomainError(_("没有生效的执法政策版本"), code="policy_missing")
    return policy


def publish_policy(data: dict, *, user=None) -> EnforcementPolicy:
    """A new version: the newest version's values overridden by ``data``. Versions already used
    by cases never change."""
    unknown = sorted(set(data) - set(POLICY_FIELDS))
    if unknown:
        raise DomainError(_("未知的政策字段：%(f)s") % {"f": ", ".join(unknown)}, code="unknown")
    with transaction.atomic():
        ensure_can_create(user, EnforcementPolicy)
        latest = (
            EnforcementPolicy.objects.select_for_update(no_key=True).order_by("-version").first()
        )
        values = {name: getattr(latest, name) for name in POLICY_FIELDS} if latest else {}
        values.update(data)
        values.setdefault("effective_from", today())
        if latest is not None and values["effective_from"] < latest.effective_from:
            raise DomainError(
                _("新版本的生效日期不得早于上一版本（%(d)s）") % {"d": latest.effective_from},
                code="effective_from",
                field_errors={"effective_from": [_("早于上一版本")]},
            )
        top = EnforcementPolicy.objects.aggregate(n=Max("version"))["n"] or 0
        policy = EnforcementPolicy(version=top + 1, **values)
        full_clean(policy)
        policy.save()
        journal.record("enforcement.policy.published", policy, after=journal.snapshot(policy))
        outbox.emit(
            "enforcement.policy.published",
            policy,
            {"version": policy.version, "effective_from": policy.effective_from},
        )
        return policy


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    import calendar as pycal

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, pycal.monthrange(year, month)[1]))
