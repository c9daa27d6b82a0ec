"""The legal section: the review queue and its three opinions, guidance to officers, the live
view of open steps, and the alerts (single officer, overdue step, missing evidence)."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.errors import DomainError, Forbidden
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.cases.models import CaseOfficer
from shenguan.enforcement.common.models import Document
from shenguan.enforcement.legal import services as legal
from shenguan.enforcement.legal.models import Alert, LegalReview
from shenguan.enforcement.legal.sweep import open_steps, sweep

pytestmark = pytest.mark.django_db


def test_amend_and_resubmit_then_approve(flow):
    b = flow.b
    case = flow.to(S.LEGAL_REVIEW, major=True)
    assert LegalReview.objects.get(case=case, round=1).grounds == ["large_fine"]
    with pytest.raises(DomainError):  # an opinion other than approval states its reasons
        legal.give_opinion(case.pk, opinion="amend", user=b.legal)
    legal.give_opinion(case.pk, opinion="amend", text="请补充整改情况", user=b.legal)
    assert flow.refresh().status == S.RETURNED
    data = flow.proposal(True)
    for key in ("facts", "violated_provision", "penalty_basis"):
        data.pop(key)
    cases.revise_proposal(
        case.pk, **{**data, "fine_amount": "120000"}, reasons="已整改", user=flow.o1
    )
    cases.resubmit_for_review(case.pk, note="已按意见修改", user=flow.o1)
    review = legal.give_opinion(case.pk, opinion="approve", text="同意", user=b.legal2)
    assert review.round == 2 and review.reviewer == b.staff(b.legal2)
    case = flow.refresh()
    assert case.status == S.REVIEWED and case.review_approved_on == flow.day
    assert Document.objects.filter(case=case, kind="legal_opinion").count() == 2
    case = cases.decide(case.pk, user=b.head)
    assert case.status == S.DECIDED and str(case.fine_amount) == "120000.00"


def test_only_legal_reviewers_give_opinions(flow):
    case = flow.to(S.LEGAL_REVIEW, major=True)
    for user in (flow.b.officer1, flow.b.head):
        with pytest.raises(Forbidden):
            legal.give_opinion(case.pk, opinion="approve", user=user)


def test_guidance_reaches_the_officer(flow):
    b = flow.b
    case = flow.to(S.INVESTIGATING)
    g = legal.send_guidance(
        recipient_id=b.staff(b.officer1).pk, case_id=case.pk, text="注意制作询问笔录", user=b.legal
    )
    with pytest.raises(Forbidden):
        legal.send_guidance(recipient_id=b.staff(b.officer2).pk, text="x", user=b.officer1)
    with pytest.raises(Forbidden):
        legal.mark_guidance_read(g.pk, user=b.legal)
    assert legal.mark_guidance_read(g.pk, user=b.officer1).read_at is not None


def test_open_steps_are_scoped_and_show_due_dates(flow):
    b = flow.b
    case = flow.to(S.INVESTIGATING)
    mine = open_steps(b.officer1)
    row = next(s for s in mine if s.kind == "case")
    assert row.id == case.pk and row.due_on == case.decision_due_on and not row.overdue
    assert set(row.officers) == {"何振华", "高洁"}
    assert [s for s in open_steps(b.other_officer) if s.kind == "case"] == []
    assert any(s.id == case.pk for s in open_steps(b.legal))


def test_sweep_raises_and_resolves_alerts(flow):
    b = flow.b
    case = flow.to(S.INVESTIGATING)
    flow.lead_only()  # a second lead, not yet looked at
    assert sweep()["raised"] == 0
    # eleven days on, still no evidence; the lead's 15 working days are not over yet
    flow.go(dt.date(2026, 3, 13))
    sweep()
    assert set(Alert.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True)) == {
        "missing_evidence"
    }
    # a recusal leaves one officer (set up directly: the service itself refuses this)
    CaseOfficer.objects.filter(case=case, staff=b.staff(b.officer2)).update(recused_on=flow.day)
    flow.go(dt.date(2026, 3, 24))  # and the lead is now past its opening period
    sweep()
    open_kinds = sorted(Alert.objects.filter(resolved_at__isnull=True).values_list("kind", "key"))
    assert open_kinds == [
        ("missing_evidence", "investigation"),
        ("overdue", "lead:立案审查"),
        ("single_officer", "case_officers"),
    ]
    assert sweep()["raised"] == 0  # idempotent
    # causes removed → alerts resolved
    CaseOfficer.objects.filter(case=case).update(recused_on=None)
    flow.evidence()
    cases.dismiss_lead(flow.lead.pk, reason="不属于本机关管辖", user=b.officer1)
    result = sweep()
    assert result["resolved"] == 3
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()


def test_half_signed_inspection_alerts_after_a_day(bureau, travel):
    from shenguan.enforcement.inspections import services as insp

    from .conftest import START

    travel(START)
    b = bureau
    task = insp.create_inspection(
        source="plan",
        subject="计划检查",
        party_id=b.company.pk,
        officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        user=b.officer1,
    )
    insp.start_inspection(task.pk, user=b.officer1)
    for a in task.answers.all():
        insp.answer_item(task.pk, seq=a.seq, answer="ok", user=b.officer1)
    insp.record_result(task.pk, result="compliant", findings="正常", user=b.officer1)
    insp.sign_inspection(task.pk, user=b.officer1)
    sweep()
    assert not Alert.objects.filter(kind="single_officer").exists()
    travel(START + dt.timedelta(days=1), hour=10)
    sweep()
    alert = Alert.objects.get(kind="single_officer", key="second_signature")
    assert alert.squad == b.squad
    legal.acknowledge_alert(alert.pk, user=b.legal)
    insp.sign_inspection(task.pk, user=b.officer2)
    sweep()
    alert.refresh_from_db()
    assert alert.resolved_at is not None and alert.acknowledged_by == b.legal
