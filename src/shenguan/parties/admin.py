"""Parties in the admin site. Saves go through ``parties.services`` (identifier checks, 409 on
duplicates, journal, outbox). The list and the form show resident ID numbers masked to staff
without the right to see them; for those the number is not in the page at all."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core import validators as django_validators
from django.utils.translation import gettext_lazy as _

from shenguan.core.admin import ServiceModelAdmin
from shenguan.core.permissions import Scope
from shenguan.org.admin_scope import ScopedAdminMixin, ScopedInlineMixin

from . import services
from .choices import PartyKind
from .models import Address, Contact, Party, PartyAccount
from .validators import mask_ric, normalize_ric, normalize_uscc

ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "phone",
    "email",
    "grid_id",
    "industry",
)
INDIVIDUAL_FIELDS = ("name", "id_number", "phone", "email", "grid_id")


class PartyServicesMixin:
    """Routes the party, its inlines and account links to the party services."""

    def service_create(self, request, model, data: dict):
        user = request.user
        if model is Contact:
            party_id = data.pop("party_id")
            return services.add_contact(
                party_id, user=user, **_pick(data, ("name", "role", "phone", "email"))
            )
        if model is Address:
            party_id = data.pop("party_id")
            return services.add_address(
                party_id, user=user, **_pick(data, ("text", "kind", "grid_id"))
            )
        if model is PartyAccount:
            return services.link_account(data["user_id"], data["party_id"], data["role"], user=user)
        if data.get("kind") == PartyKind.INDIVIDUAL:
            party = services.register_individual(user=user, **_pick(data, INDIVIDUAL_FIELDS))
        else:
            party = services.register_enterprise(user=user, **_pick(data, ENTERPRISE_FIELDS))
        tier = data.get("credit_tier")
        if tier and tier != party.credit_tier:
            party = services.set_credit_tier(
                party.pk, tier, reason=str(_("管理后台登记")), user=user
            )
        return party

    def service_update(self, request, model, pk, changes: dict):
        user = request.user
        if model is Contact:
            return services.update_contact(pk, changes, user=user)
        if model is Address:
            return services.update_address(pk, changes, user=user)
        if model is PartyAccount:
            account = PartyAccount.objects.get(pk=pk)
            return services.link_account(
                account.user_id, account.party_id, changes.get("role", account.role), user=user
            )
        tier = changes.pop("credit_tier", None)
        if tier is not None:
            services.set_credit_tier(pk, tier, reason=str(_("管理后台修改")), user=user)
        if changes:
            return services.update_party(pk, changes, user=user)
        return Party.objects.get(pk=pk)

    def service_delete(self, request, model, pk):
        user = request.user
        if model is Contact:
            services.remove_contact(pk, user=user)
        elif model is Address:
            services.remove_address(pk, user=user)
        elif model is PartyAccount:
            account = PartyAccount.objects.get(pk=pk)
            services.unlink_account(account.user_id, account.party_id, user=user)
        else:
            services.delete_party(pk, user=user)


def _pick(data: dict, names) -> dict:
    return {name: data[name] for name in names if name in data}


class PartyForm(forms.ModelForm):
    """Identifiers may be typed with spaces, hyphens, lower case or full-width characters;
    they are normalised before the model's checks (which then name any fault)."""

    class Meta:
        model = Party
        fields = (
            "kind",
            "name",
            "uscc",
            "id_number",
            "legal_representative",
            "phone",
            "email",
            "grid",
            "industry",
            "credit_tier",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("uscc", "id_number"):
            field = self.fields.get(name)
            if field is None:
                continue
            field.max_length = 40
            field.widget.attrs["maxlength"] = "40"
            field.validators = [
                v
                for v in field.validators
                if not isinstance(v, django_validators.MaxLengthValidator)
            ]

    def clean_uscc(self):
        return normalize_uscc(self.cleaned_data.get("uscc") or "") or None

    def clean_id_number(self):
        return normalize_ric(self.cleaned_data.get("id_number") or "") or None


class ContactInline(ScopedInlineMixin, admin.TabularInline):
    model = Contact
    fields = ("name", "role", "phone", "email")
    extra = 0


class AddressInline(ScopedInlineMixin, admin.TabularInline):
    model = Address
    fields = ("kind", "text", "grid")
    extra = 0


@admin.register(Party)
class PartyAdmin(PartyServicesMixin, ScopedAdminMixin, ServiceModelAdmin):
    form = PartyForm
    list_filter = ("kind", "credit_tier", "grid", "is_generated")
    list_select_related = ("grid",)
    autocomplete_fields = ("grid",)
    inlines = [ContactInline, AddressInline]
    readonly_fields = ("is_generated", "created")
    search_fields = ("name", "uscc")

    def _sees_full(self, request) -> bool:
        return Scope.of(request.user).sees_full_identifiers

    def get_list_display(self, request):
        scope = Scope.of(request.user)

        @admin.display(description=_("证件号码"))
        def identifier(obj: Party) -> str:
            return obj.identifier_for(scope)

        return ("name", "kind", identifier, "grid", "credit_tier", "is_generated")

    def get_search_fields(self, request):
        # only those who may see ID numbers may search by one (else the search is an oracle)
        if self._sees_full(request):
            return (*self.search_fields, "=id_number")
        return self.search_fields

    @admin.display(description=_("公民身份号码"))
    def masked_id_number(self, obj: Party) -> str:
        return mask_ric(obj.id_number or "") if obj else ""

    def get_fields(self, request, obj=None):
        fields = [
            "kind",
            "name",
            "uscc",
            "id_number",
            "legal_representative",
            "phone",
            "email",
            "grid",
            "industry",
            "credit_tier",
            "is_generated",
            "created",
        ]
        if not self._sees_full(request):
            fields[fields.index("id_number")] = "masked_id_number"
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("kind")  # an enterprise does not become a person
        if not self._sees_full(request):
            readonly.append("masked_id_number")
        if not Scope.of(request.user).is_admin:
            readonly.append("credit_tier")  # set by the credit archive / administrators
        return readonly


@admin.register(PartyAccount)
class PartyAccountAdmin(PartyServicesMixin, ScopedAdminMixin, ServiceModelAdmin):
    list_display = ("user", "party", "role")
    list_filter = ("role",)
    list_select_related = ("user", "party")
    search_fields = ("user__username", "party__name", "party__uscc")
    raw_id_fields = ("user",)
    autocomplete_fields = ("party",)

    def has_add_permission(self, request):
        scope = Scope.of(request.user)
        return scope.is_admin or scope.has_role("window_clerk")
