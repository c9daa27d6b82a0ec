"""Importing and exporting the power list (``shenguan catalog import|export``).

``import_catalog`` reads the whole file, checks every row, and only then writes — all in one
transaction through the catalogue services, so each power gets its journal entry and a file
with any fault changes nothing. Formats are recognised by their columns (``formats.py``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox

from .export import export_catalog
from .formats import detect, parse_rows
from .plan import apply_plan, count_plan, make_plan
from .readers import read_table
from .report import Fault, ImportRejected, ImportReport

__all__ = ["import_catalog", "export_catalog", "ImportReport", "ImportRejected", "Fault"]


def import_catalog(
    path: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    effective_from: dt.date | None = None,
    user=None,
) -> ImportReport:
    """Import a CSV, XLSX or JSON power list. Raises ``ImportRejected`` (its ``report`` lists
    every fault with its row) and changes nothing if any row is faulty. ``dry_run`` checks
    and counts without writing. ``progress(done, total)`` is called as rows are written.
    New powers and new versions take effect on their row's ``effective_from`` when the file
    gives one, else on ``effective_from`` (default today)."""
    path = Path(path)
    report = ImportReport(path=str(path), dry_run=dry_run)
    table = read_table(path)
    fmt, faults = detect(table)
    report.format = fmt.name if fmt else ""
    report.rows = len(table.rows)
    if fmt is None or faults:
        report.faults.extend(Fault("", f) for f in faults)
        raise ImportRejected(report)
    records = []
    first_seen: dict[str, str] = {}
    for row, record, problems in parse_rows(table, fmt, path.name):
        report.faults.extend(Fault(row.where, p, row.number) for p in problems)
        if record is None or not record.code:
            continue
        if record.code in first_seen:
            report.faults.append(
                Fault(
                    row.where,
                    _("事项编码 %(c)s 重复（已见于%(w)s）")
                    % {"c": record.code, "w": first_seen[record.code]},
                    row.number,
                )
            )
            continue
        first_seen[record.code] = row.where
        if not problems:
            records.append(record)
    if report.faults:
        raise ImportRejected(report)

    if dry_run:
        plan = make_plan(records, report, effective_from)
        if report.faults:
            raise ImportRejected(report)
        count_plan(plan, report)
        return report

    with transaction.atomic():
        plan = make_plan(records, report, effective_from)
        if report.faults:
            raise ImportRejected(report)
        apply_plan(plan, report, progress=progress, user=user)
        report.faults.sort(key=lambda f: (f.row is not None, f.row or 0))
        if report.faults:
            raise ImportRejected(report)  # leaving the block rolls every write back
        if report.changed:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            summary = {
                "file": path.name,
                "sha256": digest,
                "format": report.format,
                "rows": report.rows,
                "created": report.created,
                "revised": report.revised,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "departments_created": report.departments_created,
            }
            journal.record(
                "catalog.import.applied",
                object_type="catalog.import",
                object_id=digest,
                object_repr=path.name,
                after=summary,
            )
            outbox.emit("catalog.import.applied", None, summary)
    return report
