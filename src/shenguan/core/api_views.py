"""Core endpoints: who am I, statutory deadlines, the journal of an object."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from . import calendar
from .errors import DomainError
from .models import JournalEntry
from .permissions import Scope

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    department_id: int | None
    staff_id: int | None
    party_ids: list[int]
    sees_full_identifiers: bool


@router.get("/me", response=MeOut, summary="The caller and their scope")
def me(request: HttpRequest):
    scope = Scope.of(request.user)
    return {
        "username": request.user.get_username(),
        "name": request.user.get_full_name(),
        "roles": sorted(scope.roles),
        "department_id": scope.department_id,
        "staff_id": scope.staff_id,
        "party_ids": sorted(scope.party_ids),
        "sees_full_identifiers": scope.sees_full_identifiers,
    }


class DeadlineOut(Schema):
    law: str
    start: dt.date
    days: int
    working_days: bool = Field(description="whether the period was counted in working days")
    due: dt.date


@router.get("/deadline", response=DeadlineOut, summary="Due date of a statutory period")
def deadline(request: HttpRequest, law: calendar.Law, start: dt.date, days: int):
    if days < 0 or days > 3650:
        raise DomainError("days must be between 0 and 3650", code="days_out_of_range")
    try:
        due = calendar.deadline(law, start, days)
    except calendar.UnknownYear as exc:
        raise DomainError(str(exc), code="unknown_year")
    return {
        "law": law.value,
        "start": start,
        "days": days,
        "working_days": calendar.counts_working_days(law, days),
        "due": due,
    }


class JournalOut(Schema):
    seq: int
    time: dt.datetime
    actor_name: str
    source: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    request_id: str
    hash: str
    prev_hash: str


@router.get("/journal", response=list[JournalOut], summary="Journal entries (newest first)")
def journal_list(
    request: HttpRequest,
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    limit: int = 100,
):
    qs = JournalEntry.objects.restrict(request.user, "view").order_by("-seq")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    return list(qs[: max(1, min(limit, 1000))])
