"""Issuing and revoking machine-client tokens (stored hashed, shown once)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import journal
from .errors import NotFound
from .models import ApiClient, hash_token


def issue_token(name: str, user) -> tuple[ApiClient, str]:
    token = ApiClient.new_token()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, user=user, token_prefix=token[:10], token_hash=hash_token(token)
        )
        journal.record(
            "core.api_client.issued",
            client,
            after={"name": name, "user": user.pk, "prefix": token[:10]},
        )
    return client, token


def revoke_token(pk: int) -> ApiClient:
    with transaction.atomic():
        client = ApiClient.objects.select_for_update(no_key=True).filter(pk=pk).first()
        if client is None:
            raise NotFound(f"API client {pk} not found")
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            journal.record(
                "core.api_client.revoked", client, after={"revoked_at": client.revoked_at}
            )
        return client
