"""Leads (案件线索): received from verification, complaints, grid reports and inspections; each
is decided within the policy's period (local rule: 15 working days) — a case is opened
(``opening.open_case``) or it is dismissed in writing."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shenguan.catalog.models import Power
from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.org.choices import SectionKind
from shenguan.org.models import Section
from shenguan.parties.models import Party

from ...common.base import require_text, staff_of, today
from ...common.policy import policy_in_force
from ...common.scope import OFFICER_ROLES, OVERSEER_ROLES, can_view_squad, require_change
from .. import deadlines, workflow
from ..choices import LeadSource, LeadStatus
from ..models import CaseLead

# Who may register a lead, and from which sources (grid workers report their grid's problems;
# the command centre takes complaints; the bureau's own staff record any lead).
LEAD_SOURCES_BY_ROLE = {
    Role.ENFORCEMENT_OFFICER: set(LeadSource.values),
    Role.BUREAU_HEAD: set(LeadSource.values),
    Role.LEGAL_REVIEWER: set(LeadSource.values),
    Role.COMMAND_CENTRE: {LeadSource.COMPLAINT, LeadSource.GRID_REPORT, LeadSource.REFERRAL},
    Role.GRID_WORKER: {LeadSource.GRID_REPORT},
}


def _check_source_allowed(user, source: str) -> Scope | None:
    if user is None:
        return None
    scope = Scope.of(user)
    if scope.is_admin:
        return scope
    allowed = set()
    for role, sources in LEAD_SOURCES_BY_ROLE.items():
        if scope.has_role(role):
            allowed |= sources
    if source not in allowed:
        raise Forbidden(
            _("您不能登记“%(s)s”线索") % {"s": LeadSource(source).label}, code="lead_source"
        )
    return scope


def squad_for(party: Party | None, squad_id: int | None = None) -> Section | None:
    """The squad that handles a lead: the one named, else the squad of the party's grid."""
    if squad_id:
        squad = Section.objects.filter(pk=squad_id, kind=SectionKind.SQUAD).first()
        if squad is None:
            raise DomainError(_("承办中队不存在"), code="invalid_squad")
        return squad
    if party is not None and party.grid_id and party.grid.squad_id:
        return party.grid.squad
    return None


def receive_lead(
    source: str,
    *,
    description: str,
    party_id: int | None = None,
    power_id: int | None = None,
    squad_id: int | None = None,
    source_type: str = "",
    source_id: str | int = "",
    reporter: str = "",
    payload: dict | None = None,
    user=None,
) -> CaseLead:
    """Register a lead. A lead from another app's record (``source_type``/``source_id``) is
    registered once: a second call returns the first lead (receivers are idempotent)."""
    if source not in LeadSource.values:
        raise DomainError(_("未知的线索来源"), code="invalid_source")
    description = require_text(description, "description", _("须写明线索内容"))
    scope = _check_source_allowed(user, source)
    source_id = str(source_id or "")
    if source_id and not source_type:
        raise DomainError(_("来源记录须同时给出类型和ID"), code="invalid_source_ref")
    with transaction.atomic():
        if source_id:
            existing = CaseLead.objects.filter(source_type=source_type, source_id=source_id).first()
            if existing is not None:
                return existing
        party = None
        if party_id is not None:
            party = Party.objects.select_related("grid").filter(pk=party_id).first()
            if party is None:
                raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
            if scope is not None and not Party.objects.filter(pk=party.pk).restrict(user).exists():
                raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
        if power_id is not None and not Power.objects.filter(pk=power_id).exists():
            raise NotFound(_("事项 %(id)s 不存在") % {"id": power_id})
        squad = squad_for(party, squad_id)
        if squad is None and scope is not None and scope.has_role(*OFFICER_ROLES):
            me = staff_of(user)
            if me is not None and me.section_id and me.section.kind == SectionKind.SQUAD:
                squad = me.section
        day = today()
        policy = policy_in_force(day)
        lead = CaseLead(
            source=source,
            source_type=source_type[:100],
            source_id=source_id,
            party=party,
            power_id=power_id,
            squad=squad,
            description=description,
            reporter=(reporter or "").strip()[:100],
            payload=payload or {},
            received_on=day,
            open_due_on=deadlines.lead_open_due(day, policy.lead_open_working_days),
            created_by=user,
        )
        try:
            with transaction.atomic():
                lead.save()
        except IntegrityError:
            # the same source record arrived concurrently: theirs is the lead
            existing = CaseLead.objects.filter(source_type=source_type, source_id=source_id)
            if source_id and existing.exists():
                return existing.get()
            raise
        journal.record("enforcement.lead.received", lead, after=journal.snapshot(lead))
        outbox.emit("enforcement.lead.received", lead, lead_payload(lead))
        return lead


def lead_payload(lead: CaseLead, **extra) -> dict:
    return {
        "lead_id": lead.pk,
        "source": lead.source,
        "source_type": lead.source_type,
        "source_id": lead.source_id,
        "party_id": lead.party_id,
        "power_id": lead.power_id,
        "squad_id": lead.squad_id,
        "status": lead.status,
        "open_due_on": lead.open_due_on,
        **extra,
    }


def lock_lead(lead_id, user) -> CaseLead:
    try:
        lead = (
            CaseLead.objects.select_for_update(of=("self",), no_key=True)
            .select_related("party", "squad")
            .get(pk=lead_id)
        )
    except (CaseLead.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("线索 %(id)s 不存在") % {"id": lead_id})
    if user is not None:
        scope = Scope.of(user)
        if not can_view_squad(scope, lead.squad_id):
            raise NotFound(_("线索 %(id)s 不存在") % {"id": lead_id})
        require_change(scope, lead.squad_id, _("线索"))
    return lead


def _lead_actor(user, transition) -> None:
    if user is None:
        return
    scope = Scope.of(user)
    actors = set()
    if scope.has_role(*OFFICER_ROLES):
        actors.add(workflow.Actor.OFFICER)
    if scope.has_role(Role.BUREAU_HEAD):
        actors.add(workflow.Actor.HEAD)
    if scope.has_role(Role.LEGAL_REVIEWER):
        actors.add(workflow.Actor.LEGAL)
    workflow.check_actor(transition, actors)


def assign_lead(lead_id: int, *, squad_id: int, user=None) -> CaseLead:
    """Give a lead to a squad (a lead whose party has no grid arrives without one)."""
    with transaction.atomic():
        lead = lock_lead(lead_id, user)
        transition = workflow.lead_transition("assign_lead", lead.status)
        _lead_actor(user, transition)
        squad = squad_for(None, squad_id)
        before = lead.squad_id
        lead.squad = squad
        lead.save(update_fields=["squad"])
        journal.record(
            "enforcement.lead.assigned", lead, before={"squad": before}, after={"squad": squad.pk}
        )
        outbox.emit("enforcement.lead.assigned", lead, lead_payload(lead))
        return lead


def dismiss_lead(lead_id: int, *, reason: str, user=None) -> CaseLead:
    """Not opened (不予立案), with the reasons in writing."""
    reason = require_text(reason, "reason", _("须写明不予立案的理由"))
    with transaction.atomic():
        lead = lock_lead(lead_id, user)
        transition = workflow.lead_transition("dismiss_lead", lead.status)
        _lead_actor(user, transition)
        if user is not None and not Scope.of(user).has_role(*OFFICER_ROLES, *OVERSEER_ROLES):
            raise Forbidden(_("只有执法人员或负责人可以作出不予立案决定"))
        lead.status = LeadStatus.DISMISSED
        lead.dismissal_reason = reason
        lead.closed_on = today()
        lead.save(update_fields=["status", "dismissal_reason", "closed_on"])
        journal.record(
            "enforcement.lead.dismissed",
            lead,
            before={"status": transition.source},
            after={"status": lead.status, "reason": reason},
        )
        outbox.emit("enforcement.lead.dismissed", lead, lead_payload(lead, reason=reason))
        return lead


def ensure_open(lead: CaseLead) -> None:
    if lead.status != LeadStatus.RECEIVED:
        raise Conflict(
            _("线索当前状态为“%(s)s”，不能立案") % {"s": LeadStatus(lead.status).label},
            code="lead_closed",
        )


__all__ = [
    "assign_lead",
    "dismiss_lead",
    "ensure_open",
    "lead_payload",
    "lock_lead",
    "receive_lead",
    "squad_for",
]
