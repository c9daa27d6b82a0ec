import logging
import re

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .context import acting_as

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ActorMiddleware:
    """Sets the acting user and a request id for every request (journal entries carry both)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        source = (
            "api" if path.startswith("/api/") else "admin" if path.startswith("/admin/") else "ui"
        )
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else None
        ip = request.META.get("REMOTE_ADDR", "")
        with acting_as(source=source, request=request, request_id=request_id, ip=ip) as actor:
            request.request_id = actor.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = actor.request_id
        return response


class DatabaseUnavailableMiddleware:
    """A page whose database failed under it — a dropped connection, a read-only database, a
    full disk — answers 503 with a plain page that needs no database (``503.html``), as the
    API answers a 503 problem document: the transaction rolled back and nothing was written,
    so the person is told to try again rather than shown a bare server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError, InternalError)):
            return None
        log.error("database unavailable in %s: %s", request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
