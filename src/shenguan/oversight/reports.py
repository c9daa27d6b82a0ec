"""Monthly performance report (效能报告) per department, section and person.

For each kind of work finished in the month — applications decided, penalty cases decided,
verification tasks closed — the volume, how many were done within their limit, the on-time
rate, and the median time taken against the median limit, in the unit the law counts
(working days for licensing and verification: 行政许可法 art 82; calendar days for the
90-day case decision: 行政处罚法 art 60, 85). Time taken on an application leaves out the
working days its clock stood still (art 45)."""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shenguan.core import calendar
from shenguan.core.permissions import Role, Scope

LEVELS = ("department", "section", "person")
KINDS = ("approvals", "cases", "verifications")


def kind_labels() -> dict[str, str]:
    return {
        "approvals": _("许可申请办结"),
        "cases": _("处罚案件决定"),
        "verifications": _("批后核查办结"),
    }


def level_labels() -> dict[str, str]:
    return {"department": _("部门"), "section": _("科室/中队"), "person": _("个人")}


@dataclass
class Item:
    kind: str
    department_id: int | None
    section_id: int | None
    staff_id: int | None
    on_time: bool
    days: int | None
    limit: int | None


@dataclass
class Row:
    level: str
    key: int | None
    name: str
    kind: str
    volume: int = 0
    on_time: int = 0
    days: list[int] = field(default_factory=list)
    limits: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return kind_labels()[self.kind]

    @property
    def unit(self) -> str:
        return _("自然日") if self.kind == "cases" else _("工作日")

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.volume, 4) if self.volume else None

    @property
    def on_time_rate_text(self) -> str:
        rate = self.on_time_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None

    @property
    def median_limit(self) -> float | None:
        return statistics.median(self.limits) if self.limits else None

    @staticmethod
    def _text(value) -> str:
        return "—" if value is None else f"{value:g}"

    @property
    def median_days_text(self) -> str:
        return self._text(self.median_days)

    @property
    def median_limit_text(self) -> str:
        return self._text(self.median_limit)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "id": self.key,
            "name": self.name,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "volume": self.volume,
            "on_time": self.on_time,
            "on_time_rate": self.on_time_rate,
            "median_days": self.median_days,
            "median_limit": self.median_limit,
            "unit": self.unit,
        }


@dataclass
class Report:
    month: dt.date
    first: dt.date
    last: dt.date
    rows: dict[str, list[Row]]

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _wd(start, end) -> int | None:
    if start is None or end is None:
        return None
    try:
        return calendar.working_days_between(start, end)
    except calendar.UnknownYear:
        return None


def _approval_items(first, last):
    from shenguan.approvals.models import Application
    from shenguan.catalog.models import Responsibility

    apps = list(
        Application.objects.filter(
            decided_on__range=(first, last),
            accepted_on__isnull=False,
            promised_due_on__isnull=False,
        ).select_related("responsible", "power")
    )
    resp = {
        r.power_id: r
        for r in Responsibility.objects.filter(
            power_id__in={a.power_id for a in apps}
        ).select_related("post__holder")
    }
    for app in apps:
        r = resp.get(app.power_id)
        staff = app.responsible or (r.post.holder if r is not None and r.post_id else None)
        section_id = r.section_id if r is not None else getattr(staff, "section_id", None)
        taken = _wd(app.accepted_on, app.decided_on)
        if taken is not None:
            taken = max(0, taken - (app.suspended_days or 0))
        yield Item(
            "approvals",
            staff.department_id if staff else app.power.department_id,
            section_id,
            staff.pk if staff else None,
            app.decided_on <= app.promised_due_on,
            taken,
            app.promised_limit_days,
        )


def _case_items(first, last):
    from shenguan.enforcement.cases.models import CaseOfficer, PenaltyCase

    cases = list(
        PenaltyCase.objects.filter(decided_on__range=(first, last)).select_related("squad")
    )
    officers: dict[int, int] = {}
    for case_id, staff_id in (
        CaseOfficer.objects.filter(case_id__in=[c.pk for c in cases], recused_on__isnull=True)
        .order_by("case_id", "id")
        .values_list("case_id", "staff_id")
    ):
        officers.setdefault(case_id, staff_id)
    for case in cases:
        due = case.decision_due_on
        yield Item(
            "cases",
            case.squad.department_id,
            case.squad_id,
            officers.get(case.pk) or case.squad.head_id,
            due is None or case.decided_on <= due,
            (case.decided_on - case.opened_on).days,
            (due - case.opened_on).days if due else None,
        )


def _verification_items(first, last):
    from shenguan.verification.models import TaskInspector, VerificationTask

    tasks = list(
        VerificationTask.objects.filter(closed_on__range=(first, last)).select_related("squad")
    )
    inspectors: dict[int, int] = {}
    for task_id, staff_id in (
        TaskInspector.objects.filter(task_id__in=[t.pk for t in tasks])
        .order_by("task_id", "id")
        .values_list("task_id", "staff_id")
    ):
        inspectors.setdefault(task_id, staff_id)
    for task in tasks:
        squad = task.squad
        yield Item(
            "verifications",
            squad.department_id if squad else None,
            task.squad_id,
            inspectors.get(task.pk) or (squad.head_id if squad else None),
            task.due_on is None or task.closed_on <= task.due_on,
            _wd(task.planned_on, task.closed_on),
            task.deadline_working_days,
        )


def monthly(month: dt.date, user=None) -> Report:
    """The report of ``month`` (any day of it), limited to what ``user`` may see."""
    from shenguan.org.models import Department, Section, Staff

    first, last = month_bounds(month)
    items = [
        *_approval_items(first, last),
        *_case_items(first, last),
        *_verification_items(first, last),
    ]
    # person rows count a staff member's work under their own department and section
    staff = {s.pk: s for s in Staff.objects.filter(pk__in={i.staff_id for i in items} - {None})}
    groups: dict[tuple[str, int | None, str], Row] = {}

    def add(level, key, item):
        row = groups.get((level, key, item.kind))
        if row is None:
            row = groups[(level, key, item.kind)] = Row(level, key, "", item.kind)
        row.volume += 1
        row.on_time += int(item.on_time)
        if item.days is not None:
            row.days.append(item.days)
        if item.limit is not None:
            row.limits.append(item.limit)

    for item in items:
        add("department", item.department_id, item)
        add("section", item.section_id, item)
        add("person", item.staff_id, item)

    names = {
        "department": dict(Department.objects.values_list("id", "name")),
        "section": {s.pk: str(s) for s in Section.objects.select_related("department")},
        "person": {pk: s.name for pk, s in staff.items()},
    }
    rows: dict[str, list[Row]] = defaultdict(list)
    for (level, key, _kind), row in groups.items():
        row.name = names[level].get(key, _("（未指定）")) if key is not None else _("（未指定）")
        rows[level].append(row)

    if user is not None:
        rows = _restrict(rows, Scope.of(user), staff)
    for level in LEVELS:
        rows[level] = sorted(rows.get(level, []), key=lambda r: (r.name, KINDS.index(r.kind)))
    return Report(first, first, last, dict(rows))


def sees_whole_report(scope: Scope) -> bool:
    return scope.is_admin or scope.has_role(Role.BUREAU_HEAD, Role.COMMAND_CENTRE)


def headed_section_ids(scope: Scope) -> set[int]:
    from shenguan.org.models import Section

    if scope.staff_id is None:
        return set()
    return set(Section.objects.filter(head_id=scope.staff_id).values_list("id", flat=True))


def may_view(scope: Scope) -> bool:
    return sees_whole_report(scope) or bool(headed_section_ids(scope))


def _restrict(rows, scope: Scope, staff) -> dict[str, list[Row]]:
    """Bureau heads, the command centre and administrators: everything; a section head: their
    sections and the people in them; anyone else: nothing."""
    if sees_whole_report(scope):
        return rows
    sections = headed_section_ids(scope)
    return {
        "department": [],
        "section": [r for r in rows.get("section", []) if r.key in sections],
        "person": [
            r
            for r in rows.get("person", [])
            if r.key in staff and staff[r.key].section_id in sections
        ],
    }


def as_json(report: Report) -> dict:
    return {
        "month": report.label,
        "first": report.first.isoformat(),
        "last": report.last.isoformat(),
        **{level: [r.as_dict() for r in report.rows.get(level, [])] for level in LEVELS},
    }


HEADER = ("名称", "业务类别", "办结数量", "按时办结", "按时率", "用时中位数", "时限中位数", "单位")


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    titles = {"department": "部门", "section": "科室", "person": "个人"}
    first_sheet = True
    for level in LEVELS:
        ws = wb.active if first_sheet else wb.create_sheet()
        first_sheet = False
        ws.title = titles[level]
        ws.append(HEADER)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in report.rows.get(level, []):
            ws.append(
                (
                    r.name,
                    r.kind_label,
                    r.volume,
                    r.on_time,
                    r.on_time_rate,
                    r.median_days,
                    r.median_limit,
                    r.unit,
                )
            )
            ws.cell(row=ws.max_row, column=5).number_format = "0.0%"
        for col, width in zip("ABCDEFGH", (28, 16, 10, 10, 10, 12, 12, 8), strict=True):
            ws.column_dimensions[col].width = width
    info = wb.create_sheet("说明")
    info.append(("月份", report.label))
    info.append(("统计区间", f"{report.first.isoformat()} 至 {report.last.isoformat()}"))
    info.append(("口径", "许可申请按决定日期、处罚案件按决定日期、批后核查按办结日期统计"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
