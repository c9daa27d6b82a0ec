"""Signed webhook delivery to other departments' systems.

Body: ``{"id", "type", "created", "subject": {"type", "id"}, "payload"}`` as UTF-8 JSON.
Headers: ``X-Shenguan-Event-Id`` (de-duplicate on it: delivery is at-least-once),
``X-Shenguan-Event``, ``X-Shenguan-Signature: t=<unix time>,v1=<hex>`` where v1 is
HMAC-SHA256 with the subscription's secret over ``"<t>." + body``. Any 2xx answer counts as
delivered; anything else (or no answer within the timeout) is retried with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request


class WebhookError(Exception):
    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


def event_body(event) -> bytes:
    return json.dumps(
        {
            "id": str(event.id),
            "type": event.type,
            "created": event.created.isoformat(),
            "subject": {"type": event.subject_type, "id": event.subject_id},
            "payload": event.payload,
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """For receivers (and our tests): check ``X-Shenguan-Signature``."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), parts.get("v1", ""))


def deliver_webhook(subscription, event, timeout: float = 10.0) -> int:
    body = event_body(event)
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (administrators configure http(s) URLs)
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Shenguan-Webhook/1",
            "X-Shenguan-Event": event.type,
            "X-Shenguan-Event-Id": str(event.id),
            "X-Shenguan-Signature": f"t={timestamp},v1={sign(subscription.secret, timestamp, body)}",
        },
    )
    if not subscription.url.startswith(("http://", "https://")):
        raise WebhookError("only http(s) URLs are delivered")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"HTTP {exc.code}", exc.code)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise WebhookError(f"no answer: {exc}")
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}", status)
    return status
