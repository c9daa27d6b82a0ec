"""Querysets restricted by the caller's scope (NetBox ``RestrictedQuerySet`` pattern).

A model opts in by defining ``restrict_queryset(cls, qs, scope, action)``; ``restrict`` builds
the caller's ``Scope`` once and delegates. A model without the hook is visible to
administrators only, so forgetting it fails closed."""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from .permissions import Scope

        scope = Scope.of(user)
        if scope.is_admin:
            return self
        hook = getattr(self.model, "restrict_queryset", None)
        if hook is None:
            return self.none()
        return hook(self, scope, action)
