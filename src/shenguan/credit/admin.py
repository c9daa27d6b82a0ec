"""Admin of the credit archive. Policy versions are immutable: saving a version (edited in
place, inlines included) publishes a new version based on it through
``policy.create_policy_version``. Events and list entries are added through the services;
the archive itself is read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin
from shenguan.core.errors import DomainError

from . import services
from .choices import ExitReason
from .models import (
    CreditEvent,
    CreditPolicy,
    CreditStanding,
    EventKindRule,
    ListEntry,
    ListRule,
    RepairApplication,
    TierChange,
)
from .policy import POLICY_FIELDS, create_policy_version, ensure_default_policy


def _copy(saved, obj) -> None:
    """Make the admin's unsaved form instance the row the service stored (for its log and
    redirect)."""
    for f in saved._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


# --- policy -----------------------------------------------------------------------------------


class EventKindRuleInline(admin.TabularInline):
    model = EventKindRule
    extra = 0
    fields = ("kind", "weight", "is_public", "period_months", "repair_after_months")


class ListRuleInline(admin.TabularInline):
    model = ListRule
    extra = 0
    fields = ("list_kind", "event_kind", "tier", "min_months", "max_months")


class PolicyForm(forms.ModelForm):
    class Meta:
        model = CreditPolicy
        fields = ("effective_from", *POLICY_FIELDS, "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a new version takes effect today at the earliest
        today = timezone.localdate()
        if self.instance.pk and self.instance.effective_from < today:
            self.initial["effective_from"] = today
        self.initial["note"] = ""


@admin.register(CreditPolicy)
class CreditPolicyAdmin(ServiceModelAdmin):
    form = PolicyForm
    list_display = (
        "version",
        "effective_from",
        "base_score",
        "tier_a_min",
        "tier_b_min",
        "tier_c_min",
        "note",
        "created",
    )
    inlines = [EventKindRuleInline, ListRuleInline]
    readonly_fields = ("version", "created", "created_by")
    fields = ("version", "effective_from", *POLICY_FIELDS, "note", "created", "created_by")

    def has_add_permission(self, request):
        return False  # open a version and save it: that publishes the next one

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ensure_default_policy()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        pass  # stored with its rules in save_related, as one new version

    @staticmethod
    def _rows(formset, names) -> list[dict]:
        rows = []
        for f in formset.forms:
            data = getattr(f, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append({name: data.get(name) for name in names})
        return rows

    def save_related(self, request, form, formsets, change):
        kinds, lists = None, None
        for formset in formsets:
            if formset.model is EventKindRule:
                kinds = self._rows(formset, EventKindRuleInline.fields)
            elif formset.model is ListRule:
                lists = self._rows(formset, ListRuleInline.fields)
        for row in lists or []:
            row["event_kind"] = row["event_kind"] or ""
            row["tier"] = row["tier"] or ""
        base = CreditPolicy.objects.get(pk=form.instance.pk)
        try:
            policy = create_policy_version(
                effective_from=form.cleaned_data["effective_from"],
                changes={name: form.cleaned_data[name] for name in POLICY_FIELDS},
                kind_rules=kinds,
                list_rules=lists if lists is not None else None,
                note=form.cleaned_data.get("note", ""),
                based_on=base.version,
                user=request.user,
            )
        except DomainError as exc:
            raise ValidationError(exc.message)
        form.instance = policy
        request._credit_policy_published = policy

    def construct_change_message(self, request, form, formsets, add=False):
        policy = getattr(request, "_credit_policy_published", None)
        return f"published {policy}" if policy else ""

    def response_change(self, request, obj):
        policy = getattr(request, "_credit_policy_published", None)
        if policy is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _("已发布新版本 %(p)s；原版本保持不变") % {"p": policy},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:credit_creditpolicy_changelist"))

    def log_change(self, request, obj, message):
        policy = getattr(request, "_credit_policy_published", None)
        return super().log_change(request, policy or obj, message)


# --- events -----------------------------------------------------------------------------------


class EventForm(forms.ModelForm):
    weight_override = forms.IntegerField(
        label=_("分值"), required=False, help_text=_("留空按现行政策的默认分值")
    )

    class Meta:
        model = CreditEvent
        fields = ("party", "kind", "source", "occurred_on", "source_display", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].required = False
        self.fields["occurred_on"].help_text = _("留空为今天")

    def clean_occurred_on(self):
        return self.cleaned_data.get("occurred_on") or timezone.localdate()


@admin.register(CreditEvent)
class CreditEventAdmin(ServiceModelAdmin):
    list_display = (
        "party",
        "kind",
        "source",
        "weight",
        "occurred_on",
        "is_public",
        "publish_until",
        "publication_ended_on",
    )
    list_filter = ("kind", "source", "is_public", "publication_end_reason")
    search_fields = ("party__name", "party__uscc", "source_display")
    raw_id_fields = ("party",)
    list_select_related = ("party",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EventForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            event = services.record_event(
                data["party"].pk,
                data["kind"],
                source=data["source"],
                source_ref={"display": data.get("source_display", "")},
                occurred_on=data.get("occurred_on"),
                description=data.get("description", ""),
                weight=data.get("weight_override"),
                user=request.user,
            )
        except DomainError as exc:
            raise ValidationError(exc.message)
        _copy(event, obj)


# --- lists ------------------------------------------------------------------------------------


class ListEntryForm(forms.ModelForm):
    min_months = forms.IntegerField(label=_("最短列入期限（月）"), min_value=0, initial=0)
    max_months = forms.IntegerField(label=_("期满自动移出（月）"), min_value=0, required=False)

    class Meta:
        model = ListEntry
        fields = ("party", "list_kind", "reason", "source_event")


@admin.register(ListEntry)
class ListEntryAdmin(ServiceModelAdmin):
    list_display = (
        "party",
        "list_kind",
        "trigger",
        "entered_on",
        "earliest_exit_on",
        "expires_on",
        "exited_on",
        "exit_reason",
    )
    list_filter = ("list_kind", "trigger", "exit_reason")
    search_fields = ("party__name", "party__uscc", "reason")
    raw_id_fields = ("party", "source_event")
    list_select_related = ("party",)
    actions = ["exit_corrected"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ListEntryForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # actions only

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            entry = services.enter_list(
                data["party"].pk,
                data["list_kind"],
                reason=data["reason"],
                source_event_id=data["source_event"].pk if data.get("source_event") else None,
                min_months=data.get("min_months") or 0,
                max_months=data.get("max_months"),
                user=request.user,
            )
        except DomainError as exc:
            raise ValidationError(exc.message)
        _copy(entry, obj)

    @admin.action(description=_("移出所选名单记录（异议更正）"))
    def exit_corrected(self, request, queryset):
        done = 0
        for pk in queryset.filter(exited_on__isnull=True).values_list("pk", flat=True):
            try:
                services.exit_list(
                    pk, reason=ExitReason.CORRECTED, note=_("管理后台更正"), user=request.user
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, _("已移出 %(n)s 条") % {"n": done})


# --- read-only archive ------------------------------------------------------------------------


@admin.register(RepairApplication)
class RepairApplicationAdmin(ReadOnlyAdmin):
    list_display = ("party", "status", "submitted_on", "due_on", "decided_on", "decided_by_name")
    list_filter = ("status",)
    search_fields = ("party__name", "party__uscc")
    list_select_related = ("party",)


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("party", "from_tier", "to_tier", "score", "policy", "computed_on", "trigger")
    list_filter = ("to_tier",)
    search_fields = ("party__name", "party__uscc")
    list_select_related = ("party", "policy")


@admin.register(CreditStanding)
class CreditStandingAdmin(ReadOnlyAdmin):
    list_display = ("party", "score", "score_tier", "tier", "policy", "computed_on")
    list_filter = ("tier",)
    search_fields = ("party__name", "party__uscc")
    list_select_related = ("party", "policy")
