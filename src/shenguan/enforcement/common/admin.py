"""Admin of the enforcement bureau's policy data and a read-only view of its records.

- The policy is versioned: "add" publishes a new version through ``policy.publish_policy``
  (starting from the newest version's values); versions are never edited or deleted.
- Procedures and checklists are reference data, saved through the generic services.
- Cases, leads, inspections, measures, alerts and publications change only through their
  workflows (pages, API): here they are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin
from shenguan.core.errors import DomainError

from ..cases.models import CaseLead, CaseStep, PenaltyCase
from ..coercion.models import CoerciveMeasure
from ..inspections.models import Checklist, ChecklistEntry, Inspection
from ..legal.models import Alert, LegalReview
from ..procedures.models import Procedure, ProcedureGroup
from ..publication.models import Publication
from .models import Document, EnforcementPolicy
from .policy import POLICY_FIELDS, publish_policy


@admin.register(EnforcementPolicy)
class EnforcementPolicyAdmin(ServiceModelAdmin):
    list_display = (
        "version",
        "effective_from",
        "lead_open_working_days",
        "large_fine_person",
        "large_fine_organisation",
        "review_grounds",
        "note",
    )
    ordering = ("-version",)
    exclude = ("version", "created")  # assigned by publish_policy

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_changeform_initial_data(self, request):
        latest = EnforcementPolicy.objects.order_by("-version").first()
        if latest is None:
            return {}
        return {name: getattr(latest, name) for name in POLICY_FIELDS if name != "effective_from"}

    def service_create(self, request, model, data):
        return publish_policy(
            {k: v for k, v in data.items() if k in POLICY_FIELDS}, user=request.user
        )

    def service_update(self, request, model, pk, changes):
        raise DomainError(_("政策版本不能修改，请新增一个版本"))

    def service_delete(self, request, model, pk):
        raise DomainError(_("政策版本不能删除"))


@admin.register(Procedure)
class ProcedureAdmin(ServiceModelAdmin):
    list_display = ("code", "name", "enforcement_class", "workflow")
    readonly_fields = ("code", "enforcement_class", "workflow")

    def has_add_permission(self, request):
        return False  # one per class, written by the migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcedureGroup)
class ProcedureGroupAdmin(ReadOnlyAdmin):
    list_display = ("procedure", "acting_body", "updated")
    list_filter = ("procedure",)


class ChecklistEntryInline(admin.TabularInline):
    model = ChecklistEntry
    extra = 1


@admin.register(Checklist)
class ChecklistAdmin(ServiceModelAdmin):
    list_display = ("code", "name", "power", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    raw_id_fields = ("power",)
    inlines = [ChecklistEntryInline]


@admin.register(PenaltyCase)
class PenaltyCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "procedure",
        "status",
        "party",
        "squad",
        "opened_on",
        "decision_due_on",
    )
    list_filter = ("procedure", "status")
    search_fields = ("number", "title", "decision_number")


@admin.register(CaseStep)
class CaseStepAdmin(ReadOnlyAdmin):
    list_display = ("case", "action", "from_status", "to_status", "article", "actor_name", "at")
    list_filter = ("action",)


for model, columns in (
    (CaseLead, ("id", "source", "status", "party", "squad", "received_on", "open_due_on")),
    (Inspection, ("number", "source", "status", "result", "party", "squad", "due_on")),
    (CoerciveMeasure, ("number", "kind", "status", "party", "starts_on", "ends_on", "emergency")),
    (LegalReview, ("case", "round", "opinion", "reviewer", "submitted_at", "answered_at")),
    (Alert, ("kind", "message", "squad", "raised_at", "resolved_at")),
    (
        Publication,
        ("kind", "document_number", "party_name", "status", "published_on", "expires_on"),
    ),
    (Document, ("number", "title", "issued_on")),
):
    admin.site.register(
        model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": columns})
    )
