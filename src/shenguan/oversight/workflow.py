"""The accountability record's transition table (效能问责).

Who may take each step is a local rule (the bureau's 效能问责 regulations), not a statute:
- review (confirm or dismiss a proposal): the head of the staff member's section, or a bureau
  head; never the staff member themselves;
- appeal a confirmed record: the staff member concerned, with written grounds;
- decide an appeal (uphold or overturn): a bureau head who did not review it.
Final states: dismissed, upheld, overturned."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden, TransitionNotAllowed

from .choices import AccountabilityStatus as S


class Actor(StrEnum):
    STAFF = "staff"  # the staff member the record is against
    SECTION_HEAD = "section_head"
    BUREAU_HEAD = "bureau_head"


@dataclass(frozen=True)
class Transition:
    action: str
    source: S
    target: S
    actors: frozenset[Actor]


STAFF, HEAD, BUREAU = Actor.STAFF, Actor.SECTION_HEAD, Actor.BUREAU_HEAD

TRANSITIONS: tuple[Transition, ...] = (
    Transition("confirm", S.PROPOSED, S.CONFIRMED, frozenset({HEAD, BUREAU})),
    Transition("dismiss", S.PROPOSED, S.DISMISSED, frozenset({HEAD, BUREAU})),
    Transition("appeal", S.CONFIRMED, S.APPEALED, frozenset({STAFF})),
    Transition("uphold", S.APPEALED, S.UPHELD, frozenset({BUREAU})),
    Transition("overturn", S.APPEALED, S.OVERTURNED, frozenset({BUREAU})),
)

FINAL_STATES = frozenset({S.DISMISSED, S.UPHELD, S.OVERTURNED})
ACTIONS = frozenset(t.action for t in TRANSITIONS)


def find(action: str, source: str) -> Transition:
    for t in TRANSITIONS:
        if t.action == action and t.source == source:
            return t
    if S(source) in FINAL_STATES:
        raise TransitionNotAllowed(_("问责记录已处理完毕，不能再变更"))
    raise TransitionNotAllowed(_("当前状态“%(state)s”不能执行该操作") % {"state": S(source).label})


def check(action: str, source: str, actors: set[Actor]) -> Transition:
    t = find(action, source)
    if not (t.actors & actors):
        raise Forbidden(_("您无权对该问责记录执行此操作"))
    return t
