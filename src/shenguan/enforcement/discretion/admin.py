"""Admin for discretion benchmarks: read-mostly. Tables come in through
``shenguan discretion import``; an edit saved here does not change the version shown but writes
a new version through ``discretion.services`` (a case keeps the version it used). Nothing is
added or deleted here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from shenguan.core.admin import ServiceModelAdmin
from shenguan.core.errors import DomainError

from . import services
from .models import Benchmark, BenchmarkRow, BenchmarkTable, NoPenaltyRule


class _VersionedAdmin(ServiceModelAdmin):
    """Saves become revisions (a new table version); add and delete are not offered."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def service_create(self, request, model, data):
        raise DomainError(_("基准表只能通过导入建立"))

    def service_delete(self, request, model, pk):
        raise DomainError(_("基准表的版本不能删除"))

    def revise(self, request, pk, changes):  # pragma: no cover - overridden
        raise NotImplementedError

    def service_update(self, request, model, pk, changes):
        saved = self.revise(request, pk, changes)
        table = saved if isinstance(saved, BenchmarkTable) else saved.table
        if isinstance(saved, BenchmarkRow):
            table = saved.benchmark.table
        self.message_user(
            request,
            _("已生成新版本：%(t)s（原版本不变）") % {"t": table},
            messages.INFO,
        )
        return saved


class NoPenaltyRuleInline(admin.TabularInline):
    model = NoPenaltyRule
    fields = ("seq", "category", "violation", "outcome", "condition_mode", "benchmark_codes")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BenchmarkTable)
class BenchmarkTableAdmin(_VersionedAdmin):
    list_display = (
        "name",
        "version",
        "issuing_document",
        "effective_from",
        "effective_to",
        "band_count",
        "created",
    )
    list_filter = ("name",)
    search_fields = ("name", "issuing_document")
    fields = (
        "name",
        "version",
        "issuing_document",
        "issuing_authority",
        "band_count",
        "effective_from",
        "effective_to",
        "source",
        "change_note",
        "previous",
        "created",
    )
    readonly_fields = (
        "name",
        "version",
        "effective_from",
        "source",
        "change_note",
        "previous",
        "created",
    )
    inlines = [NoPenaltyRuleInline]

    def revise(self, request, pk, changes):
        return services.revise_table(pk, changes, user=request.user)

    def service_update(self, request, model, pk, changes):
        """The end date changes this version in place (``close_table``); anything else makes a
        new version."""
        changes = dict(changes)
        closing = "effective_to" in changes
        end = changes.pop("effective_to", None)
        saved = super().service_update(request, model, pk, changes) if changes else None
        if closing:
            closed = services.close_table(pk, end, user=request.user)
            saved = saved or closed
        return saved


class BenchmarkRowInline(admin.TabularInline):
    model = BenchmarkRow
    fields = ("position", "kind", "factor", "degree", "weight_text", "fine_text", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Benchmark)
class BenchmarkAdmin(_VersionedAdmin):
    list_display = ("code", "short_violation", "model", "chapter", "table", "limits_source")
    list_filter = ("table", "model", "chapter", "limits_source")
    search_fields = ("code", "violation", "violated_provision", "penalty_basis")
    list_select_related = ("table",)
    fields = (
        "table",
        "position",
        "code",
        "chapter",
        "violation",
        "violated_provision",
        "penalty_basis",
        "note",
        "model",
        "legal_min",
        "legal_max",
        "legal_base",
        "limits_source",
        "statutory_ranges",
        "schemes",
        "fine_columns",
        "parse_notes",
        "pdf_page",
    )
    editable = {"code", "chapter", "violation", "violated_provision", "penalty_basis", "note"}
    inlines = [BenchmarkRowInline]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in self.fields if f not in self.editable]

    @admin.display(description=_("违法行为"))
    def short_violation(self, obj):
        return obj.violation[:50]

    def revise(self, request, pk, changes):
        return services.revise_benchmark(pk, changes, user=request.user)


@admin.register(BenchmarkRow)
class BenchmarkRowAdmin(_VersionedAdmin):
    list_display = ("benchmark", "position", "kind", "factor", "degree", "weight_text", "fine_text")
    list_filter = ("kind", "benchmark__table")
    search_fields = ("benchmark__code", "factor", "degree", "fine_text")
    list_select_related = ("benchmark", "benchmark__table")
    fields = (
        "benchmark",
        "position",
        "kind",
        "cells",
        "conduct",
        "factor",
        "degree",
        "weight_text",
        "weights",
        "fine_text",
        "fine_min",
        "fine_max",
        "fine_base",
        "fines",
        "continues",
        "note",
    )

    def get_readonly_fields(self, request, obj=None):
        return [f for f in self.fields if f != "cells"]

    def revise(self, request, pk, changes):
        return services.revise_row(pk, changes["cells"], user=request.user)


@admin.register(NoPenaltyRule)
class NoPenaltyRuleAdmin(_VersionedAdmin):
    list_display = ("seq", "category", "violation", "outcome", "condition_mode", "table")
    list_filter = ("table", "outcome", "category")
    search_fields = ("violation", "violated_provision", "conditions")
    list_select_related = ("table",)
    fields = (
        "table",
        "seq",
        "category",
        "violation",
        "violated_provision",
        "conditions",
        "condition_items",
        "condition_mode",
        "outcome",
        "notes",
        "benchmark_codes",
        "link_note",
    )
    editable = {"category", "violation", "violated_provision", "conditions", "notes"}

    def get_readonly_fields(self, request, obj=None):
        return [f for f in self.fields if f not in self.editable]

    def revise(self, request, pk, changes):
        if "conditions" in changes:
            changes["no_penalty_conditions"] = changes.pop("conditions")
        return services.revise_rule(pk, changes, user=request.user)
