"""What every approvals service shares: locking, who is acting, the status change itself,
document numbers, event payloads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.catalog.choices import ApprovalClass
from shenguan.catalog.models import Responsibility
from shenguan.core import journal
from shenguan.core.context import current_actor
from shenguan.core.errors import DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope

from .. import workflow
from ..models import (
    APPROVAL_STAFF_ROLES,
    READ_ONLY_ROLES,
    Application,
    Counter,
    RoutePolicyRule,
    StatusChange,
)
from ..workflow import Actor


def bureau_name() -> str:
    return getattr(settings, "SHENGUAN_APPROVAL_BUREAU_NAME", "葛店开发区行政审批局")


def doc_prefix() -> str:
    return getattr(settings, "SHENGUAN_DOCUMENT_PREFIX", "葛审")


def verification_prefix() -> str:
    return getattr(settings, "SHENGUAN_LICENCE_VERIFY_PREFIX", "GDL")


def today() -> dt.date:
    return timezone.localdate()


# --- numbering --------------------------------------------------------------------------------


def next_number(key: str, year: int) -> int:
    """The next number of a kind of document in a year. The counter row stays locked until
    the transaction commits, so numbers are gapless among committed documents."""
    row = Counter.objects.select_for_update(no_key=True).filter(key=key, year=year).first()
    if row is None:
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, year=year, last=0)
        except IntegrityError:
            pass  # created concurrently; lock theirs below
        row = Counter.objects.select_for_update(no_key=True).get(key=key, year=year)
    row.last += 1
    Counter.objects.filter(pk=row.pk).update(last=row.last)
    return row.last


def document_number(kind_mark: str, key: str, day: dt.date) -> str:
    """e.g. ``葛审受〔2026〕000012号`` (official document style: prefix, year, sequence)."""
    n = next_number(key, day.year)
    return f"{doc_prefix()}{kind_mark}〔{day.year}〕{n:06d}号"


# --- who is acting ----------------------------------------------------------------------------


def actor_name(user) -> str:
    if user is None:
        return current_actor().display_name
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()


def can_view(scope: Scope, app: Application) -> bool:
    """Python twin of ``Application.restrict_queryset(…, "view")`` for a locked row."""
    if scope.is_admin or scope.has_role(*APPROVAL_STAFF_ROLES, *READ_ONLY_ROLES):
        return True
    return app.applicant_id in scope.party_ids


def _may_change(scope: Scope, app) -> bool:
    """Python twin of ``Application.restrict_queryset(…, "change")``."""
    if scope.is_admin or scope.has_role(*APPROVAL_STAFF_ROLES):
        return True
    party_id = getattr(app, "applicant_id", None) or getattr(app, "holder_id", None)
    return party_id in scope.party_ids


def lock_application(application_id, user) -> Application:
    """The application row, locked, with the rows the rules need; 404 outside the caller's
    scope."""
    try:
        app = (
            Application.objects.select_for_update(of=("self",), no_key=True)
            .select_related("power", "power_version", "applicant", "route_policy")
            .get(pk=application_id)
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("申请 %(id)s 不存在") % {"id": application_id})
    if user is not None and not can_view(Scope.of(user), app):
        raise NotFound(_("申请 %(id)s 不存在") % {"id": application_id})
    if user is not None and not _may_change(Scope.of(user), app):
        # a watcher (supervisor, command centre) sees the application but acts on nothing:
        # 403 whatever the state (docs/security.md, the permission matrix)
        raise Forbidden(_("您只能查看此申请，不能办理"))
    return app


def acting_staff(obj, on: dt.date | None = None):
    """Who decides today for ``obj`` (an application or licence, anything with ``power_id``):
    the item's post in the responsibility list — the A role, or the B role while the holder
    is absent (业务AB角). None if the item names no post or both are away."""
    resp = (
        Responsibility.objects.select_related("post__holder", "post__backup")
        .filter(power_id=obj.power_id)
        .first()
    )
    if resp is None or resp.post is None:
        return None
    return resp.post.acting_staff(on)


def actors_for(user, app, *, need_responsible: bool, party_id: int | None = None) -> set[Actor]:
    """The capacities in which ``user`` acts on ``app`` (an application or a licence)."""
    if user is None:
        return {Actor.SYSTEM}
    scope = Scope.of(user)
    kinds: set[Actor] = set()
    party_id = party_id if party_id is not None else app.applicant_id
    if party_id in scope.party_ids:
        kinds.add(Actor.APPLICANT)
    if scope.has_role(Role.WINDOW_CLERK):
        kinds.add(Actor.CLERK)
    if scope.has_role(Role.BUREAU_HEAD):
        kinds.add(Actor.HEAD)
    if need_responsible and scope.staff_id is not None:
        staff = acting_staff(app)
        if staff is not None and staff.pk == scope.staff_id:
            kinds.add(Actor.RESPONSIBLE)
    return kinds


def authorize(app: Application, action: str, user, *, target: str | None = None):
    """The transition row and the capacity in which ``user`` performs it, or an error: 409
    if the state does not allow the action, 403 if the caller may not perform it."""
    transition = workflow.transition_for(action, app.status, target)
    actors = actors_for(user, app, need_responsible=Actor.RESPONSIBLE in transition.actors)
    if Actor.RESPONSIBLE in transition.actors and not actors & transition.actors:
        staff = acting_staff(app)
        if staff is None:
            raise Forbidden(_("该事项在责任清单中没有在岗的责任人（A角、B角均不在岗或未指定岗位）"))
    actor = workflow.check_actor(transition, actors)
    return transition, actor


def require_actor(
    app, user, allowed: set[Actor], what: str, *, party_id: int | None = None
) -> Actor:
    """For actions that change an application (or licence) without moving its status."""
    actors = actors_for(user, app, need_responsible=Actor.RESPONSIBLE in allowed, party_id=party_id)
    for actor in (Actor.SYSTEM, Actor.RESPONSIBLE, Actor.HEAD, Actor.CLERK, Actor.APPLICANT):
        if actor in actors and actor in allowed:
            return actor
    who = "、".join(workflow.ACTOR_LABELS[a] for a in sorted(allowed))
    raise Forbidden(_("“%(what)s”只能由%(who)s执行") % {"what": what, "who": who})


def set_status(
    app: Application,
    transition: workflow.Transition,
    actor: Actor,
    user,
    *,
    note: str = "",
    fields: dict | None = None,
) -> StatusChange:
    """Append the status change and point the application at it (one INSERT, one UPDATE)."""
    change = StatusChange.objects.create(
        application=app,
        from_status=app.status,
        to_status=transition.target,
        action=transition.action,
        article=transition.article,
        actor_kind=actor.value,
        user=user,
        actor_name=actor_name(user)[:200],
        note=note,
    )
    app.status = transition.target
    app.current_change = change
    update = ["status", "current_change"]
    for name, value in (fields or {}).items():
        setattr(app, name, value)
        update.append(name)
    app.save(update_fields=update)
    return change


def record_transition(app: Application, change: StatusChange, after: dict | None = None):
    journal.record(
        f"approvals.application.{change.action}",
        app,
        before={"status": change.from_status},
        after={"status": change.to_status, **(after or {})},
    )


# --- policy -----------------------------------------------------------------------------------


def approval_class_of(app: Application) -> str:
    """Unclassified items are handled as controlled: the safe default (ordinary route only)."""
    return app.power_version.approval_class or ApprovalClass.CONTROLLED.value


def rule_for(app: Application) -> RoutePolicyRule:
    """The policy row for the application: the version it started under × the item's class ×
    the applicant's credit tier now (a tier that worsens during handling applies at once)."""
    klass = approval_class_of(app)
    rule = RoutePolicyRule.objects.filter(
        policy_id=app.route_policy_id,
        approval_class=klass,
        credit_tier=app.applicant.credit_tier,
    ).first()
    if rule is None:
        raise DomainError(
            _("办理路径政策未规定%(klass)s事项对%(tier)s级申请人的办理方式")
            % {"klass": ApprovalClass(klass).label, "tier": app.applicant.credit_tier},
            code="policy_missing",
        )
    return rule


# --- events -----------------------------------------------------------------------------------


def event_payload(app: Application, **extra) -> dict:
    """What a verification planner needs to know about an application."""
    version = app.power_version
    return {
        "application_id": app.pk,
        "application_number": app.number,
        "party_id": app.applicant_id,
        "credit_tier": app.applicant.credit_tier,
        "power_id": app.power_id,
        "item_code": app.power.code,
        "item_name": version.name,
        "approval_class": approval_class_of(app),
        "route": app.route,
        "status": app.status,
        "route_policy_version": app.route_policy.version if app.route_policy_id else None,
        **extra,
    }


def deferred_payload(app: Application) -> list[dict]:
    from ..choices import CommitmentStatus
    from ..models import DeferredMaterial

    rows = (
        DeferredMaterial.objects.filter(commitment__application=app)
        .exclude(commitment__status=CommitmentStatus.WITHDRAWN)
        .select_related("submission__material", "commitment")
        .order_by("due_on", "id")
    )
    return [
        {
            "material_id": d.submission.material_id,
            "name": d.submission.material.name,
            "due_on": d.due_on.isoformat(),
            "kind": d.commitment.kind,
            "supplemented": d.supplemented_at is not None,
        }
        for d in rows
    ]


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", field_errors={field: [message]})
    return value
