"""Clock providers: every running deadline of the system, as plain ``Clock`` values.

A provider is a function ``(day) -> Iterable[Clock]`` registered with ``@provider(kind, ...)``;
it yields the clocks still running on ``day`` (the object not yet done), whether or not they
are near their end — the sweep decides the level. Providers only read; the sweep writes.

Who answers for a clock comes from the responsibility list where the domain knows it: the
application's responsible staff, else the accountable post's holder (catalog.Responsibility);
the first officer of a case; the first inspector of a verification task; the head of the
squad that received a push. ``post`` is the post whose backup (B角) an overdue clock is
escalated to."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shenguan.core import calendar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clock:
    kind: str
    object_type: str
    object_id: str
    label: str
    url: str
    started_on: dt.date
    due_on: dt.date
    law: calendar.Law
    limit_days: int
    staff_id: int | None = None
    post_id: int | None = None
    department_id: int | None = None
    section_id: int | None = None
    grid_id: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.object_type, self.object_id)

    @property
    def working_days(self) -> bool:
        return calendar.counts_working_days(self.law, self.limit_days)

    def elapsed(self, day: dt.date) -> int:
        """Days of the limit used by ``day`` (working or calendar days, as the law counts)."""
        if self.working_days:
            return calendar.working_days_between(self.started_on, day)
        return max(0, (day - self.started_on).days)

    def span(self) -> int:
        """The whole period from start to due date in the same unit (limit plus any stopped
        time or extension folded into the due date)."""
        if self.working_days:
            return calendar.working_days_between(self.started_on, self.due_on)
        return max(0, (self.due_on - self.started_on).days)


Provider = Callable[[dt.date], Iterable[Clock]]
PROVIDERS: dict[str, tuple[tuple[str, ...], Provider]] = {}

_MODULES = ("approvals", "verification", "enforcement", "grid")


def provider(name: str, *kinds: str):
    """Register a provider yielding clocks of ``kinds``."""

    def register(func: Provider) -> Provider:
        PROVIDERS[name] = (tuple(kinds), func)
        return func

    return register


def load() -> dict[str, tuple[tuple[str, ...], Provider]]:
    for mod in _MODULES:
        importlib.import_module(f"{__name__}.{mod}")
    return PROVIDERS


def url_of(name: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def responsible_post(staff_id: int | None, section_id: int | None = None):
    """The post a staff member holds (A role), preferring one in ``section_id``."""
    if staff_id is None:
        return None
    from shenguan.org.models import Post

    posts = list(Post.objects.filter(holder_id=staff_id).order_by("code")[:20])
    for post in posts:
        if post.section_id == section_id:
            return post
    return posts[0] if posts else None
