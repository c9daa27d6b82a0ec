"""Admin: the routing policy is changed by publishing a new version (never in place), through
``services.publish_policy``; events, steps and 代办 records are read-only here — they change
only through the workflow services (pages and API)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin
from shenguan.core.errors import DomainError

from . import services
from .models import EventStep, GridEvent, ProxyFiling, RoutingPolicy, RoutingRule

RULE_COLUMNS = (
    "category",
    "keywords",
    "power",
    "power_kind",
    "power_keywords",
    "to_grid_squad",
    "limit_days",
)


def _initial_rules() -> list[dict]:
    current = RoutingPolicy.in_force() or services.ensure_policy()
    rows = current.rules.order_by("order", "id").values(*RULE_COLUMNS)
    return [dict(r) for r in rows]


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    fields = RULE_COLUMNS
    raw_id_fields = ("power",)
    can_delete = False

    def get_extra(self, request, obj=None, **kwargs):
        return (len(_initial_rules()) + 2) if obj is None else 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(ServiceModelAdmin):
    """ "Add" starts from the version in force; saving publishes a new version."""

    list_display = ("version", "effective_from", "note", "created", "created_by")
    fields = ("effective_from", "note")
    inlines = [RoutingRuleInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj is None or obj.pk is None:
            kwargs["initial"] = _initial_rules()
        return kwargs

    def save_model(self, request, obj, form, change):
        pass  # published in save_related with the rules, through the service

    def save_related(self, request, form, formsets, change):
        rules = []
        for formset in formsets:
            for row in formset.cleaned_data:
                if row and row.get("category") and not row.get("DELETE"):
                    data = {k: row.get(k) for k in RULE_COLUMNS if k != "power"}
                    data["power_id"] = row["power"].pk if row.get("power") else None
                    data = {
                        k: ("" if v is None and k != "power_id" else v) for k, v in data.items()
                    }
                    rules.append(data)
        try:
            policy = services.publish_policy(
                effective_from=form.cleaned_data["effective_from"],
                note=form.cleaned_data.get("note", ""),
                rules=rules,
                user=request.user,
            )
        except DomainError as exc:
            raise ValidationError(exc.message)
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        obj = form.instance
        obj.pk = policy.pk
        obj.version = policy.version
        obj._state.adding = False


class EventStepInline(admin.TabularInline):
    model = EventStep
    fields = ("created", "action", "from_status", "to_status", "article", "actor_name", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GridEvent)
class GridEventAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "category",
        "title",
        "grid",
        "status",
        "assigned_section",
        "due_on",
        "is_overdue",
        "closed_overdue",
    )
    list_filter = ("status", "category", "is_overdue", "grid")
    search_fields = ("number", "title", "place")
    inlines = [EventStepInline]


@admin.register(ProxyFiling)
class ProxyFilingAdmin(ReadOnlyAdmin):
    list_display = ("application", "party", "worker", "grid", "created")
