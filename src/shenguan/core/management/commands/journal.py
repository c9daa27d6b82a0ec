import sys

from django.core.management.base import CommandError

from shenguan.core import journal
from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = "The journal: `verify` walks the hash chain and names the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every entry's hash and link")

    def handle(self, *args, action, **options):
        if action == "verify":
            progress = None
            if sys.stderr.isatty():

                def progress(n):
                    sys.stderr.write(f"\r{n:,} entries checked")
                    sys.stderr.flush()

            result = journal.verify(progress=progress)
            if progress:
                sys.stderr.write("\n")
            if not result.ok:
                where = f"entry #{result.broken_seq}"
                if result.broken_id is not None:
                    where += f" (id {result.broken_id})"
                raise CommandError(
                    f"journal BROKEN at {where}: {result.reason}; "
                    f"{result.checked} entries before it are intact"
                )
            self.stdout.write(f"journal OK: {result.checked} entries checked, chain intact")
