from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

from shenguan.core.backup import BackupError, backup
from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = (
        "Back up the database to FILE while the system runs (SQLite online backup or "
        "pg_dump -Fc) and write FILE.json with every table's row count."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to create (must not exist)")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, file, database, **options):
        try:
            manifest = backup(connections[database], Path(file))
        except BackupError as exc:
            raise CommandError(str(exc))
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"backup written to {file} ({manifest.engine}): {len(manifest.tables)} tables, "
            f"{rows} rows, journal at #{manifest.journal_seq}"
        )
