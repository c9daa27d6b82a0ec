"""Who is acting: set once per entry point (request, command, worker), read by the journal.

Every entry point wraps its work in ``acting_as``; services never take the actor from a
global user object, so a change made by a command or the worker is journalled as such."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Actor:
    source: str  # api, ui, admin, command, worker, system
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    user: Any = None  # a User, or None for the system
    request: Any = None  # the HttpRequest, whose user is read lazily (token auth sets it late)
    name: str = ""
    ip: str = ""

    @property
    def resolved_user(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None

    @property
    def user_id(self) -> int | None:
        user = self.resolved_user
        return user.pk if user is not None else None

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        user = self.resolved_user
        if user is None:
            return "anonymous" if self.request is not None else f"system:{self.source}"
        full = user.get_full_name() if hasattr(user, "get_full_name") else ""
        return f"{full} ({user.get_username()})" if full else user.get_username()


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "shenguan_actor", default=None
)


def current_actor() -> Actor:
    return _current.get() or Actor(source="system", request_id="system")


@contextmanager
def acting_as(
    user=None, *, source: str, request_id: str | None = None, name: str = "", request=None, ip=""
) -> Iterator[Actor]:
    actor = Actor(
        source=source,
        request_id=request_id or uuid.uuid4().hex,
        user=user,
        request=request,
        name=name,
        ip=ip,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
