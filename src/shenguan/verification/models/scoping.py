"""Who sees what of the verification records: the enforcement bureau's legal reviewers, the
bureau heads and the command centre see everything; an enforcement officer sees the pushes and
tasks of the squads they belong to (and tasks they were drawn for); everyone else nothing (so
the API answers 404)."""

from __future__ import annotations

from django.db.models import Q

from shenguan.core.permissions import Role

ZONE_ROLES = (Role.LEGAL_REVIEWER, Role.BUREAU_HEAD, Role.COMMAND_CENTRE)


def sees_all(scope) -> bool:
    return scope.is_admin or scope.has_role(*ZONE_ROLES)


def is_officer(scope) -> bool:
    return scope.has_role(Role.ENFORCEMENT_OFFICER)


def task_q(scope, prefix: str = "") -> Q:
    """Tasks of the officer's squads or tasks they are an inspector of."""
    from .work import TaskInspector

    cond = Q(**{f"{prefix}squad_id__in": scope.section_ids})
    if scope.staff_id is not None:
        mine = TaskInspector.objects.filter(staff_id=scope.staff_id).values("task_id")
        cond |= Q(**{f"{prefix}pk__in": mine})
    return cond


def visible_tasks(scope):
    from .work import VerificationTask

    if sees_all(scope):
        return VerificationTask.objects.all()
    if is_officer(scope):
        return VerificationTask.objects.filter(task_q(scope))
    return VerificationTask.objects.none()
