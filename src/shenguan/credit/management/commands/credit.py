import datetime as dt

from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)")


class Command(ShenguanCommand):
    help = (
        "The credit archive: `sweep` expires publications and list entries, recomputes tiers "
        "and flags overdue repairs (the worker runs it hourly); `recompute PARTY_ID` recomputes "
        "one party's tier."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sw = sub.add_parser("sweep", help="run the credit sweep once")
        sw.add_argument("--today", type=_date, default=None, help="the day to sweep as of")
        rc = sub.add_parser("recompute", help="recompute one party's score and tier")
        rc.add_argument("party_id", type=int)

    def handle(self, *args, action, **options):
        from shenguan.credit import services

        if action == "sweep":
            result = services.sweep(options["today"])
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
        elif action == "recompute":
            tier = services.recompute_tier(options["party_id"])
            self.stdout.write(f"party {options['party_id']}: tier {tier}")
