from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

from shenguan.core import journal
from shenguan.core.backup import BackupError, restore
from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = (
        "Restore the database from a `shenguan backup` FILE, then check the row counts against "
        "the backup's manifest and verify the journal. Refuses a database that holds data "
        "unless --force (which replaces everything in it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `shenguan backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds data"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, file, force, database, **options):
        connection = connections[database]
        connection.close()
        try:
            counts, differences = restore(Path(file), connection.settings_dict, force=force)
        except BackupError as exc:
            raise CommandError(str(exc))
        connection.close()
        for table, count in sorted(counts.items()):
            if count:
                self.stdout.write(f"  {table}: {count}")
        self.stdout.write(f"restored {len(counts)} tables, {sum(counts.values())} rows")
        if differences:
            lines = "; ".join(f"{t}: backup {e}, restored {g}" for t, e, g in differences)
            raise CommandError(f"row counts differ from the backup's manifest: {lines}")
        result = journal.verify()
        if not result.ok:
            raise CommandError(
                f"journal BROKEN at entry #{result.broken_seq}: {result.reason}; "
                f"{result.checked} entries before it are intact"
            )
        self.stdout.write(
            f"counts match the manifest; journal OK: {result.checked} entries checked"
        )
