import re

from .context import acting_as

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
