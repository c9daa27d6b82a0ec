import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from shenguan.core import calendar
from shenguan.core.commands import ShenguanCommand
from shenguan.core.errors import DomainError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)")


class Command(ShenguanCommand):
    help = (
        "The statutory calendar: `load FILE` loads a year's official holiday arrangement "
        "(holiday-cn JSON); `deadline` prints a due date; `show YEAR` lists a year's arrangement."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a holiday-cn JSON file (replaces that year)")
        load.add_argument("file")
        dl = sub.add_parser("deadline", help="print the due date of a period")
        dl.add_argument("--law", required=True, choices=[law.value for law in calendar.Law])
        dl.add_argument("--from", dest="start", required=True, type=_date)
        dl.add_argument("--days", required=True, type=int)
        show = sub.add_parser("show", help="list the off days and make-up working days of a year")
        show.add_argument("year", type=int)

    def handle(self, *args, action, **options):
        if action == "load":
            from shenguan.core.holidays import load_holiday_file

            try:
                year = load_holiday_file(Path(options["file"]))
            except DomainError as exc:
                raise CommandError(exc.message)
            self.stdout.write(
                f"loaded {year.year}: {year.days.filter(is_off_day=True).count()} days off, "
                f"{year.days.filter(is_off_day=False).count()} make-up working days"
            )
        elif action == "deadline":
            if options["days"] < 0:
                raise CommandError("--days cannot be negative")
            try:
                due = calendar.deadline(options["law"], options["start"], options["days"])
            except calendar.UnknownYear as exc:
                raise CommandError(str(exc))
            self.stdout.write(due.isoformat())
        elif action == "show":
            year = options["year"]
            if not calendar.is_known_year(year):
                raise CommandError(str(calendar.UnknownYear(year)))
            day = dt.date(year, 1, 1)
            while day.year == year:
                working = calendar.is_working_day(day)
                weekend = day.weekday() >= 5
                if working == weekend:
                    self.stdout.write(f"{day.isoformat()} {'班' if working else '休'}")
                day += dt.timedelta(days=1)
