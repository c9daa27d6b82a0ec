"""Registry of event consumers and periodic tasks, run by ``shenguan worker``.

An app declares them in its ``consumers.py`` (imported by the worker at start):

    @consumer("enforcement.verification", "approvals.licence.issued", "approvals.tolerance.*")
    def plan_verification(event: OutboxEvent) -> None: ...

    @periodic("approvals.sweep", every=timedelta(minutes=5))
    def sweep() -> None: ...

A consumer runs inside a transaction together with the receipt that marks the event as
applied for it, so its effect happens once even when the event is delivered twice. It must not
call external systems (those are webhook subscriptions, which are at-least-once)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.conf import settings


@dataclass(frozen=True)
class Consumer:
    name: str
    patterns: tuple[str, ...]
    handler: Callable

    def wants(self, event_type: str) -> bool:
        return any(fnmatchcase(event_type, p) for p in self.patterns)


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    func: Callable


CONSUMERS: dict[str, Consumer] = {}
PERIODIC: dict[str, Periodic] = {}


def consumer(name: str, *patterns: str):
    if not patterns:
        raise ValueError("a consumer needs at least one event type pattern")

    def register(func):
        CONSUMERS[name] = Consumer(name, tuple(patterns), func)
        return func

    return register


def periodic(name: str, every: dt.timedelta):
    def register(func):
        PERIODIC[name] = Periodic(name, every, func)
        return func

    return register


def load_consumers() -> None:
    """Import every installed app's ``consumers`` module, plus SHENGUAN_EXTRA_CONSUMERS."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("consumers")
    for path in getattr(settings, "SHENGUAN_EXTRA_CONSUMERS", []):
        importlib.import_module(path)
