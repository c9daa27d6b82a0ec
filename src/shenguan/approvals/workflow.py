"""The application lifecycle as a table you can read.

Each row is one action a service performs: from which state, to which state, who may trigger
it, and the article that fixes it where the law does. ``services`` look every move up here
(``transition_for``) before writing anything; a move not in the table is refused with a clear
error and nothing changes.

Who acts (``Actor``):
- APPLICANT — a login acting for the applicant party (``Scope.party_ids``);
- CLERK — a window clerk (窗口人员);
- RESPONSIBLE — the staff member who acts today for the item's post in the responsibility
  list: the A role, or the B role while the holder is absent (业务AB角);
- HEAD — a bureau head (局领导);
- SYSTEM — the deadline sweep and other code running without a user.

System-only states (``SYSTEM_ONLY_STATES``) are states of the clock, not choices a person
makes: *deemed accepted* only ever arises from the sweep; *suspended* and *extended* only from
their own services (``suspend``/``resume``, ``extend``), each with its own rules (art 45, 42).
No generic "set status" exists for any state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden, TransitionNotAllowed

from .choices import Status as S


class Actor(StrEnum):
    APPLICANT = "applicant"
    CLERK = "clerk"
    RESPONSIBLE = "responsible"
    HEAD = "head"
    SYSTEM = "system"


ACTOR_LABELS = {
    Actor.APPLICANT: "申请人",
    Actor.CLERK: "窗口人员",
    Actor.RESPONSIBLE: "责任人（A角/B角）",
    Actor.HEAD: "局领导",
    Actor.SYSTEM: "系统",
}

A, C, R, H, SYS = Actor.APPLICANT, Actor.CLERK, Actor.RESPONSIBLE, Actor.HEAD, Actor.SYSTEM


@dataclass(frozen=True)
class Transition:
    action: str
    source: S
    target: S
    actors: frozenset[Actor]
    article: str = ""


def _rows(action: str, sources, target: S, actors, article: str = "") -> list[Transition]:
    return [Transition(action, s, target, frozenset(actors), article) for s in sources]


INTAKE_OPEN = (S.SUBMITTED, S.RESUBMITTED)
PRE_DECISION = (S.ACCEPTED, S.DEEMED_ACCEPTED, S.UNDER_REVIEW, S.EXTENDED)

TRANSITIONS: tuple[Transition, ...] = tuple(
    _rows("submit", [S.DRAFT], S.SUBMITTED, {A, C})
    # 行政许可法 art 32(4): incomplete materials → ONE notice listing all of them, within 5 days.
    + _rows("notify_deficiency", [S.SUBMITTED], S.DEFICIENCY_NOTIFIED, {C}, "行政许可法第三十二条")
    + _rows("resubmit", [S.DEFICIENCY_NOTIFIED], S.RESUBMITTED, {A, C}, "行政许可法第三十二条")
    # art 32(5): complete, legal-form materials → accept, with a written receipt.
    + _rows("accept", INTAKE_OPEN, S.ACCEPTED, {C}, "行政许可法第三十二条")
    # art 32(4): no notice within 5 days → accepted on the day the materials were received.
    + _rows("deem_acceptance", INTAKE_OPEN, S.DEEMED_ACCEPTED, {SYS}, "行政许可法第三十二条")
    # art 32(2): not this body's power → refuse at once, naming the competent body.
    + _rows("redirect", INTAKE_OPEN, S.REDIRECTED, {C}, "行政许可法第三十二条")
    # art 32(1): no licence needed → tell the applicant at once.
    + _rows("not_required", INTAKE_OPEN, S.NOT_REQUIRED, {C}, "行政许可法第三十二条")
    # art 32: refusal to accept is a written, sealed, dated receipt.
    + _rows("refuse_intake", INTAKE_OPEN, S.REFUSED, {C}, "行政许可法第三十二条")
    + _rows("start_review", [S.ACCEPTED, S.DEEMED_ACCEPTED], S.UNDER_REVIEW, {R})
    # art 45: hearing, testing, expert review… stop the clock.
    + _rows("suspend", [S.UNDER_REVIEW, S.EXTENDED], S.SUSPENDED, {R}, "行政许可法第四十五条")
    + _rows("resume", [S.SUSPENDED], S.UNDER_REVIEW, {R}, "行政许可法第四十五条")
    + _rows("resume", [S.SUSPENDED], S.EXTENDED, {R}, "行政许可法第四十五条")
    # art 42: +10 working days with the head's approval, the reason told to the applicant.
    + _rows("extend", [S.UNDER_REVIEW], S.EXTENDED, {H}, "行政许可法第四十二条")
    # art 34, 38: the decision, on the spot where the materials allow.
    + _rows("approve", PRE_DECISION, S.APPROVED, {R}, "行政许可法第三十四条、第三十八条")
    + _rows("refuse", PRE_DECISION, S.REFUSED, {R}, "行政许可法第三十八条")
    # art 44: the certificate within 10 working days of the decision.
    + _rows("issue_licence", [S.APPROVED], S.LICENCE_ISSUED, {R, SYS}, "行政许可法第四十四条")
    + _rows(
        "withdraw",
        (S.DRAFT, S.SUBMITTED, S.DEFICIENCY_NOTIFIED, S.RESUBMITTED, *PRE_DECISION, S.SUSPENDED),
        S.WITHDRAWN,
        {A, C},
    )
    # Tolerance (local practice, DOMAIN §5 #7) and commitment (深圳经济特区社会信用条例 art 64):
    # a missed cure date ends the handling.
    + _rows(
        "terminate",
        (*PRE_DECISION, S.SUSPENDED, S.APPROVED),
        S.TERMINATED,
        {SYS},
        "深圳经济特区社会信用条例第六十四条",
    )
)

FINAL_STATES = frozenset(
    {S.LICENCE_ISSUED, S.REFUSED, S.WITHDRAWN, S.TERMINATED, S.REDIRECTED, S.NOT_REQUIRED}
)
SYSTEM_ONLY_STATES = frozenset({S.DEEMED_ACCEPTED, S.SUSPENDED, S.EXTENDED})
# States in which the decision clock runs.
CLOCK_RUNNING = frozenset({S.ACCEPTED, S.DEEMED_ACCEPTED, S.UNDER_REVIEW, S.EXTENDED})
# States before acceptance, in which materials and routes may still change.
BEFORE_ACCEPTANCE = frozenset({S.DRAFT, S.SUBMITTED, S.DEFICIENCY_NOTIFIED, S.RESUBMITTED})
# States in which the application is open (not decided and not closed).
OPEN_STATES = frozenset(set(S) - FINAL_STATES - {S.APPROVED})

_BY_KEY: dict[tuple[str, S], list[Transition]] = {}
for _t in TRANSITIONS:
    _BY_KEY.setdefault((_t.action, _t.source), []).append(_t)
ACTIONS = frozenset(t.action for t in TRANSITIONS)


def allowed_pairs() -> set[tuple[S, S]]:
    return {(t.source, t.target) for t in TRANSITIONS}


def transition_for(action: str, source: str, target: str | None = None) -> Transition:
    """The row for ``action`` from ``source`` (to ``target`` where an action has several), or
    ``TransitionNotAllowed`` naming the current state."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rows = _BY_KEY.get((action, S(source)), [])
    if target is not None:
        rows = [t for t in rows if t.target == target]
    if not rows:
        if S(source) in FINAL_STATES:
            raise TransitionNotAllowed(
                _("申请已处于终结状态“%(state)s”，不能再执行“%(action)s”")
                % {"state": S(source).label, "action": ACTION_LABELS.get(action, action)},
                code="final_state",
            )
        raise TransitionNotAllowed(
            _("申请当前状态为“%(state)s”，不能执行“%(action)s”")
            % {"state": S(source).label, "action": ACTION_LABELS.get(action, action)}
        )
    return rows[0]


def check_actor(transition: Transition, actors: set[Actor]) -> Actor:
    """The actor kind under which the caller may perform ``transition``, or ``Forbidden``."""
    for actor in (SYS, R, H, C, A):
        if actor in actors and actor in transition.actors:
            return actor
    who = "、".join(ACTOR_LABELS[a] for a in sorted(transition.actors))
    raise Forbidden(
        _("“%(action)s”只能由%(who)s执行")
        % {"action": ACTION_LABELS.get(transition.action, transition.action), "who": who}
    )


def targets_from(source: str) -> set[S]:
    return {t.target for t in TRANSITIONS if t.source == source}


ACTION_LABELS = {
    "submit": "提交申请",
    "notify_deficiency": "出具一次性告知书",
    "resubmit": "补正材料",
    "accept": "受理",
    "deem_acceptance": "视为受理",
    "redirect": "告知向有权机关申请",
    "not_required": "告知无需许可",
    "refuse_intake": "不予受理",
    "start_review": "开始审查",
    "suspend": "中止计时",
    "resume": "恢复计时",
    "extend": "延长审批期限",
    "approve": "准予许可",
    "refuse": "不予许可",
    "issue_licence": "颁发许可证",
    "withdraw": "撤回申请",
    "terminate": "终止办理",
}
