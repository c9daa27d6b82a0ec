"""Penalty cases as tables you can read (行政处罚法, 2021).

Each row is one action a service performs: from which state, to which state, who may do it,
whether two officers must act together, and the article that fixes the step. The services look
every step up here (``transition_for``) before they write anything; a step not in the table is
refused with a clear error and nothing changes. ``START`` is the state before a case exists.

Who acts (``Actor``):
- OFFICER — a certified enforcement officer assigned to the case and not recused;
- HEAD — a bureau head (行政机关负责人: decides, approves extensions and recusals);
- LEGAL — a legal reviewer of the legal section (法制审核, art 58; also hosts hearings);
- SYSTEM — code running without a user.

Rows with the same source and target (``revise_proposal``, ``record_statement`` …) change the
case without moving it; they are in the table so that every step has an article and actors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden, TransitionNotAllowed

from .choices import CaseStatus as S
from .choices import LeadStatus as L


class Actor(StrEnum):
    OFFICER = "officer"
    HEAD = "head"
    LEGAL = "legal"
    SYSTEM = "system"


ACTOR_LABELS = {
    Actor.OFFICER: "承办执法人员",
    Actor.HEAD: "行政机关负责人",
    Actor.LEGAL: "法制审核人员",
    Actor.SYSTEM: "系统",
}

OF, H, LG, SYS = Actor.OFFICER, Actor.HEAD, Actor.LEGAL, Actor.SYSTEM
START = "start"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    actors: frozenset[Actor]
    article: str = ""
    two_officers: bool = False


def _rows(action, sources, target, actors, article="", two=False) -> list[Transition]:
    return [Transition(action, s, target, frozenset(actors), article, two) for s in sources]


BEFORE_DECISION = (
    S.OPENED,
    S.INVESTIGATING,
    S.PROPOSED,
    S.NOTIFIED,
    S.HEARING_REQUESTED,
    S.HEARING_SCHEDULED,
    S.HEARD,
    S.LEGAL_REVIEW,
    S.RETURNED,
    S.REVIEWED,
)
AWAITING_PAYMENT = (S.SERVED, S.DEMANDED, S.COURT_APPLIED)
DECIDED_STATES = (S.DECIDED, *AWAITING_PAYMENT)
# States in which the party has been told and may still state its case (art 45, 62).
HEARING_OPEN = (S.NOTIFIED, S.HEARING_REQUESTED, S.HEARING_SCHEDULED)

TRANSITIONS: tuple[Transition, ...] = tuple(
    # --- simple procedure ---------------------------------------------------------------------
    # art 51: clear facts and basis, a fine up to 200 yuan (person) / 3,000 (organisation) or a
    # warning → decided on the spot; art 52: numbered decision handed over at once.
    _rows("decide_on_the_spot", [START], S.SERVED, {OF}, "行政处罚法第五十一条、第五十二条", True)
    + _rows("decide_on_the_spot", [START], S.CLOSED, {OF}, "行政处罚法第五十一条、第五十二条", True)
    # --- general procedure --------------------------------------------------------------------
    # art 54: a case meeting the standard is opened (local rule: within 15 working days).
    + _rows("open_case", [START], S.OPENED, {OF}, "行政处罚法第五十四条")
    # art 42, 55: at least two certified officers investigate and show their IDs.
    + _rows(
        "start_investigation",
        [S.OPENED],
        S.INVESTIGATING,
        {OF},
        "行政处罚法第四十二条、第五十五条",
        True,
    )
    + _rows(
        "add_evidence",
        [S.INVESTIGATING],
        S.INVESTIGATING,
        {OF},
        "行政处罚法第四十六条、第五十五条",
        True,
    )
    # art 43: recusal is decided by the head; the investigation does not stop meanwhile.
    + _rows("recuse_officer", BEFORE_DECISION, None, {H}, "行政处罚法第四十三条")
    + _rows("assign_officer", BEFORE_DECISION, None, {H}, "行政处罚法第四十二条")
    # art 57 with the discretion benchmark (art 34).
    + _rows("propose", [S.INVESTIGATING], S.PROPOSED, {OF}, "行政处罚法第三十四条、第五十七条")
    # art 45: after a statement the penalty may only stay or fall.
    + _rows(
        "revise_proposal",
        [S.PROPOSED, *HEARING_OPEN, S.HEARD, S.RETURNED],
        None,
        {OF},
        "行政处罚法第四十五条",
    )
    # art 44: facts, reasons, basis and the rights to state, defend and ask for a hearing.
    + _rows("notify", [S.PROPOSED], S.NOTIFIED, {OF}, "行政处罚法第四十四条", True)
    + _rows("record_statement", [*HEARING_OPEN, S.HEARD], None, {OF}, "行政处罚法第四十五条")
    # art 62: a party may expressly give up its statement and defence.
    + _rows("waive_rights", [S.NOTIFIED], S.NOTIFIED, {OF}, "行政处罚法第六十二条")
    # art 63-64: request within 5 days of the notice; notice of the hearing 7 days before.
    + _rows(
        "request_hearing",
        [S.NOTIFIED],
        S.HEARING_REQUESTED,
        {OF},
        "行政处罚法第六十三条、第六十四条",
    )
    + _rows(
        "schedule_hearing",
        [S.HEARING_REQUESTED],
        S.HEARING_SCHEDULED,
        {OF, H, LG},
        "行政处罚法第六十四条",
    )
    # art 64 (4): hosted by someone who did not investigate the case; art 65: decide on the record.
    + _rows(
        "hold_hearing", [S.HEARING_SCHEDULED], S.HEARD, {H, LG}, "行政处罚法第六十四条、第六十五条"
    )
    # art 58: major cases are reviewed by the legal section before the decision.
    + _rows(
        "submit_for_review", [S.NOTIFIED, S.HEARD], S.LEGAL_REVIEW, {OF}, "行政处罚法第五十八条"
    )
    + _rows("approve_review", [S.LEGAL_REVIEW], S.REVIEWED, {LG}, "行政处罚法第五十八条")
    + _rows("return_for_amendment", [S.LEGAL_REVIEW], S.RETURNED, {LG}, "行政处罚法第五十八条")
    + _rows("reject_review", [S.LEGAL_REVIEW], S.INVESTIGATING, {LG}, "行政处罚法第五十八条")
    + _rows("resubmit_for_review", [S.RETURNED], S.LEGAL_REVIEW, {OF}, "行政处罚法第五十八条")
    # art 60: decide within 90 days of opening; local rule: +30 days with the head's approval.
    + _rows("extend_deadline", BEFORE_DECISION, None, {H}, "行政处罚法第六十条")
    # art 57, 59, 60, 62: the head decides, after notice and hearing the party, within time.
    + _rows(
        "decide",
        [S.NOTIFIED, S.HEARD, S.REVIEWED],
        S.DECIDED,
        {H},
        "行政处罚法第五十七条、第五十九条、第六十条、第六十二条",
    )
    # art 61: served on the spot or within 7 days; nothing to pay → closed.
    + _rows("serve", [S.DECIDED], S.SERVED, {OF}, "行政处罚法第六十一条", True)
    + _rows("serve", [S.DECIDED], S.CLOSED, {OF}, "行政处罚法第六十一条", True)
    # art 67, 72: pay within 15 days; late fee 3 % a day, never more than the fine.
    + _rows("record_payment", AWAITING_PAYMENT, S.CLOSED, {OF}, "行政处罚法第六十七条、第七十二条")
    # 行政强制法 art 54: a written demand first; apply to court 10 days after it was served.
    + _rows("demand_payment", [S.SERVED], S.DEMANDED, {OF}, "行政强制法第五十四条")
    + _rows(
        "apply_to_court",
        [S.DEMANDED],
        S.COURT_APPLIED,
        {H},
        "行政处罚法第七十二条；行政强制法第五十三条、第五十四条",
    )
    + _rows("close_after_execution", [S.COURT_APPLIED], S.CLOSED, {OF}, "行政强制法第五十三条")
    # art 48 ¶2: a decision changed or annulled → withdrawn from publication within 3 days.
    + _rows("annul_decision", DECIDED_STATES, S.CLOSED, {H}, "行政处罚法第四十八条")
    # art 57 (4), 82: a suspected crime is transferred to the judicial organs.
    + _rows(
        "transfer",
        [S.OPENED, S.INVESTIGATING, S.PROPOSED, S.NOTIFIED],
        S.TRANSFERRED,
        {H},
        "行政处罚法第五十七条、第八十二条",
    )
    # art 57 (3): the facts cannot be established before a proposal → the case is dropped.
    + _rows("terminate", [S.OPENED, S.INVESTIGATING], S.CLOSED, {H}, "行政处罚法第五十七条")
)

FINAL_STATES = frozenset({S.CLOSED, S.TRANSFERRED})
OPEN_STATES = frozenset(set(S) - FINAL_STATES)

LEAD_TRANSITIONS: tuple[Transition, ...] = tuple(
    _rows("open_case", [L.RECEIVED], L.OPENED, {OF}, "行政处罚法第五十四条")
    + _rows("dismiss_lead", [L.RECEIVED], L.DISMISSED, {OF, H}, "行政处罚法第五十四条")
    + _rows("assign_lead", [L.RECEIVED], L.RECEIVED, {H, LG})
)


def _normalise(rows):
    """Rows written with target None stay in their state."""
    out = []
    for t in rows:
        if t.target is None:
            out.append(
                Transition(t.action, t.source, t.source, t.actors, t.article, t.two_officers)
            )
        else:
            out.append(t)
    return tuple(out)


TRANSITIONS = _normalise(TRANSITIONS)
LEAD_TRANSITIONS = _normalise(LEAD_TRANSITIONS)

_BY_KEY: dict[tuple[str, str], list[Transition]] = {}
for _t in TRANSITIONS:
    _BY_KEY.setdefault((_t.action, str(_t.source)), []).append(_t)
ACTIONS = frozenset(t.action for t in TRANSITIONS)
_LEAD_KEY: dict[tuple[str, str], Transition] = {
    (t.action, str(t.source)): t for t in LEAD_TRANSITIONS
}


ACTION_LABELS = {
    "decide_on_the_spot": "当场作出行政处罚决定",
    "open_case": "立案",
    "start_investigation": "开始调查",
    "add_evidence": "调查取证",
    "recuse_officer": "决定回避",
    "assign_officer": "指派执法人员",
    "propose": "提出拟处罚意见",
    "revise_proposal": "修改拟处罚意见",
    "notify": "告知拟处罚内容和权利",
    "record_statement": "记录陈述申辩",
    "waive_rights": "当事人放弃陈述申辩和听证",
    "request_hearing": "申请听证",
    "schedule_hearing": "通知听证",
    "hold_hearing": "举行听证",
    "submit_for_review": "提交法制审核",
    "approve_review": "法制审核同意",
    "return_for_amendment": "退回修改",
    "reject_review": "法制审核不同意",
    "resubmit_for_review": "重新提交法制审核",
    "extend_deadline": "延长办案期限",
    "decide": "作出处罚决定",
    "serve": "送达决定书",
    "record_payment": "登记缴纳罚款",
    "demand_payment": "催告履行",
    "apply_to_court": "申请法院强制执行",
    "close_after_execution": "执行完毕结案",
    "annul_decision": "撤销或变更处罚决定",
    "transfer": "移送司法机关",
    "terminate": "撤销立案",
    "dismiss_lead": "不予立案",
    "assign_lead": "分派线索",
}

# Refusals that deserve the law's own words rather than "not allowed in this state".
HINTS = {
    ("decide", S.OPENED): "no_notice",
    ("decide", S.INVESTIGATING): "no_notice",
    ("decide", S.PROPOSED): "no_notice",
    ("decide", S.HEARING_REQUESTED): "hearing_pending",
    ("decide", S.HEARING_SCHEDULED): "hearing_pending",
    ("decide", S.LEGAL_REVIEW): "review_pending",
    ("decide", S.RETURNED): "review_pending",
}


def hint_text(code: str) -> str:
    return {
        "no_notice": _(
            "未告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利，"
            "不得作出行政处罚决定（行政处罚法第四十四条、第六十二条）"
        ),
        "hearing_pending": _(
            "当事人已要求听证，听证结束前不得作出决定（行政处罚法第六十三条、第六十五条）"
        ),
        "review_pending": _("法制审核尚未通过，不得作出决定（行政处罚法第五十八条）"),
    }[code]


def transition_for(action: str, source: str) -> list[Transition]:
    """The rows for ``action`` from ``source`` (several where the service picks the target),
    or ``TransitionNotAllowed`` in words the officer understands."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rows = _BY_KEY.get((action, str(source)), [])
    if rows:
        return rows
    label = ACTION_LABELS.get(action, action)
    hint = HINTS.get((action, source))
    if hint is not None:
        raise TransitionNotAllowed(hint_text(hint), code=hint)
    if source == START:
        raise TransitionNotAllowed(_("“%(a)s”只能在已有案件上办理") % {"a": label})
    state = S(source).label
    if source in FINAL_STATES:
        raise TransitionNotAllowed(
            _("案件已处于终结状态“%(s)s”，不能再“%(a)s”") % {"s": state, "a": label},
            code="final_state",
        )
    raise TransitionNotAllowed(_("案件当前状态为“%(s)s”，不能“%(a)s”") % {"s": state, "a": label})


def lead_transition(action: str, source: str) -> Transition:
    row = _LEAD_KEY.get((action, str(source)))
    if row is None:
        raise TransitionNotAllowed(
            _("线索当前状态为“%(s)s”，不能“%(a)s”")
            % {"s": L(source).label, "a": ACTION_LABELS.get(action, action)}
        )
    return row


def check_actor(transition: Transition, actors: set[Actor]) -> Actor:
    for actor in (SYS, H, LG, OF):
        if actor in actors and actor in transition.actors:
            return actor
    who = "、".join(ACTOR_LABELS[a] for a in sorted(transition.actors))
    raise Forbidden(
        _("“%(a)s”只能由%(who)s办理")
        % {"a": ACTION_LABELS.get(transition.action, transition.action), "who": who}
    )


def allowed_moves() -> set[tuple[str, str, str]]:
    return {(t.action, str(t.source), str(t.target)) for t in TRANSITIONS}


def actions_from(source: str) -> list[str]:
    return sorted({t.action for t in TRANSITIONS if str(t.source) == str(source)})
