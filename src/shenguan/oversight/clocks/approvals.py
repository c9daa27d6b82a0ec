"""Clocks of the approval bureau: the promised limit of an accepted application (行政许可法
art 42, 82: working days), the tolerance cure dates (容缺材料补交), and the licence to be
issued within 10 working days of the decision (art 44)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shenguan.approvals import workflow
from shenguan.approvals.choices import CommitmentStatus, Status
from shenguan.approvals.models import Application, DeferredMaterial
from shenguan.catalog.models import Responsibility
from shenguan.core import calendar

from ..choices import ClockKind
from . import Clock, provider, url_of


def _responsibilities(power_ids) -> dict[int, Responsibility]:
    return {
        r.power_id: r
        for r in Responsibility.objects.filter(power_id__in=set(power_ids)).select_related(
            "post", "section"
        )
    }


def _who(app: Application, resp: Responsibility | None) -> dict:
    """Responsible staff: the application's, else the accountable post's holder (责任清单)."""
    staff = app.responsible
    post = resp.post if resp is not None else None
    if staff is None and post is not None:
        staff = post.holder
    section_id = resp.section_id if resp is not None else None
    if section_id is None and staff is not None:
        section_id = staff.section_id
    department_id = staff.department_id if staff is not None else app.power.department_id
    return {
        "staff_id": staff.pk if staff is not None else None,
        "post_id": post.pk if post is not None else None,
        "department_id": department_id,
        "section_id": section_id,
    }


def _apps(qs):
    rows = list(qs.select_related("responsible", "power", "applicant"))
    resp = _responsibilities(a.power_id for a in rows)
    return rows, resp


@provider("approvals", ClockKind.APPLICATION, ClockKind.LICENCE_ISSUE, ClockKind.TOLERANCE_CURE)
def clocks(day: dt.date):
    running, resp = _apps(
        Application.objects.filter(
            status__in=workflow.CLOCK_RUNNING,
            accepted_on__isnull=False,
            promised_due_on__isnull=False,
        )
    )
    for app in running:
        yield Clock(
            kind=ClockKind.APPLICATION,
            object_type="approvals.application",
            object_id=str(app.pk),
            label=f"{app.number} {app.applicant.name}",
            url=url_of("approvals:review-detail", app.pk),
            started_on=app.accepted_on,
            due_on=app.promised_due_on,
            law=calendar.Law.LICENSING,
            limit_days=app.promised_limit_days or 0,
            grid_id=app.applicant.grid_id,
            **_who(app, resp.get(app.power_id)),
        )

    approved, resp = _apps(
        Application.objects.filter(
            status=Status.APPROVED, decided_on__isnull=False, licence_due_on__isnull=False
        )
    )
    for app in approved:
        yield Clock(
            kind=ClockKind.LICENCE_ISSUE,
            object_type="approvals.application",
            object_id=str(app.pk),
            label=f"{app.number} {app.applicant.name}",
            url=url_of("approvals:review-detail", app.pk),
            started_on=app.decided_on,
            due_on=app.licence_due_on,
            law=calendar.Law.LICENSING,
            limit_days=10,  # 行政许可法 art 44
            grid_id=app.applicant.grid_id,
            **_who(app, resp.get(app.power_id)),
        )

    deferrals = list(
        DeferredMaterial.objects.filter(
            supplemented_at__isnull=True, commitment__status=CommitmentStatus.SIGNED
        ).select_related(
            "commitment__application__responsible",
            "commitment__application__power",
            "commitment__application__applicant",
            "submission__material",
        )
    )
    resp = _responsibilities(d.commitment.application.power_id for d in deferrals)
    for d in deferrals:
        app = d.commitment.application
        signed = d.commitment.signed_at
        start = timezone.localdate(signed) if signed else app.accepted_on or app.received_on
        if start is None:
            continue
        try:
            limit = calendar.working_days_between(start, d.due_on)
        except calendar.UnknownYear:
            continue
        yield Clock(
            kind=ClockKind.TOLERANCE_CURE,
            object_type="approvals.deferredmaterial",
            object_id=str(d.pk),
            label=f"{app.number} {d.submission.material.name}",
            url=url_of("approvals:review-detail", app.pk),
            started_on=start,
            due_on=d.due_on,
            law=calendar.Law.WORKING,
            limit_days=max(limit, 1),
            grid_id=app.applicant.grid_id,
            **_who(app, resp.get(app.power_id)),
        )
