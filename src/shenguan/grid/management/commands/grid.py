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
        "Grid management: `sweep` marks events past their closing limit as overdue (the worker "
        "runs it every 30 minutes); `policy` prints the routing policy in force."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sw = sub.add_parser("sweep", help="run the overdue sweep once")
        sw.add_argument("--today", type=_date, default=None, help="the day to sweep as of")
        sub.add_parser("policy", help="print the routing policy in force")

    def handle(self, *args, action, **options):
        from shenguan.grid import services

        if action == "sweep":
            result = services.sweep(options["today"])
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
        elif action == "policy":
            policy = services.ensure_policy()
            self.stdout.write(f"routing policy v{policy.version} from {policy.effective_from}")
            for rule in policy.rules.select_related("power").order_by("order", "id"):
                target = "grid squad" if rule.to_grid_squad else ""
                power = rule.power.code if rule.power else rule.power_kind
                self.stdout.write(
                    f"  {rule.order + 1}. {rule.category} [{rule.keywords}] -> "
                    f"{power} {rule.power_keywords} {target} ({rule.limit_days} working days)"
                )
