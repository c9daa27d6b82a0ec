"""Merging enforcement powers onto their procedure (合并同类项).

A power's class is its version's ``enforcement_class`` or, failing that, its kind (inspection,
levy, penalty, coercion); the class names the procedure. Its acting body is the version's
``acting_body`` or, failing that, its department. Powers with the same procedure and acting
body share one ``ProcedureGroup``. ``sync_power`` runs on every catalogue change (consumer
``enforcement.procedures``); ``sync_all`` rebuilds the whole map (command
``shenguan enforcement sync-procedures``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shenguan.catalog.choices import ENFORCEMENT_KINDS
from shenguan.catalog.models import Power, PowerVersion
from shenguan.core import journal, outbox

from .models import GroupMember, Procedure, ProcedureGroup


def class_of(power: Power, version: PowerVersion | None) -> str | None:
    if version is not None and version.enforcement_class:
        return version.enforcement_class
    if power.kind in {k.value for k in ENFORCEMENT_KINDS}:
        return power.kind
    return None


def acting_body_of(power: Power, version: PowerVersion | None) -> str:
    body = (version.acting_body if version is not None else "") or ""
    return body.strip()[:200] or power.department.name


def _target(power: Power, procedures: dict[str, Procedure]) -> tuple[Procedure, str] | None:
    version = power.current or power.latest
    klass = class_of(power, version)
    if klass is None or klass not in procedures:
        return None
    return procedures[klass], acting_body_of(power, version)


def _place(power: Power, procedures: dict[str, Procedure], groups: dict) -> str:
    """Put ``power`` in its group (creating it); returns 'added', 'moved', 'removed' or ''."""
    target = _target(power, procedures)
    member = GroupMember.objects.filter(power=power).select_related("group").first()
    if target is None:
        if member is not None:
            member.delete()
            return "removed"
        return ""
    procedure, body = target
    key = (procedure.pk, body)
    group = groups.get(key)
    if group is None:
        group, _created = ProcedureGroup.objects.get_or_create(
            procedure=procedure, acting_body=body
        )
        groups[key] = group
    if member is None:
        GroupMember.objects.create(group=group, power=power)
        return "added"
    if member.group_id != group.pk:
        member.group = group
        member.save(update_fields=["group"])
        return "moved"
    return ""


def _drop_empty_groups() -> int:
    deleted, _ = ProcedureGroup.objects.filter(members__isnull=True).delete()
    return deleted


def sync_power(power_id: int) -> str:
    """Place one power (after it was created, revised or deleted)."""
    with transaction.atomic():
        procedures = {p.enforcement_class: p for p in Procedure.objects.all()}
        power = Power.objects.select_related("department").filter(pk=power_id).first()
        if power is None:
            change = "removed" if GroupMember.objects.filter(power_id=power_id).exists() else ""
            GroupMember.objects.filter(power_id=power_id).delete()
        else:
            change = _place(power, procedures, {})
        if change:
            _drop_empty_groups()
            journal.record(
                f"enforcement.procedure_member.{change}",
                object_type="catalog.power",
                object_id=str(power_id),
                object_repr=str(power) if power else str(power_id),
                after={"change": change},
            )
            outbox.emit(
                "enforcement.procedures.changed", power, {"power_id": power_id, "change": change}
            )
        return change


def sync_all() -> dict:
    """Rebuild the whole map; returns counts of what changed."""
    with transaction.atomic():
        procedures = {p.enforcement_class: p for p in Procedure.objects.all()}
        groups = {(g.procedure_id, g.acting_body): g for g in ProcedureGroup.objects.all()}
        counts = {"added": 0, "moved": 0, "removed": 0}
        for power in Power.objects.select_related("department").iterator(chunk_size=500):
            change = _place(power, procedures, groups)
            if change:
                counts[change] += 1
        # members whose power is gone were cascaded; groups left empty are removed
        counts["groups_removed"] = _drop_empty_groups()
        ProcedureGroup.objects.update(updated=timezone.now())
        if any(counts.values()):
            journal.record(
                "enforcement.procedures.synced",
                object_type="enforcement.procedure",
                object_repr="合并同类项",
                after=counts,
            )
            outbox.emit("enforcement.procedures.changed", None, counts)
        return counts


def catalogue():
    """Procedures with their groups and merged powers, for the page and the API."""
    from django.db.models import Count, Prefetch

    members = GroupMember.objects.select_related("power")
    groups = (
        ProcedureGroup.objects.annotate(power_count=Count("members"))
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("acting_body")
    )
    return Procedure.objects.prefetch_related(Prefetch("groups", queryset=groups)).order_by("code")
