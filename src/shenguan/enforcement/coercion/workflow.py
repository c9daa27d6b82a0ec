"""Sealing and seizure (查封、扣押) as a table you can read (行政强制法, 2011)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shenguan.core.errors import TransitionNotAllowed

from .models import MeasureStatus as S

START = "start"
OFFICER, HEAD = "officer", "head"


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    actors: frozenset[str]
    article: str
    two_officers: bool = False


def _rows(action, sources, target, actors, article, two=False):
    return [Step(action, s, target or s, frozenset(actors), article, two) for s in sources]


TRANSITIONS: tuple[Step, ...] = tuple(
    # art 18 (1): reported to the head and approved before it is taken
    _rows("request", [START], S.REQUESTED, {OFFICER}, "行政强制法第十八条", True)
    # art 18, 24: two officers take it and hand over the decision and the list
    + _rows(
        "approve", [S.REQUESTED], S.IN_FORCE, {HEAD}, "行政强制法第十八条、第二十四条、第二十五条"
    )
    + _rows("refuse", [S.REQUESTED], S.REFUSED, {HEAD}, "行政强制法第十八条")
    # art 19: taken on the spot in an emergency; reported within 24 hours
    + _rows(
        "take_emergency", [START], S.IN_FORCE, {OFFICER}, "行政强制法第十九条、第二十四条", True
    )
    + _rows("report_emergency", [S.IN_FORCE], None, {OFFICER}, "行政强制法第十九条")
    + _rows("ratify", [S.IN_FORCE], None, {HEAD}, "行政强制法第十九条")
    # art 19: the head finds it should not have been taken → released at once
    + _rows("disapprove", [S.IN_FORCE], S.RELEASED, {HEAD}, "行政强制法第十九条")
    + _rows("add_evidence", [S.IN_FORCE], None, {OFFICER}, "行政强制法第十八条")
    # art 25: 30 days, once 30 more with the head's approval, told to the party in writing
    + _rows("extend", [S.IN_FORCE], None, {HEAD}, "行政强制法第二十五条")
    # art 27-28: a decision on the goods, or release
    + _rows(
        "release", [S.IN_FORCE], S.RELEASED, {OFFICER, HEAD}, "行政强制法第二十七条、第二十八条"
    )
)
FINAL_STATES = frozenset({S.REFUSED, S.RELEASED})
_BY_KEY = {(t.action, str(t.source)): t for t in TRANSITIONS}

ACTION_LABELS = {
    "request": "报批查封扣押",
    "approve": "批准实施",
    "refuse": "不予批准",
    "take_emergency": "紧急情况当场实施",
    "report_emergency": "向负责人报告",
    "ratify": "补办批准",
    "disapprove": "负责人认为不应采取",
    "add_evidence": "取证",
    "extend": "延长期限",
    "release": "解除",
}


def step_for(action: str, source: str) -> Step:
    row = _BY_KEY.get((action, str(source)))
    if row is None:
        state = S(source).label if source != START else "—"
        raise TransitionNotAllowed(
            _("强制措施当前状态为“%(s)s”，不能“%(a)s”")
            % {"s": state, "a": ACTION_LABELS.get(action, action)}
        )
    return row
