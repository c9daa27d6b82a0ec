"""The published power and responsibility lists (权力清单 / 责任清单): open to everyone."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from shenguan.catalog.models import Duty, Material, Power, PowerVersion, Responsibility
from shenguan.org.models import Department

from .forms import PowerFilterForm
from .queries import current_versions, paginate
from .rendering import render_list


def _field_label(name: str) -> str:
    """The Chinese label of a version field (or related list) named in ``generated_fields``."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = PowerVersion._meta.get_field(name)
    except FieldDoesNotExist:
        return str(name)
    if field.is_relation and field.auto_created:  # materials, duties
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


def catalog_list(request):
    versions = current_versions(request.user)
    # Departments named by published powers are published with them, so the filter lists them
    # even for the public, who may not browse the organisation directory itself.
    departments = Department.objects.filter(
        pk__in=versions.values("power__department_id")
    ).order_by("code")
    form = PowerFilterForm(request.GET, departments=departments)
    if q := form.value("q"):
        versions = versions.filter(
            Q(name__icontains=q) | Q(main_item__icontains=q) | Q(power__code__icontains=q)
        )
    if kind := form.value("kind"):
        versions = versions.filter(power__kind=kind)
    if department := form.value("department"):
        versions = versions.filter(power__department_id=department)
    if approval_class := form.value("approval_class"):
        versions = versions.filter(approval_class=approval_class)
    page = paginate(request, versions.order_by("power__code"))
    return render_list(
        request,
        "portal/catalog/list.html",
        "portal/catalog/_results.html",
        {"form": form, "page": page},
    )


def catalog_detail(request, code: str):
    power = (
        Power.objects.restrict(request.user, "view")
        .select_related("department", "section")
        .filter(code=code)
        .first()
    )
    if power is None:
        raise Http404
    history = list(
        PowerVersion.objects.restrict(request.user, "view")
        .filter(power=power)
        .order_by("-version")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=Material.objects.restrict(request.user, "view").order_by("seq"),
            ),
            Prefetch(
                "duties", queryset=Duty.objects.restrict(request.user, "view").order_by("seq")
            ),
        )
    )
    if not history:
        raise Http404
    today = timezone.localdate()
    in_force = [
        v
        for v in history
        if v.effective_from <= today and (v.effective_to is None or v.effective_to >= today)
    ]
    current = in_force[0] if in_force else None
    shown = current or history[0]
    if requested := request.GET.get("version"):
        shown = next((v for v in history if str(v.version) == requested), None)
        if shown is None:
            raise Http404
    responsibility = (
        Responsibility.objects.restrict(request.user, "view")
        .select_related("section__department", "post__holder", "post__backup", "post__section")
        .filter(power=power)
        .first()
    )
    generated = [_field_label(name) for name in shown.generated_fields or []]
    stages = []
    for duty in shown.duties.all():
        if stages and stages[-1][0] == duty.stage:
            stages[-1][2].append(duty)
        else:
            stages.append((duty.stage, duty.stage_label or duty.get_stage_display(), [duty]))
    return render(
        request,
        "portal/catalog/detail.html",
        {
            "power": power,
            "version": shown,
            "current": current,
            "history": history,
            "stages": stages,
            "responsibility": responsibility,
            "materials": list(shown.materials.all()),
            "generated": generated,
            "today": today,
        },
    )
