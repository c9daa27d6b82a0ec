"""Parties: enterprises (统一社会信用代码) and individuals (公民身份号码), with contacts and
addresses, each linked to a grid. Resident ID numbers are stored whole and shown masked to
everyone without the right to see them (``Scope.sees_full_identifiers``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from .choices import AccountRole, AddressKind, CreditTier, PartyKind
from .validators import mask_ric, normalize_ric, normalize_uscc, validate_ric, validate_uscc


class PartyQuerySet(RestrictedQuerySet):
    pass


class Party(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=PartyKind.choices)
    name = models.CharField(_("名称/姓名"), max_length=200, db_index=True)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    id_number = models.CharField(
        _("公民身份号码"), max_length=18, unique=True, null=True, blank=True
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    grid = models.ForeignKey(
        "org.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        verbose_name=_("所属网格"),
    )
    industry = models.CharField(_("行业"), max_length=100, blank=True)
    credit_tier = models.CharField(
        _("信用等级"), max_length=1, choices=CreditTier.choices, default=CreditTier.B
    )
    is_generated = models.BooleanField(
        _("演示生成"), default=False, help_text=_("演示数据，非真实主体")
    )
    created = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("市场主体与个人")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="enterprise") & Q(uscc__isnull=False) & Q(id_number__isnull=True))
                | (Q(kind="individual") & Q(id_number__isnull=False) & Q(uscc__isnull=True)),
                name="party_identifier_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        # never the whole resident ID: reprs end up in logs and tracebacks
        return f"<Party {self.pk} {self.kind} {self.name} {self.masked_identifier()}>"

    @property
    def identifier(self) -> str:
        return self.uscc or self.id_number or ""

    def masked_identifier(self) -> str:
        return self.uscc if self.kind == PartyKind.ENTERPRISE else mask_ric(self.id_number or "")

    def shows_full_identifier_to(self, scope) -> bool:
        return (
            self.kind == PartyKind.ENTERPRISE
            or scope.sees_full_identifiers
            or self.pk in scope.party_ids
        )

    def identifier_for(self, scope) -> str:
        if self.kind == PartyKind.ENTERPRISE:
            return self.uscc or ""
        if scope.sees_full_identifiers or self.pk in scope.party_ids:
            return self.id_number or ""
        return mask_ric(self.id_number or "")

    def clean(self):
        errors = {}
        if self.kind == PartyKind.ENTERPRISE:
            if self.uscc in (None, ""):
                errors["uscc"] = _("企业/组织须填写统一社会信用代码")
            else:
                try:
                    self.uscc = validate_uscc(normalize_uscc(self.uscc))
                except ValidationError as exc:
                    errors["uscc"] = exc.messages
            if self.id_number:
                errors["id_number"] = _("企业/组织不填写公民身份号码")
            self.id_number = None
        elif self.kind == PartyKind.INDIVIDUAL:
            if self.id_number in (None, ""):
                errors["id_number"] = _("个人须填写公民身份号码")
            else:
                try:
                    self.id_number = validate_ric(normalize_ric(self.id_number))
                except ValidationError as exc:
                    errors["id_number"] = exc.messages
            if self.uscc:
                errors["uscc"] = _("个人不填写统一社会信用代码")
            self.uscc = None
        if errors:
            raise ValidationError(errors)

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """Zone-wide roles see every party; grid workers and enforcement officers their grids;
        applicants their own. Window clerks may also change parties (registration at intake);
        applicants may change their own contact data through the portal services."""
        from shenguan.core.permissions import Role

        if action == "view":
            cond = Q(pk__in=scope.party_ids)
            if scope.zone_wide:
                return qs
            if scope.grid_ids:
                cond |= Q(grid_id__in=scope.grid_ids)
            return qs.filter(cond)
        if scope.has_role(Role.WINDOW_CLERK):
            return qs
        return qs.filter(pk__in=scope.party_ids)

    @classmethod
    def can_create(cls, scope) -> bool:
        from shenguan.core.permissions import Role

        return scope.has_role(Role.WINDOW_CLERK, Role.APPLICANT)


class _PartyChild(models.Model):
    """Contacts and addresses are seen and changed with their party."""

    class Meta:
        abstract = True

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        visible = Party.objects.restrict(scope.user, action).values("pk")
        return qs.filter(party_id__in=visible)

    @classmethod
    def can_create(cls, scope) -> bool:
        return Party.can_create(scope)


class Contact(_PartyChild):
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("当事人")
    )
    name = models.CharField(_("联系人"), max_length=100)
    role = models.CharField(_("身份"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self) -> str:
        return self.name


class Address(_PartyChild):
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("当事人")
    )
    kind = models.CharField(
        _("类型"), max_length=20, choices=AddressKind.choices, default=AddressKind.BUSINESS
    )
    text = models.CharField(_("地址"), max_length=300)
    grid = models.ForeignKey(
        "org.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addresses",
        verbose_name=_("所属网格"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("地址")
        verbose_name_plural = _("地址")

    def __str__(self) -> str:
        return self.text


class PartyAccount(models.Model):
    """A login that acts for a party online (the applicant portal)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="party_accounts",
        verbose_name=_("用户"),
    )
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("当事人")
    )
    role = models.CharField(
        _("身份"), max_length=20, choices=AccountRole.choices, default=AccountRole.OWNER
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("账号关联")
        verbose_name_plural = _("账号关联")
        constraints = [
            models.UniqueConstraint(fields=["user", "party"], name="party_account_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.party}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view":
            return qs.filter(Q(user=scope.user) | Q(party_id__in=scope.party_ids))
        return qs.none()
