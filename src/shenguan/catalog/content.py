"""The content of a power version and its hash.

A version's content is its own fields plus its materials and stage duties, in order. The
``content_hash`` (sha256 over a canonical JSON rendering of that content) tells whether a
revision really changes anything: importers and the admin compare hashes instead of fields.
Effective dates, the version number and timestamps are not content, so the same content
always hashes the same whatever day it takes effect."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from shenguan.core.calendar import DayCounting
from shenguan.core.journal import canonical, jsonable

from .choices import ENFORCEMENT_KINDS, PowerKind, Stage

# Fields of PowerVersion that make up its content (besides materials and duties).
VERSION_FIELDS = (
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
    "extra",
    "generated_fields",
)
# Fields of Power itself (its identity and placement, not versioned).
POWER_FIELDS = ("kind", "department_id", "section_id", "source")

MATERIAL_KEYS = ("name", "essential", "deferrable", "copies", "notes")
DUTY_KEYS = ("stage", "stage_label", "text")

_TEXT_DEFAULTS = {
    "main_item": "",
    "legal_basis": "",
    "acting_body": "",
    "handling_unit": "",
    "approval_class": "",
    "enforcement_class": "",
    "accountability_clause": "",
    "supervision_phone": "",
}


def default_day_counting(kind: str) -> str:
    """The law that counts a power's periods: penalty and coercion have their own rules
    (行政处罚法 art 85, 行政强制法 art 69); everything else follows 行政许可法 art 82."""
    if kind == PowerKind.PENALTY:
        return DayCounting.PENALTY.value
    if kind == PowerKind.COERCION:
        return DayCounting.COERCION.value
    return DayCounting.LICENSING.value


def default_enforcement_class(kind: str) -> str:
    # An enforcement power's class is its kind (choices.ENFORCEMENT_KINDS).
    return str(kind) if kind in {k.value for k in ENFORCEMENT_KINDS} else ""


def complete_fields(fields: Mapping, kind: str) -> dict:
    """All content fields, filling the ones not given with their defaults for ``kind``."""
    out = {name: fields[name] for name in VERSION_FIELDS if name in fields}
    for name, value in _TEXT_DEFAULTS.items():
        out.setdefault(name, value)
    out.setdefault("statutory_limit_days", None)
    out.setdefault("promised_limit_days", None)
    out.setdefault("day_counting", default_day_counting(kind))
    if "enforcement_class" not in fields:
        out["enforcement_class"] = default_enforcement_class(kind)
    out.setdefault("extra", {})
    out.setdefault("generated_fields", [])
    out["generated_fields"] = normalize_generated(out["generated_fields"])
    out["extra"] = dict(out["extra"] or {})
    return out


def normalize_generated(value: Iterable[str] | None) -> list[str]:
    return sorted({str(v) for v in (value or ()) if str(v)})


def normalize_material(data: Mapping) -> dict:
    return {
        "name": str(data.get("name", "")),
        "essential": bool(data.get("essential", True)),
        "deferrable": bool(data.get("deferrable", False)),
        "copies": int(data.get("copies", 1) if data.get("copies") is not None else 1),
        "notes": str(data.get("notes", "") or ""),
    }


def normalize_duty(data: Mapping) -> dict:
    return {
        "stage": str(data.get("stage", "") or Stage.OTHER.value),
        "stage_label": str(data.get("stage_label", "") or ""),
        "text": str(data.get("text", "")),
    }


def content_hash(fields: Mapping, materials: Iterable[Mapping], duties: Iterable[Mapping]) -> str:
    data = {
        "fields": jsonable({name: fields.get(name) for name in VERSION_FIELDS}),
        "materials": [normalize_material(m) for m in materials],
        "duties": [normalize_duty(d) for d in duties],
    }
    return hashlib.sha256(canonical(data)).hexdigest()


def version_fields(version) -> dict:
    return {name: getattr(version, name) for name in VERSION_FIELDS}


def version_materials(version) -> list[dict]:
    """Materials in order; uses prefetched rows when present."""
    rows = sorted(version.materials.all(), key=lambda m: m.seq)
    return [{k: getattr(m, k) for k in MATERIAL_KEYS} for m in rows]


def version_duties(version) -> list[dict]:
    rows = sorted(version.duties.all(), key=lambda d: d.seq)
    return [{k: getattr(d, k) for k in DUTY_KEYS} for d in rows]


def version_content(version) -> tuple[dict, list[dict], list[dict]]:
    return version_fields(version), version_materials(version), version_duties(version)


def bulk_parts(version_ids: list[int]) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """Materials and duties of many versions in two queries (no per-object prefetch cost),
    as ``{version_id: [dict, ...]}`` in order."""
    from .models import Duty, Material

    materials: dict[int, list[dict]] = {}
    duties: dict[int, list[dict]] = {}
    if not version_ids:
        return materials, duties
    for row in (
        Material.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "seq")
        .values("version_id", *MATERIAL_KEYS)
    ):
        materials.setdefault(row.pop("version_id"), []).append(row)
    for row in (
        Duty.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "seq")
        .values("version_id", *DUTY_KEYS)
    ):
        duties.setdefault(row.pop("version_id"), []).append(row)
    return materials, duties
