"""Clocks of post-approval verification: a push must be acknowledged (签收) by the receiving
squad within the policy's working days, and a verification task closed by its due date
(working days, the verification policy)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shenguan.core import calendar
from shenguan.verification.choices import TaskStatus
from shenguan.verification.models import Push, TaskInspector, VerificationTask

from ..choices import ClockKind
from . import Clock, provider, url_of


def _place(section) -> dict:
    """The squad's department and section; the squad head answers for the squad's inbox."""
    if section is None:
        return {}
    return {
        "section_id": section.pk,
        "department_id": section.department_id,
        "staff_id": section.head_id,
    }


@provider("verification", ClockKind.PUSH_ACK, ClockKind.VERIFICATION)
def clocks(day: dt.date):
    for push in Push.objects.filter(
        acknowledged_at__isnull=True, ack_due_on__isnull=False
    ).select_related("squad", "policy", "party"):
        start = timezone.localdate(push.pushed_at)
        yield Clock(
            kind=ClockKind.PUSH_ACK,
            object_type="verification.push",
            object_id=str(push.pk),
            label=f"{push.summary.get('number', '')} {push.party.name}".strip(),
            url=url_of("verification:inbox"),
            started_on=start,
            due_on=push.ack_due_on,
            law=calendar.Law.WORKING,
            limit_days=push.policy.ack_working_days,
            grid_id=push.grid_id,
            **_place(push.squad),
        )

    tasks = list(
        VerificationTask.objects.exclude(status=TaskStatus.CLOSED)
        .filter(due_on__isnull=False)
        .select_related("squad", "party")
    )
    first_inspector: dict[int, int] = {}
    for task_id, staff_id in (
        TaskInspector.objects.filter(task_id__in=[t.pk for t in tasks])
        .order_by("task_id", "id")
        .values_list("task_id", "staff_id")
    ):
        first_inspector.setdefault(task_id, staff_id)
    staff_sections = {}
    if first_inspector:
        from shenguan.org.models import Staff

        staff_sections = {
            s.pk: (s.department_id, s.section_id)
            for s in Staff.objects.filter(pk__in=set(first_inspector.values()))
        }
    for task in tasks:
        place = _place(task.squad)
        inspector = first_inspector.get(task.pk)
        if inspector is not None:
            place["staff_id"] = inspector
            if not place.get("section_id"):
                place["department_id"], place["section_id"] = staff_sections[inspector]
        yield Clock(
            kind=ClockKind.VERIFICATION,
            object_type="verification.verificationtask",
            object_id=str(task.pk),
            label=f"{task.number} {task.party.name}",
            url=url_of("verification:task", task.pk),
            started_on=task.planned_on,
            due_on=task.due_on,
            law=calendar.Law.WORKING,
            limit_days=task.deadline_working_days,
            grid_id=task.grid_id,
            **place,
        )
