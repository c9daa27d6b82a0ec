from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = "Seed the demo zone (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=200)
        parser.add_argument("--individuals", type=int, default=100)
        parser.add_argument("--no-catalogue", action="store_true", help="skip the power lists")

    def handle(self, *args, **options):
        from shenguan.demo.seed import PASSWORD, seed

        result = seed(
            enterprises=options["enterprises"],
            individuals=options["individuals"],
            catalogue=not options["no_catalogue"],
        )
        for name, count in result.counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for username, name, role in result.logins:
            self.stdout.write(f"  {username:<12} {role:<10} {name}")
