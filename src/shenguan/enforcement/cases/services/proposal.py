"""The proposed penalty with its discretion rationale (art 34, 57), the notice of facts,
reasons, basis and rights (art 44), the party's statement and defence (art 45) and the hearing
(art 63-65)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from shenguan.core.errors import Conflict, NotFound
from shenguan.org.models import Staff

from ...common.base import issue_document, require_text, staff_of, today
from ...common.models import MajorGround
from ...discretion.calculator import calculate
from ...discretion.choices import BenchmarkModel, NoPenaltyOutcome
from ...discretion.models import Benchmark
from .. import deadlines, documents
from ..choices import Sanction
from ..models import Hearing, PenaltyCase, Statement
from ._base import (
    active_officer_ids,
    authorize,
    is_person,
    lock_case,
    officers_for,
    record,
    refuse,
    set_status,
)

CALC_INPUTS = {
    "rows",
    "positions",
    "scheme",
    "base_amount",
    "mitigating",
    "aggravating",
    "first_offence",
    "minor",
    "corrected",
    "harm",
    "no_fault",
    "no_penalty_rule",
    "conditions_met",
}
CENT = Decimal("0.01")


def parse_amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise refuse(_("金额无效"), "invalid_amount", field)
    if amount <= 0:
        raise refuse(_("金额须大于零"), "invalid_amount", field)
    return amount


def _sanctions(values) -> list[str]:
    out = []
    for value in values or []:
        if value not in Sanction.values:
            raise refuse(_("未知的处罚种类：%(v)s") % {"v": value}, "invalid_sanction", "sanctions")
        if value not in out:
            out.append(value)
    if not out:
        raise refuse(_("须写明处罚种类"), "sanctions_required", "sanctions")
    return out


def _check_against_calculation(calc, fine: Decimal | None) -> None:
    """The fine must lie where the benchmark puts it (行政处罚法 art 34)."""
    if calc.no_penalty == NoPenaltyOutcome.SHALL:
        raise refuse(
            _(
                "依裁量基准属于应当不予行政处罚的情形（行政处罚法第三十三条），不能拟处罚；请作出不予处罚决定"
            ),
            "no_penalty_required",
            "sanctions",
        )
    if fine is None:
        return
    if calc.model == BenchmarkModel.PERCENTAGE_WEIGHT and calc.amount is not None:
        if fine != Decimal(calc.amount).quantize(CENT):
            raise refuse(
                _("罚款应为裁量基准计算的 %(a)s 元") % {"a": calc.amount},
                "outside_benchmark",
                "fine_amount",
            )
        return
    rng = calc.range
    if rng is None or rng.min_amount is None or rng.max_amount is None:
        return  # the table does not give an amount in yuan (a multiple of an unknown base)
    if not rng.min_amount <= fine <= rng.max_amount:
        raise refuse(
            _("罚款 %(f)s 元不在裁量基准确定的幅度 %(lo)s ~ %(hi)s 元之内")
            % {"f": fine, "lo": rng.min_amount, "hi": rng.max_amount},
            "outside_benchmark",
            "fine_amount",
        )


def proposal_fields(
    case: PenaltyCase,
    *,
    sanctions,
    fine_amount,
    confiscation_amount,
    benchmark_id,
    discretion_inputs,
    no_benchmark_reason: str,
    reasons: str,
) -> dict:
    sanctions = _sanctions(sanctions)
    fine = parse_amount(fine_amount, "fine_amount")
    confiscation = parse_amount(confiscation_amount, "confiscation_amount")
    if (Sanction.FINE in sanctions) != (fine is not None):
        raise refuse(
            _("处罚种类含罚款时须写明罚款数额，反之不得写数额"), "fine_amount", "fine_amount"
        )
    if confiscation is not None and Sanction.CONFISCATION not in sanctions:
        raise refuse(
            _("处罚种类不含没收，不得写没收金额"), "confiscation_amount", "confiscation_amount"
        )
    fields = {
        "sanctions": sanctions,
        "fine_amount": fine,
        "confiscation_amount": confiscation,
        "proposal_reasons": (reasons or "").strip(),
        "benchmark": None,
        "discretion": {},
        "no_benchmark_reason": "",
    }
    if benchmark_id:
        benchmark = Benchmark.objects.select_related("table").filter(pk=benchmark_id).first()
        if benchmark is None:
            raise NotFound(_("裁量基准 %(id)s 不存在") % {"id": benchmark_id})
        if not benchmark.table.in_force_on(case.opened_on):
            raise refuse(
                _("裁量基准表 %(t)s 在立案之日（%(d)s）不在有效期内")
                % {"t": benchmark.table, "d": case.opened_on},
                "benchmark_not_in_force",
                "benchmark_id",
            )
        inputs = dict(discretion_inputs or {})
        unknown = sorted(set(inputs) - CALC_INPUTS)
        if unknown:
            raise refuse(
                _("未知的裁量要素：%(k)s") % {"k": ", ".join(unknown)},
                "invalid_input",
                "discretion",
            )
        calc = calculate(benchmark, **inputs)
        _check_against_calculation(calc, fine)
        fields.update(benchmark=benchmark, discretion=calc.to_dict())
    elif Sanction.FINE in sanctions:
        reason = (no_benchmark_reason or "").strip()
        if not reason:
            raise refuse(
                _("罚款须适用裁量基准，或写明没有适用基准的理由（行政处罚法第三十四条）"),
                "benchmark_required",
                "benchmark_id",
            )
        fields["no_benchmark_reason"] = reason
    return fields


def _large(case: PenaltyCase, amount: Decimal | None, person_limit, org_limit) -> bool:
    if not amount:
        return False
    return amount >= (person_limit if is_person(case) else org_limit)


def hearing_eligible(case: PenaltyCase) -> bool:
    """行政处罚法 art 63: large fines, large confiscations, revocation or lowered
    qualification, closure or restriction — "较大数额" as the policy fixes it."""
    p = case.policy
    s = set(case.sanctions)
    return (
        _large(case, case.fine_amount, p.large_fine_person, p.large_fine_organisation)
        or _large(
            case,
            case.confiscation_amount,
            p.large_confiscation_person,
            p.large_confiscation_organisation,
        )
        or bool(s & {Sanction.SUSPENSION, Sanction.REVOCATION, Sanction.RESTRICTION})
    )


def review_grounds(case: PenaltyCase) -> list[str]:
    """The grounds on which this case is "major" (art 58) that the policy lists."""
    p = case.policy
    s = set(case.sanctions)
    found = []
    if _large(case, case.fine_amount, p.large_fine_person, p.large_fine_organisation):
        found.append(MajorGround.LARGE_FINE)
    if _large(
        case,
        case.confiscation_amount,
        p.large_confiscation_person,
        p.large_confiscation_organisation,
    ):
        found.append(MajorGround.LARGE_CONFISCATION)
    if s & {Sanction.SUSPENSION, Sanction.REVOCATION}:
        found.append(MajorGround.REVOCATION)
    if Sanction.RESTRICTION in s:
        found.append(MajorGround.CLOSURE)
    hearing = Hearing.objects.filter(case=case, held_on__isnull=False, attended=True).exists()
    if hearing:
        found.append(MajorGround.HEARING_HELD)
    if case.public_interest:
        found.append(MajorGround.PUBLIC_INTEREST)
    if case.complex:
        found.append(MajorGround.COMPLEX)
    listed = set(p.review_grounds or [])
    return [str(g.value) for g in found if g.value in listed]


def _grounds_fields(case: PenaltyCase) -> dict:
    grounds = review_grounds(case)
    return {"review_grounds": grounds, "review_required": bool(grounds)}


def propose(
    case_id: int,
    *,
    facts: str,
    violated_provision: str,
    penalty_basis: str,
    sanctions: list[str],
    fine_amount=None,
    confiscation_amount=None,
    benchmark_id: int | None = None,
    discretion_inputs: dict | None = None,
    no_benchmark_reason: str = "",
    reasons: str = "",
    user=None,
) -> PenaltyCase:
    """The investigation ends with a proposal: facts, provisions, the penalty and, for a fine,
    the discretion calculation (``Calculation.to_dict()`` is stored as the rationale). The case
    needs evidence before it can be proposed (art 40: no penalty on unclear facts)."""
    facts = require_text(facts, "facts", _("须写明违法事实"))
    violated_provision = require_text(
        violated_provision, "violated_provision", _("须写明违反的条款")
    )
    penalty_basis = require_text(penalty_basis, "penalty_basis", _("须写明处罚依据"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "propose", user)
        if not case.evidence.exists():
            raise refuse(
                _("案件尚无证据，违法事实不清、证据不足的，不得给予行政处罚（行政处罚法第四十条）"),
                "evidence_required",
            )
        fields = proposal_fields(
            case,
            sanctions=sanctions,
            fine_amount=fine_amount,
            confiscation_amount=confiscation_amount,
            benchmark_id=benchmark_id,
            discretion_inputs=discretion_inputs,
            no_benchmark_reason=no_benchmark_reason,
            reasons=reasons,
        )
        fields.update(
            facts=facts,
            violated_provision=violated_provision,
            penalty_basis=penalty_basis,
            proposed_on=today(),
            # a fresh proposal supersedes any earlier notice (after a rejected review)
            notified_on=None,
            notified_sanctions=[],
            notified_fine=None,
            notified_confiscation=None,
            statement_due_on=None,
            hearing_request_due_on=None,
            rights_waived=False,
            review_approved_on=None,
        )
        for name, value in fields.items():
            setattr(case, name, value)
        fields.update(_grounds_fields(case))
        officers = officers_for(case, transition, actor, user, [], _("拟处罚"))
        doc = issue_document(
            "investigation_report",
            documents.investigation_report(case, case.evidence.count()),
            owner=case,
        )
        step = set_status(
            case, transition, actor, user, officers=officers, fields=fields, document=doc
        )
        record(case, step, _proposal_summary(case))
        return case


def _proposal_summary(case: PenaltyCase) -> dict:
    return {
        "sanctions": case.sanctions,
        "fine_amount": case.fine_amount,
        "confiscation_amount": case.confiscation_amount,
        "benchmark": case.benchmark_id,
        "review_grounds": case.review_grounds,
    }


def revise_proposal(
    case_id: int,
    *,
    sanctions: list[str],
    fine_amount=None,
    confiscation_amount=None,
    benchmark_id: int | None = None,
    discretion_inputs: dict | None = None,
    no_benchmark_reason: str = "",
    reasons: str,
    user=None,
) -> PenaltyCase:
    """Change the proposal. Once the party has been told (art 44), the penalty may only stay
    or fall: no new kind, no higher amount — a defence never makes it heavier (art 45)."""
    reasons = require_text(reasons, "reasons", _("须写明修改理由"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "revise_proposal", user)
        fields = proposal_fields(
            case,
            sanctions=sanctions,
            fine_amount=fine_amount,
            confiscation_amount=confiscation_amount,
            benchmark_id=benchmark_id,
            discretion_inputs=discretion_inputs,
            no_benchmark_reason=no_benchmark_reason,
            reasons=reasons,
        )
        if case.notified_on is not None:
            heavier = (
                set(fields["sanctions"]) - set(case.notified_sanctions)
                or (fields["fine_amount"] or 0) > (case.notified_fine or 0)
                or (fields["confiscation_amount"] or 0) > (case.notified_confiscation or 0)
            )
            if heavier:
                raise refuse(
                    _("告知后不得加重处罚：不得增加处罚种类或提高数额（行政处罚法第四十五条）"),
                    "heavier_penalty",
                    "sanctions",
                )
        before = _proposal_summary(case)
        for name, value in fields.items():
            setattr(case, name, value)
        fields.update(_grounds_fields(case))
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[s for s in [staff_of(user)] if s],
            note=reasons,
            fields=fields,
        )
        record(case, step, {"before": before, **_proposal_summary(case)})
        return case


def notify(case_id: int, *, officer_ids: list[int], user=None) -> PenaltyCase:
    """Tell the party the proposed penalty, its facts, reasons and basis, and its rights to
    state, defend and — where eligible — ask for a hearing (art 44, 63, 64)."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "notify", user)
        officers = officers_for(case, transition, actor, user, officer_ids, _("告知"))
        day = today()
        case.notified_on = day
        case.statement_due_on = deadlines.statement_due(day, case.policy.statement_working_days)
        case.hearing_eligible = hearing_eligible(case)
        case.hearing_request_due_on = (
            deadlines.hearing_request_due(day) if case.hearing_eligible else None
        )
        fields = {
            "notified_on": day,
            "notified_sanctions": list(case.sanctions),
            "notified_fine": case.fine_amount,
            "notified_confiscation": case.confiscation_amount,
            "statement_due_on": case.statement_due_on,
            "hearing_eligible": case.hearing_eligible,
            "hearing_request_due_on": case.hearing_request_due_on,
            "rights_waived": False,
            **_grounds_fields(case),
        }
        doc = issue_document("penalty_notice", documents.notice(case), owner=case)
        step = set_status(
            case, transition, actor, user, officers=officers, fields=fields, document=doc
        )
        record(
            case,
            step,
            {
                "document": doc.number,
                "statement_due_on": case.statement_due_on,
                "hearing_eligible": case.hearing_eligible,
                "hearing_request_due_on": case.hearing_request_due_on,
            },
        )
        return case


def record_statement(
    case_id: int, *, text: str, adopted: bool = False, review: str = "", user=None
) -> Statement:
    """The party's statement and defence, and the bureau's review of it (art 45: heard in
    full; facts, reasons or evidence that hold are adopted)."""
    text = require_text(text, "text", _("须记录陈述申辩的内容"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "record_statement", user)
        me = staff_of(user)
        statement = Statement.objects.create(
            case=case,
            received_on=today(),
            text=text,
            adopted=bool(adopted),
            review=review,
            recorded_by=me,
        )
        doc = issue_document(
            "statement_record", documents.statement_record(case, statement), owner=case
        )
        step = set_status(
            case, transition, actor, user, officers=[me], note=text[:200], document=doc
        )
        record(case, step, {"statement": statement.pk, "adopted": statement.adopted})
        return statement


def waive_rights(case_id: int, *, note: str, user=None) -> PenaltyCase:
    """The party expressly gives up statement, defence and hearing (art 62)."""
    note = require_text(note, "note", _("须记录当事人放弃权利的方式（如书面声明）"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "waive_rights", user)
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[staff_of(user)],
            note=note,
            fields={"rights_waived": True},
        )
        record(case, step, {"rights_waived": True})
        return case


def request_hearing(case_id: int, *, user=None) -> Hearing:
    """The party asks for a hearing within 5 days of the notice (art 64 (1)), where the
    penalty is one for which the law gives the right (art 63)."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "request_hearing", user)
        if not case.hearing_eligible:
            raise refuse(
                _("拟作出的处罚不属于可以要求听证的情形（行政处罚法第六十三条）"), "not_eligible"
            )
        if case.rights_waived:
            raise refuse(_("当事人已明确放弃听证权利"), "rights_waived")
        day = today()
        if day > case.hearing_request_due_on:
            raise refuse(
                _("听证申请期限已于%(d)s届满（告知后五日内，行政处罚法第六十四条）")
                % {"d": case.hearing_request_due_on},
                "hearing_request_late",
            )
        hearing = Hearing.objects.create(case=case, requested_on=day)
        step = set_status(case, transition, actor, user, officers=[staff_of(user)])
        record(case, step, {"requested_on": day})
        return hearing


def schedule_hearing(
    case_id: int, *, hearing_on: dt.date, place: str, host_id: int, public: bool = True, user=None
) -> Hearing:
    """Notice of time and place at least 7 days before (art 64 (2)); the host did not
    investigate the case (art 64 (4))."""
    place = require_text(place, "place", _("须写明听证地点"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "schedule_hearing", user)
        hearing = Hearing.objects.select_for_update(no_key=True).get(case=case)
        host = Staff.objects.filter(pk=host_id, is_active=True).first()
        if host is None:
            raise NotFound(_("主持人不存在"))
        investigators = set(case.officers.values_list("staff_id", flat=True))
        if host.pk in investigators:
            raise refuse(
                _("听证由非本案调查人员主持（行政处罚法第六十四条第四项）"),
                "host_investigated",
                "host_id",
            )
        day = today()
        earliest = deadlines.earliest_hearing(day)
        if hearing_on < earliest:
            raise refuse(
                _(
                    "应当在举行听证的七日前通知当事人，最早可定于%(d)s（行政处罚法第六十四条、第八十五条）"
                )
                % {"d": earliest},
                "hearing_notice_short",
                "hearing_on",
            )
        hearing.notice_on, hearing.hearing_on, hearing.place = day, hearing_on, place
        hearing.host, hearing.public = host, bool(public)
        hearing.save()
        doc = issue_document("hearing_notice", documents.hearing_notice(case, hearing), owner=case)
        step = set_status(
            case, transition, actor, user, officers=[s for s in [staff_of(user)] if s], document=doc
        )
        record(case, step, {"hearing_on": hearing_on, "host": host.pk, "document": doc.number})
        return hearing


def hold_hearing(case_id: int, *, attended: bool, record_text: str = "", user=None) -> Hearing:
    """Held by its host on the day (art 64-65). A party who does not come without good reason
    gives up the hearing (art 64 (6))."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "hold_hearing", user)
        hearing = (
            Hearing.objects.select_for_update(of=("self",), no_key=True)
            .select_related("host")
            .get(case=case)
        )
        me = staff_of(user)
        if me is None or hearing.host_id != me.pk:
            raise refuse(_("听证由通知中指定的主持人举行"), "not_host")
        day = today()
        if day < hearing.hearing_on:
            raise Conflict(_("听证定于%(d)s举行") % {"d": hearing.hearing_on}, code="too_early")
        if attended:
            record_text = require_text(record_text, "record_text", _("须记录听证笔录"))
        hearing.held_on, hearing.attended, hearing.record = day, bool(attended), record_text
        hearing.save(update_fields=["held_on", "attended", "record"])
        doc = issue_document("hearing_record", documents.hearing_record(case, hearing), owner=case)
        fields = _grounds_fields(case)
        step = set_status(case, transition, actor, user, officers=[me], document=doc, fields=fields)
        record(case, step, {"attended": hearing.attended, "review_grounds": case.review_grounds})
        return hearing


__all__ = [
    "active_officer_ids",
    "hearing_eligible",
    "hold_hearing",
    "notify",
    "propose",
    "record_statement",
    "request_hearing",
    "review_grounds",
    "revise_proposal",
    "schedule_hearing",
    "waive_rights",
]
