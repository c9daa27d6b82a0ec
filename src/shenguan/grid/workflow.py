"""The grid event lifecycle as a table (滨州市社会治理网格化服务管理条例 art 11, 12, 14).

Who acts:
- WORKER — the grid worker of the event's grid (the reporter, or whoever works the grid now);
- RECEIVER — staff of the department/section the event was routed to (承办部门);
- CENTRE — the command centre (负责网格化服务管理工作的机构: 分流交办、检查督促);
- SYSTEM — automatic routing and the overdue sweep.

The receiver that finds an event outside its remit returns it with a reason (art 11 ¶2) and
the centre routes it again. The worker confirms the result or reopens the event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden, TransitionNotAllowed

from .choices import EventStatus as S


class Actor(StrEnum):
    WORKER = "worker"
    RECEIVER = "receiver"
    CENTRE = "centre"
    SYSTEM = "system"


ACTOR_LABELS = {
    Actor.WORKER: "网格员",
    Actor.RECEIVER: "承办部门",
    Actor.CENTRE: "指挥中心",
    Actor.SYSTEM: "系统",
}

ACTION_LABELS = {
    "report": "上报",
    "route": "分派",
    "accept": "签收",
    "return": "退回",
    "recall": "收回",
    "close": "办结",
    "confirm": "确认",
    "reopen": "重办",
    "mark_overdue": "超期",
}

W, R, C, SYS = Actor.WORKER, Actor.RECEIVER, Actor.CENTRE, Actor.SYSTEM
ART_11 = "滨州市社会治理网格化服务管理条例第十一条"
ART_12 = "滨州市社会治理网格化服务管理条例第十二条"


@dataclass(frozen=True)
class Transition:
    action: str
    source: S | None
    target: S
    actors: frozenset[Actor]
    article: str = ""


def _rows(action, sources, target, actors, article="") -> list[Transition]:
    return [Transition(action, s, target, frozenset(actors), article) for s in sources]


TRANSITIONS: tuple[Transition, ...] = tuple(
    # art 11: what the worker cannot settle is uploaded to the system.
    _rows("report", [None], S.REPORTED, {W}, ART_11)
    # art 12: the centre (or the routing table on its behalf) dispatches by remit.
    + _rows("route", [S.REPORTED], S.ROUTED, {SYS, C}, ART_12)
    + _rows("accept", [S.ROUTED], S.ACCEPTED, {R})
    # art 11 ¶2: not this receiver's remit → explain to the centre.
    + _rows("return", [S.ROUTED, S.ACCEPTED], S.REPORTED, {R}, ART_11)
    # art 12: the centre may take an event back and dispatch it elsewhere.
    + _rows("recall", [S.ROUTED, S.ACCEPTED], S.REPORTED, {C}, ART_12)
    # art 11 ¶2: close within the set time and report the result back.
    + _rows("close", [S.ROUTED, S.ACCEPTED], S.CLOSED, {R}, ART_11)
    + _rows("confirm", [S.CLOSED], S.CONFIRMED, {W, C})
    + _rows("reopen", [S.CLOSED], S.ROUTED, {W, C})
    # art 12: 检查督促 — the sweep marks events past their limit (status unchanged).
    + [
        Transition("mark_overdue", s, s, frozenset({SYS}), ART_12)
        for s in (S.REPORTED, S.ROUTED, S.ACCEPTED)
    ]
)


def transition_for(action: str, source) -> Transition:
    for t in TRANSITIONS:
        if t.action == action and t.source == (source or None):
            return t
    state = S(source).label if source else "—"
    raise TransitionNotAllowed(
        _("事件当前状态为“%(state)s”，不能执行“%(action)s”") % {"state": state, "action": action}
    )


def check_actor(transition: Transition, actors: set[Actor]) -> Actor:
    for actor in (SYS, R, W, C):
        if actor in actors and actor in transition.actors:
            return actor
    who = "、".join(ACTOR_LABELS[a] for a in sorted(transition.actors))
    raise Forbidden(_("该操作只能由%(who)s执行") % {"who": who})
