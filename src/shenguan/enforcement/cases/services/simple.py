"""The simple procedure (简易程序): a penalty decided on the spot (行政处罚法 art 51-53)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shenguan.core.errors import NotFound
from shenguan.parties.models import Party

from ...common.base import issue_document, number, require_certified_officer, require_text, today
from ...common.policy import policy_in_force
from .. import deadlines, documents, workflow
from ..choices import SIMPLE_SANCTIONS, CaseProcedure, CaseStatus, DecisionOutcome, Sanction
from ..models import CaseOfficer, PenaltyCase
from ._base import is_person, record, refuse, set_status
from .decision import decision_facts
from .opening import penalty_power, squad_officers
from .proposal import parse_amount


def decide_on_the_spot(
    *,
    party_id: int,
    power_id: int,
    facts: str,
    violated_provision: str,
    penalty_basis: str,
    sanction: str,
    fine_amount=None,
    place: str,
    officer_ids: list[int],
    user,
) -> PenaltyCase:
    """A warning, or a fine up to 200 yuan for a person or 3,000 yuan for an organisation, on
    clear facts with a legal basis (art 51); two officers show their IDs and hand over a
    numbered decision at once (art 42, 52); the decision is filed with the bureau."""
    facts = require_text(facts, "facts", _("须写明违法事实"))
    violated_provision = require_text(
        violated_provision, "violated_provision", _("须写明违反的条款")
    )
    penalty_basis = require_text(
        penalty_basis, "penalty_basis", _("须写明处罚依据（简易程序须有法定依据）")
    )
    place = require_text(place, "place", _("须写明地点"))
    if sanction not in SIMPLE_SANCTIONS:
        raise refuse(
            _("简易程序只能当场给予警告或者罚款（行政处罚法第五十一条）"),
            "simple_sanction",
            "sanction",
        )
    with transaction.atomic():
        party = Party.objects.filter(pk=party_id).first()
        if party is None or not Party.objects.filter(pk=party_id).restrict(user).exists():
            raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
        power = penalty_power(power_id)
        fine = None
        if sanction == Sanction.FINE:
            fine = parse_amount(fine_amount, "fine_amount")
            if fine is None:
                raise refuse(_("须写明罚款数额"), "fine_amount", "fine_amount")
            cap = deadlines.simple_cap(is_person(party))
            if fine > cap:
                raise refuse(
                    _(
                        "简易程序当场罚款不得超过%(cap)s元（%(who)s，行政处罚法第五十一条）；请按普通程序立案办理"
                    )
                    % {"cap": cap, "who": _("公民") if is_person(party) else _("法人或者其他组织")},
                    "simple_cap",
                    "fine_amount",
                )
        me = require_certified_officer(user, _("当场处罚"))
        if me.section_id is None:
            raise refuse(_("执法人员未编入执法中队"), "no_squad")
        target = CaseStatus.SERVED if fine else CaseStatus.CLOSED
        rows = workflow.transition_for("decide_on_the_spot", workflow.START)
        transition = next(t for t in rows if t.target == target)
        officers = squad_officers(officer_ids, me, me.section_id, _("当场处罚"))
        day = today()
        case = PenaltyCase.objects.create(
            number=number("案", "case_number", day),
            procedure=CaseProcedure.SIMPLE,
            status=target,
            party=party,
            power=power,
            power_version=power.current or power.latest,
            squad_id=me.section_id,
            policy=policy_in_force(day),
            title=(power.current or power.latest).name[:300],
            facts=facts,
            violated_provision=violated_provision,
            penalty_basis=penalty_basis,
            place=place,
            opened_on=day,
            sanctions=[sanction],
            fine_amount=fine,
            proposed_on=day,
            notified_on=day,
            notified_sanctions=[sanction],
            notified_fine=fine,
            outcome=DecisionOutcome.PENALTY,
            decided_on=day,
            decided_by=me,
            served_on=day,
            service_method="on_the_spot",
            service_due_on=day,
            payment_due_on=deadlines.payment_due(day) if fine else None,
            closed_on=None if fine else day,
            closing_note="" if fine else _("当场警告，决定书已当场交付"),
        )
        CaseOfficer.objects.bulk_create(
            [CaseOfficer(case=case, staff=s, assigned_on=day) for s in officers]
        )
        doc = issue_document("spot_decision", documents.spot_decision(case, officers), owner=case)
        case.decision_number = doc.number
        case.save(update_fields=["decision_number"])
        step = set_status(
            case, transition, workflow.Actor.OFFICER, user, officers=officers, document=doc
        )
        record(case, step, decision_facts(case), event="enforcement.case.decided")
        return case
