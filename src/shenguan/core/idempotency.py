"""``Idempotency-Key`` support for create endpoints.

    @router.post("/things", response={201: ThingOut})
    def create_thing(request, payload: ThingIn):
        return idempotent(
            request,
            payload.dict(),
            lambda: (201, services.create_thing(...)),
            serialize=lambda thing: ThingOut.from_orm(thing).model_dump(mode="json"),
        )

The first call runs ``action`` and stores its status and JSON body in the same transaction as
the change; a retry with the same key, user and path returns the stored answer; a retry with
the same key but a different body is refused with 409 (the key was reused for something else).
Without the header the action simply runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from .errors import Conflict, DomainError
from .journal import jsonable
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _hash(data) -> str:
    return hashlib.sha256(
        json.dumps(jsonable(data), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def idempotent(
    request: HttpRequest, data, action: Callable[[], tuple[int, object]], serialize=None
):
    """Run ``action`` (returning ``(status, result)``) at most once per key. ``serialize`` turns
    the result into the JSON body to store (default: the result itself, made JSON-safe)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return action()
    if len(key) > 200:
        raise DomainError(f"{HEADER} must be at most 200 characters", code="idempotency_key")
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    scope = f"{request.method} {request.path}"[:200]
    digest = _hash(data)
    existing = IdempotencyRecord.objects.filter(user_id=user_id, scope=scope, key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    try:
        with transaction.atomic():
            status, result = action()
            body = serialize(result) if serialize else jsonable(_dump(result))
            IdempotencyRecord.objects.create(
                key=key, user_id=user_id, scope=scope, request_hash=digest, status=status, body=body
            )
            return status, result
    except IntegrityError:
        # A concurrent request with the same key won; answer as it did.
        existing = IdempotencyRecord.objects.filter(user_id=user_id, scope=scope, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)


def _dump(result):
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    return result


def _replay(record: IdempotencyRecord, digest: str):
    if record.request_hash != digest:
        raise Conflict(
            f"{HEADER} {record.key!r} was already used for a different request",
            code="idempotency_key_reused",
        )
    return record.status, record.body
