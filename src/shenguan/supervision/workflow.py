"""The objection lifecycle as a table: action, from, to, who, and the article behind it.

- raise (supervisor) creates the objection in *raised*; the same service routes it at once
  to the bureau heads (*routed*, actor SYSTEM) — 行政许可法第十条 (supervision of licensing);
- a bureau head opens the review (*under_review*), then upholds it with a decision or
  instruction (行政许可法第六十条: correct unlawful acts; 第六十九条 where a licence is to be
  revoked) or rejects it with reasons;
- the supervisor who raised it may withdraw it until the review starts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden, TransitionNotAllowed

from .choices import ObjectionStatus as S


class Actor(StrEnum):
    RAISER = "raiser"
    HEAD = "head"
    SYSTEM = "system"


ACTOR_LABELS = {Actor.RAISER: "提出异议的监管人员", Actor.HEAD: "局领导", Actor.SYSTEM: "系统"}


@dataclass(frozen=True)
class Transition:
    action: str
    source: S
    target: S
    actor: Actor
    article: str = ""


TRANSITIONS: tuple[Transition, ...] = (
    Transition("route", S.RAISED, S.ROUTED, Actor.SYSTEM, "行政许可法第十条"),
    Transition("start_review", S.ROUTED, S.UNDER_REVIEW, Actor.HEAD, "行政许可法第六十条"),
    Transition("uphold", S.UNDER_REVIEW, S.UPHELD, Actor.HEAD, "行政许可法第六十条"),
    Transition("reject", S.UNDER_REVIEW, S.REJECTED, Actor.HEAD),
    Transition("withdraw", S.RAISED, S.WITHDRAWN, Actor.RAISER),
    Transition("withdraw", S.ROUTED, S.WITHDRAWN, Actor.RAISER),
)
FINAL_STATES = frozenset({S.UPHELD, S.REJECTED, S.WITHDRAWN})
OPEN_STATES = frozenset(set(S) - FINAL_STATES)
ACTIONS = frozenset(t.action for t in TRANSITIONS)


def transition_for(action: str, source: str) -> Transition:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    for t in TRANSITIONS:
        if t.action == action and t.source == source:
            return t
    raise TransitionNotAllowed(
        _("异议当前状态为“%(state)s”，不能执行该操作") % {"state": S(source).label}
    )


def actions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status and t.actor != Actor.SYSTEM]


def require(transition: Transition, actors: set[Actor]) -> None:
    if transition.actor not in actors:
        raise Forbidden(_("该操作只能由%(who)s执行") % {"who": ACTOR_LABELS[transition.actor]})
