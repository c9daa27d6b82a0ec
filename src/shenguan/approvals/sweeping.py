"""The deadline sweep (see ``clocks.sweep``). Candidates are found with a few set queries;
each change then goes through its service, which locks the row and re-checks the condition,
so concurrent or repeated sweeps change nothing twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Exists, OuterRef
from django.utils import timezone

from shenguan.core.errors import DomainError

from . import clocks, workflow
from .choices import CommitmentStatus, LicenceStatus, RenewalStatus, Status, WarningKind
from .models import Application, DeadlineWarning, DeferredMaterial, Licence, Renewal

log = logging.getLogger(__name__)

TERMINABLE = {t.source for t in workflow.TRANSITIONS if t.action == "terminate"}


def _attempt(report: clocks.SweepReport, bucket: list, label: str, fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
    except DomainError as exc:
        # Another actor got there first (a conflict), or the calendar lacks a year: report it
        # and carry on with the rest.
        if exc.code not in (
            "not_yet_due",
            "nothing_overdue",
            "final_state",
            "transition_not_allowed",
            "already_started",
            "renewal_decided",
            "renewal_pending",
            "not_expirable",
        ):
            report.errors.append(f"{label}: {exc.message}")
        return None
    if result is not None:
        bucket.append(label)
    return result


def run_sweep(today: dt.date | None = None) -> clocks.SweepReport:
    from . import services

    day = today or timezone.localdate()
    report = clocks.SweepReport(day)

    # 1. 行政许可法 art 32: no one-time notice within 5 working days → deemed accepted.
    for pk, number, status, received, resubmitted in Application.objects.filter(
        status__in=[Status.SUBMITTED, Status.RESUBMITTED]
    ).values_list("pk", "number", "status", "received_on", "resubmitted_on"):
        since = resubmitted if status == Status.RESUBMITTED else received
        if since is None:
            continue
        try:
            due = day > clocks.deemed_acceptance_after(since)
        except DomainError as exc:
            report.errors.append(f"{number}: {exc.message}")
            continue
        if due:
            _attempt(report, report.deemed_accepted, number, services.deem_acceptance, pk, on=day)

    # 2. Cure dates missed: terminate open applications; start revocation of licences issued.
    overdue_apps = set(
        DeferredMaterial.objects.filter(
            due_on__lt=day,
            supplemented_at__isnull=True,
            commitment__status=CommitmentStatus.SIGNED,
        ).values_list("commitment__application_id", flat=True)
    )
    if overdue_apps:
        rows = Application.objects.filter(pk__in=overdue_apps).values_list("pk", "number", "status")
        issued = []
        for pk, number, status in rows:
            if status in TERMINABLE:
                _attempt(report, report.terminated, number, services.terminate, pk, on=day)
            elif status == Status.LICENCE_ISSUED:
                issued.append(pk)
        for lpk, lnumber in Licence.objects.filter(
            application_id__in=issued,
            status=LicenceStatus.VALID,
            revocation_started_on__isnull=True,
        ).values_list("pk", "number"):
            _attempt(
                report, report.revocations_started, lnumber, services.start_revocation, lpk, on=day
            )

    # 3. 80 % of the promised limit: one warning per application.
    warned = DeadlineWarning.objects.filter(
        application_id=OuterRef("pk"), kind=WarningKind.PROMISED_80
    )
    for pk, number in (
        Application.objects.filter(status__in=workflow.CLOCK_RUNNING, warn_on__lte=day)
        .exclude(Exists(warned))
        .values_list("pk", "number")
    ):
        _attempt(report, report.warnings, number, services.warn, pk, on=day)

    # 4. 行政许可法 art 50: renewal undecided at expiry → deemed granted (before expiry runs).
    for rpk, lnumber in Renewal.objects.filter(
        status=RenewalStatus.PENDING, previous_valid_until__lt=day
    ).values_list("pk", "licence__number"):
        _attempt(report, report.renewals_deemed, lnumber, services.deem_renewal, rpk, on=day)

    # 5. Past validity with nothing pending → expired.
    pending = Renewal.objects.filter(licence_id=OuterRef("pk"), status=RenewalStatus.PENDING)
    for lpk, lnumber in (
        Licence.objects.filter(status=LicenceStatus.VALID, valid_until__lt=day)
        .exclude(Exists(pending))
        .values_list("pk", "number")
    ):
        _attempt(report, report.licences_expired, lnumber, services.expire_licence, lpk, on=day)

    log.info("approvals sweep %s: %s changes, %s errors", day, report.changed, len(report.errors))
    return report
