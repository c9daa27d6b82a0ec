"""Organisation in the admin site. Every save and delete goes through ``org.services`` (journal,
outbox, domain checks); only administrators change the organisation; staff members who reach
the admin site may look."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from shenguan.core.admin import ServiceModelAdmin
from shenguan.core.errors import DomainError
from shenguan.core.permissions import Role

from . import services
from .admin_scope import ScopedAdminMixin, ScopedInlineMixin
from .models import Department, Grid, Post, Section, Staff

SERVICES = {
    Department: (
        services.create_department,
        services.update_department,
        services.delete_department,
    ),
    Section: (services.create_section, services.update_section, services.delete_section),
    Staff: (services.create_staff, services.update_staff, services.delete_staff),
    Post: (services.create_post, services.update_post, services.delete_post),
    Grid: (services.create_grid, services.update_grid, services.delete_grid),
}


class OrgAdmin(ScopedAdminMixin, ServiceModelAdmin):
    """Routes the model and its inlines to the org services."""

    def service_create(self, request, model, data: dict):
        return SERVICES[model][0](user=request.user, **data)

    def service_update(self, request, model, pk, changes: dict):
        return SERVICES[model][1](pk, changes, user=request.user)

    def service_delete(self, request, model, pk):
        SERVICES[model][2](pk, user=request.user)


class SectionInline(ScopedInlineMixin, admin.TabularInline):
    model = Section
    fields = ("code", "name", "kind", "head")
    autocomplete_fields = ("head",)
    extra = 0
    show_change_link = True


class PostInline(ScopedInlineMixin, admin.TabularInline):
    model = Post
    fields = ("code", "name", "holder", "backup")
    autocomplete_fields = ("holder", "backup")
    extra = 0
    show_change_link = True


@admin.register(Department)
class DepartmentAdmin(OrgAdmin):
    list_display = ("code", "name", "kind", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "credit_code")
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(OrgAdmin):
    list_display = ("code", "name", "department", "kind", "head")
    list_filter = ("kind", "department")
    list_select_related = ("department", "head")
    search_fields = ("code", "name", "department__name")
    autocomplete_fields = ("department", "head")
    inlines = [PostInline]


class StaffForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("关联了用户账号时生效"),
    )

    class Meta:
        model = Staff
        fields = (
            "user",
            "employee_no",
            "name",
            "department",
            "section",
            "title",
            "phone",
            "enforcement_cert_no",
            "cert_valid_until",
            "is_absent",
            "absent_until",
            "is_active",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user if self.instance.pk and self.instance.user_id else None
        if user is not None:
            self.fields["roles"].initial = list(
                user.groups.filter(name__in=Role.values).values_list("name", flat=True)
            )


@admin.register(Staff)
class StaffAdmin(OrgAdmin):
    form = StaffForm
    list_display = (
        "employee_no",
        "name",
        "department",
        "section",
        "title",
        "phone",
        "present",
        "is_active",
    )
    list_filter = ("department", "section__kind", "is_absent", "is_active")
    list_select_related = ("department", "section")
    search_fields = ("employee_no", "name", "phone", "user__username")
    autocomplete_fields = ("department", "section")
    raw_id_fields = ("user",)
    actions = ["mark_absent_action", "mark_present_action"]

    @admin.display(boolean=True, description=_("在岗"))
    def present(self, obj: Staff) -> bool:
        return obj.is_present()

    def service_update(self, request, model, pk, changes: dict):
        # absence has its own service (A/B hand-over event); the rest is plain data
        if model is Staff and {"is_absent", "absent_until"} & set(changes):
            staff = Staff.objects.get(pk=pk)
            absent = changes.pop("is_absent", staff.is_absent)
            until = changes.pop("absent_until", staff.absent_until)
            services.mark_absent(
                pk, absent=absent, until=until if absent else None, user=request.user
            )
        if not changes:
            return Staff.objects.get(pk=pk)
        return super().service_update(request, model, pk, changes)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.user_id and "roles" in form.changed_data:
            try:
                services.set_roles(obj.user_id, form.cleaned_data["roles"], user=request.user)
            except DomainError as exc:
                from django.core.exceptions import ValidationError

                raise ValidationError(exc.message)

    def _mark(self, request, queryset, absent: bool):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                services.mark_absent(pk, absent=absent, user=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, _("已更新 %(n)s 人") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("标记为不在岗（由B角接替）"))
    def mark_absent_action(self, request, queryset):
        self._mark(request, queryset, True)

    @admin.action(description=_("标记为在岗"))
    def mark_present_action(self, request, queryset):
        self._mark(request, queryset, False)


@admin.register(Post)
class PostAdmin(OrgAdmin):
    list_display = ("code", "name", "section", "holder", "backup", "acting")
    list_filter = ("section__department", "section")
    list_select_related = ("section", "holder", "backup")
    search_fields = ("code", "name", "holder__name", "backup__name")
    autocomplete_fields = ("section", "holder", "backup")

    @admin.display(description=_("当前履职人"))
    def acting(self, obj: Post) -> str:
        acting = obj.acting_staff()
        return acting.name if acting else "—"


@admin.register(Grid)
class GridAdmin(OrgAdmin):
    list_display = ("code", "name", "kind", "worker", "worker_phone", "squad")
    list_filter = ("kind", "squad")
    list_select_related = ("worker", "squad")
    search_fields = ("code", "name", "area", "worker__name")
    autocomplete_fields = ("worker", "squad")
