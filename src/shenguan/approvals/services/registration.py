"""Self-registration on the applicant portal: a login account with the applicant role and the
party it acts for, in one transaction.

The party itself is registered by ``shenguan.parties.services`` (identifier checks, duplicate
refusal, journal, outbox); an applicant registering a party is linked to it there (an
individual as themselves, an enterprise as its agent). This function only adds what the
parties app does not do: the account. Nothing is left behind when any part is refused."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.context import acting_as, current_actor
from shenguan.core.errors import Conflict, DomainError
from shenguan.core.permissions import Role, forget_scope
from shenguan.parties import services as parties
from shenguan.parties.choices import PartyKind


def _check_username(username: str) -> str:
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        message = _("请填写用户名")
        raise DomainError(message, code="required", field_errors={"username": [message]})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise DomainError(
            exc.messages[0], code="invalid_username", field_errors={"username": exc.messages}
        )
    if User.objects.filter(username__iexact=username).exists():
        message = _("该用户名已被使用")
        raise Conflict(message, code="duplicate_username", field_errors={"username": [message]})
    return username


def register_applicant(
    *,
    username: str,
    password: str,
    kind: str,
    name: str,
    uscc: str = "",
    id_number: str = "",
    legal_representative: str = "",
    contact_name: str = "",
    phone: str = "",
    email: str = "",
):
    """Create a login with the applicant role and register the enterprise (``kind`` =
    enterprise: ``uscc``, checked against GB 32100) or the person (individual: ``id_number``,
    GB 11643) it acts for. The password must pass the configured validators. Returns
    ``(user, party)``. Errors name their field: ``username``, ``password``, ``name``,
    ``uscc``, ``id_number``; a duplicate username or identifier is a Conflict (409)."""
    kind = PartyKind(kind)
    username = _check_username(username)
    User = get_user_model()
    account_name = (name if kind == PartyKind.INDIVIDUAL else contact_name).strip()
    try:
        password_validation.validate_password(
            password or "", user=User(username=username, first_name=account_name)
        )
    except ValidationError as exc:
        raise DomainError(
            exc.messages[0], code="weak_password", field_errors={"password": exc.messages}
        )
    outer = current_actor()
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, password=password, first_name=account_name[:150]
                )
        except IntegrityError:
            message = _("该用户名已被使用")
            raise Conflict(message, code="duplicate_username", field_errors={"username": [message]})
        group, _created = Group.objects.get_or_create(name=Role.APPLICANT.value)
        user.groups.add(group)
        forget_scope(user)
        # The new account is the actor of its own registration (the request was anonymous).
        with acting_as(
            user,
            source=outer.source,
            request_id=outer.request_id,
            ip=outer.ip,
        ):
            journal.record(
                "approvals.applicant.registered",
                user,
                after={"username": username, "roles": [Role.APPLICANT.value], "kind": kind},
                object_repr=username,
            )
            if kind == PartyKind.ENTERPRISE:
                contacts = (
                    [{"name": contact_name.strip(), "role": _("经办人"), "phone": phone}]
                    if contact_name.strip()
                    else []
                )
                party = parties.register_enterprise(
                    name=name,
                    uscc=uscc,
                    legal_representative=legal_representative,
                    phone=phone,
                    email=email,
                    contacts=contacts,
                    user=user,
                )
            else:
                party = parties.register_individual(
                    name=name, id_number=id_number, phone=phone, email=email, user=user
                )
            outbox.emit(
                "approvals.applicant.registered",
                user,
                {"user_id": user.pk, "party_id": party.pk, "kind": kind},
            )
        forget_scope(user)
        return user, party
