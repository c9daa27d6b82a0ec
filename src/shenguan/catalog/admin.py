"""Admin for the power and responsibility lists. Every save goes through ``catalog.services``:
editing a version never changes it in place but writes the next version (``revise_power``),
so cases keep the content they started under; only the newest version can be edited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shenguan.core.admin import ServiceModelAdmin
from shenguan.core.errors import DomainError

from . import services
from .content import DUTY_KEYS, MATERIAL_KEYS, VERSION_FIELDS
from .models import Duty, Material, Power, PowerVersion, Responsibility


def _raise_for_form(exc: DomainError):
    raise ValidationError(exc.field_errors or exc.message)


class VersionInline(admin.TabularInline):
    model = PowerVersion
    fields = ("version_link", "name", "effective_from", "effective_to", "approval_class")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-version",)
    verbose_name_plural = _("版本（修改请打开最新版本，保存即生成新版本）")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("版本"))
    def version_link(self, obj):
        url = reverse("admin:catalog_powerversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.version)


class ResponsibilityInline(admin.StackedInline):
    model = Responsibility
    fields = ("section", "post")
    raw_id_fields = ("post",)
    extra = 0
    max_num = 1


class PowerAddForm(forms.ModelForm):
    """Adding a power also writes its version 1, which needs at least a name."""

    name = forms.CharField(label=_("事项名称"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), initial=timezone.localdate)

    class Meta:
        model = Power
        fields = ("code", "kind", "department", "section", "source")


@admin.register(Power)
class PowerAdmin(ServiceModelAdmin):
    list_display = ("code", "current_name", "kind", "department", "section", "newest_version")
    list_filter = ("kind", "department__kind", "department")
    search_fields = ("code", "versions__name")
    list_select_related = ("department", "section")
    readonly_fields = ("created",)
    inlines = [ResponsibilityInline, VersionInline]
    list_per_page = 50

    def get_queryset(self, request):
        from django.db.models import Max, OuterRef, Subquery

        newest = PowerVersion.objects.filter(power=OuterRef("pk")).order_by("-version")
        return (
            super()
            .get_queryset(request)
            .annotate(
                newest_version_no=Max("versions__version"),
                newest_name=Subquery(newest.values("name")[:1]),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PowerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("code", "name", "kind", "department", "section", "source", "effective_from")
        return ("code", "kind", "department", "section", "source", "created")

    def get_readonly_fields(self, request, obj=None):
        return ("code", "created") if obj is not None else ()

    @admin.display(description=_("事项名称"), ordering="newest_name")
    def current_name(self, obj):
        return obj.newest_name

    @admin.display(description=_("最新版本"), ordering="newest_version_no")
    def newest_version(self, obj):
        return f"v{obj.newest_version_no}" if obj.newest_version_no else "-"

    def save_model(self, request, obj, form, change):
        try:
            if change:
                changes = {}
                for name in ("kind", "department", "section", "source"):
                    if name in form.changed_data:
                        attname = Power._meta.get_field(name).attname
                        changes[attname] = getattr(obj, attname)
                if changes:
                    services.update_power(obj.pk, changes=changes, user=request.user)
                return
            power = services.create_power(
                code=obj.code,
                kind=obj.kind,
                department_id=obj.department_id,
                section_id=obj.section_id,
                source=obj.source,
                version={"name": form.cleaned_data["name"]},
                effective_from=form.cleaned_data["effective_from"],
                user=request.user,
            )
        except DomainError as exc:
            _raise_for_form(exc)
        obj.pk = power.pk
        obj._state.adding = False

    def service_create(self, request, model, data: dict):
        if model is Responsibility:
            return services.assign_responsibility(
                data["power_id"],
                section_id=data["section_id"],
                post_id=data.get("post_id"),
                user=request.user,
            )
        return super().service_create(request, model, data)

    def service_update(self, request, model, pk, changes: dict):
        if model is Responsibility:
            current = Responsibility.objects.get(pk=pk)
            return services.assign_responsibility(
                current.power_id,
                section_id=changes.get("section_id", current.section_id),
                post_id=changes.get("post_id", current.post_id),
                user=request.user,
            )
        return super().service_update(request, model, pk, changes)

    def get_deleted_objects(self, objs, request):
        """What ``delete_power`` removes: the powers with their versions. Versions protect a
        power from a plain delete; only references from elsewhere (cases) may stop it."""
        from django.contrib.admin.utils import NestedObjects

        objs = list(objs)
        versions = list(PowerVersion.objects.filter(power__in=objs).select_related("power"))
        collector = NestedObjects(using=Power.objects.db)
        collector.collect(versions)
        protected = [f"{o._meta.verbose_name}: {o}" for o in collector.protected]
        listing = [
            [str(power), [f"v{v.version} {v.name}" for v in versions if v.power_id == power.pk]]
            for power in objs
        ]
        counts = {
            Power._meta.verbose_name_plural: len(objs),
            PowerVersion._meta.verbose_name_plural: len(versions),
        }
        return [item for pair in listing for item in pair], counts, set(), protected

    def delete_model(self, request, obj):
        services.delete_power(obj.pk, user=request.user)

    def delete_queryset(self, request, queryset):
        services.delete_powers(list(queryset.values_list("pk", flat=True)), user=request.user)


class MaterialInline(admin.TabularInline):
    model = Material
    fields = ("seq", *(k for k in MATERIAL_KEYS))
    extra = 0


class DutyInline(admin.TabularInline):
    model = Duty
    fields = ("seq", *(k for k in DUTY_KEYS))
    extra = 0


@admin.register(PowerVersion)
class PowerVersionAdmin(ServiceModelAdmin):
    list_display = (
        "power_code",
        "version",
        "name",
        "effective_from",
        "effective_to",
        "approval_class",
        "enforcement_class",
        "promised_limit_days",
    )
    list_filter = ("approval_class", "enforcement_class", "day_counting", "power__kind")
    search_fields = ("power__code", "name", "main_item")
    list_select_related = ("power",)
    readonly_fields = ("power", "version", "effective_to", "content_hash", "created")
    fieldsets = (
        (None, {"fields": ("power", "version", "effective_from", "effective_to")}),
        (
            _("事项内容"),
            {
                "fields": (
                    "name",
                    "main_item",
                    "legal_basis",
                    "acting_body",
                    "handling_unit",
                    "accountability_clause",
                    "supervision_phone",
                )
            },
        ),
        (
            _("时限与分类"),
            {
                "fields": (
                    "statutory_limit_days",
                    "promised_limit_days",
                    "day_counting",
                    "approval_class",
                    "enforcement_class",
                )
            },
        ),
        (_("其他"), {"fields": ("extra", "generated_fields", "content_hash", "created")}),
    )
    inlines = [MaterialInline, DutyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("power")

    @admin.display(description=_("事项编码"), ordering="power__code")
    def power_code(self, obj):
        return obj.power.code  # str(power) would look up its current version row by row

    def has_add_permission(self, request):
        return False  # versions come from adding a power or revising one

    def has_delete_permission(self, request, obj=None):
        return False  # versions are history; a power is deleted as a whole

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.pk != obj.power.versions.order_by("-version").first().pk:
            return False  # older versions are read only
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "effective_from" in form.base_fields:
            form.base_fields["effective_from"].help_text = _(
                "修改后保存将生成新版本；新版本自此日期生效（不改则自今日生效）"
            )
        return form

    def save_model(self, request, obj, form, change):
        # The revision is written in save_related, once the inline formsets are known, so
        # that the fields, materials and duties become ONE new version.
        return None

    def save_formset(self, request, form, formset, change):
        # Nothing is saved here (see save_related); the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in VERSION_FIELDS and name != "generated_fields"
        }
        generated = (
            form.cleaned_data["generated_fields"]
            if "generated_fields" in form.changed_data
            else None
        )
        effective_from = (
            form.cleaned_data["effective_from"]
            if "effective_from" in form.changed_data
            else timezone.localdate()
        )
        parts = {}
        for formset in formsets:
            if not formset.has_changed():
                continue
            keys = MATERIAL_KEYS if formset.model is Material else DUTY_KEYS
            rows = []
            for inline in formset.forms:
                if not inline.has_changed() and inline.instance.pk is None:
                    continue
                if formset.can_delete and formset._should_delete_form(inline):
                    continue
                data = inline.cleaned_data
                rows.append((data.get("seq") or 0, {k: data.get(k) for k in keys}))
            rows.sort(key=lambda pair: pair[0])
            parts["materials" if formset.model is Material else "duties"] = [r for _, r in rows]
        try:
            new = services.revise_power(
                obj.power_id,
                changes=changes,
                materials=parts.get("materials"),
                duties=parts.get("duties"),
                effective_from=effective_from,
                generated_fields=generated,
                user=request.user,
            )
        except DomainError as exc:
            _raise_for_form(exc)
        request._catalog_new_version = new

    def response_change(self, request, obj):
        new = getattr(request, "_catalog_new_version", None)
        if new is None or new.pk == obj.pk:
            self.message_user(request, _("内容未变，未生成新版本"), messages.INFO)
            return HttpResponseRedirect(request.path)
        self.message_user(
            request,
            _("已生成新版本 v%(v)d，自 %(d)s 生效；原版本 v%(o)d 保持不变")
            % {"v": new.version, "d": new.effective_from, "o": obj.version},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:catalog_powerversion_change", args=[new.pk]))


@admin.register(Responsibility)
class ResponsibilityAdmin(ServiceModelAdmin):
    list_display = ("power_code", "section", "post", "holder", "backup")
    list_filter = ("section__department", "section")
    search_fields = ("power__code", "section__name", "post__name", "post__holder__name")
    list_select_related = ("power", "section__department", "post__holder", "post__backup")
    autocomplete_fields = ("power",)
    raw_id_fields = ("section", "post")

    @admin.display(description=_("事项编码"), ordering="power__code")
    def power_code(self, obj):
        return obj.power.code

    @admin.display(description=_("A角（责任人）"))
    def holder(self, obj):
        return obj.post.holder if obj.post_id else "-"

    @admin.display(description=_("B角（备岗人）"))
    def backup(self, obj):
        return obj.post.backup if obj.post_id else "-"

    def service_create(self, request, model, data: dict):
        return services.assign_responsibility(
            data["power_id"],
            section_id=data["section_id"],
            post_id=data.get("post_id"),
            user=request.user,
        )

    def service_update(self, request, model, pk, changes: dict):
        current = Responsibility.objects.get(pk=pk)
        if "power_id" in changes and changes["power_id"] != current.power_id:
            raise DomainError(_("不能把责任分工改挂到另一个事项，请删除后新建"))
        return services.assign_responsibility(
            current.power_id,
            section_id=changes.get("section_id", current.section_id),
            post_id=changes.get("post_id", current.post_id),
            user=request.user,
        )
