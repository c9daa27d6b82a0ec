"""Event → routing → acceptance → closure → feedback, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.grid import services
from shenguan.grid.choices import Category, EventStatus
from shenguan.grid.factories import JPEG, PNG
from shenguan.grid.models import EventStep, GridEvent

pytestmark = pytest.mark.django_db

# 2026-09-29 is a Tuesday; 1-7 October is the National Day holiday (8 October a working day,
# 10 October a Saturday worked in lieu).
TUESDAY = dt.date(2026, 9, 29)


def _report(world, **kw):
    data = {
        "grid_id": world.grid1.pk,
        "category": Category.HAZARD,
        "title": "河道有企业偷排废水",
        "place": "葛店村三组河道",
        "description": "排污口有异味",
        "photos": [(PNG, "river.png")],
        "user": world.worker1,
    }
    data.update(kw)
    return services.report_event(**data)


def test_end_to_end_routed_by_power_list(world, travel):
    travel(TUESDAY)
    event = _report(world, latitude="30.508", longitude="114.640")
    event.refresh_from_db()
    # the pollution rule names no receiver: it found the penalty power by its name in the
    # power list, and the receiver through that power's responsibility entry
    assert event.status == EventStatus.ROUTED
    assert event.routed_power_id == world.pollution_power.pk
    resp = world.pollution_power.responsibility
    assert event.assigned_section_id == resp.section_id == world.eco_squad.pk
    assert event.assigned_department_id == world.bureau.pk
    assert event.assignee_id == world.eco_holder.pk
    assert event.limit_days == 3
    # three working days after Tuesday 29 Sep, skipping the National Day holiday
    assert event.due_on == dt.date(2026, 10, 9)
    photo = event.photos.get()
    import hashlib

    assert photo.sha256 == hashlib.sha256(PNG).hexdigest()
    assert photo.content_type == "image/png"

    # the grid's own squad is not the receiver: it does not see the event
    with pytest.raises(NotFound):
        services.accept_event(event.pk, user=world.inspector1)

    travel(dt.date(2026, 9, 30))
    services.accept_event(event.pk, user=world.eco_inspector)
    travel(dt.date(2026, 10, 8))
    services.close_event(
        event.pk,
        report="已责令停止排放并立案调查",
        photos=[(JPEG, "after.jpg")],
        user=world.eco_inspector,
    )
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    assert event.closed_at is not None and not event.closed_overdue and not event.is_overdue
    assert event.photos.count() == 2

    services.confirm_event(event.pk, rating=5, comment="处理及时", user=world.worker1)
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED and event.rating == 5

    actions = list(event.steps.values_list("action", flat=True))
    assert actions == ["report", "route", "accept", "close", "confirm"]
    types = set(
        OutboxEvent.objects.filter(subject_id=str(event.pk), type__startswith="grid.").values_list(
            "type", flat=True
        )
    )
    assert {
        "grid.event_reported",
        "grid.event_routed",
        "grid.event_accepted",
        "grid.event_closed",
        "grid.event_confirmed",
    } <= types
    journal = set(
        JournalEntry.objects.filter(
            object_type="grid.gridevent", object_id=str(event.pk)
        ).values_list("action", flat=True)
    )
    assert {"grid.event.reported", "grid.event.routed", "grid.event.closed"} <= journal


def test_unlicensed_operation_goes_to_grid_squad(world, travel):
    travel(TUESDAY)
    event = _report(world, category=Category.UNLICENSED_OPERATION, title="路边无证烧烤摊")
    assert event.status == EventStatus.ROUTED
    assert event.assigned_section_id == world.grid1.squad_id
    # the other grid's squad gets that grid's events
    other = _report(
        world, grid_id=world.grid2.pk, category="unlicensed_operation", user=world.worker2
    )
    assert other.assigned_section_id == world.squad2.pk


def test_overdue_closure_across_holiday(world, travel):
    travel(TUESDAY)
    event = _report(world)
    assert event.due_on == dt.date(2026, 10, 9)
    # on 8 October naive day counting (3 calendar days → 2 Oct) would call it late; it is not
    travel(dt.date(2026, 10, 8))
    assert services.sweep() == {"checked": 0, "overdue": 0}
    travel(dt.date(2026, 10, 10))
    result = services.sweep()
    assert result["overdue"] == 1
    event.refresh_from_db()
    assert event.is_overdue and event.overdue_marked_at is not None
    assert services.sweep()["overdue"] == 0  # once only
    services.close_event(event.pk, report="已整改", user=world.eco_inspector)
    event.refresh_from_db()
    assert event.closed_overdue and event.status == EventStatus.CLOSED
    assert OutboxEvent.objects.filter(type="grid.event_overdue", subject_id=str(event.pk)).count()
    close = OutboxEvent.objects.get(type="grid.event_closed", subject_id=str(event.pk))
    assert close.payload["overdue"] is True


def test_closing_on_the_due_day_is_in_time(world, travel):
    travel(TUESDAY)
    event = _report(world)
    travel(dt.date(2026, 10, 9), hour=23)
    services.close_event(event.pk, report="已处理", user=world.eco_inspector)
    event.refresh_from_db()
    assert not event.closed_overdue


def test_reopen_sends_back_with_new_limit(world, travel):
    travel(TUESDAY)
    event = _report(world)
    services.close_event(event.pk, report="已处理", user=world.eco_inspector)
    with pytest.raises(DomainError):
        services.reopen_event(event.pk, reason=" ", user=world.worker1)
    # another grid's worker cannot even see it
    with pytest.raises(NotFound):
        services.reopen_event(event.pk, reason="仍在排放", user=world.worker2)
    travel(dt.date(2026, 10, 12))
    services.reopen_event(event.pk, reason="仍在排放", user=world.worker1)
    event.refresh_from_db()
    assert event.status == EventStatus.ROUTED
    assert event.reopen_count == 1 and event.closed_at is None
    assert event.assigned_section_id == world.eco_squad.pk
    assert event.due_on == dt.date(2026, 10, 15)
    with pytest.raises(Conflict):
        services.confirm_event(event.pk, rating=3, user=world.worker1)


def test_return_and_manual_dispatch(world, travel):
    travel(TUESDAY)
    event = _report(world, category=Category.COMPLAINT, title="邻里噪音纠纷")
    assert event.assigned_section_id == world.squad1.pk
    with pytest.raises(DomainError):
        services.return_event(event.pk, reason="", user=world.inspector1)
    services.return_event(event.pk, reason="不属于本中队职责", user=world.inspector1)
    event.refresh_from_db()
    assert event.status == EventStatus.REPORTED and event.assigned_section_id is None
    assert event.due_on == dt.date(2026, 9, 30)  # the centre's turn: the next working day
    # the receiver that returned it no longer sees it
    assert not GridEvent.objects.restrict(world.inspector1).filter(pk=event.pk).exists()
    with pytest.raises(Forbidden):
        services.dispatch_event(event.pk, section_id=world.squad2.pk, user=world.worker1)
    services.dispatch_event(event.pk, power_id=world.pollution_power.pk, user=world.command)
    event.refresh_from_db()
    assert event.status == EventStatus.ROUTED
    assert event.assigned_section_id == world.eco_squad.pk
    assert event.due_on == dt.date(2026, 10, 12)  # complaint rule: 5 working days


def test_help_request_without_a_rule_waits_for_the_centre(world, travel):
    travel(TUESDAY)
    event = _report(world, category=Category.HELP_REQUEST, title="独居老人需要帮助")
    assert event.status == EventStatus.REPORTED and event.assigned_department_id is None
    assert list(event.steps.values_list("action", flat=True)) == ["report"]
    with pytest.raises(Conflict):
        services.route_event(event.pk, user=world.command)
    # the centre has until the next working day (30 Sep) to dispatch; the National Day break
    # does not count against it, 8 October does
    assert event.due_on == dt.date(2026, 9, 30)
    travel(dt.date(2026, 10, 7))
    assert services.sweep()["overdue"] == 1
    travel(dt.date(2026, 10, 8))
    services.dispatch_event(event.pk, section_id=world.squad1.pk, user=world.command)
    event.refresh_from_db()
    # the receiver starts with a clean clock (5 working days, Saturday 10 October being one);
    # the centre's delay stays in the file
    assert not event.is_overdue and event.due_on == dt.date(2026, 10, 14)
    assert event.steps.filter(action="mark_overdue").count() == 1


def test_upload_rejections(world, travel, settings):
    travel(TUESDAY)
    with pytest.raises(DomainError) as exc:
        _report(world, photos=[(b"%PDF-1.7 not a photo", "photo.jpg")])
    assert exc.value.code == "file_type"
    with pytest.raises(DomainError) as exc:
        _report(world, photos=[(b"GIF89a" + b"\x00" * 20, "x.png")])
    assert exc.value.code == "file_type"
    settings.SHENGUAN_GRID_PHOTO_MAX_MB = 1
    with pytest.raises(DomainError) as exc:
        _report(world, photos=[(JPEG + b"\x00" * (1024 * 1024), "big.jpg")])
    assert exc.value.code == "file_too_large"
    assert not GridEvent.objects.exists()


def test_only_the_grids_worker_reports(world):
    with pytest.raises(Forbidden):
        _report(world, user=world.worker2)
    with pytest.raises(Forbidden):
        _report(world, user=world.inspector1)


def test_steps_are_the_electronic_file(world, travel):
    travel(TUESDAY)
    event = _report(world)
    route = EventStep.objects.filter(event=event, action="route").get()
    assert route.article.endswith("第十二条") and route.actor_name.startswith("系统")
    report = EventStep.objects.filter(event=event, action="report").get()
    assert report.actor_name != route.actor_name
