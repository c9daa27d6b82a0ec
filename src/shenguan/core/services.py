"""Generic create / update / delete for reference data (organisation, catalogue, parties).

Each runs in one transaction: lock, check, write, journal, outbox, then re-check that the
writer can still see the object (else roll back). Apps wrap these in their own services with
domain checks; entry points (API, admin, commands) call the app services, never ``.save()``.
``user=None`` means the system itself (commands, migrations of data, the worker)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import journal, outbox
from .errors import DomainError, Forbidden, NotFound
from .permissions import Scope


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def ensure_can_create(user, model: type[models.Model]) -> None:
    if user is None:
        return
    scope = Scope.of(user)
    if scope.is_admin:
        return
    hook = getattr(model, "can_create", None)
    if hook is None or not hook(scope):
        raise Forbidden(f"you may not create {model._meta.verbose_name}")


def lock_for_change(user, model: type[models.Model], pk) -> models.Model:
    """The row, locked; 404 if the caller cannot see it, 403 if they can see but not change it."""
    manager = model._default_manager
    try:
        obj = manager.select_for_update(no_key=True).get(pk=pk)
    except (model.DoesNotExist, ValueError, ValidationError):
        raise NotFound(f"{model._meta.verbose_name} {pk} not found")
    if user is None:
        return obj
    qs = manager.filter(pk=pk)
    if hasattr(qs, "restrict"):
        if not qs.restrict(user, "view").exists():
            raise NotFound(f"{model._meta.verbose_name} {pk} not found")
        if not qs.restrict(user, "change").exists():
            raise Forbidden(f"you may not change this {model._meta.verbose_name}")
    return obj


def recheck_visible(user, obj: models.Model) -> None:
    if user is None:
        return
    qs = type(obj)._default_manager.filter(pk=obj.pk)
    if hasattr(qs, "restrict") and not qs.restrict(user, "view").exists():
        raise Forbidden("the result would fall outside your scope; nothing was changed")


def full_clean(obj: models.Model, exclude: Iterable[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise DomainError(first, code="validation", field_errors=errors)


def create_object(
    model: type[models.Model],
    data: dict,
    *,
    user=None,
    action: str | None = None,
    emit: bool = True,
) -> models.Model:
    with transaction.atomic():
        ensure_can_create(user, model)
        obj = model(**data)
        full_clean(obj)
        obj.save()
        journal.record(action or f"{label(model)}.created", obj, after=journal.snapshot(obj))
        if emit:
            outbox.emit(f"{label(model)}.created", obj, {"id": obj.pk})
        recheck_visible(user, obj)
        return obj


def update_object(
    model: type[models.Model],
    pk,
    changes: dict,
    *,
    user=None,
    action: str | None = None,
    emit: bool = True,
) -> models.Model:
    with transaction.atomic():
        obj = lock_for_change(user, model, pk)
        before = journal.snapshot(obj)
        for name, value in changes.items():
            setattr(obj, name, value)
        full_clean(obj)
        after = journal.snapshot(obj)
        b, a = journal.diff(before, after)
        if not b and not a:
            return obj
        obj.save()
        journal.record(action or f"{label(model)}.updated", obj, before=b, after=a)
        if emit:
            outbox.emit(f"{label(model)}.updated", obj, {"id": obj.pk, "changed": sorted(a)})
        recheck_visible(user, obj)
        return obj


def delete_object(
    model: type[models.Model], pk, *, user=None, action: str | None = None, emit: bool = True
) -> None:
    with transaction.atomic():
        obj = lock_for_change(user, model, pk)
        before = journal.snapshot(obj)
        repr_ = str(obj)
        obj_pk = obj.pk
        try:
            obj.delete()
        except models.ProtectedError as exc:
            names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            raise DomainError(f"{repr_} is still used by: {', '.join(names)}", code="protected")
        journal.record(
            action or f"{label(model)}.deleted",
            object_type=label(model),
            object_id=str(obj_pk),
            object_repr=repr_,
            before=before,
        )
        if emit:
            outbox.emit(f"{label(model)}.deleted", None, {"id": obj_pk, "type": label(model)})
