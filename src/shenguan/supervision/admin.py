"""Admin of the supervision app: the routing table of supervised powers is reference data an
administrator keeps (through the generic services, so every change is journalled);
objections are read only here (they change through ``supervision.services``)."""

from django.contrib import admin

from shenguan.core.admin import ReadOnlyAdmin, ServiceModelAdmin

from .models import Objection, SupervisedPower


@admin.register(SupervisedPower)
class SupervisedPowerAdmin(ServiceModelAdmin):
    list_display = ("department", "power", "note", "created")
    list_filter = ("department",)
    search_fields = ("power__code", "note")
    autocomplete_fields = ()
    raw_id_fields = ("power",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "application", "department", "requested_action", "status", "raised_at")
    list_filter = ("status", "department", "requested_action")
    search_fields = ("application__number", "grounds")
