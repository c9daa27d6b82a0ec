"""What every case service shares: locking within the caller's scope, who is acting, the step
record (status history, journal, outbox) and the event payload."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.parties.choices import PartyKind

from ...common.base import actor_name, check_two_officers, officers_record, staff_of
from ...common.scope import can_view_squad, require_change
from .. import workflow
from ..models import CaseOfficer, CaseStep, PenaltyCase
from ..workflow import Actor


def lock_case(case_id, user) -> PenaltyCase:
    """The case row, locked; 404 outside the caller's scope, 403 for watchers."""
    try:
        case = (
            PenaltyCase.objects.select_for_update(of=("self",), no_key=True)
            .select_related("party", "power", "power_version", "squad", "policy", "lead")
            .get(pk=case_id)
        )
    except (PenaltyCase.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("案件 %(id)s 不存在") % {"id": case_id})
    if user is not None:
        scope = Scope.of(user)
        if not can_view_squad(scope, case.squad_id):
            raise NotFound(_("案件 %(id)s 不存在") % {"id": case_id})
        require_change(scope, case.squad_id, _("案件"))
    return case


def active_officer_ids(case: PenaltyCase) -> set[int]:
    return set(
        CaseOfficer.objects.filter(case=case, recused_on__isnull=True).values_list(
            "staff_id", flat=True
        )
    )


def actors_for(user, case: PenaltyCase | None) -> set[Actor]:
    if user is None:
        return {Actor.SYSTEM}
    scope = Scope.of(user)
    kinds: set[Actor] = set()
    if scope.has_role(Role.BUREAU_HEAD):
        kinds.add(Actor.HEAD)
    if scope.has_role(Role.LEGAL_REVIEWER):
        kinds.add(Actor.LEGAL)
    if (
        scope.has_role(Role.ENFORCEMENT_OFFICER)
        and scope.staff_id is not None
        and (case is None or scope.staff_id in active_officer_ids(case))
    ):
        kinds.add(Actor.OFFICER)
    return kinds


def authorize(case: PenaltyCase, action: str, user, *, target: str | None = None):
    """The transition row and the capacity in which ``user`` takes it: 409 if the state does
    not allow the action, 403 if the caller may not take it."""
    rows = workflow.transition_for(action, case.status)
    if target is not None:
        rows = [t for t in rows if t.target == target] or rows
    transition = rows[0]
    actor = workflow.check_actor(transition, actors_for(user, case))
    return transition, actor


def officers_for(case: PenaltyCase, transition, actor: Actor, user, officer_ids, what: str):
    """The officers present at a two-officer step (行政处罚法 art 42): at least two of the
    case's officers, the acting one among them. Other steps: whoever acts, if an officer."""
    me = staff_of(user)
    if transition.two_officers:
        return check_two_officers(
            officer_ids,
            actor=me if actor == Actor.OFFICER else None,
            eligible=active_officer_ids(case),
            what=what,
        )
    return [me] if me is not None else []


def set_status(
    case: PenaltyCase,
    transition,
    actor: Actor,
    user,
    *,
    officers=(),
    note: str = "",
    fields: dict | None = None,
    document=None,
) -> CaseStep:
    """Append the step and point the case at it (one INSERT, one UPDATE)."""
    step = CaseStep.objects.create(
        case=case,
        action=transition.action,
        from_status="" if transition.source == workflow.START else transition.source,
        to_status=transition.target,
        article=transition.article,
        actor_kind=actor.value,
        user=user,
        actor_name=actor_name(user)[:200],
        officers=officers_record(officers),
        note=note,
        document=document,
    )
    case.status = transition.target
    case.current_step = step
    update = ["status", "current_step"]
    for name, value in (fields or {}).items():
        setattr(case, name, value)
        update.append(name)
    case.save(update_fields=update)
    return step


def record(case: PenaltyCase, step: CaseStep, after: dict | None = None, *, event: str = ""):
    """Journal the step and emit its event (``enforcement.case.<action>``)."""
    journal.record(
        f"enforcement.case.{step.action}",
        case,
        before={"status": step.from_status} if step.from_status else None,
        after={"status": step.to_status, **(after or {})},
    )
    outbox.emit(
        event or f"enforcement.case.{step.action}",
        case,
        payload(case, action=step.action, article=step.article, **(after or {})),
    )


def payload(case: PenaltyCase, **extra) -> dict:
    return {
        "case_id": case.pk,
        "case_number": case.number,
        "procedure": case.procedure,
        "status": case.status,
        "party_id": case.party_id,
        "party_kind": case.party.kind,
        "power_id": case.power_id,
        "item_code": case.power.code,
        "squad_id": case.squad_id,
        "lead_id": case.lead_id,
        **extra,
    }


def is_person(case_or_party) -> bool:
    party = getattr(case_or_party, "party", case_or_party)
    return party.kind == PartyKind.INDIVIDUAL


def refuse(message: str, code: str, field: str | None = None) -> DomainError:
    return DomainError(message, code=code, field_errors={field: [message]} if field else None)
