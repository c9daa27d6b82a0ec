"""Deciding what an import changes (``make_plan``, read-only and bulk) and doing it through
the services (``apply_plan``). The plan compares content hashes, so an unchanged row costs no
write and no journal entry; the services compare again under the row lock."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from shenguan.core.errors import DomainError
from shenguan.core.services import create_object
from shenguan.org.models import Department, Section

from .. import services
from ..content import (
    VERSION_FIELDS,
    bulk_parts,
    complete_fields,
    content_hash,
    normalize_generated,
    version_fields,
)
from ..models import Power, PowerVersion
from .formats import PowerRecord, department_kind_for, generated_department_code
from .report import Fault, ImportReport

CHUNK = 500  # keeps IN (...) lists well under SQLite's parameter limit


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class NewDepartment:
    name: str
    code: str
    kind: str
    credit_code: str
    first: PowerRecord


@dataclass
class Step:
    record: PowerRecord
    action: str  # create | revise | update | unchanged
    power_id: int | None = None
    latest_id: int | None = None
    version: dict = field(default_factory=dict)  # create: content; revise: changed fields
    materials: list[dict] | None = None
    duties: list[dict] | None = None
    power_changes: dict = field(default_factory=dict)
    effective_from: dt.date | None = None


@dataclass
class Plan:
    departments: list[NewDepartment]
    steps: list[Step]


def _fault(report: ImportReport, record: PowerRecord, message: str) -> None:
    report.faults.append(Fault(record.row.where, message, record.row.number))


def _plan_departments(
    records: list[PowerRecord], report: ImportReport
) -> tuple[dict[str, int], list[NewDepartment]]:
    names = sorted({r.department.name for r in records})
    existing: dict[str, int] = {}
    for part in chunks(names):
        existing.update(Department.objects.filter(name__in=part).values_list("name", "id"))
    grouped: dict[str, list[PowerRecord]] = {}
    for record in records:
        if record.department.name not in existing:
            grouped.setdefault(record.department.name, []).append(record)
    new = []
    for name, rows in grouped.items():
        explicit = next((r.department.code for r in rows if r.department.code), "")
        # A list may give several credit codes for one body (区交通运输局 has two); the
        # most frequent valid one wins, ties broken by the code itself so the choice is stable.
        seen = Counter(c for r in rows for c in r.department.credit_codes)
        best = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))
        code = explicit or (best[0][0] if best else generated_department_code(name))
        kind = next((r.department.kind for r in rows if r.department.kind), "")
        credit = uscc.compact(code) if len(code) == 18 and uscc.is_valid(code) else ""
        new.append(NewDepartment(name, code, kind or department_kind_for(name), credit, rows[0]))
    codes = [d.code for d in new]
    taken = {}
    for part in chunks(codes):
        taken.update(Department.objects.filter(code__in=part).values_list("code", "name"))
    owners: dict[str, str] = {}
    for dep in new:
        owner = taken.get(dep.code) or owners.get(dep.code)
        if owner:
            _fault(
                report,
                dep.first,
                _("部门“%(name)s”的编码 %(code)s 已属于部门“%(owner)s”")
                % {"name": dep.name, "code": dep.code, "owner": owner},
            )
        owners.setdefault(dep.code, dep.name)
    return existing, new


def _sections(records: list[PowerRecord], report: ImportReport) -> dict[str, int]:
    codes = sorted({r.section_code for r in records if r.section_code})
    found: dict[str, int] = {}
    for part in chunks(codes):
        found.update(Section.objects.filter(code__in=part).values_list("code", "id"))
    for record in records:
        if record.section_code and record.section_code not in found:
            _fault(report, record, _("科室编码 %(c)s 不存在") % {"c": record.section_code})
    return found


def _existing(codes: list[str]) -> tuple[dict[str, Power], dict[int, tuple]]:
    """Powers by code, and the content (fields, materials, duties) of each one's newest
    version, with a handful of queries per 500 codes."""
    powers: dict[str, Power] = {}
    latest: dict[int, tuple] = {}
    newest = PowerVersion.objects.filter(power=OuterRef("pk")).order_by("-version").values("pk")
    for part in chunks(codes):
        found = list(Power.objects.filter(code__in=part).annotate(latest_id=Subquery(newest[:1])))
        powers.update((p.code, p) for p in found)
        ids = [p.latest_id for p in found if p.latest_id]
        materials, duties = bulk_parts(ids)
        for version in PowerVersion.objects.filter(pk__in=ids):
            latest[version.power_id] = (
                version,
                version_fields(version),
                materials.get(version.pk, []),
                duties.get(version.pk, []),
            )
    return powers, latest


def make_plan(
    records: list[PowerRecord], report: ImportReport, effective_from: dt.date | None = None
) -> Plan:
    today = effective_from or timezone.localdate()
    existing_deps, new_deps = _plan_departments(records, report)
    sections = _sections(records, report)
    powers, latest = _existing([r.code for r in records])
    steps = []
    for record in records:
        dep_id = existing_deps.get(record.department.name)  # None: created by this import
        section_id = sections.get(record.section_code) if record.section_code else None
        power = powers.get(record.code)
        if power is None:
            version = {**record.create_defaults, **record.fields}
            if record.extra_merge is not None:
                version["extra"] = {**version.get("extra", {}), **record.extra_merge}
            steps.append(
                Step(
                    record,
                    "create",
                    version=version,
                    materials=record.materials or [],
                    duties=record.duties or [],
                    effective_from=record.effective_from or today,
                )
            )
            continue
        step = Step(record, "unchanged", power_id=power.pk)
        if record.kind != power.kind:
            step.power_changes["kind"] = record.kind
        if dep_id is None or dep_id != power.department_id:
            step.power_changes["department_id"] = dep_id
        if record.section_code is not None and section_id != power.section_id:
            step.power_changes["section_id"] = section_id
        current = latest.get(power.pk)
        if current is None:
            _fault(report, record, _("事项 %(c)s 在目录中没有任何版本") % {"c": record.code})
            continue
        current, old_fields, old_mats, old_duties = current
        fields = {**old_fields, **record.fields}
        if record.extra_merge is not None:
            fields["extra"] = {**(old_fields["extra"] or {}), **record.extra_merge}
        fields["generated_fields"] = normalize_generated(fields.get("generated_fields"))
        fields = complete_fields(fields, power.kind)
        mats = old_mats if record.materials is None else record.materials
        duties = old_duties if record.duties is None else record.duties
        if content_hash(fields, mats, duties) != content_hash(old_fields, old_mats, old_duties):
            step.action = "revise"
            step.latest_id = current.pk
            step.version = {k: fields[k] for k in VERSION_FIELDS if fields[k] != old_fields[k]}
            step.materials = None if mats == old_mats else mats
            step.duties = None if duties == old_duties else duties
            given = record.effective_from
            step.effective_from = given if given and given > current.effective_from else today
        elif step.power_changes:
            step.action = "update"
        steps.append(step)
    return Plan(new_deps, steps)


def count_plan(plan: Plan, report: ImportReport) -> None:
    actions = Counter(step.action for step in plan.steps)
    report.created = actions["create"]
    report.revised = actions["revise"]
    report.updated = actions["update"]
    report.unchanged = actions["unchanged"]
    report.departments_created = [d.name for d in plan.departments]


def apply_plan(
    plan: Plan,
    report: ImportReport,
    *,
    progress: Callable[[int, int], None] | None = None,
    user=None,
) -> None:
    """Runs inside the import's transaction; service errors become faults of their row."""
    dep_ids: dict[str, int] = {}
    for dep in plan.departments:
        try:
            obj = create_object(
                Department,
                {
                    "name": dep.name,
                    "code": dep.code,
                    "kind": dep.kind,
                    "credit_code": dep.credit_code,
                },
                user=user,
            )
        except DomainError as exc:
            _fault(
                report,
                dep.first,
                _("无法新建部门“%(n)s”：%(e)s") % {"n": dep.name, "e": exc.message},
            )
            continue
        dep_ids[dep.name] = obj.pk
        report.departments_created.append(dep.name)
    total = len(plan.steps)
    for done, step in enumerate(plan.steps, 1):
        try:
            _apply_step(step, dep_ids, report, user)
        except DomainError as exc:
            _fault(report, step.record, exc.message)
        if progress is not None:
            progress(done, total)


def _apply_step(step: Step, dep_ids: dict[str, int], report: ImportReport, user) -> None:
    record = step.record
    if step.action == "unchanged":
        report.unchanged += 1
        return
    if step.action == "create":
        section_id = None
        if record.section_code:
            section_id = Section.objects.only("id").get(code=record.section_code).pk
        services.create_power(
            code=record.code,
            kind=record.kind,
            department_id=_department_id(record, dep_ids),
            section_id=section_id,
            source=record.source or "",
            version=step.version,
            materials=step.materials or (),
            duties=step.duties or (),
            effective_from=step.effective_from,
            user=user,
        )
        report.created += 1
        return
    changes = dict(step.power_changes)
    if "department_id" in changes and changes["department_id"] is None:
        changes["department_id"] = _department_id(record, dep_ids)
    if changes:
        services.update_power(step.power_id, changes=changes, user=user)
    if step.action == "revise":
        new = services.revise_power(
            step.power_id,
            changes=step.version,
            materials=step.materials,
            duties=step.duties,
            effective_from=step.effective_from,
            user=user,
        )
        if new.pk != step.latest_id:
            report.revised += 1
            return
    if changes:
        report.updated += 1
    else:
        report.unchanged += 1


def _department_id(record: PowerRecord, dep_ids: dict[str, int]) -> int:
    name = record.department.name
    if name in dep_ids:
        return dep_ids[name]
    found = Department.objects.filter(name=name).values_list("id", flat=True).first()
    if found is None:
        raise DomainError(_("部门“%(n)s”不存在") % {"n": name})
    return found
