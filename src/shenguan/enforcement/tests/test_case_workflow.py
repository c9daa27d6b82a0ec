"""The penalty-case transition table, driven through the real services: every row of
``cases/workflow.TRANSITIONS`` passes from its source state, and every action from any other
state is refused with a clear error (and the legally required shortcuts with the law's words)."""

from __future__ import annotations

import pytest

from shenguan.core.errors import TransitionNotAllowed
from shenguan.enforcement.cases import services, workflow
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.cases.models import CaseStep
from shenguan.enforcement.legal import services as legal

pytestmark = pytest.mark.django_db

HEARING_STATES = {S.HEARING_REQUESTED, S.HEARING_SCHEDULED, S.HEARD}


def _lower(flow):
    """A lower fine in the same benchmark band (art 45: never higher after the notice)."""
    data = flow.proposal(flow.major)
    data["fine_amount"] = "125000" if flow.major else "25000"
    for key in ("facts", "violated_provision", "penalty_basis"):
        data.pop(key)
    return data


def _act(flow, t):
    """Perform the row's action on ``flow.case`` with valid inputs."""
    b, c = flow.b, flow.case
    a = t.action
    if a == "add_evidence":
        return flow.evidence()
    if a == "assign_officer":
        return services.assign_officer(c.pk, staff_id=b.staff(b.officer3).pk, user=b.head)
    if a == "recuse_officer":
        services.assign_officer(c.pk, staff_id=b.staff(b.officer3).pk, user=b.head)
        return services.recuse_officer(
            c.pk, staff_id=b.staff(b.officer2).pk, reason="与当事人有亲属关系", user=b.head
        )
    if a == "propose":
        flow.evidence()
        return flow.propose(flow.major)
    if a == "revise_proposal":
        return services.revise_proposal(c.pk, **_lower(flow), reasons="当事人已整改", user=flow.o1)
    if a == "record_statement":
        return services.record_statement(
            c.pk, text="已整改完毕，请求从轻", adopted=True, user=flow.o1
        )
    if a == "waive_rights":
        return services.waive_rights(c.pk, note="书面声明放弃", user=flow.o1)
    if a == "submit_for_review":
        if c.status == S.NOTIFIED:
            services.waive_rights(c.pk, note="书面声明放弃", user=flow.o1)
        return services.submit_for_review(c.pk, user=flow.o1)
    if a in ("approve_review", "return_for_amendment", "reject_review"):
        opinion = {"approve_review": "approve", "return_for_amendment": "amend"}.get(a, "reject")
        return legal.give_opinion(c.pk, opinion=opinion, text="意见", user=b.legal)
    if a == "resubmit_for_review":
        return services.resubmit_for_review(c.pk, note="已补充裁量说明", user=flow.o1)
    if a == "extend_deadline":
        return services.extend_deadline(c.pk, reason="案情复杂需鉴定", user=b.head)
    if a == "decide":
        if c.status == S.NOTIFIED:
            services.waive_rights(c.pk, note="书面声明放弃", user=flow.o1)
        return services.decide(c.pk, user=b.head)
    if a == "serve":
        if t.target == S.CLOSED:  # nothing to pay: a decision not to penalise
            c.refresh_from_db()
        return services.serve(c.pk, method="in_person", officer_ids=flow.pair, user=flow.o1)
    if a == "record_payment":
        principal, fee = services.amount_owed(flow.refresh())
        return services.record_payment(c.pk, amount=principal + fee, user=flow.o1)
    if a == "close_after_execution":
        return services.close_after_execution(c.pk, note="法院执行完毕", user=flow.o1)
    if a == "annul_decision":
        return services.annul_decision(c.pk, reason="行政复议决定撤销", user=b.head)
    if a in ("transfer", "terminate"):
        return getattr(services, a)(
            c.pk, reason="涉嫌犯罪" if a == "transfer" else "事实不成立", user=b.head
        )
    simple = {
        "start_investigation": lambda: services.start_investigation(
            c.pk, officer_ids=flow.pair, user=flow.o1
        ),
        "notify": lambda: services.notify(c.pk, officer_ids=flow.pair, user=flow.o1),
        "request_hearing": lambda: services.request_hearing(c.pk, user=flow.o1),
        "demand_payment": lambda: flow._step(S.DEMANDED, flow.major),
        "apply_to_court": lambda: flow._step(S.COURT_APPLIED, flow.major),
        "schedule_hearing": lambda: flow._step(S.HEARING_SCHEDULED, flow.major),
        "hold_hearing": lambda: flow._step(S.HEARD, flow.major),
    }
    return simple[a]()


def _reach(flow, t):
    source = S(t.source)
    via_hearing = source in HEARING_STATES or t.action in ("request_hearing",)
    if t.action == "decide" and source == S.HEARD:
        flow.drop_hearing_ground()  # a hearing held on a fine not "major" under this policy
        return flow.to(source, via_hearing=True, major=True)
    if t.action == "serve" and t.target == S.CLOSED:
        flow.to(S.NOTIFIED)
        services.waive_rights(flow.case.pk, note="书面声明放弃", user=flow.o1)
        services.decide(flow.case.pk, outcome="no_penalty", user=flow.b.head)
        return flow.refresh()
    return flow.to(
        source,
        via_hearing=via_hearing,
        major=via_hearing or source in (S.LEGAL_REVIEW, S.RETURNED, S.REVIEWED),
    )


GENERAL = [t for t in workflow.TRANSITIONS if t.source != workflow.START]


@pytest.mark.parametrize("t", GENERAL, ids=lambda t: f"{t.action}:{t.source}->{t.target}")
def test_every_allowed_transition_passes(flow, t):
    if t.source == S.OPENED:
        flow.open()
    else:
        _reach(flow, t)
    before = CaseStep.objects.filter(case=flow.case).count()
    _act(flow, t)
    case = flow.refresh()
    assert case.status == t.target
    step = case.current_step
    assert step.action == t.action and step.article == t.article
    assert CaseStep.objects.filter(case=case).count() > before
    if t.two_officers:
        assert len(step.officers) >= 2


def test_simple_procedure_rows(bureau, travel):
    from .conftest import START

    travel(START)
    pair = [bureau.staff(bureau.officer1).pk, bureau.staff(bureau.officer2).pk]
    common = {
        "power_id": bureau.penalty_power.pk,
        "facts": "占道经营",
        "violated_provision": "《城市市容和环境卫生管理条例》第十七条",
        "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条",
        "place": "葛店大道与创业路交叉口",
        "officer_ids": pair,
        "user": bureau.officer1,
    }
    fined = services.decide_on_the_spot(
        party_id=bureau.person.pk, sanction="fine", fine_amount="200", **common
    )
    assert fined.status == S.SERVED and fined.payment_due_on is not None
    assert fined.decision_number.startswith("葛综执简〔2026〕")
    warned = services.decide_on_the_spot(party_id=bureau.company.pk, sanction="warning", **common)
    assert warned.status == S.CLOSED
    for case in (fined, warned):
        assert case.current_step.article == "行政处罚法第五十一条、第五十二条"
        assert len(case.current_step.officers) == 2


ALL_STATES = [workflow.START, *S.values]


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
def test_actions_from_any_other_state_are_refused(action):
    allowed = {str(t.source) for t in workflow.TRANSITIONS if t.action == action}
    for state in ALL_STATES:
        if state in allowed:
            assert workflow.transition_for(action, state)
            continue
        with pytest.raises(TransitionNotAllowed) as exc:
            workflow.transition_for(action, state)
        assert exc.value.message  # a sentence, not a code


def test_every_legally_fixed_step_names_its_article():
    # steps that only move a case forward inside the bureau may go without an article; all
    # others cite the statute
    for t in workflow.TRANSITIONS:
        assert t.article, t
        assert t.actors


def test_final_states_allow_nothing():
    for state in workflow.FINAL_STATES:
        assert workflow.actions_from(state) == []


def test_each_step_issues_its_numbered_document(flow):
    """A major case from opening to payment: every legally fixed step leaves its document,
    numbered, and each renders as a PDF with the CJK font embedded."""
    from shenguan.enforcement.common.documents import render

    b = flow.b
    case = flow.to(S.NOTIFIED, major=True)
    services.record_statement(
        case.pk, text="已整改，请求从轻", adopted=True, review="理由成立", user=flow.o1
    )
    services.waive_rights(case.pk, note="书面放弃听证", user=flow.o1)
    services.submit_for_review(case.pk, user=flow.o1)
    legal.give_opinion(case.pk, opinion="approve", user=b.legal)
    services.decide(case.pk, user=b.head)
    services.serve(case.pk, method="in_person", officer_ids=flow.pair, user=flow.o1)
    principal, fee = services.amount_owed(flow.refresh())
    services.record_payment(case.pk, amount=principal + fee, user=flow.o1)
    docs = list(flow.refresh().documents.order_by("id"))
    assert [d.kind for d in docs] == [
        "case_opening",
        "investigation_report",
        "penalty_notice",
        "statement_record",
        "legal_opinion",
        "decision",
        "service_receipt",
        "closing",
    ]
    assert len({d.number for d in docs}) == len(docs)
    assert docs[5].number == flow.case.decision_number
    assert docs[5].number.startswith("葛综执罚决〔2026〕")
    notice = "".join(docs[2].paragraphs)
    assert "陈述和申辩" in notice and "要求听证" in notice and "第四十四条" in notice
    for doc in docs:
        pdf = render(doc)
        assert pdf.startswith(b"%PDF") and b"WenQuanYi" in pdf
