"""The deadline sweep over every clock (``shenguan oversight sweep``, periodic task
``oversight.sweep``).

For each running clock on ``day``:
- overdue (red) once ``day`` is past the due date;
- warning (yellow) once the share of the period used reaches the policy's warning share
  (80 % by default), counted in the unit the law counts (working or calendar days);
- an overdue alert is escalated to the backup (B角) of the responsible post after the
  policy's working days overdue, then to the section head, and an accountability record
  (效能问责) is proposed against the responsible staff member after more.

An alert whose clock has stopped (the act was done), moved (an extension, a suspension) or
turned red is resolved. Every write goes through ``services`` in its own transaction, each
re-checking under a lock, so repeated or concurrent sweeps create nothing twice."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from shenguan.core import calendar

from . import clocks as clock_registry
from . import services
from .choices import AlertLevel, EscalationTarget, Resolution
from .models import Alert

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    day: dt.date
    policy_version: int = 0
    clocks: int = 0
    warnings: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    backup_escalations: list[str] = field(default_factory=list)
    head_escalations: list[str] = field(default_factory=list)
    accountability: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(
            len(x)
            for x in (
                self.warnings,
                self.overdue,
                self.resolved,
                self.backup_escalations,
                self.head_escalations,
                self.accountability,
            )
        )

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "policy_version": self.policy_version,
            "clocks": self.clocks,
            "warnings": self.warnings,
            "overdue": self.overdue,
            "resolved": self.resolved,
            "backup_escalations": self.backup_escalations,
            "head_escalations": self.head_escalations,
            "accountability": self.accountability,
            "errors": self.errors,
        }


def level_of(clock, day: dt.date, warning_share) -> str | None:
    """The level of ``clock`` on ``day`` under the policy's warning share."""
    if day > clock.due_on:
        return AlertLevel.OVERDUE
    span = clock.span()
    if span <= 0:
        return None
    threshold = max(1, math.ceil(span * float(warning_share) - 1e-9))
    if clock.elapsed(day) >= threshold:
        return AlertLevel.WARNING
    return None


def overdue_working_days(due_on: dt.date, day: dt.date) -> int:
    """Working days after the due date up to ``day`` (escalation steps are counted in working
    days whatever the clock's own unit)."""
    return calendar.working_days_between(due_on, day)


def collect(day: dt.date, report: SweepReport):
    """All running clocks, and the clock kinds whose providers answered (alerts of a kind
    whose provider failed are left alone rather than resolved)."""
    found = {}
    answered: set[str] = set()
    for name, (kinds, func) in clock_registry.load().items():
        try:
            rows = list(func(day))
        except Exception as exc:  # noqa: BLE001 - one broken provider must not stop the rest
            log.exception("oversight: clock provider %s failed", name)
            report.errors.append(f"{name}: {exc}")
            continue
        answered.update(str(k) for k in kinds)
        for clock in rows:
            found[clock.key] = clock
    return found, answered


def run_sweep(day: dt.date | None = None) -> SweepReport:
    day = day or timezone.localdate()
    report = SweepReport(day)
    policy = services.policy_in_force(day)
    report.policy_version = policy.version
    found, answered = collect(day, report)
    report.clocks = len(found)

    open_alerts = defaultdict(list)
    for alert in Alert.objects.open().only(
        "id", "clock_kind", "object_type", "object_id", "level", "due_on", "object_label"
    ):
        open_alerts[(alert.clock_kind, alert.object_type, alert.object_id)].append(alert)

    # 1. Alerts of clocks that stopped.
    for key, alerts in open_alerts.items():
        if key in found or key[0] not in answered:
            continue
        for alert in alerts:
            if services.resolve_alert(alert.pk, Resolution.STOPPED):
                report.resolved.append(f"{alert.object_label} ({alert.level})")

    # 2. Running clocks: raise, supersede, reschedule; escalate overdue ones.
    for key, clock in found.items():
        try:
            level = level_of(clock, day, policy.warning_share)
            overdue_days = (
                overdue_working_days(clock.due_on, day) if level == AlertLevel.OVERDUE else 0
            )
        except calendar.UnknownYear as exc:
            report.errors.append(f"{clock.label}: {exc}")
            continue
        current = None
        for alert in open_alerts.get(key, []):
            if alert.due_on != clock.due_on:
                resolution = Resolution.RESCHEDULED
            elif alert.level == AlertLevel.WARNING and level == AlertLevel.OVERDUE:
                resolution = Resolution.SUPERSEDED
            elif level is None:
                resolution = Resolution.RESCHEDULED
            else:
                current = alert
                continue
            if services.resolve_alert(alert.pk, resolution):
                report.resolved.append(f"{alert.object_label} ({alert.level})")
        if level is None:
            continue
        if current is None or current.level != level:
            created = services.raise_alert(clock, level, day)
            if created is not None:
                bucket = report.overdue if level == AlertLevel.OVERDUE else report.warnings
                bucket.append(clock.label)
                current = created
        if level != AlertLevel.OVERDUE or current is None:
            continue
        if overdue_days >= policy.backup_after_days and services.escalate(
            current.pk, EscalationTarget.BACKUP, overdue_days, day
        ):
            report.backup_escalations.append(clock.label)
        if overdue_days >= policy.section_head_after_days and services.escalate(
            current.pk, EscalationTarget.SECTION_HEAD, overdue_days, day
        ):
            report.head_escalations.append(clock.label)
        if overdue_days >= policy.accountability_after_days:
            record = services.propose_from_alert(current.pk, overdue_days, day, policy)
            if record is not None:
                report.accountability.append(f"{record.number} {clock.label}")

    log.info(
        "oversight sweep %s: %s clocks, %s changes, %s errors",
        day,
        report.clocks,
        report.changed,
        len(report.errors),
    )
    return report
