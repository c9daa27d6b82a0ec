"""Who may open which enforcement page. The data on every page is still read through
``restrict()``; these checks only decide whether the page is offered at all."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from shenguan.core.errors import DomainError
from shenguan.core.permissions import Role, Scope

from .scope import ENFORCEMENT_STAFF_ROLES, OVERSEER_ROLES, WATCHER_ROLES


def _guard(*roles):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not Scope.of(request.user).has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


enforcement_staff = _guard(*ENFORCEMENT_STAFF_ROLES)
legal_section = _guard(*OVERSEER_ROLES, *WATCHER_ROLES)
field_officer = _guard(Role.ENFORCEMENT_OFFICER)


def run(request, action, success: str) -> bool:
    """Call a service from a page: a message either way; False when it was refused."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
