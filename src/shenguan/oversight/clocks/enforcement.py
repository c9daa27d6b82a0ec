"""Clocks of the enforcement bureau (DOMAIN.md §3, §6, §7):

- a lead is reviewed for opening within the local working-day limit;
- a penalty decision within 90 calendar days of opening (行政处罚法 art 60, 85), or the
  extended date;
- the decision served within 7 working days (art 61, 85);
- the fine paid within 15 calendar days of service (art 67) — when it runs out the officer
  must act (late fee, demand: 行政强制法 art 54);
- a seizure or sealing ends within 30 calendar days, or the extended date (行政强制法 art 25,
  69)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from shenguan.core import calendar
from shenguan.enforcement.cases.choices import CaseStatus, LeadStatus
from shenguan.enforcement.cases.deadlines import DECISION_DAYS, PAYMENT_DAYS, SERVICE_DAYS
from shenguan.enforcement.cases.models import CaseLead, CaseOfficer, PenaltyCase
from shenguan.enforcement.coercion.models import CoerciveMeasure, MeasureStatus

from ..choices import ClockKind
from . import Clock, provider, url_of

BEFORE_DECISION = set(CaseStatus) - {
    CaseStatus.DECIDED,
    CaseStatus.SERVED,
    CaseStatus.DEMANDED,
    CaseStatus.COURT_APPLIED,
    CaseStatus.CLOSED,
    CaseStatus.TRANSFERRED,
}


def _squad(section) -> dict:
    if section is None:
        return {}
    return {"section_id": section.pk, "department_id": section.department_id}


def _first_officers(case_ids) -> dict[int, int]:
    out: dict[int, int] = {}
    for case_id, staff_id in (
        CaseOfficer.objects.filter(case_id__in=case_ids, recused_on__isnull=True)
        .order_by("case_id", "id")
        .values_list("case_id", "staff_id")
    ):
        out.setdefault(case_id, staff_id)
    return out


@provider(
    "enforcement",
    ClockKind.LEAD_REVIEW,
    ClockKind.CASE_DECISION,
    ClockKind.CASE_SERVICE,
    ClockKind.PAYMENT,
    ClockKind.COERCIVE_MEASURE,
)
def clocks(day: dt.date):
    for lead in CaseLead.objects.filter(status=LeadStatus.RECEIVED).select_related("squad"):
        try:
            limit = calendar.working_days_between(lead.received_on, lead.open_due_on)
        except calendar.UnknownYear:
            continue
        yield Clock(
            kind=ClockKind.LEAD_REVIEW,
            object_type="enforcement.caselead",
            object_id=str(lead.pk),
            label=str(lead),
            url=url_of("enforcement:cases"),
            started_on=lead.received_on,
            due_on=lead.open_due_on,
            law=calendar.Law.WORKING,
            limit_days=max(limit, 1),
            staff_id=lead.squad.head_id if lead.squad else None,
            **_squad(lead.squad),
        )

    cases = list(
        PenaltyCase.objects.filter(
            status__in=BEFORE_DECISION | {CaseStatus.DECIDED, CaseStatus.SERVED}
        ).select_related("squad", "party")
    )
    officers = _first_officers([c.pk for c in cases])
    for case in cases:
        common = {
            "object_type": "enforcement.penaltycase",
            "object_id": str(case.pk),
            "label": f"{case.number} {case.party.name}",
            "url": url_of("enforcement:case", case.pk),
            "staff_id": officers.get(case.pk) or case.squad.head_id,
            "grid_id": case.party.grid_id,
            **_squad(case.squad),
        }
        if case.status in BEFORE_DECISION and case.decision_due_on:
            yield Clock(
                kind=ClockKind.CASE_DECISION,
                started_on=case.opened_on,
                due_on=case.decision_due_on,
                law=calendar.Law.PENALTY,
                limit_days=max(DECISION_DAYS, (case.decision_due_on - case.opened_on).days),
                **common,
            )
        elif case.status == CaseStatus.DECIDED and case.decided_on and case.service_due_on:
            yield Clock(
                kind=ClockKind.CASE_SERVICE,
                started_on=case.decided_on,
                due_on=case.service_due_on,
                law=calendar.Law.PENALTY,
                limit_days=SERVICE_DAYS,
                **common,
            )
        elif (
            case.status == CaseStatus.SERVED
            and case.served_on
            and case.payment_due_on
            and case.paid_on is None
            and case.fine_amount
        ):
            yield Clock(
                kind=ClockKind.PAYMENT,
                started_on=case.served_on,
                due_on=case.payment_due_on,
                law=calendar.Law.PENALTY,
                limit_days=PAYMENT_DAYS,
                **common,
            )

    for m in CoerciveMeasure.objects.filter(
        status=MeasureStatus.IN_FORCE, starts_on__isnull=False, ends_on__isnull=False
    ).select_related("squad", "party", "case"):
        staff_id = next((o.get("id") for o in m.officers or [] if o.get("id")), None)
        yield Clock(
            kind=ClockKind.COERCIVE_MEASURE,
            object_type="enforcement.coercivemeasure",
            object_id=str(m.pk),
            label=_("%(kind)s %(number)s %(party)s")
            % {"kind": m.get_kind_display(), "number": m.number, "party": m.party.name},
            url=url_of("enforcement:case", m.case_id) if m.case_id else "",
            started_on=m.starts_on,
            due_on=m.ends_on,
            law=calendar.Law.COERCION,
            limit_days=max(30, (m.ends_on - m.starts_on).days),  # 行政强制法 art 25
            staff_id=staff_id or m.squad.head_id,
            grid_id=m.party.grid_id,
            **_squad(m.squad),
        )
