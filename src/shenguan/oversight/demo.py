"""Demo oversight records: one sweep over the demo zone's running clocks (applications,
cures, pushes, tasks, cases, measures, grid events) as of today, which raises the warnings and
overdue alerts, escalates and proposes accountability records where the policy says; then, if
a proposal exists and none has been reviewed yet, bureau head ``head1`` confirms the oldest one
so that the review and appeal forms have something to show. Idempotent: the sweep creates
nothing twice, and the review happens only once.

Called by the lead's seeder as ``seed_demo(rng)`` after the other apps' demo records exist."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from shenguan.core.context import acting_as
from shenguan.core.errors import DomainError

from . import services
from .choices import AccountabilityStatus
from .models import AccountabilityRecord


def seed_demo(rng: random.Random | None = None) -> dict:
    with acting_as(None, source="command", name="command:demo"):
        report = services.sweep()
    result = {
        "clocks": report.clocks,
        "warnings": len(report.warnings),
        "overdue": len(report.overdue),
        "escalations": len(report.backup_escalations) + len(report.head_escalations),
        "accountability": len(report.accountability),
        "reviewed": 0,
    }
    head = get_user_model().objects.filter(username="head1").first()
    reviewed = AccountabilityRecord.objects.exclude(status=AccountabilityStatus.PROPOSED)
    proposal = (
        AccountabilityRecord.objects.filter(status=AccountabilityStatus.PROPOSED)
        .order_by("created", "id")
        .first()
    )
    if head is not None and proposal is not None and not reviewed.exists():
        try:
            with acting_as(head, source="ui"):
                services.review(
                    proposal.pk, confirm=True, note="演示：逾期属实，予以问责", user=head
                )
            result["reviewed"] = 1
        except DomainError:
            pass  # head1 is the record's own staff member or cannot see it: leave it proposed
    return result
