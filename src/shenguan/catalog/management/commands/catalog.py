import datetime as dt
import functools
import time
from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper

from shenguan.catalog.importer import ImportRejected, export_catalog, import_catalog
from shenguan.core.commands import ShenguanCommand


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)")


class ProgressBar:
    """A one-line text bar on a terminal: ``导入 [#########-----------]  45%  512/1135``."""

    WIDTH = 30

    def __init__(self, stream, label: str = "导入"):
        self.stream = stream
        # Django's OutputWrapper ends each write with a newline and colours stderr red.
        if isinstance(stream, OutputWrapper):
            self.write = functools.partial(stream.write, ending="", style_func=str)
        else:
            self.write = stream.write
        self.label = label
        self.last_drawn = -1.0
        self.last_percent = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        percent = done * 100 // total
        now = time.monotonic()
        # Redraw on each new percent, at most ten times a second, and always at the end.
        if done != total and (percent == self.last_percent or now - self.last_drawn < 0.1):
            return
        self.last_percent, self.last_drawn = percent, now
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.write(f"\r{self.label} [{bar}] {percent:3d}%  {done}/{total}")
        if done == total:
            self.write("\n")
        self.stream.flush()


class Command(ShenguanCommand):
    help = (
        "The power list: `import FILE` reads a CSV, XLSX or JSON list (our export format, the "
        "Guang'an service items, the Xi'an power-and-responsibility list) — all rows or none; "
        "`export FILE` writes the catalogue in our format (.csv, .xlsx or .json)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a power list (all rows or none)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        imp.add_argument(
            "--progress",
            action="store_true",
            help="show the progress bar even when stderr is not a terminal",
        )
        imp.add_argument(
            "--effective-from",
            type=_date,
            default=None,
            help="date new powers and new versions take effect (default: today)",
        )
        exp = sub.add_parser("export", help="write the catalogue (newest version of each power)")
        exp.add_argument("file", type=Path)

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(options)
        elif action == "export":
            count = export_catalog(options["file"])
            self.stdout.write(f"exported {count} powers to {options['file']}")

    def _import(self, options):
        show = options["progress"] or self.stderr.isatty()
        progress = ProgressBar(self.stderr) if show else None
        try:
            report = import_catalog(
                options["file"],
                dry_run=options["dry_run"],
                progress=progress,
                effective_from=options["effective_from"],
            )
        except ImportRejected as exc:
            raise CommandError(exc.report.fault_text())
        self.stdout.write(report.summary())
