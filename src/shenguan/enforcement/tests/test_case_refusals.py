"""The shortcuts the law forbids are refused with a clear error, and nothing changes: a decision
without the notice of rights, a major decision without legal review, an action by one officer,
a simple-procedure fine over the cap, a decision after 90 days without an extension; and the
other guards of the general procedure (art 45, 58, 63-64, scope and roles)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shenguan.core.errors import DomainError, Forbidden, NotFound, TransitionNotAllowed
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.enforcement.cases import services
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.cases.models import CaseStep
from shenguan.enforcement.legal import services as legal

from .conftest import START

pytestmark = pytest.mark.django_db


class Unchanged:
    """Asserts that a refused call wrote nothing: no step, no journal entry, no event."""

    def __init__(self, case):
        self.case = case

    def __enter__(self):
        self.status = type(self.case).objects.get(pk=self.case.pk).status
        self.counts = (
            CaseStep.objects.count(),
            JournalEntry.objects.count(),
            OutboxEvent.objects.count(),
        )
        return self

    def __exit__(self, *exc):
        assert type(self.case).objects.get(pk=self.case.pk).status == self.status
        assert (
            CaseStep.objects.count(),
            JournalEntry.objects.count(),
            OutboxEvent.objects.count(),
        ) == self.counts
        return False


def test_decision_without_notice_of_rights_is_refused(flow):
    case = flow.to(S.PROPOSED)
    with Unchanged(case), pytest.raises(TransitionNotAllowed) as exc:
        services.decide(case.pk, user=flow.b.head)
    assert exc.value.code == "no_notice"
    assert "第四十四条" in exc.value.message and "陈述、申辩" in exc.value.message


def test_decision_while_the_party_may_still_state_its_case_is_refused(flow):
    case = flow.to(S.NOTIFIED)
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.decide(case.pk, user=flow.b.head)
    assert exc.value.code == "statement_window_open"
    # once the period has run out the head may decide (art 62)
    flow.go(case.statement_due_on + dt.timedelta(days=1))
    assert services.decide(case.pk, user=flow.b.head).status == S.DECIDED


def test_major_decision_without_legal_review_is_refused(flow):
    case = flow.to(S.NOTIFIED, major=True)  # 130,000 yuan for an organisation: a large fine
    services.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.decide(case.pk, user=flow.b.head)
    assert exc.value.code == "legal_review_required"
    assert "第五十八条" in exc.value.message and "较大数额罚款" in exc.value.message
    # review rejected: back to investigation, still no decision
    services.submit_for_review(case.pk, user=flow.o1)
    legal.give_opinion(case.pk, opinion="reject", text="证据不足", user=flow.b.legal)
    with pytest.raises(TransitionNotAllowed):
        services.decide(case.pk, user=flow.b.head)
    assert flow.refresh().status == S.INVESTIGATING


def test_complex_case_needs_review_even_for_a_small_fine(flow):
    flow.open(complex=True)
    case = flow.to(S.NOTIFIED)
    services.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    with pytest.raises(DomainError) as exc:
        services.decide(case.pk, user=flow.b.head)
    assert exc.value.code == "legal_review_required"


def test_action_by_one_officer_is_refused(flow):
    b = flow.b
    case = flow.to(S.OPENED)
    me = b.staff(b.officer1).pk
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.start_investigation(case.pk, officer_ids=[me], user=b.officer1)
    assert exc.value.code == "two_officers" and "第四十二条" in exc.value.message
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.start_investigation(case.pk, officer_ids=[], user=b.officer1)
    assert exc.value.code == "two_officers"
    # a second officer who is not on the case does not count
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.start_investigation(
            case.pk, officer_ids=[me, b.staff(b.officer3).pk], user=b.officer1
        )
    assert exc.value.code == "officer_not_assigned"
    case = flow.to(S.PROPOSED)
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.notify(case.pk, officer_ids=[me, me], user=b.officer1)
    assert exc.value.code == "two_officers"


def test_opening_needs_two_certified_officers(flow):
    b = flow.b
    flow.lead_only()
    me = b.staff(b.officer1).pk
    with pytest.raises(DomainError) as exc:
        services.open_case(
            flow.lead.pk,
            power_id=b.penalty_power.pk,
            title="案由",
            officer_ids=[me],
            user=b.officer1,
        )
    assert exc.value.code == "two_officers"
    with pytest.raises(DomainError) as exc:
        services.open_case(
            flow.lead.pk,
            power_id=b.penalty_power.pk,
            title="案由",
            officer_ids=[me, b.staff(b.trainee).pk],
            user=b.officer1,
        )
    assert exc.value.code == "not_certified"
    with pytest.raises(Forbidden) as exc:  # the trainee may not open a case either
        services.open_case(
            flow.lead.pk,
            power_id=b.penalty_power.pk,
            title="案由",
            officer_ids=flow.pair,
            user=b.trainee,
        )
    assert exc.value.code == "not_certified"


@pytest.mark.parametrize(
    ("who", "amount", "ok"),
    [
        ("person", "200", True),
        ("person", "200.01", False),
        ("company", "3000", True),
        ("company", "3001", False),
    ],
)
def test_simple_procedure_fine_over_the_cap_is_refused(bureau, travel, who, amount, ok):
    travel(START)
    party = getattr(bureau, who)
    call = lambda: services.decide_on_the_spot(  # noqa: E731
        party_id=party.pk,
        power_id=bureau.penalty_power.pk,
        facts="占道经营",
        violated_provision="条例第十七条",
        penalty_basis="条例第三十六条",
        sanction="fine",
        fine_amount=amount,
        place="葛店大道",
        officer_ids=[bureau.staff(bureau.officer2).pk],
        user=bureau.officer1,
    )
    if ok:
        assert call().fine_amount == Decimal(amount)
        return
    before = (CaseStep.objects.count(), JournalEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == "simple_cap"
    assert "第五十一条" in exc.value.message
    assert (CaseStep.objects.count(), JournalEntry.objects.count()) == before


def test_simple_procedure_refuses_other_penalties_and_one_officer(bureau, travel):
    travel(START)
    base = {
        "party_id": bureau.person.pk,
        "power_id": bureau.penalty_power.pk,
        "facts": "占道经营",
        "violated_provision": "条例第十七条",
        "penalty_basis": "条例第三十六条",
        "place": "葛店大道",
        "user": bureau.officer1,
    }
    with pytest.raises(DomainError) as exc:
        services.decide_on_the_spot(
            sanction="revocation", officer_ids=[bureau.staff(bureau.officer2).pk], **base
        )
    assert exc.value.code == "simple_sanction"
    with pytest.raises(DomainError) as exc:
        services.decide_on_the_spot(sanction="warning", officer_ids=[], **base)
    assert exc.value.code == "two_officers"


def test_decision_past_90_days_without_extension_is_refused(flow):
    case = flow.to(S.NOTIFIED)
    services.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    # opened 2026-03-02: 90 days end on Sunday 2026-05-31 → Monday 2026-06-01 (民法典 art 203)
    assert flow.refresh().decision_due_on == dt.date(2026, 6, 1)
    flow.go(dt.date(2026, 6, 2))
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.decide(case.pk, user=flow.b.head)
    assert exc.value.code == "decision_overdue" and "第六十条" in exc.value.message
    # too late to extend now
    with pytest.raises(DomainError) as exc:
        services.extend_deadline(case.pk, reason="案情复杂", user=flow.b.head)
    assert exc.value.code == "decision_overdue"


def test_extension_granted_in_time_allows_30_more_days_once(flow):
    case = flow.to(S.NOTIFIED)
    services.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    flow.go(dt.date(2026, 5, 29))
    services.extend_deadline(case.pk, reason="需要检测鉴定", user=flow.b.head)
    assert flow.refresh().decision_due_on == dt.date(2026, 6, 30)  # 120 days, a Tuesday
    with pytest.raises(DomainError) as exc:
        services.extend_deadline(case.pk, reason="再延", user=flow.b.head)
    assert exc.value.code == "already_extended"
    flow.go(dt.date(2026, 7, 1))
    with pytest.raises(DomainError) as exc:
        services.decide(case.pk, user=flow.b.head)
    assert exc.value.code == "decision_overdue"
    flow.go(dt.date(2026, 6, 30))
    assert services.decide(case.pk, user=flow.b.head).status == S.DECIDED


def test_penalty_may_not_rise_after_the_defence(flow):
    case = flow.to(S.NOTIFIED)
    services.record_statement(case.pk, text="设备故障已修复", adopted=False, user=flow.o1)
    data = flow.proposal()
    for key in ("facts", "violated_provision", "penalty_basis"):
        data.pop(key)
    with Unchanged(case), pytest.raises(DomainError) as exc:
        services.revise_proposal(
            case.pk, **{**data, "fine_amount": "40000"}, reasons="拒不认错", user=flow.o1
        )
    assert exc.value.code == "heavier_penalty" and "第四十五条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.revise_proposal(
            case.pk, **{**data, "sanctions": ["fine", "warning"]}, reasons="加警告", user=flow.o1
        )
    assert exc.value.code == "heavier_penalty"
    services.revise_proposal(
        case.pk, **{**data, "fine_amount": "20000"}, reasons="采纳申辩", user=flow.o1
    )
    assert flow.refresh().fine_amount == Decimal("20000")


def test_fine_outside_the_benchmark_is_refused(flow):
    case = flow.to(S.INVESTIGATING)
    flow.evidence()
    data = flow.proposal()
    with pytest.raises(DomainError) as exc:
        services.propose(case.pk, **{**data, "fine_amount": "60000"}, user=flow.o1)
    assert exc.value.code == "outside_benchmark"
    with pytest.raises(DomainError) as exc:  # a fine needs a benchmark or a reason why none
        services.propose(case.pk, **{**data, "benchmark_id": None}, user=flow.o1)
    assert exc.value.code == "benchmark_required"
    case = services.propose(case.pk, **data, user=flow.o1)
    assert case.discretion["benchmark"]["code"] == "§8.35"
    assert case.discretion["ranges"][0]["min_amount"] == "20000"


def test_proposal_needs_evidence(flow):
    case = flow.to(S.INVESTIGATING)
    with pytest.raises(DomainError) as exc:
        services.propose(case.pk, **flow.proposal(), user=flow.o1)
    assert exc.value.code == "evidence_required"


def test_hearing_request_after_five_working_days_is_refused(flow):
    case = flow.to(S.NOTIFIED, major=True)
    assert case.hearing_eligible
    flow.go(case.hearing_request_due_on + dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.request_hearing(case.pk, user=flow.o1)
    assert exc.value.code == "hearing_request_late"


def test_small_fine_gives_no_hearing_right(flow):
    case = flow.to(S.NOTIFIED)
    assert not case.hearing_eligible
    with pytest.raises(DomainError) as exc:
        services.request_hearing(case.pk, user=flow.o1)
    assert exc.value.code == "not_eligible"


def test_hearing_notice_and_host_rules(flow):
    b = flow.b
    case = flow.to(S.HEARING_REQUESTED, via_hearing=True)
    too_soon = START + dt.timedelta(days=7)
    with pytest.raises(DomainError) as exc:
        services.schedule_hearing(
            case.pk, hearing_on=too_soon, place="听证室", host_id=b.staff(b.legal2).pk, user=b.legal
        )
    assert exc.value.code == "hearing_notice_short"
    with pytest.raises(DomainError) as exc:
        services.schedule_hearing(
            case.pk,
            hearing_on=dt.date(2026, 4, 1),
            place="听证室",
            host_id=b.staff(b.officer2).pk,
            user=b.legal,
        )
    assert exc.value.code == "host_investigated"


def test_roles_and_scope(flow):
    b = flow.b
    case = flow.to(S.NOTIFIED)
    services.waive_rights(case.pk, note="书面放弃", user=flow.o1)
    with pytest.raises(Forbidden):  # an officer does not decide
        services.decide(case.pk, user=b.officer1)
    with pytest.raises(Forbidden):  # the command centre watches, it does not act
        services.decide(case.pk, user=b.command)
    with pytest.raises(NotFound):  # another squad's officer does not even see the case
        services.record_statement(case.pk, text="x", user=b.other_officer)
    with pytest.raises(Forbidden):  # an officer of the squad but not on the case
        services.record_statement(case.pk, text="x", user=b.officer3)


def test_reviewer_who_investigated_may_not_review(flow):
    from shenguan.core.factories import make_user
    from shenguan.enforcement.factories import certify

    b = flow.b
    both = make_user("enforcement_officer", "legal_reviewer", section=b.squad, username="dual")
    certify(both)
    flow.lead_only()
    flow.case = services.open_case(
        flow.lead.pk,
        power_id=b.penalty_power.pk,
        title="案由",
        officer_ids=[*flow.pair, b.staff(both).pk],
        user=b.officer1,
    )
    case = flow.to(S.LEGAL_REVIEW, major=True)
    with pytest.raises(Forbidden) as exc:
        legal.give_opinion(case.pk, opinion="approve", user=both)
    assert exc.value.code == "reviewer_investigated"
