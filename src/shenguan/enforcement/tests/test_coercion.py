"""Sealing and seizure (行政强制法 art 18-28): approval first or an emergency report within 24
hours, two officers, a 30-day term with one 30-day extension, release."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.errors import Conflict, DomainError, Forbidden, TransitionNotAllowed
from shenguan.enforcement.coercion import services
from shenguan.enforcement.coercion.models import MeasureStatus
from shenguan.enforcement.common.models import Document
from shenguan.enforcement.legal.models import Alert
from shenguan.enforcement.legal.sweep import sweep

from .conftest import START
from .flows import png_bytes

pytestmark = pytest.mark.django_db


def _data(b, **extra):
    return {
        "kind": "seizure",
        "party_id": b.company.pk,
        "place": "葛店社区创业路8号仓库",
        "items": [{"name": "无标签食品", "quantity": "120", "unit": "箱"}],
        "reason": "涉嫌经营无标签预包装食品，可能转移",
        "basis": "《中华人民共和国食品安全法》第一百一十条",
        "officer_ids": [b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        **extra,
    }


def test_approved_before_and_thirty_days_plus_thirty_once(bureau, travel):
    b = bureau
    travel(START)
    m = services.request_measure(**_data(b), user=b.officer1)
    assert m.status == MeasureStatus.REQUESTED and m.ends_on is None
    with pytest.raises(Forbidden):
        services.approve_measure(m.pk, user=b.officer1)
    m = services.approve_measure(m.pk, user=b.head)
    # 30 days is a calendar period (art 69): Mar 2 + 30 = Apr 1, a Wednesday
    assert m.status == MeasureStatus.IN_FORCE and m.ends_on == dt.date(2026, 4, 1)
    assert Document.objects.filter(measure=m, kind="measure_decision").exists()
    travel(dt.date(2026, 3, 30))
    m = services.extend_measure(m.pk, reason="需要检验检测", user=b.head)
    # + 30 from Apr 1 = May 1, Labour Day → the first working day after it: May 6
    assert m.ends_on == dt.date(2026, 5, 6)
    with pytest.raises(Conflict) as exc:
        services.extend_measure(m.pk, reason="再延", user=b.head)
    assert exc.value.code == "already_extended"
    m = services.release_measure(m.pk, reason="decided", note="已作出处罚决定", user=b.officer1)
    assert m.status == MeasureStatus.RELEASED
    assert Document.objects.filter(measure=m, kind="measure_release").exists()
    with pytest.raises(TransitionNotAllowed):
        services.release_measure(m.pk, reason="expired", user=b.officer1)


def test_one_officer_cannot_seize(bureau, travel):
    b = bureau
    travel(START)
    with pytest.raises(DomainError) as exc:
        services.request_measure(**_data(b, officer_ids=[]), user=b.officer1)
    assert exc.value.code == "two_officers" and "行政强制法第十八条" in exc.value.message


def test_emergency_measure_reported_within_24_hours(bureau, travel):
    b = bureau
    travel(START)
    m = services.take_emergency_measure(**_data(b, kind="sealing"), user=b.officer1)
    assert m.status == MeasureStatus.IN_FORCE and m.emergency
    assert m.report_due_at - m.taken_at == dt.timedelta(hours=24)
    with pytest.raises(Conflict):  # the head cannot ratify what was not reported
        services.ratify_emergency(m.pk, approve=True, user=b.head)
    travel(START + dt.timedelta(days=1), hour=10)  # 25 hours later
    sweep()
    overdue = Alert.objects.get(kind="overdue", subject_id=str(m.pk))
    assert "24小时" in overdue.message
    missing = Alert.objects.get(kind="missing_evidence", subject_id=str(m.pk))
    m = services.report_emergency(m.pk, note="电话报告局长", user=b.officer2)
    assert m.reported_late
    services.add_measure_evidence(m.pk, content=png_bytes(), filename="封条.png", user=b.officer1)
    m = services.ratify_emergency(m.pk, approve=True, note="同意", user=b.head)
    assert m.approved_at is not None
    sweep()
    overdue.refresh_from_db()
    missing.refresh_from_db()
    assert overdue.resolved_at and missing.resolved_at


def test_head_disapproves_an_emergency_measure_and_it_is_released(bureau, travel):
    b = bureau
    travel(START)
    m = services.take_emergency_measure(**_data(b), user=b.officer1)
    services.report_emergency(m.pk, user=b.officer1)
    m = services.ratify_emergency(m.pk, approve=False, note="不属于紧急情况", user=b.head)
    assert m.status == MeasureStatus.RELEASED and m.release_reason == "not_ratified"


def test_extension_after_the_term_is_refused(bureau, travel):
    b = bureau
    travel(START)
    m = services.request_measure(**_data(b), user=b.officer1)
    m = services.approve_measure(m.pk, user=b.head)
    travel(m.ends_on + dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.extend_measure(m.pk, reason="复杂", user=b.head)
    assert exc.value.code == "term_over"
    sweep()
    assert Alert.objects.filter(kind="overdue", subject_type="enforcement.measure").exists()
