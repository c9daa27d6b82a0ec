"""Inspections as a table you can read. Two certified officers inspect and both sign
(行政处罚法 art 42, 55); the record is complete — checklist answered, result recorded, evidence
attached where needed — before the first signature, and frozen while the second is awaited."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shenguan.core.errors import TransitionNotAllowed

from .models import InspectionStatus as S

START = "start"


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    actors: frozenset[str]
    article: str = ""


def _rows(action, sources, target, actors, article=""):
    return [Step(action, s, target or s, frozenset(actors), article) for s in sources]


OFFICER, HEAD, SYSTEM = "officer", "head", "system"

TRANSITIONS: tuple[Step, ...] = tuple(
    _rows("create", [START], S.PLANNED, {OFFICER, HEAD, SYSTEM})
    # art 42, 55: two certified officers, showing their IDs
    + _rows("start", [S.PLANNED], S.IN_PROGRESS, {OFFICER}, "行政处罚法第四十二条、第五十五条")
    + _rows("answer", [S.IN_PROGRESS], None, {OFFICER}, "行政处罚法第五十五条")
    # art 46-47: evidence, and the whole process recorded
    + _rows("add_evidence", [S.IN_PROGRESS], None, {OFFICER}, "行政处罚法第四十六条、第四十七条")
    + _rows("record_result", [S.IN_PROGRESS], None, {OFFICER}, "行政处罚法第五十五条")
    # art 55: the record (笔录) signed by the officers
    + _rows("sign", [S.IN_PROGRESS], S.SIGNING, {OFFICER}, "行政处罚法第五十五条")
    + _rows("sign", [S.SIGNING], S.COMPLETED, {OFFICER}, "行政处罚法第五十五条")
    + _rows("reopen", [S.SIGNING], S.IN_PROGRESS, {OFFICER})
    + _rows("assign_officers", [S.PLANNED, S.IN_PROGRESS], None, {HEAD}, "行政处罚法第四十二条")
    + _rows("cancel", [S.PLANNED, S.IN_PROGRESS], S.CANCELLED, {HEAD, SYSTEM})
)
FINAL_STATES = frozenset({S.COMPLETED, S.CANCELLED})

_BY_KEY: dict[tuple[str, str], Step] = {(t.action, str(t.source)): t for t in TRANSITIONS}

ACTION_LABELS = {
    "create": "下达检查任务",
    "start": "开始检查",
    "answer": "填写检查单",
    "add_evidence": "取证",
    "record_result": "记录检查结果",
    "sign": "签名",
    "reopen": "撤回签名修改",
    "assign_officers": "调整检查人员",
    "cancel": "取消检查",
}


def step_for(action: str, source: str) -> Step:
    row = _BY_KEY.get((action, str(source)))
    if row is None:
        raise TransitionNotAllowed(
            _("检查当前状态为“%(s)s”，不能“%(a)s”")
            % {"s": S(source).label, "a": ACTION_LABELS.get(action, action)}
        )
    return row
