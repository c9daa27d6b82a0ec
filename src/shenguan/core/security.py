"""Security plumbing that is not about one app (docs/security.md): the response headers every
page and API answer carries (a Content-Security-Policy among them), and the logging filter that
masks resident ID numbers in every log record (个人信息保护法 art 51: the logs are read by
operators who may not see them whole)."""

from __future__ import annotations

import logging
import re

from django.conf import settings

# A resident ID number (GB 11643): 6-digit area, 8-digit birth date, 3-digit sequence, check
# digit or X — not part of a longer run of digits (order numbers, timestamps).
RIC_PATTERN = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_ric_numbers(text: str) -> str:
    """Every resident ID number in ``text`` masked as ``mask_ric`` shows it (first 3, last 4)."""
    return RIC_PATTERN.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)


class MaskPersonalIdFilter(logging.Filter):
    """Masks resident ID numbers in a record's message and arguments (and its exception text,
    rendered once here) before any handler formats it. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record as the logger made it
            return True
        masked = mask_ric_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ric_numbers(record.exc_text)
        return True


# The policy the pages satisfy: everything from our own origin (Tabler, htmx, ECharts are
# vendored), inline styles (Tabler utilities) and, for now, inline scripts (two dashboards carry a
# small inline script; see docs/security.md, known gaps). Nothing may frame us.
DEFAULT_CSP = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self'; "
    "manifest-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds the headers Django's SecurityMiddleware does not: Content-Security-Policy,
    Permissions-Policy, Cross-Origin-Opener-Policy; and ``Cache-Control: no-store`` on answers
    to logged-in callers (personal data must not stay in shared caches)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "SHENGUAN_CSP", "") or DEFAULT_CSP

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        if (
            getattr(user, "is_authenticated", False) or request.headers.get("Authorization")
        ) and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
