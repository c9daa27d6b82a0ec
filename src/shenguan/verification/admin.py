"""Admin: the verification policy is edited by publishing a new version (never in place, as
the route policy); recusals through the services; pushes, tasks, findings, leads, the sampling
directory and draws are read-only here — they change through the services (API, pages,
worker)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin
from shenguan.core.errors import DomainError

from . import services
from .models import (
    Draw,
    Finding,
    FindingSignature,
    Lead,
    PoolEntry,
    Push,
    RectificationOrder,
    Recusal,
    VerificationPolicy,
    VerificationRule,
    VerificationTask,
)
from .services.policy import RULE_KEYS, current_rows

RULE_COLUMNS = (*RULE_KEYS, "method", "deadline_working_days", "inspector_pool", "risk_weight")


def _initial_rules() -> list[dict]:
    """The rows of the version in force, to start a new version from."""
    return current_rows()


class RuleInline(admin.TabularInline):
    model = VerificationRule
    fields = RULE_COLUMNS
    can_delete = False

    def get_extra(self, request, obj=None, **kwargs):
        return 0

    def get_max_num(self, request, obj=None, **kwargs):
        return len(_initial_rules()) if obj is None else None

    def get_min_num(self, request, obj=None, **kwargs):
        # every row must be submitted (even unchanged ones): a version is a whole table
        return len(_initial_rules()) if obj is None else None

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VerificationPolicy)
class VerificationPolicyAdmin(ServiceModelAdmin):
    """ "Add" starts from the version in force; saving publishes a new version with its own
    effective date (``services.publish_policy``). Published versions are read only: tasks
    point at them."""

    list_display = (
        "version",
        "effective_from",
        "ack_working_days",
        "rectification_working_days",
        "fallback_squad",
        "note",
        "created",
    )
    ordering = ("-version",)
    fields = (
        "effective_from",
        "ack_working_days",
        "rectification_working_days",
        "fallback_squad",
        "note",
    )
    inlines = [RuleInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = services.policy_in_force()
        return {
            "ack_working_days": current.ack_working_days,
            "rectification_working_days": current.rectification_working_days,
            "fallback_squad": current.fallback_squad_id,
        }

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj is None or obj.pk is None:
            kwargs["initial"] = _initial_rules()
        return kwargs

    def save_model(self, request, obj, form, change):
        pass  # published in save_related, with the rules, through the service

    def save_related(self, request, form, formsets, change):
        rules = []
        for formset in formsets:
            for row in formset.cleaned_data:
                if row and not row.get("DELETE"):
                    rules.append({k: row[k] for k in RULE_COLUMNS if k in row})
        data = form.cleaned_data
        try:
            policy = services.publish_policy(
                effective_from=data["effective_from"],
                note=data.get("note", ""),
                ack_working_days=data["ack_working_days"],
                rectification_working_days=data["rectification_working_days"],
                fallback_squad_id=data["fallback_squad"].pk if data.get("fallback_squad") else None,
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


@admin.register(Recusal)
class RecusalAdmin(ServiceModelAdmin):
    list_display = ("staff", "party", "reason", "created")
    search_fields = ("staff__name", "party__name", "reason")
    raw_id_fields = ("staff", "party")
    fields = ("staff", "party", "reason")

    def service_create(self, request, model, data):
        return services.register_recusal(
            data["staff_id"], data["party_id"], reason=data.get("reason", ""), user=request.user
        )

    def service_delete(self, request, model, pk):
        services.remove_recusal(pk, user=request.user)


@admin.register(Push)
class PushAdmin(ReadOnlyAdmin):
    list_display = (
        "pushed_at",
        "kind",
        "party",
        "squad",
        "ack_due_on",
        "acknowledged_at",
        "acknowledged_late",
        "overdue_flagged_at",
        "task",
    )
    list_filter = ("kind", "acknowledged_late", "squad")
    search_fields = ("party__name", "event_id")
    list_select_related = ("party", "squad", "task")


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FindingInline(_ReadOnlyInline):
    model = Finding
    fields = ("round", "outcome", "status", "inspected_on", "recorded_by", "co_inspector", "facts")


class OrderInline(_ReadOnlyInline):
    model = RectificationOrder
    fields = ("number", "issued_on", "due_on", "requirements")


@admin.register(VerificationTask)
class TaskAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "origin",
        "method",
        "status",
        "result",
        "party",
        "licence",
        "squad",
        "due_on",
    )
    list_filter = ("status", "origin", "method", "squad")
    search_fields = ("number", "party__name", "licence__number")
    list_select_related = ("party", "licence", "squad")
    inlines = [FindingInline, OrderInline]


class SignatureInline(_ReadOnlyInline):
    model = FindingSignature
    fields = ("staff", "cert_no", "signed_at")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("task", "round", "outcome", "status", "inspected_on", "credit_event")
    list_filter = ("outcome", "status")
    list_select_related = ("task",)
    inlines = [SignatureInline]


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "kind",
        "status",
        "party",
        "licence",
        "task",
        "credit_event",
        "created",
    )
    list_filter = ("kind", "status")
    search_fields = ("number", "party__name")
    list_select_related = ("party", "licence", "task")


@admin.register(PoolEntry)
class PoolEntryAdmin(ReadOnlyAdmin):
    list_display = ("licence", "party", "entered_on", "status", "risk_weight", "draw")
    list_filter = ("status",)
    list_select_related = ("licence", "party", "draw")


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("number", "drawn_on", "status", "created_by_name", "published_at")
    list_filter = ("status",)
    readonly_fields = ("inputs_sha256", "result_sha256")
