"""REST endpoints of the approvals app: applications (intake, routes, decision), licences,
the route policy, warnings and public verification. Every change calls a service; errors come
back as RFC 9457 problem documents."""

from . import applications, licences  # noqa: E402,F401  (endpoints register on the router)
from .base import router

__all__ = ["router"]
