"""Party services: the only code that registers and changes parties, their contacts, addresses
and linked accounts. Each runs in one transaction: lock, check, write, journal, outbox, then the
re-check that the caller still sees the result.

Who may do what (``user=None`` is the system: commands, the seeder):
- register: window clerks and administrators; an applicant may register the parties they act
  for, and is then linked to them (an individual as themselves, at most one per account; an
  enterprise as its agent);
- change: window clerks and administrators any party; a party's own account only its phone
  and e-mail, contacts and addresses;
- link accounts and set the credit tier: window clerks / administrators, administrators.

Resident ID numbers never leave this module whole except on the party row itself: journal
entries, events and error messages carry the masked form (个人信息保护法 art 51)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core import services as core
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope, forget_scope

from .choices import AccountRole, AddressKind, CreditTier, PartyKind
from .models import Address, Contact, Party, PartyAccount
from .validators import mask_ric, normalize_ric, normalize_uscc

PARTY_FIELDS = {
    "name",
    "uscc",
    "id_number",
    "legal_representative",
    "phone",
    "email",
    "grid_id",
    "industry",
}
# What a party's own account may change itself (the rest is registration data, changed at the
# window against documents).
SELF_SERVICE_FIELDS = {"phone", "email"}
CONTACT_FIELDS = {"name", "role", "phone", "email"}
ADDRESS_FIELDS = {"kind", "text", "grid_id"}


# --- helpers ----------------------------------------------------------------------------------


def party_snapshot(party: Party) -> dict:
    """The party as the journal keeps it: every field, the resident ID masked."""
    data = journal.snapshot(party)
    if data.get("id_number"):
        data["id_number"] = mask_ric(data["id_number"])
    return data


def _mask_diff(data: dict | None) -> dict | None:
    if data and data.get("id_number"):
        data = {**data, "id_number": mask_ric(data["id_number"])}
    return data


def _clean(obj) -> None:
    """Model validation as a DomainError naming the fields; uniqueness is checked apart so
    that a duplicate answers 409."""
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise DomainError(first, code="validation", field_errors=errors)


def _duplicate_error(field: str) -> Conflict:
    message = _("该统一社会信用代码已登记") if field == "uscc" else _("该公民身份号码已登记")
    return Conflict(message, code="duplicate_identifier", field_errors={field: [message]})


def _ensure_unique(party: Party) -> None:
    others = Party.objects.exclude(pk=party.pk) if party.pk else Party.objects.all()
    if party.uscc and others.filter(uscc=party.uscc).exists():
        raise _duplicate_error("uscc")
    if party.id_number and others.filter(id_number=party.id_number).exists():
        raise _duplicate_error("id_number")


def _normalise(fields: dict) -> dict:
    if fields.get("uscc"):
        fields["uscc"] = normalize_uscc(fields["uscc"])
    if fields.get("id_number"):
        fields["id_number"] = normalize_ric(fields["id_number"])
    for name in ("name", "legal_representative", "phone", "email", "industry"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    return fields


def _as_dict(item) -> dict:
    if isinstance(item, Mapping):
        return dict(item)
    if hasattr(item, "model_dump"):
        return item.model_dump()
    raise DomainError(_("联系人和地址须为字段字典"), code="invalid_child")


def _only(fields: dict, allowed: set[str], what: str) -> dict:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise DomainError(
            _("%(what)s不能修改或不存在的字段：%(fields)s")
            % {"what": what, "fields": ", ".join(unknown)},
            code="unknown_fields",
            field_errors={name: [_("不能修改此字段")] for name in unknown},
        )
    return fields


def _is_registrar(user) -> bool:
    """Registration staff: the system, administrators and window clerks."""
    if user is None:
        return True
    scope = Scope.of(user)
    return scope.is_admin or scope.has_role(Role.WINDOW_CLERK)


def _conflict_on_integrity(func):
    """A duplicate that slipped past the check (a concurrent registration) is still a 409."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except IntegrityError as exc:
            text = str(exc).lower()
            if "uscc" in text:
                raise _duplicate_error("uscc")
            if "id_number" in text:
                raise _duplicate_error("id_number")
            if "party_account_unique" in text or "partyaccount" in text:
                raise Conflict(_("该账号已关联此当事人"), code="duplicate_account")
            raise

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    wrapper.__wrapped__ = func
    return wrapper


# --- registration -----------------------------------------------------------------------------


def _register(kind, fields, addresses, contacts, user, is_generated) -> Party:
    with transaction.atomic():
        core.ensure_can_create(user, Party)
        self_service = not _is_registrar(user)
        if self_service and kind == PartyKind.INDIVIDUAL:
            has_self = PartyAccount.objects.filter(
                user=user, role=AccountRole.OWNER, party__kind=PartyKind.INDIVIDUAL
            ).exists()
            if has_self:
                raise Conflict(
                    _("本账号已关联本人身份，不能再登记其他个人"), code="already_has_individual"
                )
        party = Party(kind=kind, is_generated=is_generated, **_normalise(fields))
        _clean(party)
        _ensure_unique(party)
        children = [(Contact, _as_dict(c)) for c in contacts] + [
            (Address, _as_dict(a)) for a in addresses
        ]
        party.save()
        journal.record("parties.party.created", party, after=party_snapshot(party))
        for model, data in children:
            allowed = CONTACT_FIELDS if model is Contact else ADDRESS_FIELDS
            _create_child(model, party, _only(data, allowed, str(model._meta.verbose_name)))
        if self_service:
            role = AccountRole.OWNER if kind == PartyKind.INDIVIDUAL else AccountRole.AGENT
            _link(user, party, role)
            forget_scope(user)
        outbox.emit(
            "parties.party.created",
            party,
            {"id": party.pk, "kind": party.kind, "grid_id": party.grid_id},
        )
        core.recheck_visible(user, party)
        return party


@_conflict_on_integrity
def register_enterprise(
    *,
    name: str,
    uscc: str,
    legal_representative: str = "",
    phone: str = "",
    email: str = "",
    grid_id: int | None = None,
    industry: str = "",
    addresses: Iterable[Mapping] = (),
    contacts: Iterable[Mapping] = (),
    user=None,
    is_generated: bool = False,
) -> Party:
    """Register an enterprise or other organisation under its unified social credit code
    (GB 32100, checked). ``addresses``: dicts of ``text``, ``kind`` (AddressKind), ``grid_id``;
    ``contacts``: dicts of ``name``, ``role``, ``phone``, ``email``. A wrong check character
    is a DomainError (400) on ``uscc``; a code already registered a Conflict (409)."""
    fields = {
        "name": name,
        "uscc": uscc or None,
        "legal_representative": legal_representative,
        "phone": phone,
        "email": email,
        "grid_id": grid_id,
        "industry": industry,
    }
    return _register(PartyKind.ENTERPRISE, fields, addresses, contacts, user, is_generated)


@_conflict_on_integrity
def register_individual(
    *,
    name: str,
    id_number: str,
    phone: str = "",
    email: str = "",
    grid_id: int | None = None,
    addresses: Iterable[Mapping] = (),
    contacts: Iterable[Mapping] = (),
    user=None,
    is_generated: bool = False,
) -> Party:
    """Register a natural person under their resident ID number (GB 11643, checked; stored
    whole, shown masked to those without the right). Errors as ``register_enterprise``."""
    fields = {
        "name": name,
        "id_number": id_number or None,
        "phone": phone,
        "email": email,
        "grid_id": grid_id,
    }
    return _register(PartyKind.INDIVIDUAL, fields, addresses, contacts, user, is_generated)


@_conflict_on_integrity
def update_party(party_id: int, changes: Mapping, *, user=None) -> Party:
    """Change registration data (``PARTY_FIELDS``). Identifiers are re-checked; the kind is
    never changed. ``credit_tier`` is handed to ``set_credit_tier`` (administrators and the
    system); ``is_generated`` (the demo label) may be set by the system only."""
    changes = _normalise(dict(changes))
    tier = changes.pop("credit_tier", None)
    if "is_generated" in changes and user is not None:
        raise Forbidden(_("演示数据标记只能由系统设置"))
    allowed = PARTY_FIELDS | ({"is_generated"} if user is None else set())
    _only(changes, allowed, str(Party._meta.verbose_name))
    for key in ("uscc", "id_number"):
        if key in changes and not changes[key]:
            changes[key] = None
    with transaction.atomic():
        if tier is not None:
            set_credit_tier(party_id, tier, reason=_("登记信息修改"), user=user)
            if not changes:
                return Party.objects.get(pk=party_id)
        party = core.lock_for_change(user, Party, party_id)
        if not _is_registrar(user) and set(changes) - SELF_SERVICE_FIELDS:
            raise Forbidden(_("只能修改联系电话和电子邮箱；其他登记信息请到窗口办理"))
        before = journal.snapshot(party)
        for name, value in changes.items():
            setattr(party, name, value)
        _clean(party)
        _ensure_unique(party)
        b, a = journal.diff(before, journal.snapshot(party))
        if not a:
            return party
        party.save()
        journal.record("parties.party.updated", party, before=_mask_diff(b), after=_mask_diff(a))
        outbox.emit("parties.party.updated", party, {"id": party.pk, "changed": sorted(a)})
        core.recheck_visible(user, party)
        return party


def delete_party(party_id: int, *, user=None) -> None:
    """Remove a party registered in error (administrators or the system). Parties with
    records elsewhere are protected by their foreign keys and refused."""
    from django.db.models import ProtectedError

    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以删除当事人"))
    with transaction.atomic():
        party = core.lock_for_change(user, Party, party_id)
        before, repr_, pk = party_snapshot(party), str(party), party.pk
        try:
            party.delete()
        except ProtectedError as exc:
            names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            raise DomainError(
                _("%(party)s 仍被使用：%(names)s") % {"party": repr_, "names": ", ".join(names)},
                code="protected",
            )
        journal.record(
            "parties.party.deleted",
            object_type=Party._meta.label_lower,
            object_id=str(pk),
            object_repr=repr_,
            before=before,
        )
        outbox.emit("parties.party.deleted", None, {"id": pk, "type": Party._meta.label_lower})


def set_credit_tier(party_id: int, tier: str, *, reason: str = "", user=None) -> Party:
    """Set the credit tier by hand (administrators or the system) until the credit archive
    computes it; the reason is journalled."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以直接设置信用等级"))
    if tier not in CreditTier.values:
        raise DomainError(
            _("未知信用等级：%(tier)s") % {"tier": tier},
            code="unknown_tier",
            field_errors={"credit_tier": [_("未知信用等级")]},
        )
    with transaction.atomic():
        party = core.lock_for_change(user, Party, party_id)
        if party.credit_tier == tier:
            return party
        before = {"credit_tier": party.credit_tier}
        party.credit_tier = tier
        party.save(update_fields=["credit_tier"])
        journal.record(
            "parties.party.credit_tier_set",
            party,
            before=before,
            after={"credit_tier": tier, "reason": reason},
        )
        outbox.emit(
            "parties.party.credit_tier_changed",
            party,
            {"id": party.pk, "from": before["credit_tier"], "to": tier},
        )
        return party


# --- contacts and addresses -------------------------------------------------------------------


def _create_child(model, party: Party, data: dict):
    obj = model(party=party, **data)
    _clean(obj)
    obj.save()
    journal.record(f"parties.{model._meta.model_name}.created", obj, after=journal.snapshot(obj))
    return obj


def _add_child(model, party_id: int, data: dict, user):
    with transaction.atomic():
        party = core.lock_for_change(user, Party, party_id)
        obj = _create_child(model, party, data)
        outbox.emit(
            f"parties.{model._meta.model_name}.created", obj, {"id": obj.pk, "party_id": party.pk}
        )
        return obj


def _lock_child(model, child_id: int, user, party_id: int | None):
    """The child row, locked, after checking the caller may change its party (404 outside
    scope, 403 visible but not changeable)."""
    obj = model.objects.select_for_update(no_key=True).filter(pk=child_id).first()
    if obj is None or (party_id is not None and obj.party_id != party_id):
        raise NotFound(
            _("%(what)s %(id)s 不存在") % {"what": model._meta.verbose_name, "id": child_id}
        )
    core.lock_for_change(user, Party, obj.party_id)
    return obj


def _update_child(model, child_id, changes, allowed, user, party_id):
    changes = _only(dict(changes), allowed, str(model._meta.verbose_name))
    with transaction.atomic():
        obj = _lock_child(model, child_id, user, party_id)
        before = journal.snapshot(obj)
        for name, value in changes.items():
            setattr(obj, name, value)
        _clean(obj)
        b, a = journal.diff(before, journal.snapshot(obj))
        if not a:
            return obj
        obj.save()
        name = model._meta.model_name
        journal.record(f"parties.{name}.updated", obj, before=b, after=a)
        outbox.emit(f"parties.{name}.updated", obj, {"id": obj.pk, "party_id": obj.party_id})
        return obj


def _remove_child(model, child_id, user, party_id) -> None:
    with transaction.atomic():
        obj = _lock_child(model, child_id, user, party_id)
        name = model._meta.model_name
        before, repr_, pk, owner = journal.snapshot(obj), str(obj), obj.pk, obj.party_id
        obj.delete()
        journal.record(
            f"parties.{name}.deleted",
            object_type=model._meta.label_lower,
            object_id=str(pk),
            object_repr=repr_,
            before=before,
        )
        outbox.emit(f"parties.{name}.deleted", None, {"id": pk, "party_id": owner})


def add_contact(
    party_id: int, *, name: str, role: str = "", phone: str = "", email: str = "", user=None
) -> Contact:
    return _add_child(
        Contact, party_id, {"name": name, "role": role, "phone": phone, "email": email}, user
    )


def update_contact(
    contact_id: int, changes: Mapping, *, user=None, party_id: int | None = None
) -> Contact:
    """``party_id``, when given, must be the contact's party (else 404)."""
    return _update_child(Contact, contact_id, changes, CONTACT_FIELDS, user, party_id)


def remove_contact(contact_id: int, *, user=None, party_id: int | None = None) -> None:
    _remove_child(Contact, contact_id, user, party_id)


def add_address(
    party_id: int,
    *,
    text: str,
    kind: str = AddressKind.BUSINESS,
    grid_id: int | None = None,
    user=None,
) -> Address:
    return _add_child(Address, party_id, {"text": text, "kind": kind, "grid_id": grid_id}, user)


def update_address(
    address_id: int, changes: Mapping, *, user=None, party_id: int | None = None
) -> Address:
    return _update_child(Address, address_id, changes, ADDRESS_FIELDS, user, party_id)


def remove_address(address_id: int, *, user=None, party_id: int | None = None) -> None:
    _remove_child(Address, address_id, user, party_id)


# --- accounts ---------------------------------------------------------------------------------


def _link(target_user, party: Party, role: str) -> PartyAccount:
    account = PartyAccount.objects.create(user=target_user, party=party, role=role)
    journal.record(
        "parties.account.linked",
        account,
        after={"user_id": target_user.pk, "party_id": party.pk, "role": role},
    )
    outbox.emit(
        "parties.account.linked",
        account,
        {"id": account.pk, "user_id": target_user.pk, "party_id": party.pk, "role": role},
    )
    return account


def _check_account_change(user, party_id: int) -> Party:
    if not _is_registrar(user):
        raise Forbidden(_("只有窗口人员或系统管理员可以关联账号"))
    return core.lock_for_change(user, Party, party_id)


@_conflict_on_integrity
def link_account(user_id: int, party_id: int, role: str, *, user=None) -> PartyAccount:
    """Let a login act for a party online (verified at the window). Linking again with
    another role changes the role; with the same role changes nothing."""
    if role not in AccountRole.values:
        raise DomainError(
            _("未知身份：%(role)s") % {"role": role},
            code="unknown_role",
            field_errors={"role": [_("未知身份")]},
        )
    User = get_user_model()
    with transaction.atomic():
        party = _check_account_change(user, party_id)
        target = User.objects.filter(pk=user_id).first()
        if target is None:
            raise NotFound(_("用户 %(id)s 不存在") % {"id": user_id})
        account = (
            PartyAccount.objects.select_for_update(no_key=True)
            .filter(user=target, party=party)
            .first()
        )
        if account is None:
            return _link(target, party, role)
        if account.role != role:
            before = {"role": account.role}
            account.role = role
            account.save(update_fields=["role"])
            journal.record(
                "parties.account.role_changed", account, before=before, after={"role": role}
            )
            outbox.emit(
                "parties.account.role_changed",
                account,
                {"id": account.pk, "user_id": target.pk, "party_id": party.pk, "role": role},
            )
        return account


def unlink_account(user_id: int, party_id: int, *, user=None) -> None:
    with transaction.atomic():
        party = _check_account_change(user, party_id)
        account = (
            PartyAccount.objects.select_for_update(no_key=True)
            .filter(user_id=user_id, party=party)
            .first()
        )
        if account is None:
            raise NotFound(_("该账号未关联此当事人"))
        before = {"user_id": account.user_id, "party_id": party.pk, "role": account.role}
        repr_, pk = str(account), account.pk
        account.delete()
        journal.record(
            "parties.account.unlinked",
            object_type=PartyAccount._meta.label_lower,
            object_id=str(pk),
            object_repr=repr_,
            before=before,
        )
        outbox.emit("parties.account.unlinked", None, {"id": pk, **before})


__all__ = [
    "add_address",
    "add_contact",
    "delete_party",
    "link_account",
    "party_snapshot",
    "register_enterprise",
    "register_individual",
    "remove_address",
    "remove_contact",
    "set_credit_tier",
    "unlink_account",
    "update_address",
    "update_contact",
    "update_party",
]
