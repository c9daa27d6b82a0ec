"""Reading benchmark files (docs/discretion-format.md) into checked, structured content.

Two files are read:

* a JSON benchmark table — a bare list of entries (the Guangdong file as published) or an
  object ``{"table": {...}, "benchmarks": [...], "no_penalty_rules": [...]}``;
* a CSV no-penalty list — ``seq, category, violation, violated_provision,
  no_penalty_conditions[, notes][, benchmark_codes]``.

Every fault is collected with its place (the JSON entry number and code plus the table row;
the CSV line), and the import is refused as a whole if there is any: nothing is written
(``services.import_files``)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from shenguan.core.errors import DomainError

from .rules import RULE_COLUMNS, ParsedRule, parse_rule
from .tables import MODEL_INFERRED, EntryFault, ParsedBenchmark, parse_entry

TABLE_FIELDS = ("name", "issuing_document", "issuing_authority", "effective_from", "band_count")


@dataclass(frozen=True)
class Fault:
    """``where`` names the place as a reader of the file finds it: 「第 12 条（§2.4）第 3 行」
    for a JSON entry's table row, 「第 7 行」 for a CSV line; empty for the whole file."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    benchmarks: int = 0
    rows: int = 0
    rules: int = 0
    models: dict[str, int] = field(default_factory=dict)
    notes: int = 0
    unlinked_rules: list[int] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    table: str = ""
    version: int | None = None
    created: bool = False
    dry_run: bool = False

    def fault_text(self) -> str:
        head = _("导入被拒绝：%(files)s 有 %(n)d 处错误，裁量基准未作任何改动。") % {
            "files": "、".join(self.files),
            "n": len(self.faults),
        }
        return "\n".join([head, *(f"  {fault}" for fault in self.faults)])

    def summary(self) -> str:
        models = "，".join(f"{k} {v}" for k, v in sorted(self.models.items()))
        if self.dry_run:
            state = _("试运行（未写入）")
        elif self.created:
            state = _("已建立 %(table)s 第 %(v)d 版") % {"table": self.table, "v": self.version}
        else:
            state = _("与 %(table)s 第 %(v)d 版相同，未作改动") % {
                "table": self.table,
                "v": self.version or 0,
            }
        lines = [
            f"{state}：{'、'.join(self.files)}",
            _("  基准 %(b)d 条（%(m)s），表格行 %(r)d，不予处罚事项 %(n)d 条")
            % {"b": self.benchmarks, "m": models or "—", "r": self.rows, "n": self.rules},
            _("  读取说明 %(n)d 条（见各基准的「读取说明」）") % {"n": self.notes},
        ]
        if self.unlinked_rules:
            lines.append(
                _("  未匹配到基准的不予处罚事项：%(s)s")
                % {"s": "、".join(str(s) for s in self.unlinked_rules)}
            )
        return "\n".join(lines)


class ImportRejected(DomainError):
    """The files have faults; nothing was imported. ``report.faults`` lists them."""

    code = "import_rejected"

    def __init__(self, report: ImportReport):
        super().__init__(report.fault_text())
        self.report = report


@dataclass
class Content:
    """What the files hold, checked and structured, ready for the services to write."""

    benchmarks: list[ParsedBenchmark] | None = None
    rules: list[ParsedRule] | None = None
    table: dict = field(default_factory=dict)
    benchmarks_hash: str = ""
    rules_hash: str = ""


def content_hash(data) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def benchmarks_hash(benchmarks: list[ParsedBenchmark]) -> str:
    return content_hash([b.source for b in benchmarks])


def rules_hash(rules: list[ParsedRule]) -> str:
    return content_hash([r.source() for r in rules])


def _entry_place(index: int, entry) -> str:
    code = entry.get("code") if isinstance(entry, dict) else None
    return f"第 {index} 条" + (f"（{code}）" if code else "")


def read_benchmarks(data, report: ImportReport, label: str) -> tuple[list, dict, list | None]:
    """Entries → parsed benchmarks; faults go to ``report``. Returns (benchmarks, table
    metadata found in the file, rules embedded in the file or None)."""
    table, embedded_rules = {}, None
    if isinstance(data, dict):
        unknown = set(data) - {"table", "benchmarks", "no_penalty_rules"}
        if unknown:
            report.faults.append(Fault(label, f"未知的键：{'、'.join(sorted(unknown))}"))
        table = data.get("table") or {}
        if not isinstance(table, dict) or set(table) - set(TABLE_FIELDS):
            report.faults.append(Fault(label, f"table 只能含这些键：{'、'.join(TABLE_FIELDS)}"))
            table = {}
        embedded_rules = data.get("no_penalty_rules")
        data = data.get("benchmarks")
    if not isinstance(data, list) or not data:
        report.faults.append(Fault(label, "应为基准条目的数组（或含 benchmarks 数组的对象）"))
        return [], table, embedded_rules
    parsed = []
    for index, entry in enumerate(data, 1):
        try:
            parsed.append(parse_entry(entry, index))
        except EntryFault as fault:
            where = _entry_place(index, entry)
            if fault.row is not None:
                where += f"第 {fault.row} 行"
            report.faults.append(Fault(where, fault.message))
    return parsed, table, embedded_rules


def read_rules(rows: list[dict], report: ImportReport, first_line: int = 2) -> list[ParsedRule]:
    parsed, seen = [], {}
    for line, row in enumerate(rows, first_line):
        try:
            rule = parse_rule(row, line)
        except ValueError as exc:
            report.faults.append(Fault(f"第 {line} 行", str(exc)))
            continue
        if rule.seq in seen:
            report.faults.append(
                Fault(f"第 {line} 行", f"序号 {rule.seq} 与第 {seen[rule.seq]} 行重复")
            )
            continue
        seen[rule.seq] = line
        parsed.append(rule)
    return parsed


def _csv_rows(text: str, report: ImportReport, label: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in RULE_COLUMNS if c not in columns]
    if missing:
        report.faults.append(Fault(label, f"缺少列：{'、'.join(missing)}"))
        return []
    return [{(k or "").strip(): v for k, v in row.items()} for row in reader]


def read_files(paths: list[Path]) -> tuple[Content, ImportReport]:
    """Read and check every file; the report carries the faults (none: the content is whole)."""
    report = ImportReport(files=[str(p) for p in paths])
    content = Content()
    for path in paths:
        label = path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            report.faults.append(Fault(label, f"无法读取：{exc}"))
            continue
        suffix = path.suffix.lower()
        if suffix == ".json":
            if content.benchmarks is not None:
                report.faults.append(Fault(label, "只能给一个基准 JSON 文件"))
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                report.faults.append(Fault(label, f"不是有效的 JSON（第 {exc.lineno} 行）"))
                continue
            benchmarks, table, embedded = read_benchmarks(data, report, label)
            content.benchmarks, content.table = benchmarks, table
            if embedded is not None:
                if not isinstance(embedded, list):
                    report.faults.append(Fault(label, "no_penalty_rules 应为数组"))
                else:
                    rows = [
                        {k: "" if v is None else str(v) for k, v in r.items()}
                        if isinstance(r, dict)
                        else {}
                        for r in embedded
                    ]
                    content.rules = read_rules(rows, report, first_line=1)
        elif suffix == ".csv":
            if content.rules is not None:
                report.faults.append(Fault(label, "只能给一份不予处罚清单"))
                continue
            content.rules = read_rules(_csv_rows(text, report, label), report)
        else:
            report.faults.append(Fault(label, "只接受 .json（基准表）或 .csv（不予处罚清单）"))
    if content.benchmarks is not None:
        content.benchmarks_hash = benchmarks_hash(content.benchmarks)
        report.benchmarks = len(content.benchmarks)
        report.rows = sum(len(b.rows) for b in content.benchmarks)
        for b in content.benchmarks:
            report.models[b.model] = report.models.get(b.model, 0) + 1
        report.notes = sum(
            sum(1 for n in b.notes if not n.startswith(MODEL_INFERRED))
            + sum(1 for r in b.rows if r.note)
            for b in content.benchmarks
        )
    if content.rules is not None:
        content.rules_hash = rules_hash(content.rules)
        report.rules = len(content.rules)
    if content.benchmarks is None and content.rules is None and not report.faults:
        report.faults.append(Fault("", "没有给出任何文件"))
    return content, report
