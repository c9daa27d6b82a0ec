import sys

from django.core.management.base import CommandError

from shenguan.core import archive
from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = (
        "The archive: `export DIR` writes every table as JSON Lines, the journal with its chain "
        "hashes and a signed manifest of checksums; `verify DIR` checks an export and names "
        "every altered file, line and primary key."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="export the database into a new directory")
        exp.add_argument("directory")
        exp.add_argument(
            "--chunk-size", type=int, default=archive.DEFAULT_CHUNK, help="rows per fetch"
        )
        ver = sub.add_parser("verify", help="check an export against its manifest")
        ver.add_argument("directory")
        ver.add_argument("--max-lines", type=int, default=50, help="altered lines listed per file")

    def handle(self, *args, action, directory, **options):
        if action == "export":
            progress = None
            if sys.stderr.isatty():

                def progress(table, rows):
                    sys.stderr.write(f"{table}: {rows:,} rows\n")

            try:
                manifest = archive.export(
                    directory, chunk_size=max(1, options["chunk_size"]), progress=progress
                )
            except archive.ArchiveError as exc:
                raise CommandError(str(exc))
            archive.record_export(directory, manifest)
            rows = sum(f["rows"] for f in manifest["files"])
            self.stdout.write(
                f"exported {len(manifest['files'])} tables, {rows:,} rows to {directory}; "
                f"journal head #{manifest['journal']['head_seq']} "
                f"{manifest['journal']['head_hash'][:16]}"
            )
        else:
            report = archive.verify(directory, max_lines_per_file=max(1, options["max_lines"]))
            if not report.ok:
                for problem in report.problems:
                    self.stderr.write(f"ALTERED {problem}")
                raise CommandError(
                    f"archive {directory} FAILED verification: {len(report.problems)} problem(s)"
                )
            seq, head = report.journal_head
            self.stdout.write(
                f"archive OK: {report.files} files, {report.rows:,} rows, checksums and line "
                f"digests match, manifest signature valid; journal chain intact through "
                f"#{seq} ({head[:16]})"
            )
