"""Admin that changes state only through the services (journal + outbox in one transaction).

``ServiceModelAdmin`` routes add, change and delete — and inline formsets — through
``core.services``; subclasses may override ``service_create`` / ``service_update`` /
``service_delete`` to call their app's own services instead."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .errors import DomainError
from .models import (
    ApiClient,
    DeliveryAttempt,
    HolidayDay,
    HolidayYear,
    JournalEntry,
    OutboxEvent,
    WebhookSubscription,
)


class ServiceAdminMixin:
    def service_create(self, request, model, data: dict):
        return services.create_object(model, data, user=request.user)

    def service_update(self, request, model, pk, changes: dict):
        return services.update_object(model, pk, changes, user=request.user)

    def service_delete(self, request, model, pk):
        services.delete_object(model, pk, user=request.user)

    @staticmethod
    def _field_data(form, instance, names=None) -> dict:
        data = {}
        for f in instance._meta.concrete_fields:
            if f.primary_key or not f.editable:
                continue
            if names is not None and f.name not in names:
                continue
            data[f.attname if f.is_relation else f.name] = getattr(instance, f.attname)
        return data

    def _save_through_services(self, request, form, obj, change):
        try:
            if change:
                changed = set(form.changed_data)
                saved = self.service_update(
                    request, type(obj), obj.pk, self._field_data(form, obj, changed)
                )
            else:
                saved = self.service_create(request, type(obj), self._field_data(form, obj))
        except DomainError as exc:
            raise ValidationError(exc.field_errors or exc.message)
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db
        for f in obj._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))


class ServiceModelAdmin(ServiceAdminMixin, admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        self._save_through_services(request, form, obj, change)

    def delete_model(self, request, obj):
        self.service_delete(request, type(obj), obj.pk)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            self.service_delete(request, queryset.model, pk)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.service_delete(request, type(obj), obj.pk)
        for inline_form in formset.forms:
            obj = inline_form.instance
            if obj not in instances:
                continue
            self._save_through_services(request, inline_form, obj, change=obj.pk is not None)
        formset.save_m2m()

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "time", "actor_name", "source", "action", "object_repr")
    list_filter = ("source",)
    search_fields = ("action", "object_repr", "object_id", "actor_name", "request_id")
    ordering = ("-seq",)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("at", "consumer", "number", "ok", "status_code", "error", "duration_ms", "worker")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """The failure view: filter by status 投递失败, read the attempts, resend."""

    list_display = (
        "created",
        "type",
        "subject_type",
        "subject_id",
        "status",
        "attempts",
        "last_error",
    )
    list_filter = ("status", "channel", "type")
    search_fields = ("type", "subject_id", "id")
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.is_superuser  # lets the action run; no edit form

    @admin.action(description="重新投递所选事件")
    def resend(self, request, queryset):
        from .outbox import resend

        count = resend(list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"已重新排队 {count} 个事件")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ServiceModelAdmin):
    list_display = ("name", "url", "event_types", "is_active", "created")
    list_filter = ("is_active",)


class HolidayDayInline(admin.TabularInline):
    model = HolidayDay
    extra = 0


@admin.register(HolidayYear)
class HolidayYearAdmin(ServiceModelAdmin):
    list_display = ("year", "source", "loaded_at")
    inlines = [HolidayDayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from . import calendar

        calendar.clear_cache()


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "token_prefix", "created", "revoked_at", "last_used_at")
    readonly_fields = ("token_prefix", "created", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        from .api_clients import issue_token

        if change:
            return services.update_object(ApiClient, obj.pk, {"name": obj.name}, user=request.user)
        client, token = issue_token(obj.name, obj.user)
        obj.pk = client.pk
        self.message_user(request, f"令牌（仅显示一次，请妥善保存）: {token}", messages.WARNING)

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        from .api_clients import revoke_token

        for client in queryset:
            revoke_token(client.pk)
