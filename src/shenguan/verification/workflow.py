"""The verification task's states and the moves between them (DOMAIN.md §5 #5, 深圳经济特区
社会信用条例 art 64): a compliant finding closes the task; a non-compliant one orders
rectification within a limit; a re-inspection that is still non-compliant, or a falsified
commitment at any point, opens revocation of the licence, which a bureau head completes."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext as _

from shenguan.core.errors import TransitionNotAllowed

from .choices import TaskResult, TaskStatus

OPEN, RECTIFYING, PENDING, CLOSED = (
    TaskStatus.OPEN,
    TaskStatus.RECTIFYING,
    TaskStatus.REVOCATION_PENDING,
    TaskStatus.CLOSED,
)


class Move(NamedTuple):
    target: str
    result: str = ""
    article: str = ""


# (action, from state) -> move
TRANSITIONS: dict[tuple[str, str], Move] = {
    ("compliant", OPEN): Move(CLOSED, TaskResult.COMPLIANT),
    ("non_compliant", OPEN): Move(RECTIFYING, "", "深圳经济特区社会信用条例第六十四条"),
    ("falsified", OPEN): Move(
        PENDING, "", "深圳经济特区社会信用条例第六十四条；行政许可法第六十九条"
    ),
    ("compliant", RECTIFYING): Move(CLOSED, TaskResult.RECTIFIED),
    ("non_compliant", RECTIFYING): Move(PENDING, "", "深圳经济特区社会信用条例第六十四条"),
    ("falsified", RECTIFYING): Move(
        PENDING, "", "深圳经济特区社会信用条例第六十四条；行政许可法第六十九条"
    ),
    ("revoke", PENDING): Move(CLOSED, TaskResult.REVOKED, "行政许可法第六十九条"),
    # system only: the licence was revoked, cancelled or expired by another path
    ("licence_revoked", OPEN): Move(CLOSED, TaskResult.REVOKED),
    ("licence_revoked", RECTIFYING): Move(CLOSED, TaskResult.REVOKED),
    ("licence_revoked", PENDING): Move(CLOSED, TaskResult.REVOKED),
    ("licence_ended", OPEN): Move(CLOSED, TaskResult.LICENCE_ENDED),
    ("licence_ended", RECTIFYING): Move(CLOSED, TaskResult.LICENCE_ENDED),
}

FINAL_STATES = {CLOSED}
# states in which inspectors record findings
INSPECTABLE = {OPEN, RECTIFYING}


def move_for(action: str, state: str) -> Move:
    move = TRANSITIONS.get((action, state))
    if move is None:
        raise TransitionNotAllowed(
            _("核查任务当前状态为“%(state)s”，不能执行“%(action)s”")
            % {"state": TaskStatus(state).label, "action": action}
        )
    return move
