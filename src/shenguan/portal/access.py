"""Who may open which page. Data on every page is still read through ``restrict()``: these
checks only decide whether the page itself is offered, so a forgotten check fails closed on the
data, never open."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from shenguan.core.permissions import Role, Scope

# Roles that read the whole journal (the archive); JournalEntry.restrict_queryset agrees.
JOURNAL_ROLES = (Role.COMMAND_CENTRE, Role.BUREAU_HEAD)


def can_see_staff_pages(scope: Scope) -> bool:
    return scope.is_staff_member or scope.is_admin


def can_see_journal(scope: Scope) -> bool:
    return scope.has_role(*JOURNAL_ROLES)


def _guard(check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(Scope.of(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = _guard(can_see_staff_pages)
journal_required = _guard(can_see_journal)
