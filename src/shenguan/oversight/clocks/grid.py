"""Clocks of grid management: a grid event not closed by its due date. The grid app is built
separately; while its ``GridEvent`` model (or one of the fields used here) is missing this
provider yields nothing."""

from __future__ import annotations

import datetime as dt
import logging

from django.apps import apps

from shenguan.core import calendar

from ..choices import ClockKind
from . import Clock, provider

log = logging.getLogger(__name__)

DONE_STATUSES = ("closed", "confirmed")
FIELDS = ("grid", "assigned_section", "assignee", "reported_on", "due_on", "closed_at")


def event_model():
    try:
        model = apps.get_model("grid", "GridEvent")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    if not set(FIELDS) <= names:
        return None
    return model


@provider("grid", ClockKind.GRID_EVENT)
def clocks(day: dt.date):
    model = event_model()
    if model is None:
        return
    names = {f.name for f in model._meta.get_fields()}
    has_department = "assigned_department" in names
    related = ["grid", "assigned_section"] + (["assigned_department"] if has_department else [])
    qs = model.objects.filter(
        closed_at__isnull=True, due_on__isnull=False, reported_on__isnull=False
    )
    if "status" in names:  # closed or confirmed by the grid workflow
        qs = qs.exclude(status__in=DONE_STATUSES)
    for event in qs.select_related(*related):
        try:
            limit = calendar.working_days_between(event.reported_on, event.due_on)
        except calendar.UnknownYear:
            continue
        section = event.assigned_section
        department_id = (
            event.assigned_department_id
            if has_department and event.assigned_department_id
            else (section.department_id if section else None)
        )
        try:
            url = event.get_absolute_url()
        except Exception:  # noqa: BLE001 - another app's URL must not stop the sweep
            url = ""
        yield Clock(
            kind=ClockKind.GRID_EVENT,
            object_type=model._meta.label_lower,
            object_id=str(event.pk),
            label=str(event),
            url=url,
            started_on=event.reported_on,
            due_on=event.due_on,
            law=calendar.Law.WORKING,
            limit_days=max(limit, 1),
            staff_id=event.assignee_id or (section.head_id if section else None),
            department_id=department_id,
            section_id=section.pk if section else None,
            grid_id=event.grid_id,
        )
