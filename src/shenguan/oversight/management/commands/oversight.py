"""``shenguan oversight sweep [--date YYYY-MM-DD] [--json]`` — the deadline sweep over every
clock; a second run the same day changes nothing.

``shenguan oversight report --month 2026-11 [--xlsx out.xlsx] [--json]`` — the monthly
performance report per department, section and person."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand


def _month(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise CommandError("--month must look like 2026-11")


class Command(ShenguanCommand):
    help = "Oversight (效能监察): the deadline sweep and the monthly performance report"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="raise warnings and overdue alerts, escalate")
        sweep.add_argument("--date", default="", help="day to sweep as (default: today)")
        sweep.add_argument("--json", action="store_true", help="print the report as JSON")
        report = sub.add_parser("report", help="monthly performance report")
        report.add_argument("--month", required=True, help="e.g. 2026-11")
        report.add_argument("--xlsx", default="", help="write the report to this XLSX file")
        report.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        if options["action"] == "sweep":
            return self._sweep(options)
        return self._report(options)

    def _sweep(self, options):
        from shenguan.oversight.services import sweep

        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be a date such as 2026-10-09")
        report = sweep(day)
        data = report.as_dict()
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"oversight sweep {data['day']} (policy v{data['policy_version']}): "
                f"{data['clocks']} clocks running, {report.changed} changes"
            )
            for key in (
                "warnings",
                "overdue",
                "resolved",
                "backup_escalations",
                "head_escalations",
                "accountability",
            ):
                self.stdout.write(f"  {key}: {len(data[key])}")
                for label in data[key][:20]:
                    self.stdout.write(f"    - {label}")
            for err in report.errors:
                self.stderr.write(f"  error: {err}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} clock(s) could not be swept")

    def _report(self, options):
        from shenguan.oversight import reports

        month = _month(options["month"])
        data = reports.monthly(month)
        if options.get("xlsx"):
            with open(options["xlsx"], "wb") as fh:
                fh.write(reports.to_xlsx(data))
            self.stdout.write(f"wrote {options['xlsx']}")
        if options.get("json"):
            self.stdout.write(json.dumps(reports.as_json(data), ensure_ascii=False, indent=2))
        elif not options.get("xlsx"):
            for level in ("department", "section", "person"):
                self.stdout.write(f"[{level}]")
                for row in data.rows[level]:
                    self.stdout.write(
                        f"  {row.name} {row.kind}: {row.volume} done, "
                        f"{row.on_time_rate_text} on time, median {row.median_days_text} / "
                        f"{row.median_limit_text} {row.unit}"
                    )
