"""Admin access by role and scope (``core.permissions``) rather than Django model permissions,
so that the admin site shows exactly what ``Model.objects.restrict`` allows: a staff member
who reaches the admin site sees the rows in their scope, and may add or change only where the
model's ``can_create`` / ``restrict(user, "change")`` say so. Deleting is for administrators.

Used by the org and parties admins; a candidate for ``core.admin`` once others need it."""

from __future__ import annotations

from shenguan.core.permissions import Scope


def _restricted(model, user, action: str):
    qs = model._default_manager.all()
    if hasattr(qs, "restrict"):
        return qs.restrict(user, action)
    return qs if Scope.of(user).is_admin else qs.none()


class ScopedAdminMixin:
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if hasattr(qs, "restrict"):
            return qs.restrict(request.user, "view")
        return qs if Scope.of(request.user).is_admin else qs.none()

    def has_module_permission(self, request):
        scope = Scope.of(request.user)
        return scope.is_admin or scope.is_staff_member

    def has_view_permission(self, request, obj=None):
        scope = Scope.of(request.user)
        if scope.is_admin:
            return True
        if not scope.is_staff_member:
            return False
        if obj is None:
            return True
        return _restricted(self.model, request.user, "view").filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        scope = Scope.of(request.user)
        if scope.is_admin:
            return True
        hook = getattr(self.model, "can_create", None)
        return scope.is_staff_member and hook is not None and bool(hook(scope))

    def has_change_permission(self, request, obj=None):
        scope = Scope.of(request.user)
        if scope.is_admin:
            return True
        if not scope.is_staff_member:
            return False
        changeable = _restricted(self.model, request.user, "change")
        if obj is None:
            return changeable.exists()
        return changeable.filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return Scope.of(request.user).is_admin


class ScopedInlineMixin:
    """An inline is seen and changed with its parent (``parent_model``)."""

    def _parent_allows(self, request, obj, action: str) -> bool:
        scope = Scope.of(request.user)
        if scope.is_admin:
            return True
        if not scope.is_staff_member:
            return False
        if obj is None:  # the parent's add page
            hook = getattr(self.parent_model, "can_create", None)
            return action == "view" or (hook is not None and bool(hook(scope)))
        return _restricted(self.parent_model, request.user, action).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return self._parent_allows(request, obj, "view")

    def has_add_permission(self, request, obj=None):
        return self._parent_allows(request, obj, "change")

    def has_change_permission(self, request, obj=None):
        return self._parent_allows(request, obj, "change")

    def has_delete_permission(self, request, obj=None):
        return self._parent_allows(request, obj, "change")
