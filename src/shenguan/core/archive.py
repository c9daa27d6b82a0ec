"""The archive export: every table as JSON Lines, the journal with its chain hashes, and a
signed manifest of checksums; ``verify`` checks an export and names what was altered.

Layout of an export directory (docs/archive.md)::

    manifest.json                 what is in the export, signed (HMAC-SHA256 with SECRET_KEY)
    journal.jsonl                 core_journalentry in seq order (seq, prev_hash, hash, ...)
    journal.lines                 per-line digests of journal.jsonl
    tables/<db_table>.jsonl       one JSON object per row, primary-key order
    tables/<db_table>.lines       per-line digests: "<line>\\t<pk>\\t<sha256 of the line>"

Rows are streamed with ``iterator(chunk_size)`` and written line by line, so an export of
millions of rows needs no more memory than one chunk. Verification reads the files the same
way: it recomputes each file's SHA-256, each line's digest (so an altered, deleted or inserted
line is named with its file, line number, table and primary key), the row counts, and the
journal's hash chain, and checks the manifest's own signature."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.duration import duration_iso_string

import shenguan

from . import journal
from .models import GENESIS_HASH, JournalEntry

FORMAT = "shenguan-archive/1"
MANIFEST = "manifest.json"
JOURNAL_FILE = "journal.jsonl"
SIGNATURE_SALT = "shenguan.core.archive.manifest"
DEFAULT_CHUNK = 2000


class ArchiveError(RuntimeError):
    pass


# --- serialisation -----------------------------------------------------------------------


def _value(value):
    """A column value as stable JSON: datetimes ISO in UTC, dates/times ISO, decimals and
    UUIDs as strings, durations ISO 8601, bytes base64; JSON columns stay JSON."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot export a {type(value).__name__}")


def dump_row(row: dict) -> bytes:
    return (
        json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_value).encode("utf-8")
        + b"\n"
    )


def line_digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def _manifest_signature(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    key = hashlib.sha256((SIGNATURE_SALT + settings.SECRET_KEY).encode("utf-8")).digest()
    return hmac.new(key, journal.canonical(body), hashlib.sha256).hexdigest()


# --- what to export ----------------------------------------------------------------------


def exported_models() -> tuple[list, list[str]]:
    """Every concrete model with a table, including auto-created many-to-many tables, once
    per table, in a stable order; and the tables models name that the database lacks (an
    unapplied migration), which the manifest lists rather than failing the export."""
    seen: dict[str, object] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen[meta.db_table] = model
    existing = set(connection.introspection.table_names())
    absent = sorted(name for name in seen if name not in existing)
    return [seen[name] for name in sorted(seen) if name in existing], absent


def _file_for(model) -> str:
    if model is JournalEntry:
        return JOURNAL_FILE
    return f"tables/{model._meta.db_table}.jsonl"


def _lines_file(data_file: str) -> str:
    return data_file.rsplit(".", 1)[0] + ".lines"


def _rows(model, chunk_size: int) -> Iterator[tuple[object, dict]]:
    """(pk, row) in primary-key order (the journal in seq order), column name → value."""
    meta = model._meta
    fields = list(meta.concrete_fields)
    attnames = [f.attname for f in fields]
    columns = [f.column for f in fields]
    pk_index = attnames.index(meta.pk.attname)
    order = "seq" if model is JournalEntry else "pk"
    qs = model._base_manager.using("default").order_by(order).values_list(*attnames)
    for values in qs.iterator(chunk_size=chunk_size):
        yield values[pk_index], dict(zip(columns, values, strict=True))


# --- export ------------------------------------------------------------------------------


@dataclass
class _Writer:
    root: Path
    name: str
    rows: int = 0

    def __post_init__(self):
        path = self.root / self.name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.data = path.open("wb")
        self.lines = (self.root / _lines_file(self.name)).open("wb")
        self.data_hash = hashlib.sha256()
        self.lines_hash = hashlib.sha256()

    def write(self, pk, row: dict) -> None:
        line = dump_row(row)
        self.rows += 1
        self.data.write(line)
        self.data_hash.update(line)
        entry = f"{self.rows}\t{pk}\t{line_digest(line)}\n".encode()
        self.lines.write(entry)
        self.lines_hash.update(entry)

    def close(self) -> dict:
        self.data.close()
        self.lines.close()
        return {
            "file": self.name,
            "rows": self.rows,
            "sha256": self.data_hash.hexdigest(),
            "lines_file": _lines_file(self.name),
            "lines_sha256": self.lines_hash.hexdigest(),
        }


def export(
    directory: str | os.PathLike,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Write the whole database to ``directory`` (which must be empty or not exist) and
    return the manifest. All tables are read in one read-only transaction (repeatable read on
    PostgreSQL), so the files are one consistent snapshot."""
    root = Path(directory)
    if root.exists() and any(root.iterdir()):
        raise ArchiveError(f"{root} is not empty; export into a new directory")
    root.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    files = []
    journal_head = {"seq": 0, "hash": GENESIS_HASH}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        models, absent = exported_models()
        for model in models:
            meta = model._meta
            writer = _Writer(root, _file_for(model))
            try:
                for pk, row in _rows(model, chunk_size):
                    writer.write(pk, row)
                    if model is JournalEntry:
                        journal_head = {"seq": row["seq"], "hash": row["hash"]}
            finally:
                info = writer.close()
            files.append(
                {
                    "table": meta.db_table,
                    "model": meta.label,
                    "pk": meta.pk.column,
                    "columns": [f.column for f in meta.concrete_fields],
                    **info,
                }
            )
            if progress is not None:
                progress(meta.db_table, info["rows"])
    manifest = {
        "format": FORMAT,
        "exported_at": started.astimezone(dt.UTC).isoformat(),
        "finished_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "software": {"name": "shenguan", "version": shenguan.__version__},
        "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])},
        "line_digest": "sha256 of each line's bytes including its newline",
        "journal": {
            "file": JOURNAL_FILE,
            "head_seq": journal_head["seq"],
            "head_hash": journal_head["hash"],
        },
        "files": files,
        "tables_not_in_database": absent,
    }
    manifest["signature"] = {
        "algorithm": "HMAC-SHA256",
        "key": "derived from the installation's SECRET_KEY",
        "value": _manifest_signature(manifest),
    }
    (root / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    return manifest


# --- verify ------------------------------------------------------------------------------


@dataclass
class Problem:
    file: str
    message: str
    line: int | None = None
    table: str = ""
    pk: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        extra = []
        if self.table:
            extra.append(f"table {self.table}")
        if self.pk is not None:
            extra.append(f"pk {self.pk}")
        if extra:
            where += f" ({', '.join(extra)})"
        return f"{where}: {self.message}"


@dataclass
class VerifyReport:
    files: int = 0
    rows: int = 0
    journal_entries: int = 0
    journal_head: tuple[int, str] | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _count_and_hash(path: Path) -> tuple[int, str]:
    """Lines and SHA-256 of a file in one pass."""
    h, lines = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            lines += block.count(b"\n")
    return lines, h.hexdigest()


def _read_digests(path: Path) -> Iterator[tuple[int, str, str]]:
    with path.open("rb") as fh:
        for raw in fh:
            parts = raw.decode("utf-8", "replace").rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[0].isdigit():
                raise ArchiveError(f"{path.name}: malformed digest line {raw[:80]!r}")
            yield int(parts[0]), parts[1], parts[2]


def _pk_of(line: bytes, pk_column: str) -> str | None:
    try:
        value = json.loads(line).get(pk_column)
    except (ValueError, AttributeError):
        return None
    return None if value is None else str(value)


def _compare_lines(root: Path, info: dict, report: VerifyReport, limit: int) -> None:
    """Walk the data file beside its digest list and name each line that differs. A line
    missing from the data file is named by the digest list's line number and pk; an extra
    line by its position in the data file."""
    name, table, pk_column = info["file"], info["table"], info.get("pk", "id")
    found = 0

    def problem(message, line, pk):
        nonlocal found
        found += 1
        if found <= limit:
            report.problems.append(Problem(name, message, line, table, pk))

    with (root / name).open("rb") as data:
        lines = _Peekable(data)
        digests = _Peekable(_read_digests(root / info["lines_file"]))
        line_no = 0
        for line in lines:
            line_no += 1
            digest = line_digest(line)
            pending = digests.peek()
            if pending is not None and digest == pending[2]:
                next(digests)
                continue
            if pending is None:
                problem("line added (not in the manifest)", line_no, _pk_of(line, pk_column))
                continue
            # Not the expected line: deleted line(s) before it, an inserted line, or altered.
            ahead = digests.peek_many(8)
            match = next((i for i, d in enumerate(ahead) if d[2] == digest), None)
            if match is not None:
                for _ in range(match):
                    no, pk, _digest = next(digests)
                    problem("line deleted", no, pk)
                next(digests)
                continue
            following = lines.peek()
            if following is not None and line_digest(following) == pending[2]:
                problem("line inserted", line_no, _pk_of(line, pk_column))
                continue
            no, pk, _digest = next(digests)
            pk_now = _pk_of(line, pk_column)
            message = "line altered"
            if pk_now is not None and pk_now != pk:
                message += f" (now reads pk {pk_now})"
            problem(message, no, pk)
        for no, pk, _digest in digests:
            problem("line deleted", no, pk)
    if found > limit:
        report.problems.append(
            Problem(name, f"{found - limit} more altered lines not listed", table=table)
        )


class _Peekable:
    def __init__(self, iterable):
        self._it = iter(iterable)
        self._buffer: list = []

    def __iter__(self):
        return self

    def __next__(self):
        if self._buffer:
            return self._buffer.pop(0)
        return next(self._it)

    def peek_many(self, n: int) -> list:
        while len(self._buffer) < n:
            try:
                self._buffer.append(next(self._it))
            except StopIteration:
                break
        return self._buffer[:n]

    def peek(self):
        ahead = self.peek_many(1)
        return ahead[0] if ahead else None


def _verify_journal(root: Path, manifest: dict, report: VerifyReport) -> None:
    info = manifest.get("journal") or {}
    path = root / info.get("file", JOURNAL_FILE)
    if not path.exists():
        return  # already reported as a missing file
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    name = info.get("file", JOURNAL_FILE)
    with path.open("rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            try:
                row = json.loads(line)
                fields = {k: row[k] for k in (*journal.HASHED_FIELDS, "hash")}
                fields["time"] = dt.datetime.fromisoformat(fields["time"])
            except (ValueError, KeyError, TypeError) as exc:
                report.problems.append(
                    Problem(name, f"journal entry unreadable ({exc})", line_no, "core_journalentry")
                )
                return
            seq = fields["seq"]
            where = f"journal entry #{seq}"
            if seq != expected_seq:
                report.problems.append(
                    Problem(
                        name,
                        f"chain broken: entry #{expected_seq} is missing (next is #{seq})",
                        line_no,
                        "core_journalentry",
                        str(row.get("id")),
                    )
                )
                return
            if fields["prev_hash"] != prev_hash:
                report.problems.append(
                    Problem(
                        name,
                        f"chain broken at {where}: its previous-hash does not match the entry "
                        "before it",
                        line_no,
                        "core_journalentry",
                        str(row.get("id")),
                    )
                )
                return
            if journal.entry_hash(fields) != fields["hash"]:
                report.problems.append(
                    Problem(
                        name,
                        f"chain broken at {where}: its content does not match its hash",
                        line_no,
                        "core_journalentry",
                        str(row.get("id")),
                    )
                )
                return
            prev_hash = fields["hash"]
            expected_seq += 1
            checked += 1
    report.journal_entries = checked
    report.journal_head = (checked, prev_hash)
    if checked != info.get("head_seq") or prev_hash != info.get("head_hash"):
        report.problems.append(
            Problem(
                name,
                f"journal ends at #{checked} ({prev_hash[:12]}) but the manifest names "
                f"#{info.get('head_seq')} ({str(info.get('head_hash'))[:12]})",
                table="core_journalentry",
            )
        )


def verify(directory: str | os.PathLike, *, max_lines_per_file: int = 50) -> VerifyReport:
    root = Path(directory)
    report = VerifyReport()
    manifest_path = root / MANIFEST
    if not manifest_path.exists():
        report.problems.append(Problem(MANIFEST, "missing"))
        return report
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        report.problems.append(Problem(MANIFEST, f"not valid JSON ({exc})"))
        return report
    signature = (manifest.get("signature") or {}).get("value", "")
    if not hmac.compare_digest(str(signature), _manifest_signature(manifest)):
        report.problems.append(
            Problem(
                MANIFEST,
                "signature does not match: the manifest was altered (or exported with "
                "another SECRET_KEY)",
            )
        )
    if manifest.get("format") != FORMAT:
        report.problems.append(Problem(MANIFEST, f"unknown format {manifest.get('format')!r}"))
        return report
    listed = {MANIFEST}
    for info in manifest.get("files", []):
        name, table = info["file"], info["table"]
        listed.update({name, info["lines_file"]})
        report.files += 1
        data_path, lines_path = root / name, root / info["lines_file"]
        if not data_path.exists():
            report.problems.append(Problem(name, "missing", table=table))
            continue
        if not lines_path.exists():
            report.problems.append(Problem(info["lines_file"], "missing", table=table))
            continue
        if _sha256_file(lines_path) != info["lines_sha256"]:
            report.problems.append(
                Problem(info["lines_file"], "per-line digest list altered", table=table)
            )
        rows, data_hash = _count_and_hash(data_path)
        report.rows += rows
        if data_hash != info["sha256"]:
            report.problems.append(Problem(name, "checksum does not match", table=table))
            try:
                _compare_lines(root, info, report, max_lines_per_file)
            except ArchiveError as exc:
                report.problems.append(Problem(info["lines_file"], str(exc), table=table))
        if rows != info["rows"]:
            report.problems.append(
                Problem(name, f"{rows} rows, the manifest says {info['rows']}", table=table)
            )
    _verify_journal(root, manifest, report)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.relative_to(root).as_posix() not in listed:
            report.problems.append(
                Problem(path.relative_to(root).as_posix(), "not listed in the manifest")
            )
    return report


def record_export(directory: str | os.PathLike, manifest: dict) -> None:
    """Journal that an export was taken (after it, so the export's own head excludes it)."""
    with transaction.atomic():
        journal.record(
            "core.archive.exported",
            object_type="core.archive",
            object_id=manifest["journal"]["head_seq"],
            object_repr=str(directory),
            after={
                "directory": str(directory),
                "journal_head_seq": manifest["journal"]["head_seq"],
                "journal_head_hash": manifest["journal"]["head_hash"],
                "files": len(manifest["files"]),
                "rows": sum(f["rows"] for f in manifest["files"]),
                "signature": manifest["signature"]["value"],
            },
        )
