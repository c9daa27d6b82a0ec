"""``shenguan approvals sweep [--today YYYY-MM-DD] [--json]`` — apply every passed deadline
(deemed acceptance, missed cure dates, 80 % warnings, deemed renewals, expiry). Safe to run
as often as wanted (e.g. hourly from cron); a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = "Approvals: the deadline sweep"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="apply every deadline that has passed")
        sweep.add_argument("--today", default="", help="date to sweep as (default: today)")
        sweep.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        from shenguan.approvals.clocks import sweep

        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date such as 2026-02-10")
        report = sweep(today)
        if options.get("json"):
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            data = report.as_dict()
            self.stdout.write(f"sweep {data['today']}: {report.changed} changes")
            for key in (
                "deemed_accepted",
                "terminated",
                "revocations_started",
                "warnings",
                "renewals_deemed",
                "licences_expired",
            ):
                if data[key]:
                    self.stdout.write(f"  {key}: {', '.join(data[key])}")
            for err in report.errors:
                self.stderr.write(f"  error: {err}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} item(s) could not be swept")
