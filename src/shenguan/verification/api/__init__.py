"""REST endpoints of the verification app (``/api/verification/``).

Scope: legal reviewers, bureau heads and the command centre see everything; enforcement
officers see their squads' pushes and tasks (and tasks they were drawn for); everyone else
gets 404. Every change goes through ``verification.services``.

- ``/pushes`` (list, detail, ``/acknowledge``, ``/assign``);
- ``/tasks`` (list with filters, detail with every link, ``/findings``, ``/revoke``),
  ``/findings/{id}/sign``, ``/leads``;
- ``/pool``, ``/draws`` (list, detail, new, ``/replay``), ``/recusals``, ``/policy``;
- ``/public/draws`` (anyone): published draws, enterprise names and inspectors only."""

from . import draws, work  # noqa: E402,F401  (endpoints register on the router)
from .base import router

__all__ = ["router"]
