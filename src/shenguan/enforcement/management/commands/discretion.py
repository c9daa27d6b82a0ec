import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand
from shenguan.enforcement.discretion.importer import ImportRejected
from shenguan.enforcement.discretion.services import import_files


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)")


class Command(ShenguanCommand):
    help = (
        "Discretion benchmarks (裁量基准): `import FILE [FILE]` reads a benchmark table (.json, "
        "docs/discretion-format.md) and/or a no-penalty list (.csv) as the next version of a "
        "table — all rows or none; the same content again changes nothing."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a benchmark table and/or a no-penalty list")
        imp.add_argument("files", type=Path, nargs="+", metavar="FILE")
        imp.add_argument(
            "--table-name",
            default=None,
            help="the table's name (default: the JSON file's table.name, else its file name)",
        )
        imp.add_argument("--issuing-document", default=None, help="e.g. 粤环发〔2021〕7号")
        imp.add_argument("--issuing-authority", default=None, help="e.g. 广东省生态环境厅")
        imp.add_argument(
            "--effective-from",
            type=_date,
            default=None,
            help="date the new version takes effect (default: the newest version's, else today)",
        )
        imp.add_argument(
            "--band-count",
            type=int,
            default=None,
            help="bands of the legal range for mitigating/aggravating moves (default 4)",
        )
        imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, action, **options):
        if action == "import":
            try:
                report = import_files(
                    options["files"],
                    table_name=options["table_name"],
                    issuing_document=options["issuing_document"],
                    issuing_authority=options["issuing_authority"],
                    effective_from=options["effective_from"],
                    band_count=options["band_count"],
                    dry_run=options["dry_run"],
                )
            except ImportRejected as exc:
                raise CommandError(exc.report.fault_text())
            self.stdout.write(report.summary())
