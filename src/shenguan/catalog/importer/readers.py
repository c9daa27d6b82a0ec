"""Reading CSV, XLSX and JSON into rows of ``{column: value}`` that remember where they came
from (the row number a person will look for in the file)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .report import Fault, ImportRejected, ImportReport

CONTAINERS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}


@dataclass
class Row:
    number: int  # CSV: file line; XLSX: sheet row; JSON: index in the list
    where: str
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)


@dataclass
class Table:
    container: str
    columns: list[str]
    rows: list[Row]


def container_of(path: Path) -> str:
    kind = CONTAINERS.get(path.suffix.lower())
    if kind is None:
        hint = _("；请另存为 .xlsx") if path.suffix.lower() in {".xls", ".et"} else ""
        raise _reject(
            path,
            _("不支持的文件类型“%(ext)s”（支持 .csv、.xlsx、.json）") % {"ext": path.suffix} + hint,
        )
    return kind


def _reject(path: Path, message: str) -> ImportRejected:
    report = ImportReport(path=str(path))
    report.faults.append(Fault("", message))
    return ImportRejected(report)


def decode_utf8(path: Path, data: bytes) -> str:
    """UTF-8, with or without a byte-order mark; anything else is refused with a hint."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _reject(path, _("文件是 UTF-16 编码，请另存为 UTF-8（可带 BOM）后再导入"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = ""
        try:
            data.decode("gb18030")
            guess = _("，看起来是 GBK/GB18030 编码")
        except UnicodeDecodeError:
            pass
        raise _reject(
            path,
            _(
                "文件不是 UTF-8 编码（第 %(line)d 行第 %(byte)d 字节无法按 UTF-8 解码）%(guess)s；请另存为 UTF-8 后再导入"
            )
            % {"line": line, "byte": exc.start + 1, "guess": guess},
        )


def _header(path: Path, cells: list[Any]) -> list[str]:
    columns = [str(c).strip() if c is not None else "" for c in cells]
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise _reject(path, _("第一行（表头）为空"))
    faults = []
    if "" in columns:
        faults.append(_("表头第 %(n)d 列没有列名") % {"n": columns.index("") + 1})
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicates:
        faults.append(_("表头有重复的列：%(names)s") % {"names": ", ".join(duplicates)})
    if faults:
        raise _reject(path, "；".join(faults))
    return columns


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _row(number: int, where: str, columns: list[str], cells: list[Any]) -> Row:
    row = Row(number, where, {})
    if len(cells) > len(columns) and not _blank(cells[len(columns) :]):
        row.problems.append(
            _("有 %(n)d 个单元格，多于表头的 %(m)d 列") % {"n": len(cells), "m": len(columns)}
        )
    elif len(cells) < len(columns):
        row.problems.append(
            _("只有 %(n)d 个单元格，少于表头的 %(m)d 列") % {"n": len(cells), "m": len(columns)}
        )
    for i, name in enumerate(columns):
        row.data[name] = cells[i] if i < len(cells) else None
    return row


def read_csv(path: Path) -> Table:
    text = decode_utf8(path, path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _reject(path, _("文件是空的"))
        columns = _header(path, header)
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if not _blank(cells):
                rows.append(_row(start, _("第 %(n)d 行") % {"n": start}, columns, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _reject(path, _("第 %(n)d 行：CSV 格式错误（%(err)s）") % {"n": start, "err": exc})
    return Table("csv", columns, rows)


def _cell(value: Any) -> Any:
    """Spreadsheet cells as the text a person typed: 20.0 → "20", dates → ISO."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise _reject(path, _("不是有效的 XLSX 文件（%(err)s）") % {"err": exc})
    try:
        sheet = book["powers"] if "powers" in book.sheetnames else book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            raise _reject(path, _("工作表“%(s)s”是空的") % {"s": sheet.title})
        columns = _header(path, list(header))
        rows = []
        for number, cells in enumerate(values, start=2):
            cells = [_cell(c) for c in cells]
            if _blank(cells):
                continue
            where = _("工作表“%(s)s”第 %(n)d 行") % {"s": sheet.title, "n": number}
            rows.append(_row(number, where, columns, cells))
    finally:
        book.close()
    return Table("xlsx", columns, rows)


def read_json(path: Path) -> Table:
    text = decode_utf8(path, path.read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _reject(
            path,
            _("JSON 格式错误：第 %(line)d 行第 %(col)d 列：%(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
        )
    if isinstance(data, dict) and isinstance(data.get("powers"), list):
        data = data["powers"]
    if not isinstance(data, list):
        raise _reject(path, _("JSON 顶层应为条目数组，或含 powers 数组的对象"))
    columns: list[str] = []
    rows = []
    for index, item in enumerate(data):
        where = _("第 %(n)d 条（索引 %(i)d）") % {"n": index + 1, "i": index}
        if not isinstance(item, dict):
            rows.append(Row(index, where, {}, [_("条目应为 JSON 对象")]))
            continue
        for key in item:
            if key not in columns:
                columns.append(key)
        rows.append(Row(index, where, dict(item)))
    return Table("json", columns, rows)


def read_table(path: Path) -> Table:
    container = container_of(path)
    if not path.is_file():
        raise _reject(path, _("文件不存在"))
    table = {"csv": read_csv, "xlsx": read_xlsx, "json": read_json}[container](path)
    if not table.rows:
        raise _reject(path, _("文件中没有数据行"))
    return table
