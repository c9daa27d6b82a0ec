"""From the proposal to the end: submission to legal review (art 58), the decision (art 57,
59, 60, 62), service (art 61), payment and the late fee (art 67, 72), the demand and the
application to court (行政强制法 art 53-54), annulment (art 48)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shenguan.core.errors import Conflict

from ...common.base import issue_document, require_text, staff_of, today
from ...common.models import MajorGround
from ...legal.models import LegalReview
from .. import deadlines, documents
from ..choices import CaseStatus, DecisionOutcome, Sanction, ServiceMethod
from ..models import PenaltyCase
from ._base import authorize, lock_case, officers_for, record, refuse, set_status
from .proposal import review_grounds

CREDIT_LIGHT = "penalty_light"
CREDIT_HEAVY = "penalty_heavy"


# --- the windows the party has after the notice -----------------------------------------------


def statement_window_open(case: PenaltyCase, day) -> bool:
    return (
        not case.rights_waived
        and case.statement_due_on is not None
        and day <= case.statement_due_on
    )


def hearing_window_open(case: PenaltyCase, day) -> bool:
    return (
        case.hearing_eligible
        and not case.rights_waived
        and case.status == CaseStatus.NOTIFIED
        and case.hearing_request_due_on is not None
        and day <= case.hearing_request_due_on
    )


def _ready_after_notice(case: PenaltyCase, what: str) -> None:
    """art 62: no decision without hearing the party — wait for the periods to run out, unless
    the party expressly gave up its rights."""
    day = today()
    if statement_window_open(case, day):
        raise refuse(
            _("陈述、申辩期限至%(d)s届满，期间不得%(w)s（行政处罚法第六十二条）")
            % {"d": case.statement_due_on, "w": what},
            "statement_window_open",
        )
    if hearing_window_open(case, day):
        raise refuse(
            _("听证申请期限至%(d)s届满，期间不得%(w)s（行政处罚法第六十三条、第六十四条）")
            % {"d": case.hearing_request_due_on, "w": what},
            "hearing_window_open",
        )


# --- legal review hand-off ----------------------------------------------------------------------


def submit_for_review(case_id: int, *, note: str = "", user=None) -> LegalReview:
    """Hand the case to the legal section (art 58): a round of review opens in its queue."""
    return _submit(case_id, "submit_for_review", note=note, user=user)


def resubmit_for_review(case_id: int, *, note: str, user=None) -> LegalReview:
    """After an amendment asked for by the reviewer."""
    note = require_text(note, "note", _("须说明修改情况"))
    return _submit(case_id, "resubmit_for_review", note=note, user=user)


def _submit(case_id, action: str, *, note: str, user) -> LegalReview:
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, action, user)
        if action == "submit_for_review":
            _ready_after_notice(case, _("提交法制审核"))
        grounds = review_grounds(case)
        last = LegalReview.objects.filter(case=case).aggregate(n=Max("round"))["n"] or 0
        me = staff_of(user)
        review = LegalReview.objects.create(
            case=case, round=last + 1, grounds=grounds, submitted_by=me, submission_note=note
        )
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[me],
            note=note,
            fields={"review_grounds": grounds, "review_required": bool(grounds)},
        )
        record(case, step, {"review_round": review.round, "grounds": grounds})
        return review


# --- decision -----------------------------------------------------------------------------------


def decide(case_id: int, *, outcome: str = DecisionOutcome.PENALTY, user=None) -> PenaltyCase:
    """The head decides (art 57). Refused: before the party was told (art 44, 62 — not in the
    table), while its periods run, a major case without an approving legal review (art 58),
    after the 90 days (art 60) unless the head extended them in time."""
    if outcome not in DecisionOutcome.values:
        raise refuse(_("未知的处理结果"), "invalid_outcome", "outcome")
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "decide", user)
        day = today()
        if day > case.decision_due_on:
            raise refuse(
                _(
                    "已超过立案之日起九十日的决定期限（%(d)s）且未经负责人批准延长，不得作出决定（行政处罚法第六十条）"
                )
                % {"d": case.decision_due_on}
                if case.extended_on is None
                else _("已超过延长后的决定期限（%(d)s）（行政处罚法第六十条）")
                % {"d": case.decision_due_on},
                "decision_overdue",
            )
        if case.status == CaseStatus.NOTIFIED:
            _ready_after_notice(case, _("作出决定"))
        grounds = review_grounds(case)
        if grounds and (case.status != CaseStatus.REVIEWED or case.review_approved_on is None):
            raise refuse(
                _(
                    "本案属于须经法制审核的重大案件（%(g)s），未经法制审核或审核未通过的，不得作出决定（行政处罚法第五十八条）"
                )
                % {"g": "、".join(str(MajorGround(g).label) for g in grounds)},
                "legal_review_required",
            )
        if (
            outcome == DecisionOutcome.PENALTY
            and (case.discretion or {}).get("no_penalty") == "shall"
        ):
            raise refuse(
                _("依裁量计算应当不予行政处罚（行政处罚法第三十三条）"),
                "no_penalty_required",
                "outcome",
            )
        me = staff_of(user)
        fields = {
            "outcome": outcome,
            "decided_on": day,
            "decided_by": me,
            "service_due_on": deadlines.service_due(day),
            "review_grounds": grounds,
            "review_required": bool(grounds),
        }
        if outcome != DecisionOutcome.PENALTY:
            fields.update(sanctions=[], fine_amount=None, confiscation_amount=None)
        for name, value in fields.items():
            setattr(case, name, value)
        kind = "decision" if outcome == DecisionOutcome.PENALTY else "no_penalty_decision"
        doc = issue_document(
            kind, documents.decision(case, list(case.statements.all())), owner=case
        )
        fields["decision_number"] = case.decision_number = doc.number
        step = set_status(case, transition, actor, user, officers=[me], fields=fields, document=doc)
        record(case, step, decision_facts(case), event="enforcement.case.decided")
        return case


def credit_kind(case: PenaltyCase) -> str:
    """For the credit archive and the publication period: warnings, criticism and small fines
    are light (市场监督管理行政处罚信息公示规定 art 14); everything else is heavy."""
    from ._base import is_person

    s = set(case.sanctions)
    if s - {Sanction.WARNING, Sanction.CRITICISM, Sanction.FINE}:
        return CREDIT_HEAVY
    limit = (
        case.policy.small_fine_person if is_person(case) else case.policy.small_fine_organisation
    )
    if (case.fine_amount or 0) > limit:
        return CREDIT_HEAVY
    return CREDIT_LIGHT


def decision_facts(case: PenaltyCase) -> dict:
    """What the decided event carries (the publication consumer and the credit archive use
    it): the public fields of the decision."""
    return {
        "outcome": case.outcome,
        "decision_number": case.decision_number,
        "decided_on": case.decided_on,
        "sanctions": case.sanctions,
        "fine_amount": case.fine_amount,
        "confiscation_amount": case.confiscation_amount,
        "title": case.title,
        "violated_provision": case.violated_provision,
        "penalty_basis": case.penalty_basis,
        "credit_kind": credit_kind(case) if case.outcome == DecisionOutcome.PENALTY else "",
        "occurred_on": case.decided_on,
        "display": case.decision_number,
    }


# --- service, payment, enforcement ----------------------------------------------------------------


def _amount_due(case: PenaltyCase) -> Decimal:
    return (case.fine_amount or Decimal("0")) + (case.confiscation_amount or Decimal("0"))


def serve(
    case_id: int, *, method: str, officer_ids: list[int], late_reason: str = "", user=None
) -> PenaltyCase:
    """Served on the spot or within 7 days (art 61, 85). Payment is then due within 15 days
    (art 67); a decision with nothing to pay closes the case."""
    if method not in ServiceMethod.values:
        raise refuse(_("未知的送达方式"), "invalid_method", "method")
    with transaction.atomic():
        case = lock_case(case_id, user)
        due = _amount_due(case)
        target = CaseStatus.SERVED if due > 0 else CaseStatus.CLOSED
        transition, actor = authorize(case, "serve", user, target=target)
        officers = officers_for(case, transition, actor, user, officer_ids, _("送达"))
        day = today()
        note = ""
        if day > case.service_due_on:
            late_reason = (late_reason or "").strip()
            if not late_reason:
                raise refuse(
                    _("送达期限已于%(d)s届满（七日内，行政处罚法第六十一条），须写明逾期原因")
                    % {"d": case.service_due_on},
                    "service_late",
                    "late_reason",
                )
            note = _("逾期送达：%(r)s") % {"r": late_reason}
        case.served_on, case.service_method = day, method
        fields = {"served_on": day, "service_method": method}
        if due > 0:
            fields["payment_due_on"] = case.payment_due_on = deadlines.payment_due(day)
        else:
            fields.update(closed_on=day, closing_note=_("决定书已送达，无须缴纳款项"))
        doc = issue_document(
            "service_receipt",
            documents.service_receipt(case, officers, ServiceMethod(method).label, note),
            owner=case,
        )
        step = set_status(
            case, transition, actor, user, officers=officers, fields=fields, note=note, document=doc
        )
        record(case, step, {"served_on": day, "payment_due_on": case.payment_due_on})
        return case


def amount_owed(case: PenaltyCase, day=None) -> tuple[Decimal, Decimal]:
    """(principal, late fee) owed on ``day`` (today by default)."""
    day = day or today()
    return _amount_due(case), deadlines.late_fee(case.fine_amount, case.payment_due_on, day)


def record_payment(case_id: int, *, amount, user=None) -> PenaltyCase:
    """The bank's receipt: the fine (and confiscated sum) plus the late fee accrued by today
    (art 72 (1)). Less is refused; instalments need the head's approval (art 66), not here."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "record_payment", user)
        try:
            paid = Decimal(str(amount)).quantize(Decimal("0.01"))
        except Exception:
            raise refuse(_("金额无效"), "invalid_amount", "amount")
        principal, fee = amount_owed(case)
        if paid < principal + fee:
            raise refuse(
                _("应缴 %(p)s 元及加处罚款 %(f)s 元，共 %(t)s 元；实缴金额不足")
                % {"p": principal, "f": fee, "t": principal + fee},
                "underpaid",
                "amount",
            )
        day = today()
        note = _("已缴纳罚款 %(p)s 元，加处罚款 %(f)s 元") % {"p": principal, "f": fee}
        doc = issue_document("closing", documents.closing(case, note), owner=case)
        fields = {
            "paid_on": day,
            "paid_amount": paid,
            "late_fee": fee,
            "closed_on": day,
            "closing_note": note,
        }
        step = set_status(
            case, transition, actor, user, officers=[staff_of(user)], fields=fields, document=doc
        )
        record(case, step, {"paid_amount": paid, "late_fee": fee})
        return case


def demand_payment(case_id: int, *, user=None) -> PenaltyCase:
    """A written demand (催告书) once the payment period has run out (行政强制法 art 54)."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "demand_payment", user)
        day = today()
        if day <= case.payment_due_on:
            raise refuse(
                _("缴款期限至%(d)s届满，届满前不得催告") % {"d": case.payment_due_on}, "not_overdue"
            )
        case.demanded_on = day
        _principal, fee = amount_owed(case, day)
        doc = issue_document("payment_demand", documents.demand(case, fee), owner=case)
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[staff_of(user)],
            fields={"demanded_on": day},
            document=doc,
        )
        record(case, step, {"late_fee": fee})
        return case


def apply_to_court(case_id: int, *, user=None) -> PenaltyCase:
    """The bureau (which has no power of execution) applies to the people's court: ten days
    after the demand was served, once the periods for review and suit have run, and within
    three months of that (行政强制法 art 53-54; 行政处罚法 art 72 (4))."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "apply_to_court", user)
        day = today()
        wait = deadlines.demand_wait_until(case.demanded_on)
        if day <= wait:
            raise refuse(
                _(
                    "催告书送达十日后（%(d)s之后）当事人仍未履行的，方可申请强制执行（行政强制法第五十四条）"
                )
                % {"d": wait},
                "demand_wait",
            )
        opens, closes = deadlines.court_application_window(
            case.served_on, case.policy.remedy_period_months, case.policy.court_application_months
        )
        if day < opens:
            raise refuse(
                _("复议、诉讼期限尚未届满，%(d)s起方可申请（行政强制法第五十三条）") % {"d": opens},
                "remedy_period_running",
            )
        if day > closes:
            raise refuse(
                _("已超过申请人民法院强制执行的期限（%(d)s）（行政强制法第五十三条）")
                % {"d": closes},
                "court_deadline_passed",
            )
        _principal, fee = amount_owed(case, day)
        doc = issue_document(
            "court_application", documents.court_application(case, fee), owner=case
        )
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[staff_of(user)],
            fields={"court_applied_on": day},
            document=doc,
        )
        record(case, step, {"late_fee": fee, "court_deadline": closes})
        return case


def close_after_execution(case_id: int, *, note: str, user=None) -> PenaltyCase:
    note = require_text(note, "note", _("须写明执行结果"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "close_after_execution", user)
        day = today()
        doc = issue_document("closing", documents.closing(case, note), owner=case)
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[staff_of(user)],
            fields={"closed_on": day, "closing_note": note},
            document=doc,
            note=note,
        )
        record(case, step, {"note": note})
        return case


def annul_decision(case_id: int, *, reason: str, user=None) -> PenaltyCase:
    """The decision is changed or annulled (on review, in court, or by the bureau itself): the
    case closes and the publication is withdrawn within three days (art 48 ¶2) — the event
    ``enforcement.case.decision_annulled`` drives the withdrawal."""
    reason = require_text(reason, "reason", _("须写明撤销或变更的理由"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "annul_decision", user)
        if not case.decision_number:
            raise Conflict(_("案件没有处罚决定"))
        day = today()
        doc = issue_document("annulment", documents.closing(case, reason), owner=case)
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[staff_of(user)],
            note=reason,
            document=doc,
            fields={"closed_on": day, "closing_note": reason},
        )
        record(
            case,
            step,
            {"reason": reason, "decision_number": case.decision_number},
            event="enforcement.case.decision_annulled",
        )
        return case


__all__ = [
    "amount_owed",
    "annul_decision",
    "apply_to_court",
    "close_after_execution",
    "credit_kind",
    "decide",
    "decision_facts",
    "demand_payment",
    "record_payment",
    "resubmit_for_review",
    "serve",
    "submit_for_review",
]
