"""Who sees and who acts on enforcement work.

- Enforcement officers see and work on their own squad's work (a squad is a ``Section``; the
  officer's sections are ``Scope.section_ids``).
- Legal reviewers and bureau heads see everything and act on it within their own powers
  (review, decide); the services check which step each of them may take.
- The information command centre sees everything and changes nothing (403 on a change).
- Anyone else sees nothing (404)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden
from shenguan.core.permissions import Role, Scope

OVERSEER_ROLES = (Role.LEGAL_REVIEWER, Role.BUREAU_HEAD)
WATCHER_ROLES = (Role.COMMAND_CENTRE,)
OFFICER_ROLES = (Role.ENFORCEMENT_OFFICER,)
ENFORCEMENT_STAFF_ROLES = (*OFFICER_ROLES, *OVERSEER_ROLES, *WATCHER_ROLES)


def sees_all(scope: Scope) -> bool:
    return scope.has_role(*OVERSEER_ROLES, *WATCHER_ROLES)


def squad_restrict(qs, scope: Scope, action: str, *, fields=("squad_id",)):
    """The rows of ``qs`` the caller may see (``view``) or change (``change``)."""
    if scope.has_role(*OVERSEER_ROLES):
        return qs
    if action == "view" and scope.has_role(*WATCHER_ROLES):
        return qs
    if scope.has_role(*OFFICER_ROLES) and scope.section_ids:
        cond = Q()
        for name in fields:
            cond |= Q(**{f"{name}__in": scope.section_ids})
        return qs.filter(cond)
    return qs.none()


def can_view_squad(scope: Scope, squad_id: int | None) -> bool:
    """Python twin of ``squad_restrict(…, "view")`` for one locked row."""
    if scope.is_admin or sees_all(scope):
        return True
    return scope.has_role(*OFFICER_ROLES) and squad_id is not None and squad_id in scope.section_ids


def can_change_squad(scope: Scope, squad_id: int | None) -> bool:
    if scope.is_admin or scope.has_role(*OVERSEER_ROLES):
        return True
    return scope.has_role(*OFFICER_ROLES) and squad_id is not None and squad_id in scope.section_ids


def require_change(scope: Scope, squad_id: int | None, what: str) -> None:
    """403 for a caller who sees the row but may not change it (the command centre)."""
    if not can_change_squad(scope, squad_id):
        raise Forbidden(_("您只能查看，不能办理%(what)s") % {"what": what})
