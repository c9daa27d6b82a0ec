"""Writing the catalogue in our own format: one row per power with its newest version, which
``import_catalog`` reads back to the same content hashes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core.errors import DomainError

from ..content import VERSION_FIELDS, bulk_parts
from ..models import Power, PowerVersion
from .formats import CANONICAL_COLUMNS
from .plan import chunks
from .readers import container_of
from .report import ImportRejected

JSON_COLUMNS = ("generated_fields", "extra", "materials", "duties")
XLSX_CELL_MAX = 32767  # Excel's limit on the text of one cell


def catalogue_rows() -> Iterator[dict]:
    newest = PowerVersion.objects.filter(power=OuterRef("pk")).order_by("-version").values("pk")
    powers = list(
        Power.objects.select_related("department", "section")
        .annotate(latest_id=Subquery(newest[:1]))
        .order_by("code")
    )
    for part in chunks(powers):
        ids = [p.latest_id for p in part if p.latest_id]
        versions = {v.pk: v for v in PowerVersion.objects.filter(pk__in=ids)}
        materials, duties = bulk_parts(ids)
        for power in part:
            version = versions.get(power.latest_id)
            if version is None:
                continue
            row = {
                "code": power.code,
                "kind": power.kind,
                "department": power.department.name,
                "department_code": power.department.code,
                "department_kind": power.department.kind,
                "section_code": power.section.code if power.section_id else "",
                "source": power.source,
                "version": version.version,
                "effective_from": version.effective_from.isoformat(),
            }
            row.update({name: getattr(version, name) for name in VERSION_FIELDS})
            row["materials"] = materials.get(version.pk, [])
            row["duties"] = duties.get(version.pk, [])
            yield {column: row[column] for column in CANONICAL_COLUMNS}


def _flat(row: dict) -> dict:
    """JSON columns as JSON text; missing numbers as empty cells."""
    out = {}
    for key, value in row.items():
        if key in JSON_COLUMNS:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        out[key] = "" if value is None else value
    return out


def _write_csv(path: Path, rows: list[dict]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CANONICAL_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(_flat(row))
    # With a byte-order mark so that Excel opens the Chinese text correctly.
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _write_xlsx(path: Path, rows: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("powers")
    sheet.append(list(CANONICAL_COLUMNS))
    for row in rows:
        cells = []
        for key, value in _flat(row).items():
            if isinstance(value, str):
                if len(value) > XLSX_CELL_MAX:
                    raise DomainError(
                        _("事项 %(c)s 的 %(k)s 超过 XLSX 单元格的 %(m)d 字上限，请导出为 JSON")
                        % {"c": row["code"], "k": key, "m": XLSX_CELL_MAX}
                    )
                if ILLEGAL_CHARACTERS_RE.search(value):
                    raise DomainError(
                        _("事项 %(c)s 的 %(k)s 含有 XLSX 不允许的控制字符，请导出为 JSON")
                        % {"c": row["code"], "k": key}
                    )
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text stays text, even when it starts with "="
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(path)


def _write_json(path: Path, rows: list[dict]) -> None:
    document = {
        "format": "shenguan.catalog",
        "format_version": 1,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "count": len(rows),
        "powers": rows,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def export_catalog(path: Path) -> int:
    """Write every power's newest version to ``path`` (.csv, .xlsx or .json); returns the
    number of powers written."""
    path = Path(path)
    try:
        container = container_of(path)
    except ImportRejected as exc:
        raise DomainError(exc.report.faults[0].message, code="unsupported_format")
    rows = list(catalogue_rows())
    {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}[container](path, rows)
    return len(rows)
