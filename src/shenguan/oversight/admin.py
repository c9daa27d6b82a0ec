"""Admin of the oversight app: the policy is published as a new version through the service
("add" starts from the version in force); alerts, escalations and accountability records are
read here and changed only by the sweep and the pages (review and appeal)."""

from django.contrib import admin

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin

from . import services
from .models import AccountabilityRecord, Alert, Escalation, OversightPolicy


@admin.register(OversightPolicy)
class OversightPolicyAdmin(ServiceModelAdmin):
    list_display = (
        "version",
        "effective_from",
        "warning_share",
        "backup_after_days",
        "section_head_after_days",
        "accountability_after_days",
        "note",
        "created",
    )
    ordering = ("-version",)
    fields = ("effective_from", *services.POLICY_FIELDS, "note")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = services.policy_in_force()
        return {f: getattr(current, f) for f in services.POLICY_FIELDS}

    def service_create(self, request, model, data: dict):
        return services.publish_policy(
            effective_from=data["effective_from"],
            note=data.get("note", ""),
            user=request.user,
            **{f: data.get(f) for f in services.POLICY_FIELDS},
        )


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = (
        "object_label",
        "clock_kind",
        "level",
        "due_on",
        "staff",
        "section",
        "created",
        "resolved_at",
    )
    list_filter = ("level", "clock_kind")
    search_fields = ("object_label",)


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("alert", "target_kind", "target", "overdue_working_days", "on")


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(ReadOnlyAdmin):
    list_display = ("number", "staff", "status", "origin", "proposed_on")
    list_filter = ("status", "origin")
    search_fields = ("number", "staff__name", "reason")
