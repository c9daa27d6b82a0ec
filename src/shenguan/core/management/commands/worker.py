from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = (
        "Deliver outbox events to consumers and webhooks, and run periodic sweeps. Run any "
        "number on PostgreSQL; one on SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="deliver what is due, then exit")
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument("--poll", type=float, default=1.0, help="seconds to sleep when idle")
        parser.add_argument("--lease", type=float, default=60.0, help="seconds a claim lasts")
        parser.add_argument("--max-seconds", type=float, default=None)

    def handle(self, *args, **options):
        from shenguan.core.worker import Worker

        worker = Worker(batch=options["batch"], lease_seconds=options["lease"])
        worker.run(once=options["once"], poll=options["poll"], max_seconds=options["max_seconds"])
