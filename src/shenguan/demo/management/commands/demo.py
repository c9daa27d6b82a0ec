from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = (
        "Seed the demo zone (idempotent) and print the demo logins. On a fresh database it also "
        "replays --activity-days days of activity through the services, up to yesterday."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=200)
        parser.add_argument("--individuals", type=int, default=100)
        parser.add_argument("--no-catalogue", action="store_true", help="skip the power lists")
        parser.add_argument(
            "--activity-days",
            type=int,
            default=120,
            help="calendar days of simulated activity ending yesterday (default 120)",
        )
        parser.add_argument(
            "--no-activity", action="store_true", help="seed only, simulate no activity"
        )

    def handle(self, *args, **options):
        from contextlib import nullcontext

        from shenguan.demo.activity import before_history
        from shenguan.demo.seed import PASSWORD, seed, seed_extras
        from shenguan.parties.models import Party

        days = 0 if options["no_activity"] or options["no_catalogue"] else options["activity_days"]
        fresh = not Party.objects.filter(is_generated=True).exists()
        # On a fresh database the zone is built on the day before its history starts, so that
        # the catalogue versions and the parties exist on the first simulated day.
        with before_history(days) if days > 0 and fresh else nullcontext():
            result = seed(
                enterprises=options["enterprises"],
                individuals=options["individuals"],
                catalogue=not options["no_catalogue"],
                activity_days=days,
            )
        for name, count in result.counts.items():
            self.stdout.write(f"{name}: {count}")
        activity = result.activity
        if activity is not None:
            if activity.skipped:
                self.stdout.write(f"\nactivity: skipped ({activity.reason})")
            else:
                self.stdout.write(
                    f"\nactivity: {activity.days} days simulated in {activity.seconds:.1f} s, "
                    f"{sum(activity.acts.values())} service calls and deliveries, "
                    f"{len(activity.errors)} refused by the services"
                )
                for line in activity.errors[:10]:
                    self.stdout.write(f"  refused: {line}")
            for name, count in activity.counts.items():
                self.stdout.write(f"  {name}: {count}")
        if not options["no_catalogue"]:
            for app, counts in seed_extras().items():
                shown = ", ".join(f"{k} {v}" for k, v in counts.items())
                self.stdout.write(f"{app}: {shown}")
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for username, name, role in result.logins:
            self.stdout.write(f"  {username:<12} {role:<10} {name}")
