"""State changes of the power and responsibility lists. Every entry point (API, admin, the
``catalog`` command, the importer, the demo seeder) calls these functions.

Versioning: a power's content lives in ``PowerVersion`` rows. ``revise_power`` never edits a
version's content; it writes a new version and closes the previous one on the day before the
new one takes effect, so a case that started under a version keeps exactly that content. The
only change ever made to an existing version is that closing date (``effective_to``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.services import (
    ensure_can_create,
    lock_for_change,
    recheck_visible,
    update_object,
)

from .content import (
    DUTY_KEYS,
    MATERIAL_KEYS,
    POWER_FIELDS,
    VERSION_FIELDS,
    complete_fields,
    content_hash,
    normalize_generated,
    version_content,
)
from .models import Duty, Material, Power, PowerVersion, Responsibility

__all__ = [
    "create_power",
    "revise_power",
    "update_power",
    "delete_power",
    "delete_powers",
    "assign_responsibility",
]


_TEXT_FIELDS = {
    f.name
    for f in PowerVersion._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and f.name in VERSION_FIELDS
}


def _clean_part(obj: models.Model, label: str, exclude: list[str]) -> None:
    """Field and ``clean()`` checks without the uniqueness queries (sequence numbers and the
    version number are assigned here under the power's lock)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise DomainError(f"{label}: {text}", code="validation", field_errors=errors)


def _check_keys(data: Mapping, allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(
            _("%(what)s含有未知字段：%(names)s") % {"what": what, "names": ", ".join(unknown)},
            code="unknown_field",
        )


def _build_version(
    power: Power,
    number: int,
    fields: Mapping,
    materials: Iterable[Mapping],
    duties: Iterable[Mapping],
    effective_from: dt.date,
) -> tuple[PowerVersion, list[Material], list[Duty]]:
    """Validated, unsaved rows of one version, with its content hash set."""
    fields = {k: ("" if v is None and k in _TEXT_FIELDS else v) for k, v in fields.items()}
    version = PowerVersion(power=power, version=number, effective_from=effective_from, **fields)
    version.content_hash = "0" * 64  # set below, once the values are cleaned
    _clean_part(version, _("事项版本"), exclude=["power"])
    mats = []
    for seq, data in enumerate(materials, 1):
        if not isinstance(data, Mapping):
            raise DomainError(_("申请材料 #%(n)d 应为对象") % {"n": seq}, code="validation")
        _check_keys(data, MATERIAL_KEYS, _("申请材料 #%(n)d ") % {"n": seq})
        # None means "the default" (one copy, no notes ...), as an omitted key does.
        mat = Material(version=version, seq=seq, **{k: v for k, v in data.items() if v is not None})
        _clean_part(mat, _("申请材料 #%(n)d") % {"n": seq}, exclude=["version"])
        mats.append(mat)
    dts = []
    for seq, data in enumerate(duties, 1):
        if not isinstance(data, Mapping):
            raise DomainError(_("阶段责任 #%(n)d 应为对象") % {"n": seq}, code="validation")
        _check_keys(data, DUTY_KEYS, _("阶段责任 #%(n)d ") % {"n": seq})
        duty = Duty(version=version, seq=seq, **{k: v for k, v in data.items() if v is not None})
        _clean_part(duty, _("阶段责任 #%(n)d") % {"n": seq}, exclude=["version"])
        dts.append(duty)
    version.generated_fields = normalize_generated(version.generated_fields)
    version.extra = dict(version.extra or {})
    version.content_hash = content_hash(
        {name: getattr(version, name) for name in VERSION_FIELDS},
        [{k: getattr(m, k) for k in MATERIAL_KEYS} for m in mats],
        [{k: getattr(d, k) for k in DUTY_KEYS} for d in dts],
    )
    return version, mats, dts


def _save_version(version: PowerVersion, mats: list[Material], duties: list[Duty]) -> None:
    version.save()
    for row in (*mats, *duties):
        row.version = version
    if mats:
        Material.objects.bulk_create(mats)
    if duties:
        Duty.objects.bulk_create(duties)


def _content_record(version: PowerVersion, mats, duties) -> dict:
    """A version as the journal keeps it: every content field, its materials and duties."""
    data = {name: getattr(version, name) for name in VERSION_FIELDS}
    data["materials"] = [
        {k: getattr(m, k) if isinstance(m, models.Model) else m[k] for k in MATERIAL_KEYS}
        for m in mats
    ]
    data["duties"] = [
        {k: getattr(d, k) if isinstance(d, models.Model) else d[k] for k in DUTY_KEYS}
        for d in duties
    ]
    return journal.jsonable(data)


def create_power(
    *,
    code: str,
    kind: str,
    department_id: int,
    section_id: int | None = None,
    source: str = "",
    version: Mapping,
    materials: Iterable[Mapping] = (),
    duties: Iterable[Mapping] = (),
    effective_from: dt.date | None = None,
    generated_fields: Iterable[str] = (),
    user=None,
) -> Power:
    """A new power with its version 1. ``version`` holds content fields (``content.
    VERSION_FIELDS``; ``name`` is required); fields left out get their defaults, and
    ``day_counting`` / ``enforcement_class`` default from the kind. Materials are dicts
    ``{name, essential, deferrable, copies, notes}``, duties ``{stage, stage_label, text}``."""
    with transaction.atomic():
        ensure_can_create(user, Power)
        _check_keys(version, VERSION_FIELDS, _("版本内容"))
        generated = list(generated_fields or ())
        if generated and version.get("generated_fields"):
            raise DomainError(_("generated_fields 只能给出一次"), code="validation")
        fields = dict(version)
        if generated:
            fields["generated_fields"] = generated
        fields = complete_fields(fields, kind)
        if Power.objects.filter(code=code).exists():
            raise Conflict(_("事项编码 %(code)s 已存在") % {"code": code}, code="duplicate_code")
        power = Power(
            code=code,
            kind=kind,
            department_id=department_id,
            section_id=section_id,
            source=source or "",
        )
        _clean_part(power, _("权力事项"), exclude=[])  # uniqueness checked just above
        power.save()
        new, mats, dts = _build_version(
            power, 1, fields, materials, duties, effective_from or timezone.localdate()
        )
        _save_version(new, mats, dts)
        after = journal.snapshot(power)
        after.update(
            version=1,
            effective_from=new.effective_from,
            content_hash=new.content_hash,
            content=_content_record(new, mats, dts),
        )
        journal.record(
            "catalog.power.created", power, after=after, object_repr=f"{power.code} {new.name}"
        )
        outbox.emit(
            "catalog.power.created",
            power,
            {"code": power.code, "version": 1, "effective_from": new.effective_from},
        )
        recheck_visible(user, power)
        return power


def revise_power(
    power_id: int,
    *,
    changes: Mapping,
    materials: Iterable[Mapping] | None = None,
    duties: Iterable[Mapping] | None = None,
    effective_from: dt.date | None = None,
    generated_fields: Iterable[str] | None = None,
    user=None,
) -> PowerVersion:
    """A new version built on the newest one, with ``changes`` (content fields) applied and
    materials / duties replaced when given. It takes effect on ``effective_from`` (default
    today); the previous version ends the day before — or, for a revision on the very day the
    previous version took effect, ends that same day and is outranked by the higher version
    number (``Power.version_at`` picks the highest version in force). If the content comes out
    identical (same content hash) nothing is written and the newest version is returned."""
    with transaction.atomic():
        power = lock_for_change(user, Power, power_id)
        power_keys = sorted(set(changes) & set(POWER_FIELDS + ("department", "section", "code")))
        if power_keys:
            raise DomainError(
                _("%(names)s 不属于版本内容，请用 update_power 修改")
                % {"names": ", ".join(power_keys)},
                code="not_version_field",
            )
        _check_keys(changes, VERSION_FIELDS, _("修订内容"))
        if generated_fields is not None and "generated_fields" in changes:
            raise DomainError(_("generated_fields 只能给出一次"), code="validation")
        latest = (
            PowerVersion.objects.filter(power=power)
            .prefetch_related("materials", "duties")
            .order_by("-version")
            .first()
        )
        if latest is None:
            raise DomainError(_("该事项没有任何版本"), code="no_version")
        old_fields, old_mats, old_duties = version_content(latest)
        fields = {**old_fields, **changes}
        if generated_fields is not None:
            fields["generated_fields"] = list(generated_fields)
        day = effective_from or timezone.localdate()
        new, mats, dts = _build_version(
            power,
            latest.version + 1,
            fields,
            old_mats if materials is None else materials,
            old_duties if duties is None else duties,
            day,
        )
        if new.content_hash == content_hash(old_fields, old_mats, old_duties):
            return latest
        if day < latest.effective_from:
            raise DomainError(
                _("新版本的生效日期 %(day)s 早于现行版本（v%(v)d）的生效日期 %(from)s")
                % {"day": day, "v": latest.version, "from": latest.effective_from},
                code="effective_from_too_early",
            )
        previous_to = latest.effective_to
        closing = max(latest.effective_from, day - dt.timedelta(days=1))
        if previous_to is None or previous_to > closing:
            PowerVersion.objects.filter(pk=latest.pk).update(effective_to=closing)
        _save_version(new, mats, dts)
        before, after = journal.diff(
            _content_record(latest, old_mats, old_duties), _content_record(new, mats, dts)
        )
        before.update(version=latest.version, effective_to=previous_to)
        after.update(
            version=new.version,
            effective_from=new.effective_from,
            previous_effective_to=min(closing, previous_to) if previous_to else closing,
            content_hash=new.content_hash,
        )
        journal.record(
            "catalog.power.revised",
            power,
            before=before,
            after=after,
            object_repr=f"{power.code} {new.name}",
        )
        outbox.emit(
            "catalog.power.revised",
            power,
            {
                "code": power.code,
                "version": new.version,
                "previous_version": latest.version,
                "effective_from": new.effective_from,
                "changed": sorted(
                    k for k in after if k in VERSION_FIELDS + ("materials", "duties")
                ),
            },
        )
        recheck_visible(user, power)
        return new


def update_power(power_id: int, *, changes: Mapping, user=None) -> Power:
    """Change what is not versioned: kind, implementing department, section, source."""
    _check_keys(changes, POWER_FIELDS, _("事项属性"))
    return update_object(Power, power_id, dict(changes), user=user, action="catalog.power.updated")


def delete_power(power_id: int, *, user=None) -> None:
    """Remove a power with all its versions and its responsibility entry; refused while any
    version is still referenced (for instance by a case)."""
    with transaction.atomic():
        power = lock_for_change(user, Power, power_id)
        _delete([power])


def delete_powers(power_ids: Iterable[int], *, user=None) -> int:
    """``delete_power`` for many powers in one transaction (all or none), with bulk queries;
    each power still gets its own journal entry. Returns how many were deleted."""
    ids = list(dict.fromkeys(power_ids))
    with transaction.atomic():
        powers = []
        for part in _chunks(ids):
            powers.extend(Power.objects.select_for_update(no_key=True).filter(pk__in=part))
        if len(powers) != len(ids):
            missing = sorted(set(ids) - {p.pk for p in powers})
            raise NotFound(_("事项 %(ids)s 不存在") % {"ids": ", ".join(map(str, missing[:10]))})
        if user is not None:
            allowed = sum(
                Power.objects.filter(pk__in=part).restrict(user, "change").count()
                for part in _chunks(ids)
            )
            if allowed != len(ids):
                raise Forbidden(_("你无权删除这些事项"))
        _delete(powers)
        return len(powers)


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _delete(powers: list[Power]) -> None:
    records = {}
    for part in _chunks(powers):
        ids = [p.pk for p in part]
        versions = (
            PowerVersion.objects.filter(power_id__in=ids)
            .prefetch_related("materials", "duties")
            .order_by("power_id", "version")
        )
        by_power: dict[int, list[PowerVersion]] = {}
        for version in versions:
            by_power.setdefault(version.power_id, []).append(version)
        for power in part:
            history = by_power.get(power.pk, [])
            before = journal.snapshot(power)
            before["versions"] = [v.version for v in history]
            name = ""
            if history:
                latest = history[-1]
                name = latest.name
                before["content"] = _content_record(latest, *version_content(latest)[1:])
            records[power.pk] = (power.code, name, before)
        try:
            Material.objects.filter(version__power_id__in=ids).delete()
            Duty.objects.filter(version__power_id__in=ids).delete()
            Responsibility.objects.filter(power_id__in=ids).delete()
            PowerVersion.objects.filter(power_id__in=ids).delete()
            Power.objects.filter(pk__in=ids).delete()
        except models.ProtectedError as exc:
            names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            raise DomainError(
                _("事项仍被引用，不能删除：%(names)s") % {"names": ", ".join(names)},
                code="protected",
            )
    for pk, (code, name, before) in records.items():
        journal.record(
            "catalog.power.deleted",
            object_type="catalog.power",
            object_id=str(pk),
            object_repr=f"{code} {name}",
            before=before,
        )
        outbox.emit("catalog.power.deleted", None, {"id": pk, "code": code})


def assign_responsibility(
    power_id: int, *, section_id: int, post_id: int | None = None, user=None
) -> Responsibility:
    """Name the section (and the post whose A role answers for it, B role standing in) that is
    responsible for a power; replaces the previous assignment."""
    from shenguan.org.models import Post, Section

    with transaction.atomic():
        power = lock_for_change(user, Power, power_id)
        if not Section.objects.filter(pk=section_id).exists():
            raise NotFound(_("科室 %(id)s 不存在") % {"id": section_id})
        if post_id is not None:
            post = Post.objects.filter(pk=post_id).only("id", "section_id").first()
            if post is None:
                raise NotFound(_("岗位 %(id)s 不存在") % {"id": post_id})
            if post.section_id != section_id:
                raise DomainError(
                    _("岗位不属于所选科室"),
                    code="post_not_in_section",
                    field_errors={"post": [_("岗位不属于所选科室")]},
                )
        resp = Responsibility.objects.select_for_update(no_key=True).filter(power=power).first()
        if resp is not None:
            before = journal.snapshot(resp)
            if resp.section_id == section_id and resp.post_id == post_id:
                return resp
            resp.section_id, resp.post_id = section_id, post_id
        else:
            before = None
            resp = Responsibility(power=power, section_id=section_id, post_id=post_id)
        resp.save()
        after = journal.snapshot(resp)
        b, a = journal.diff(before, after)
        journal.record(
            "catalog.responsibility.assigned",
            resp,
            before=b,
            after=a,
            object_repr=f"{power.code} → {section_id}/{post_id or '-'}",
        )
        outbox.emit(
            "catalog.responsibility.assigned",
            resp,
            {"code": power.code, "section_id": section_id, "post_id": post_id},
        )
        recheck_visible(user, resp)
        return resp
