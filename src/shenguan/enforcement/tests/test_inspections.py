"""Inspections: tasks from any source (and the seam the verification app uses), a checklist,
two certified officers who both sign, evidence with checksums and checked types, results,
rectification orders with deadlines and re-checks, leads from violations."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from shenguan.core.errors import DomainError, Forbidden, NotFound, TransitionNotAllowed
from shenguan.core.models import OutboxEvent
from shenguan.enforcement.cases.models import CaseLead
from shenguan.enforcement.common.models import Document
from shenguan.enforcement.inspections import services
from shenguan.enforcement.inspections.models import (
    Inspection,
    InspectionStatus,
    RectificationStatus,
)

from .conftest import START
from .flows import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(bureau, travel):
    travel(START)
    b = bureau
    return services.create_inspection(
        source="verification",
        source_type="verification.task",
        source_id=12,
        subject="食品经营许可告知承诺核查",
        party_id=b.company.pk,
        power_id=b.inspection_power.pk,
        officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        due_on=START + dt.timedelta(days=10),
        user=b.head,
    )


def _fill(b, insp, answer="ok", result="compliant", **result_kwargs):
    services.start_inspection(insp.pk, user=b.officer1)
    for a in insp.answers.all():
        services.answer_item(
            insp.pk,
            seq=a.seq,
            answer=answer,
            note="" if answer == "ok" else "未公示许可证",
            user=b.officer1,
        )
    services.record_result(
        insp.pk, result=result, findings="现场检查情况正常", user=b.officer1, **result_kwargs
    )


def test_the_verification_seam_creates_once_and_finds_back(task, bureau):
    again = services.create_inspection(
        source="verification",
        source_type="verification.task",
        source_id="12",
        subject="重复下达",
        party_id=bureau.company.pk,
        user=None,
    )
    assert again.pk == task.pk
    assert list(Inspection.objects.for_source("verification.task", 12)) == [task]
    assert task.squad == bureau.squad  # the squad of the party's grid
    assert task.answers.count() == 5  # the default checklist, copied into the inspection
    event = OutboxEvent.objects.get(type="enforcement.inspection.created", subject_id=str(task.pk))
    assert (
        event.payload["source_type"] == "verification.task" and event.payload["source_id"] == "12"
    )


def test_two_officers_complete_an_inspection_with_evidence(task, bureau):
    b = bureau
    _fill(b, task)
    data = png_bytes()
    item = services.add_inspection_evidence(
        task.pk,
        content=data,
        filename="门头.png",
        place="创业路8号",
        description="许可证公示情况",
        user=b.officer1,
    )
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.content_type == "image/png" and item.size == len(data)
    assert item.file.read() == data
    assert [o["name"] for o in item.officers] == ["何振华", "高洁"]
    insp = services.sign_inspection(task.pk, user=b.officer1)
    assert insp.status == InspectionStatus.SIGNING
    with pytest.raises(DomainError) as exc:  # the same officer cannot sign twice
        services.sign_inspection(task.pk, user=b.officer1)
    assert exc.value.code == "two_officers"
    with pytest.raises(TransitionNotAllowed):  # the record is frozen while awaiting the second
        services.answer_item(task.pk, seq=1, answer="ok", user=b.officer2)
    insp = services.sign_inspection(task.pk, user=b.officer2)
    assert insp.status == InspectionStatus.COMPLETED and insp.completed_at
    assert all(o.signed_at for o in insp.officers.all())
    doc = Document.objects.get(inspection=insp, kind="inspection_record")
    assert "已出示执法证件" in "".join(doc.paragraphs)
    event = OutboxEvent.objects.get(type="enforcement.inspection.completed")
    assert event.payload["result"] == "compliant"
    assert event.payload["source_type"] == "verification.task"


def test_an_unassigned_or_uncertified_officer_cannot_sign(task, bureau):
    b = bureau
    _fill(b, task)
    with pytest.raises(Forbidden) as exc:
        services.sign_inspection(task.pk, user=b.officer3)
    assert exc.value.code == "not_assigned"
    with pytest.raises(Forbidden) as exc:
        services.sign_inspection(task.pk, user=b.trainee)
    assert exc.value.code == "not_certified"
    with pytest.raises(NotFound):
        services.sign_inspection(task.pk, user=b.other_officer)
    with pytest.raises(Forbidden):
        services.sign_inspection(task.pk, user=b.command)


def test_creating_with_one_officer_is_refused(bureau, travel):
    travel(START)
    b = bureau
    with pytest.raises(DomainError) as exc:
        services.create_inspection(
            source="plan",
            subject="计划检查",
            party_id=b.company.pk,
            officer_ids=[b.staff(b.officer1).pk],
            user=b.officer1,
        )
    assert exc.value.code == "two_officers"


def test_finding_needs_evidence_before_signing(task, bureau):
    b = bureau
    _fill(
        b,
        task,
        answer="not_ok",
        result="rectify",
        rectify_days=15,
        rectify_requirements="公示许可证",
    )
    with pytest.raises(DomainError) as exc:
        services.sign_inspection(task.pk, user=b.officer1)
    assert exc.value.code == "evidence_required"
    assert "第 1 项" in exc.value.message
    for a in task.answers.filter(requires_evidence=True):
        services.add_inspection_evidence(
            task.pk, content=png_bytes(), filename=f"{a.seq}.png", answer_seq=a.seq, user=b.officer2
        )
    services.sign_inspection(task.pk, user=b.officer1)
    insp = services.sign_inspection(task.pk, user=b.officer2)
    order = insp.rectification
    # 15 days from Mar 2 is a calendar period: Mar 17 (a Tuesday)
    assert order.due_on == dt.date(2026, 3, 17) and order.status == RectificationStatus.OPEN
    assert Document.objects.filter(inspection=insp, kind="rectification").exists()
    # the re-check: compliant this time, which closes the order
    recheck = services.schedule_recheck(
        order.pk, officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer3).pk], user=b.officer1
    )
    assert recheck.source == "recheck" and recheck.recheck_of == order
    _fill(b, recheck)
    services.sign_inspection(recheck.pk, user=b.officer1)
    with pytest.raises(Forbidden):  # officer2 was not on the re-check
        services.sign_inspection(recheck.pk, user=b.officer2)
    services.sign_inspection(recheck.pk, user=b.officer3)
    order.refresh_from_db()
    assert order.status == RectificationStatus.COMPLIED


def test_a_violation_becomes_a_lead(task, bureau):
    b = bureau
    _fill(b, task, answer="not_ok", result="violation")
    for a in task.answers.filter(requires_evidence=True):
        services.add_inspection_evidence(
            task.pk, content=png_bytes(), filename="x.png", answer_seq=a.seq, user=b.officer1
        )
    services.sign_inspection(task.pk, user=b.officer2)
    services.sign_inspection(task.pk, user=b.officer1)
    lead = CaseLead.objects.get(source_type="enforcement.inspection", source_id=str(task.pk))
    assert lead.source == "inspection" and lead.party == b.company and lead.squad == b.squad


def test_evidence_type_and_size_are_checked(task, bureau, settings):
    b = bureau
    services.start_inspection(task.pk, user=b.officer1)
    with pytest.raises(DomainError) as exc:
        services.add_inspection_evidence(
            task.pk, content=b"<html>not a photo</html>", filename="a.png", user=b.officer1
        )
    assert exc.value.code == "file_type"
    with pytest.raises(DomainError) as exc:
        services.add_inspection_evidence(task.pk, content=b"", filename="a.png", user=b.officer1)
    assert exc.value.code == "file_empty"
    settings.SHENGUAN_EVIDENCE_MAX_MB = 0
    with pytest.raises(DomainError) as exc:
        services.add_inspection_evidence(
            task.pk, content=png_bytes(), filename="a.png", user=b.officer1
        )
    assert exc.value.code == "file_too_large"
    assert task.evidence.count() == 0


def test_reopen_clears_signatures(task, bureau):
    b = bureau
    _fill(b, task)
    services.sign_inspection(task.pk, user=b.officer1)
    services.reopen_inspection(task.pk, reason="补充说明", user=b.officer2)
    insp = Inspection.objects.get(pk=task.pk)
    assert insp.status == InspectionStatus.IN_PROGRESS
    assert not insp.officers.filter(signed_at__isnull=False).exists()
