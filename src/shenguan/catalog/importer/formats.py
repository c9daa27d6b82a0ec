"""The file formats the catalogue reads, recognised by their columns (or JSON keys):

- ``shenguan``: our own format, written by ``shenguan catalog export`` — one row per power
  with every field of its newest version; materials and duties as JSON (text in CSV/XLSX).
  Columns left out of a file are left as they are in the catalogue.
- ``guangan``: the Sichuan government service portal list as published for 广安区
  (department, main_item, item_name, itemCode, taskType, …).
- ``xian``: the Xi'an power-and-responsibility list (权责清单) with Chinese keys.

Each parser turns a row into a ``PowerRecord``: only the content fields the format provides,
so that re-importing a published list never wipes what was added to the catalogue later
(classes, materials and limits that the list does not carry)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from stdnum.cn import uscc

from shenguan.org.choices import DepartmentKind

from ..choices import PowerKind, Stage
from ..content import DUTY_KEYS, MATERIAL_KEYS, default_enforcement_class
from ..models import PowerVersion
from .duties import split_duties
from .fields import RowReader, enum_lookup
from .readers import Row, Table


def _max(name: str) -> int | None:
    return PowerVersion._meta.get_field(name).max_length


@dataclass
class DepartmentSpec:
    name: str
    code: str = ""  # given by the file (our format)
    kind: str = ""  # given by the file (our format)
    credit_codes: list[str] = field(default_factory=list)  # valid USCCs seen in its rows


@dataclass
class PowerRecord:
    row: Row
    code: str
    kind: str
    department: DepartmentSpec
    fields: dict  # content fields given by the file; they replace the catalogue's
    create_defaults: dict = field(default_factory=dict)  # used only when the power is new
    extra_merge: dict | None = None  # keys merged into ``extra`` (published lists)
    section_code: str | None = None  # None: not given; "": no section
    source: str | None = None
    materials: list[dict] | None = None  # None: keep the catalogue's
    duties: list[dict] | None = None
    effective_from: dt.date | None = None


@dataclass(frozen=True)
class Format:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[RowReader, str], PowerRecord | None]
    strict: bool = False  # unknown columns are faults (our own format)

    @property
    def known(self) -> set[str]:
        return set(self.required) | set(self.optional)


def department_kind_for(name: str) -> str:
    # The two concentrated bureaus are recognised by name; everything else is a business
    # department (its kind can be changed later in the admin).
    if "行政审批局" in name:
        return DepartmentKind.APPROVAL_BUREAU.value
    if "综合执法局" in name:
        return DepartmentKind.ENFORCEMENT_BUREAU.value
    return DepartmentKind.BUSINESS.value


def generated_department_code(name: str) -> str:
    """A stable code for a department whose list gives no valid credit code."""
    return "GEN-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12].upper()


# --- our own format ---------------------------------------------------------------------

TEXT_FIELDS = (
    "name",
    "main_item",
    "legal_basis",
    "acting_body",
    "handling_unit",
    "accountability_clause",
    "supervision_phone",
)
CANONICAL_COLUMNS = (
    "code",
    "kind",
    "department",
    "department_code",
    "department_kind",
    "section_code",
    "source",
    "version",  # informational: the exported version number; ignored on import
    "effective_from",
    "name",
    "main_item",
    "legal_basis",
    "acting_body",
    "handling_unit",
    "statutory_limit_days",
    "promised_limit_days",
    "day_counting",
    "approval_class",
    "enforcement_class",
    "accountability_clause",
    "supervision_phone",
    "generated_fields",
    "extra",
    "materials",
    "duties",
)


def _materials(r: RowReader, items: list) -> list[dict]:
    out = []
    for i, item in enumerate(items, 1):
        what = _("materials 第 %(n)d 项") % {"n": i}
        if not isinstance(item, dict):
            r.fault(_("%(what)s 应为 JSON 对象") % {"what": what})
            continue
        unknown = sorted(set(item) - set(MATERIAL_KEYS))
        if unknown:
            r.fault(_("%(what)s 有未知字段：%(k)s") % {"what": what, "k": ", ".join(unknown)})
        name = str(item.get("name") or "").strip()
        if not name:
            r.fault(_("%(what)s 缺少名称") % {"what": what})
        elif len(name) > 300:
            r.fault(_("%(what)s 名称过长") % {"what": what})
        essential = r.boolean(item.get("essential", True), f"{what} essential")
        deferrable = r.boolean(item.get("deferrable", False), f"{what} deferrable")
        if essential and deferrable:
            r.fault(_("%(what)s：要件不得容缺") % {"what": what})
        copies = item.get("copies", 1)
        if copies is None or copies == "":
            copies = 1
        if isinstance(copies, str) and copies.strip().isdigit():
            copies = int(copies)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 0 <= copies <= 32767:
            r.fault(_("%(what)s 份数“%(v)s”无效") % {"what": what, "v": copies})
            copies = 1
        notes = str(item.get("notes") or "").strip()
        if len(notes) > 300:
            r.fault(_("%(what)s 说明过长") % {"what": what})
        out.append(
            {
                "name": name,
                "essential": bool(essential),
                "deferrable": bool(deferrable),
                "copies": copies,
                "notes": notes,
            }
        )
    return out


def _duties(r: RowReader, items: list) -> list[dict]:
    stages = enum_lookup(Stage)
    out = []
    for i, item in enumerate(items, 1):
        what = _("duties 第 %(n)d 项") % {"n": i}
        if not isinstance(item, dict):
            r.fault(_("%(what)s 应为 JSON 对象") % {"what": what})
            continue
        unknown = sorted(set(item) - set(DUTY_KEYS))
        if unknown:
            r.fault(_("%(what)s 有未知字段：%(k)s") % {"what": what, "k": ", ".join(unknown)})
        stage_raw = str(item.get("stage") or Stage.OTHER.value).strip()
        stage = stages.get(stage_raw)
        if stage is None:
            r.fault(
                _("%(what)s 的阶段“%(v)s”无效（可用：%(ok)s）")
                % {"what": what, "v": stage_raw, "ok": ", ".join(s.value for s in Stage)}
            )
            stage = Stage.OTHER.value
        label = str(item.get("stage_label") or "").strip()
        if len(label) > 50:
            r.fault(_("%(what)s 阶段名称过长") % {"what": what})
        text = str(item.get("text") or "").strip()
        if not text:
            r.fault(_("%(what)s 缺少责任内容") % {"what": what})
        out.append({"stage": stage, "stage_label": label, "text": text})
    return out


def parse_canonical(r: RowReader, source_name: str) -> PowerRecord | None:
    from shenguan.core.calendar import DayCounting

    from ..choices import ApprovalClass, EnforcementClass

    code = r.code("code")
    kind = r.enum("kind", PowerKind, required=True)
    dep = DepartmentSpec(name=r.text("department", required=True, max_length=100))
    if r.has("department_code"):
        dep.code = r.text("department_code", max_length=40)
    if r.has("department_kind"):
        dep.kind = r.enum("department_kind", DepartmentKind)
    fields: dict = {}
    for name in TEXT_FIELDS:
        if r.has(name):
            fields[name] = r.text(name, required=name == "name", max_length=_max(name))
    for name in ("statutory_limit_days", "promised_limit_days"):
        if r.has(name):
            fields[name] = r.integer(name)
    statutory, promised = fields.get("statutory_limit_days"), fields.get("promised_limit_days")
    if statutory is not None and promised is not None and promised > statutory:
        r.fault(_("承诺时限 %(p)d 日长于法定时限 %(s)d 日") % {"p": promised, "s": statutory})
    if r.has("day_counting"):
        counting = r.enum("day_counting", DayCounting)
        if counting:
            fields["day_counting"] = counting
    if r.has("approval_class"):
        fields["approval_class"] = r.enum("approval_class", ApprovalClass)
    if r.has("enforcement_class"):
        fields["enforcement_class"] = r.enum("enforcement_class", EnforcementClass)
    if r.has("generated_fields"):
        generated = r.json("generated_fields", list, [])
        if not all(isinstance(g, str) for g in generated):
            r.fault(_("generated_fields 应为字段名（文本）的数组"))
            generated = []
        fields["generated_fields"] = generated
    if r.has("extra"):
        fields["extra"] = r.json("extra", dict, {})
    record = PowerRecord(row=r.row, code=code, kind=kind, department=dep, fields=fields)
    if r.has("section_code"):
        record.section_code = r.text("section_code", max_length=40)
    if r.has("source"):
        record.source = r.text("source", max_length=200)
    if r.has("materials"):
        record.materials = _materials(r, r.json("materials", list, []))
    if r.has("duties"):
        record.duties = _duties(r, r.json("duties", list, []))
    if r.has("effective_from"):
        record.effective_from = r.date("effective_from")
    return record


# --- 广安区 government service items (四川政务服务网) -----------------------------------------

TASK_TYPES = {
    "1": PowerKind.LICENSING,
    "5": PowerKind.PAYMENT,
    "7": PowerKind.CONFIRMATION,
    "8": PowerKind.REWARD,
    "9": PowerKind.ADJUDICATION,
    "10": PowerKind.OTHER,
    "20": PowerKind.PUBLIC_SERVICE,
}
GUANGAN_KEPT = ("areaCode", "deptCode", "link", "taskType")  # kept in ``extra`` as published
UNCLASSIFIED = "未分类"  # the portal's "no main item"


def parse_guangan(r: RowReader, source_name: str) -> PowerRecord | None:
    code = r.code("itemCode")
    name = r.text("item_name", required=True, max_length=_max("name"))
    task_type = r.text("taskType", required=True)
    kind = TASK_TYPES.get(task_type)
    if task_type and kind is None:
        r.fault(
            _("taskType 的值“%(v)s”未知（可用：%(ok)s）")
            % {"v": task_type, "ok": ", ".join(f"{k} {v.label}" for k, v in TASK_TYPES.items())}
        )
    main_item = r.text("main_item", max_length=_max("main_item"))
    dep = DepartmentSpec(name=r.text("department", required=True, max_length=100))
    dept_code = r.text("deptCode") if r.has("deptCode") else ""
    if len(dept_code) == 18 and uscc.is_valid(dept_code):
        dep.credit_codes.append(uscc.compact(dept_code))
    extra = {key: r.text(key) for key in GUANGAN_KEPT if r.has(key)}
    return PowerRecord(
        row=r.row,
        code=code,
        kind=(kind or PowerKind.OTHER).value,
        department=dep,
        fields={"name": name, "main_item": "" if main_item == UNCLASSIFIED else main_item},
        extra_merge=extra,
        source=source_name,
    )


# --- 西安市 power and responsibility list (权责清单) ----------------------------------------

XIAN_KINDS = {
    **{str(kind.label): kind for kind in PowerKind},
    "其他权力": PowerKind.OTHER,
    "其他": PowerKind.OTHER,
    "行政强制措施": PowerKind.COERCION,
    "行政强制执行": PowerKind.COERCION,
}


def _unescaped(r: RowReader, key: str, **kwargs) -> str:
    # The list is verbatim HTML-escaped text ("&#40;2010修订&#41;").
    value = html.unescape(r.text(key))
    max_length = kwargs.get("max_length")
    if max_length is not None and len(value) > max_length:
        r.fault(_("%(col)s 过长（最多 %(m)d 字）") % {"col": key, "m": max_length})
    if kwargs.get("required") and not value:
        r.fault(_("%(col)s 为空") % {"col": key})
    return value.strip()


def parse_xian(r: RowReader, source_name: str) -> PowerRecord | None:
    code = r.code("统一发布平台unid")
    name = _unescaped(r, "服务事项", required=True, max_length=_max("name"))
    kind_text = r.text("权力类型", required=True)
    kind = XIAN_KINDS.get(kind_text)
    if kind_text and kind is None:
        r.fault(
            _("权力类型“%(v)s”未知（可用：%(ok)s）")
            % {"v": kind_text, "ok": "、".join(str(k.label) for k in PowerKind)}
        )
    kind = (kind or PowerKind.OTHER).value
    body_key = "行驶主体" if r.has("行驶主体") else "行使主体"  # the list misspells 行使
    acting_body = _unescaped(r, body_key, required=True, max_length=100)
    fields = {
        "name": name,
        "acting_body": acting_body,
        "enforcement_class": default_enforcement_class(kind),
    }
    if r.has("承办机构"):
        fields["handling_unit"] = _unescaped(r, "承办机构", max_length=_max("handling_unit"))
    if r.has("实施依据"):
        fields["legal_basis"] = _unescaped(r, "实施依据")
    if r.has("监管电话"):
        fields["supervision_phone"] = _unescaped(
            r, "监管电话", max_length=_max("supervision_phone")
        )
    record = PowerRecord(
        row=r.row,
        code=code,
        kind=kind,
        department=DepartmentSpec(name=acting_body),
        fields=fields,
        source=source_name,
    )
    if r.has("责任事项"):
        record.duties = split_duties(_unescaped(r, "责任事项"))
        for duty in record.duties:
            if len(duty["stage_label"]) > 50:
                r.fault(_("责任事项的阶段名称过长：%(l)s") % {"l": duty["stage_label"]})
    return record


SHENGUAN = Format(
    "shenguan", ("code", "kind", "department", "name"), CANONICAL_COLUMNS, parse_canonical, True
)
GUANGAN = Format(
    "guangan",
    ("department", "main_item", "item_name", "itemCode", "taskType"),
    ("taskType_name_inferred", "areaCode", "deptCode", "link"),
    parse_guangan,
)
XIAN = Format(
    "xian",
    ("统一发布平台unid", "服务事项", "权力类型", "行驶主体"),
    ("行使主体", "承办机构", "实施依据", "责任事项", "监管电话"),
    parse_xian,
)
FORMATS = (SHENGUAN, GUANGAN, XIAN)


def detect(table: Table) -> tuple[Format | None, list[str]]:
    """The format whose columns the file shares most, and the file-level faults (missing or,
    for our own format, unknown columns)."""
    columns = set(table.columns)
    scored = sorted(FORMATS, key=lambda f: len(columns & f.known), reverse=True)
    best = scored[0]
    if len(columns & best.known) < 2:
        expected = "; ".join(f"{f.name}: {', '.join(f.required)}" for f in FORMATS)
        return None, [
            _("无法识别文件格式（列：%(cols)s）；应有以下格式之一的列 —— %(exp)s")
            % {"cols": ", ".join(table.columns), "exp": expected}
        ]
    faults = []
    missing = [c for c in best.required if c not in columns and not _aliased(c, columns)]
    if missing and table.container != "json":
        faults.append(
            _("缺少必需的列：%(cols)s（%(fmt)s 格式）")
            % {"cols": ", ".join(missing), "fmt": best.name}
        )
    if best.strict:
        unknown = [c for c in table.columns if c not in best.known]
        if unknown:
            faults.append(
                _("未知的列：%(cols)s（%(fmt)s 格式可用的列：%(ok)s）")
                % {"cols": ", ".join(unknown), "fmt": best.name, "ok": ", ".join(best.optional)}
            )
    return best, faults


def _aliased(column: str, present) -> bool:
    return column == "行驶主体" and "行使主体" in present


def parse_rows(
    table: Table, fmt: Format, source_name: str
) -> list[tuple[Row, PowerRecord | None, list[str]]]:
    out = []
    for row in table.rows:
        reader = RowReader(row)
        record = fmt.parse(reader, source_name) if row.data else None
        out.append((row, record, reader.problems))
    return out
