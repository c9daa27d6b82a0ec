"""API plumbing shared by every app's router: authentication (session for people, bearer
tokens for machine clients), JSON problem documents (RFC 9457) for every error, pagination."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, InterfaceError, InternalError, OperationalError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .errors import DomainError
from .models import ApiClient, hash_token

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class SessionAuth(NinjaSessionAuth):
    """A logged-in person; unsafe methods need the CSRF token (as for any Django form)."""


# how fresh an API client's ``last_used_at`` is kept
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sg_...`` for machine clients; the token is looked up by hash."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token:
            return None
        client = (
            ApiClient.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if client is None or not client.user.is_active:
            return None
        now = timezone.now()
        stale = now - LAST_USED_RESOLUTION
        if client.last_used_at is None or client.last_used_at < stale:
            # at most one write a minute per token: "still in use?" needs no finer clock, and
            # a write (a commit, a WAL flush) on every machine call costs more than the call
            ApiClient.objects.filter(pk=client.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
            ).update(last_used_at=now)
        request.user = client.user
        request.api_client = client
        return client.user


class OptionalAuth:
    """Public endpoints: anyone, but a known caller is recognised (for scoping)."""

    def __call__(self, request: HttpRequest):
        return True


session_auth = SessionAuth()
token_auth = TokenAuth()
AUTH = [token_auth, session_auth]
PUBLIC = [token_auth, SessionAuth(csrf=False), OptionalAuth()]


def prefers_minimal(request: HttpRequest) -> bool:
    """Whether the caller sent ``Prefer: return=minimal`` (RFC 7240 §4.2): it wants the
    outcome of a write, not the written resource again."""
    for preference in request.headers.get("Prefer", "").split(","):
        name_value = preference.split(";", 1)[0].replace(" ", "").lower()
        if name_value == "return=minimal":
            return True
    return False


def minimal_response(location: str) -> HttpResponse:
    """The answer to a write under ``Prefer: return=minimal``: 204, where the resource is,
    and that the preference was honoured."""
    response = HttpResponse(status=204)
    response["Location"] = location
    response["Preference-Applied"] = "return=minimal"
    return response


INT64_MAX = 2**63 - 1
# query and form fields that the database reads as integers (ids, pagination)
_INTEGER_FIELD_SUFFIXES = ("_id", "_ids", "offset", "limit")


def _out_of_range(where: str) -> DomainError:
    return DomainError(
        "a number is out of range",
        code="out_of_range",
        field_errors={where or "__all__": [f"must be between {-INT64_MAX} and {INT64_MAX}"]},
    )


def _refuse_nul(value, where: str = "") -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > INT64_MAX:
            raise _out_of_range(where)
    elif isinstance(value, str):
        if "\x00" in value:
            raise DomainError(
                "text may not contain NUL characters",
                code="nul_character",
                field_errors={where or "__all__": ["contains a NUL (0x00) character"]},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, where)
            _refuse_nul(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_nul(item, f"{where}[{index}]")


class SafeParser(Parser):
    """Request bodies, forms and query strings without NUL characters: no text may hold one
    (PostgreSQL cannot store it; SQLite would keep it and other tools cut the text there), so
    it is refused at the door with a 400, as Django's forms do. Numbers beyond 64 bits (in JSON,
    or in id/offset/limit fields) are refused the same way rather than overflow in SQL."""

    def parse_body(self, request):
        data = super().parse_body(request)
        _refuse_nul(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result)
        for key, value in result.items():
            if key == "id" or key.endswith(_INTEGER_FIELD_SUFFIXES):
                for item in value if isinstance(value, list) else [value]:
                    text = item.strip() if isinstance(item, str) else ""
                    if text.lstrip("+-").isdigit() and abs(int(text)) > INT64_MAX:
                        raise _out_of_range(key)
        return result


def problem(api, request, status: int, title: str, detail: str = "", **extra):
    body = {"type": f"about:blank#{extra.pop('code', status)}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def install_problem_handlers(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        extra = {"code": exc.code}
        if exc.field_errors:
            extra["errors"] = exc.field_errors
        return problem(api, request, exc.status, _title(exc.status), exc.message, **extra)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return problem(
            api,
            request,
            422,
            "Unprocessable Entity",
            "the request is not valid",
            errors=errors,
            code="validation",
        )

    @api.exception_handler(ValidationError)
    def django_validation_error(request, exc: ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return problem(
            api,
            request,
            422,
            "Unprocessable Entity",
            "; ".join(exc.messages),
            errors=errors,
            code="validation",
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return problem(api, request, 401, "Unauthorized", "log in or send a valid API token")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(api, request, 404, "Not Found", str(exc) or "not found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(api, request, 403, "Forbidden", str(exc) or "not allowed")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return problem(api, request, exc.status_code, _title(exc.status_code), str(exc))

    @api.exception_handler(DataError)
    def data_error(request, exc):
        # a value the database cannot hold (out of range, malformed): nothing was written
        log.warning("data error in %s: %s", request.path, exc)
        return problem(
            api,
            request,
            400,
            "Bad Request",
            "a value is out of range or malformed for the database",
            code="invalid_value",
        )

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    @api.exception_handler(InternalError)
    def database_unavailable(request, exc):
        # a dropped connection, a read-only database, a full disk: the transaction rolled back
        # and nothing was written; say so at once rather than a bare 500 (docs/operations.md)
        log.error("database unavailable in %s: %s", request.path, exc)
        response = problem(
            api,
            request,
            503,
            "Service Unavailable",
            "the database cannot take this request now (connection lost, read-only or full); "
            "nothing was changed — try again later",
            code="database_unavailable",
        )
        response["Retry-After"] = "30"
        return response

    @api.exception_handler(Exception)
    def server_error(request, exc):
        log.exception("unhandled error in %s", request.path)
        return problem(
            api,
            request,
            500,
            "Internal Server Error",
            f"an unexpected error occurred (request {getattr(request, 'request_id', '')})",
        )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
