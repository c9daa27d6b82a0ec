"""Admin: the route policy is edited by publishing a new version (never in place); item
templates through the services; applications, licences and warnings are read-only here —
their changes go through the workflow services (API and staff pages)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin
from shenguan.core.errors import DomainError

from . import services
from .models import (
    Application,
    DeadlineWarning,
    ItemTemplate,
    Licence,
    MaterialSubmission,
    Receipt,
    Renewal,
    RoutePolicy,
    RoutePolicyRule,
    StatusChange,
)
from .services.policy import RULE_FIELDS

RULE_COLUMNS = ("approval_class", "credit_tier", *RULE_FIELDS)


class RoutePolicyRuleInline(admin.TabularInline):
    model = RoutePolicyRule
    fields = RULE_COLUMNS
    can_delete = False

    def get_extra(self, request, obj=None, **kwargs):
        return 0

    def get_max_num(self, request, obj=None, **kwargs):
        return len(_initial_rules()) if obj is None else None

    def get_min_num(self, request, obj=None, **kwargs):
        # every row must be submitted (even unchanged ones), since a version is a whole table
        return len(_initial_rules()) if obj is None else None

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _initial_rules() -> list[dict]:
    """The rows of the version in force (or the defaults), to start a new version from."""
    from .models import default_rules

    current = RoutePolicy.in_force()
    if current is None:
        return default_rules()
    return list(current.rules.order_by("approval_class", "credit_tier").values(*RULE_COLUMNS))


@admin.register(RoutePolicy)
class RoutePolicyAdmin(ServiceModelAdmin):
    """Opening "add" starts from the version in force; saving publishes a new version with
    its own effective date (``services.publish_route_policy``). Published versions are read
    only: applications point at them."""

    list_display = ("version", "effective_from", "note", "created", "created_by")
    ordering = ("-version",)
    fields = ("effective_from", "note")
    readonly_fields = ()
    inlines = [RoutePolicyRuleInline]

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
        pass  # published in save_related, together with the rules, through the service

    def save_related(self, request, form, formsets, change):
        rules = []
        for formset in formsets:
            for row in formset.cleaned_data:
                if row and not row.get("DELETE"):
                    rules.append({k: row[k] for k in RULE_COLUMNS if k in row})
        try:
            policy = services.publish_route_policy(
                effective_from=form.cleaned_data["effective_from"],
                note=form.cleaned_data.get("note", ""),
                rules=rules,
                user=request.user,
            )
        except DomainError as exc:
            raise ValidationError(exc.message)
        for formset in formsets:
            # the admin's change message reads these; the rows were written by the service
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        obj = form.instance
        obj.pk = policy.pk
        obj.version = policy.version
        obj._state.adding = False


@admin.register(ItemTemplate)
class ItemTemplateAdmin(ServiceModelAdmin):
    list_display = ("power", "licence_title", "licence_validity_years", "commitment_excluded")
    list_filter = ("commitment_excluded",)
    search_fields = ("power__code",)
    raw_id_fields = ("power",)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(_ReadOnlyInline):
    model = StatusChange
    fields = ("at", "from_status", "to_status", "action", "article", "actor_name", "note")


class MaterialInline(_ReadOnlyInline):
    model = MaterialSubmission
    fields = ("material", "state", "note", "file")


class ReceiptInline(_ReadOnlyInline):
    model = Receipt
    fields = ("kind", "number", "issued_on", "reasons", "competent_body")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "applicant",
        "power",
        "status",
        "route",
        "channel",
        "accepted_on",
        "statutory_due_on",
        "promised_due_on",
        "responsible",
    )
    list_filter = ("status", "route", "channel", "green_channel")
    search_fields = ("number", "applicant__name")
    list_select_related = ("applicant", "power", "responsible")
    inlines = [StatusChangeInline, MaterialInline, ReceiptInline]
    date_hierarchy = "created"


class RenewalInline(_ReadOnlyInline):
    model = Renewal
    fields = ("applied_on", "status", "previous_valid_until", "new_valid_until", "decided_on")


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "verification_number",
        "holder_name",
        "item_name",
        "status",
        "route",
        "valid_from",
        "valid_until",
    )
    list_filter = ("status", "route")
    search_fields = ("number", "verification_number", "holder_name")
    inlines = [RenewalInline]


@admin.register(DeadlineWarning)
class DeadlineWarningAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "staff", "due_on", "created")
    list_filter = ("kind",)
    list_select_related = ("application", "staff")
