"""Opening a case and the investigation: officers (art 42), recusal (art 43), evidence
(art 46, 55), the extension of the decision period (art 60), termination and transfer."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shenguan.catalog.choices import EnforcementClass, PowerKind
from shenguan.catalog.models import Power
from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError, NotFound
from shenguan.org.models import Staff
from shenguan.parties.models import Party

from ...common.base import (
    check_two_officers,
    issue_document,
    number,
    require_certified_officer,
    require_text,
    staff_of,
    today,
)
from ...common.policy import policy_in_force
from ...evidence import services as evidence
from .. import deadlines, documents, workflow
from ..choices import CaseProcedure, CaseStatus, LeadStatus
from ..models import CaseOfficer, PenaltyCase
from ._base import (
    active_officer_ids,
    authorize,
    lock_case,
    officers_for,
    record,
    set_status,
)
from .leads import ensure_open, lead_payload, lock_lead


def penalty_power(power_id: int) -> Power:
    power = Power.objects.filter(pk=power_id).first()
    if power is None:
        raise NotFound(_("处罚事项 %(id)s 不存在") % {"id": power_id})
    version = power.current or power.latest
    klass = (version.enforcement_class if version else "") or power.kind
    if klass != EnforcementClass.PENALTY and power.kind != PowerKind.PENALTY:
        raise DomainError(_("%(p)s 不是行政处罚事项") % {"p": power}, code="not_a_penalty_power")
    return power


def squad_officers(officer_ids, actor: Staff, squad_id: int, what: str) -> list[Staff]:
    """Two or more certified officers of the squad, the acting one among them."""
    eligible = set(
        Staff.objects.filter(section_id=squad_id, is_active=True).values_list("pk", flat=True)
    )
    return check_two_officers(officer_ids, actor=actor, eligible=eligible, what=what)


def open_case(
    lead_id: int,
    *,
    power_id: int,
    title: str,
    officer_ids: list[int],
    party_id: int | None = None,
    facts: str = "",
    public_interest: bool = False,
    complex: bool = False,
    late_reason: str = "",
    user=None,
) -> PenaltyCase:
    """立案 (art 54): a lead becomes a case under the policy in force today, investigated by at
    least two certified officers of the squad (art 42). A lead older than the policy's period
    (local rule: 15 working days) is opened only with a written reason for the delay."""
    title = require_text(title, "title", _("须写明案由"))
    with transaction.atomic():
        lead = lock_lead(lead_id, user)
        ensure_open(lead)
        lead_step = workflow.lead_transition("open_case", lead.status)
        case_step = workflow.transition_for("open_case", workflow.START)[0]
        me = require_certified_officer(user, _("立案")) if user is not None else None
        if lead.squad_id is None:
            raise Conflict(_("线索尚未分派承办中队"), code="lead_unassigned")
        party_id = party_id or lead.party_id
        if party_id is None:
            raise DomainError(
                _("须确定当事人"), code="party_required", field_errors={"party_id": ["?"]}
            )
        party = Party.objects.filter(pk=party_id).first()
        if party is None:
            raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
        power = penalty_power(power_id)
        day = today()
        late_reason = (late_reason or "").strip()
        if day > lead.open_due_on and not late_reason:
            raise DomainError(
                _("已超过立案审查期限（%(d)s），须写明逾期立案的理由") % {"d": lead.open_due_on},
                code="open_late",
                field_errors={"late_reason": [_("须写明逾期理由")]},
            )
        officers = (
            squad_officers(officer_ids, me, lead.squad_id, _("立案调查"))
            if me is not None
            else check_two_officers(officer_ids, actor=None, eligible=None, what=_("立案调查"))
        )
        policy = policy_in_force(day)
        case = PenaltyCase.objects.create(
            number=number("案", "case_number", day),
            procedure=CaseProcedure.GENERAL,
            status=CaseStatus.OPENED,
            lead=lead,
            party=party,
            power=power,
            power_version=power.current or power.latest,
            squad_id=lead.squad_id,
            policy=policy,
            title=title[:300],
            facts=facts,
            public_interest=bool(public_interest),
            complex=bool(complex),
            opened_on=day,
            open_late_reason=late_reason,
            decision_due_on=deadlines.decision_due(day),
        )
        CaseOfficer.objects.bulk_create(
            [CaseOfficer(case=case, staff=s, assigned_on=day) for s in officers]
        )
        doc = issue_document("case_opening", documents.opening(case, officers), owner=case)
        actor = workflow.Actor.OFFICER if me else workflow.Actor.SYSTEM
        step = set_status(case, case_step, actor, user, officers=officers, document=doc)
        record(case, step, {"decision_due_on": case.decision_due_on, "document": doc.number})
        lead.status = LeadStatus.OPENED
        lead.closed_on = day
        lead.save(update_fields=["status", "closed_on"])
        journal.record(
            "enforcement.lead.opened",
            lead,
            before={"status": lead_step.source},
            after={"status": lead.status, "case": case.number},
        )
        outbox.emit("enforcement.lead.opened", lead, lead_payload(lead, case_id=case.pk))
        return case


def start_investigation(case_id: int, *, officer_ids: list[int], user=None) -> PenaltyCase:
    """Two officers start the investigation, showing their IDs (art 42, 55)."""
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "start_investigation", user)
        officers = officers_for(case, transition, actor, user, officer_ids, _("调查"))
        step = set_status(case, transition, actor, user, officers=officers)
        record(case, step, {"officers": [o.pk for o in officers]})
        return case


def add_evidence(
    case_id: int,
    *,
    content,
    filename: str,
    place: str,
    officer_ids: list[int],
    description: str = "",
    taken_at=None,
    latitude=None,
    longitude=None,
    user=None,
):
    """Evidence collected by two officers (art 46, 55); stored with its checksum."""
    with evidence.upload(content, filename) as prepared, transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "add_evidence", user)
        officers = officers_for(case, transition, actor, user, officer_ids, _("调查取证"))
        item = evidence.store(
            prepared,
            owner=case,
            captured_by=officers[0],
            officers=officers,
            place=place,
            taken_at=taken_at,
            description=description,
            latitude=latitude,
            longitude=longitude,
        )
        step = set_status(
            case, transition, actor, user, officers=officers, note=f"{item.original_name}"
        )
        record(case, step, {"evidence": item.pk, "sha256": item.sha256})
        return item


def recuse_officer(case_id: int, *, staff_id: int, reason: str, user=None) -> PenaltyCase:
    """The head decides a recusal (art 43); the investigation goes on meanwhile. At least two
    officers must remain, or another must be assigned first."""
    reason = require_text(reason, "reason", _("须写明回避理由"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "recuse_officer", user)
        row = (
            CaseOfficer.objects.select_for_update(no_key=True)
            .filter(case=case, staff_id=staff_id, recused_on__isnull=True)
            .first()
        )
        if row is None:
            raise NotFound(_("该执法人员不是本案的承办人员"))
        if len(active_officer_ids(case)) - 1 < 2:
            raise DomainError(
                _("回避后本案承办人员将少于两人，请先指派其他执法人员（行政处罚法第四十二条）"),
                code="two_officers",
            )
        row.recused_on, row.recusal_reason = today(), reason
        row.save(update_fields=["recused_on", "recusal_reason"])
        step = set_status(case, transition, actor, user, note=f"{row.staff.name}：{reason}")
        record(case, step, {"recused": staff_id, "reason": reason})
        return case


def assign_officer(case_id: int, *, staff_id: int, user=None) -> PenaltyCase:
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "assign_officer", user)
        staff = Staff.objects.filter(pk=staff_id).first()
        if staff is None or not staff.is_certified:
            raise DomainError(
                _("只能指派持有有效执法证件的执法人员（行政处罚法第四十二条）"),
                code="not_certified",
            )
        if CaseOfficer.objects.filter(case=case, staff=staff).exists():
            raise Conflict(_("%(n)s 已是或曾是本案承办人员") % {"n": staff.name})
        CaseOfficer.objects.create(case=case, staff=staff, assigned_on=today())
        step = set_status(case, transition, actor, user, officers=[staff])
        record(case, step, {"assigned": staff.pk})
        return case


def extend_deadline(case_id: int, *, reason: str, user=None) -> PenaltyCase:
    """+30 days (local rule) with the head's approval, once, before the 90 days run out."""
    reason = require_text(reason, "reason", _("须写明延期理由"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, "extend_deadline", user)
        if case.extended_on is not None:
            raise Conflict(_("办案期限只能延长一次"), code="already_extended")
        day = today()
        if day > case.decision_due_on:
            raise DomainError(
                _("决定期限已于%(d)s届满，不能再批准延期（行政处罚法第六十条）")
                % {"d": case.decision_due_on},
                code="decision_overdue",
            )
        previous = case.decision_due_on
        case.extended_on, case.extension_reason = day, reason
        case.decision_due_on = deadlines.decision_due(
            case.opened_on, case.policy.decision_extension_days
        )
        doc = issue_document("extension", documents.extension(case, previous), owner=case)
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[s for s in [staff_of(user)] if s],
            note=reason,
            document=doc,
            fields={
                "extended_on": day,
                "extension_reason": reason,
                "decision_due_on": case.decision_due_on,
            },
        )
        record(case, step, {"decision_due_on": case.decision_due_on, "previous": previous})
        return case


def _close_with(case_id, action: str, *, reason: str, user, kind: str) -> PenaltyCase:
    reason = require_text(reason, "reason", _("须写明理由"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, action, user)
        day = today()
        doc = issue_document(kind, documents.closing(case, reason), owner=case)
        step = set_status(
            case,
            transition,
            actor,
            user,
            note=reason,
            document=doc,
            fields={"closed_on": day, "closing_note": reason},
        )
        record(case, step, {"reason": reason})
        return case


def terminate(case_id: int, *, reason: str, user=None) -> PenaltyCase:
    """The facts cannot be established: the case is dropped before a proposal (art 57 (3))."""
    return _close_with(case_id, "terminate", reason=reason, user=user, kind="closing")


def transfer(case_id: int, *, reason: str, user=None) -> PenaltyCase:
    """A suspected crime goes to the judicial organs (art 57 (4), 82)."""
    return _close_with(case_id, "transfer", reason=reason, user=user, kind="transfer")
