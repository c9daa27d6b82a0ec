"""What an import found and did: faults with their row, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shenguan.core.errors import DomainError

# a file of 100,000 bad rows gives a readable report: the first faults, then how many more
MAX_LISTED = 500


@dataclass(frozen=True)
class Fault:
    """One problem. ``where`` names the row as the file's reader sees it: the line number of a
    CSV file, the sheet row of an XLSX file, the index of a JSON entry; empty for the file."""

    where: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ImportReport:
    path: str
    format: str = ""
    rows: int = 0
    created: int = 0
    revised: int = 0
    updated: int = 0  # unversioned attributes (kind, department, section) changed only
    unchanged: int = 0
    departments_created: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def changed(self) -> bool:
        return bool(self.created or self.revised or self.updated or self.departments_created)

    def fault_text(self) -> str:
        head = _("导入被拒绝：%(file)s 有 %(n)d 处错误，权力清单未作任何改动。") % {
            "file": self.path,
            "n": len(self.faults),
        }
        listed = self.faults[:MAX_LISTED]
        lines = [head, *(f"  {fault}" for fault in listed)]
        if len(self.faults) > len(listed):
            lines.append(
                _("  ……另有 %(n)d 处错误未列出（先改正以上错误再导入）")
                % {"n": len(self.faults) - len(listed)}
            )
        return "\n".join(lines)

    def summary(self) -> str:
        lines = [
            (_("试运行（未写入）：") if self.dry_run else _("导入完成："))
            + _("%(file)s，格式 %(format)s，%(rows)d 条")
            % {"file": self.path, "format": self.format, "rows": self.rows},
            _("  新增 %(c)d，修订（新版本）%(r)d，仅更新属性 %(u)d，未变 %(n)d")
            % {"c": self.created, "r": self.revised, "u": self.updated, "n": self.unchanged},
            _("  新建部门 %(n)d") % {"n": len(self.departments_created)}
            + (f"：{'、'.join(self.departments_created)}" if self.departments_created else ""),
        ]
        return "\n".join(lines)


class ImportRejected(DomainError):
    """The file has faults; nothing was imported. ``report.faults`` lists them."""

    code = "import_rejected"

    def __init__(self, report: ImportReport):
        super().__init__(report.fault_text())
        self.report = report
