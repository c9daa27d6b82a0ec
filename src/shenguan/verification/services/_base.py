"""What the verification services share: numbering, today, deadlines in working days, who is
acting, where a party belongs (grid and squad)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from shenguan.core import calendar
from shenguan.core.context import current_actor
from shenguan.core.errors import Forbidden
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Grid, Section, Staff

from ..models import Counter


def today() -> dt.date:
    return timezone.localdate()


def next_number(key: str, prefix: str, day: dt.date) -> str:
    """``HC2026000012``-style numbers, gapless among committed rows: the counter row stays
    locked until the transaction commits."""
    row = Counter.objects.select_for_update(no_key=True).filter(key=key, year=day.year).first()
    if row is None:
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, year=day.year, last=0)
        except IntegrityError:
            pass  # created concurrently; lock theirs below
        row = Counter.objects.select_for_update(no_key=True).get(key=key, year=day.year)
    row.last += 1
    Counter.objects.filter(pk=row.pk).update(last=row.last)
    return f"{prefix}{day.year}{row.last:06d}"


def working_deadline(start: dt.date, days: int) -> dt.date | None:
    """``days`` working days after ``start``; None while the holiday table of a year it reaches
    is unknown (the calendar refuses to guess; the sweep fills the date in once an
    administrator loads the year)."""
    try:
        return calendar.deadline(calendar.Law.WORKING, start, days)
    except calendar.UnknownYear:
        return None


def actor_name(user) -> str:
    if user is None:
        return current_actor().display_name[:200]
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (f"{full} ({user.get_username()})" if full else user.get_username())[:200]


def real_user(user):
    return user if getattr(user, "is_authenticated", False) else None


def staff_of(user) -> Staff | None:
    if user is None:
        return None
    scope = Scope.of(user)
    if scope.staff_id is None:
        return None
    return Staff.objects.filter(pk=scope.staff_id).first()


def require_roles(user, roles, message: str) -> None:
    """``user=None`` is the system and may do anything."""
    if user is None:
        return
    scope = Scope.of(user)
    if not scope.has_role(*roles):
        raise Forbidden(message)


def grid_of(party) -> Grid | None:
    """The party's grid: its own, else the grid of its first address that has one."""
    if party.grid_id:
        return party.grid
    address = party.addresses.filter(grid__isnull=False).select_related("grid").first()
    return address.grid if address is not None else None


def place_of(party, policy, rule=None) -> tuple[Section | None, Grid | None]:
    """The squad and grid that receive a party's push or task: the rule's inspector pool if it
    names one, else the squad covering the party's grid, else the policy's fallback squad."""
    grid = grid_of(party)
    if rule is not None and rule.inspector_pool_id:
        return rule.inspector_pool, grid
    if grid is not None and grid.squad_id:
        return grid.squad, grid
    return policy.fallback_squad, grid


DRAW_ROLES = (Role.BUREAU_HEAD, Role.LEGAL_REVIEWER)
REVOKE_ROLES = (Role.BUREAU_HEAD,)
ASSIGN_ROLES = (Role.BUREAU_HEAD, Role.COMMAND_CENTRE)
