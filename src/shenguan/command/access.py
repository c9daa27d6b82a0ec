"""Who may open the command centre.

The centre shows the whole zone: approvals, verification, enforcement, credit and the overdue
clocks of every department. It is offered to the information command centre, bureau heads
(approval and enforcement bureau heads hold the same role) and administrators. Everyone else —
department supervisors included — is refused with 403: a supervisor follows their own
department's clocks in the oversight app, and a per-department cut of every figure here would
be a second, different dashboard (docs/command-centre.md)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shenguan.core.errors import Forbidden
from shenguan.core.permissions import Role, Scope

COMMAND_ROLES = (Role.COMMAND_CENTRE, Role.BUREAU_HEAD)


def can_see_centre(scope: Scope) -> bool:
    return scope.has_role(*COMMAND_ROLES)


def require_centre(request) -> Scope:
    """API guard: 403 problem for a signed-in caller without a command-centre role."""
    scope = Scope.of(request.user)
    if not can_see_centre(scope):
        raise Forbidden(_("指挥中心仅向指挥中心、局领导和系统管理员开放"))
    return scope


def centre_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_see_centre(Scope.of(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
