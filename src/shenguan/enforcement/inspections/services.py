"""State changes of inspections. The verification app creates its tasks' inspections with
``create_inspection(source="verification", source_type="verification.task", source_id=…)`` and
learns the outcome from the event ``enforcement.inspection.completed`` (payload: see
``inspection_payload``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.catalog.models import Power
from shenguan.core import calendar, journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.org.choices import SectionKind
from shenguan.org.models import Section, Staff
from shenguan.parties.models import Party

from ..cases import deadlines
from ..cases.choices import LeadSource
from ..common.base import (
    check_two_officers,
    issue_document,
    number,
    officers_record,
    require_certified_officer,
    require_text,
    staff_of,
    today,
)
from ..common.scope import can_view_squad, require_change
from ..evidence import services as evidence
from . import workflow
from .models import (
    Answer,
    Checklist,
    ChecklistAnswer,
    Inspection,
    InspectionOfficer,
    InspectionResult,
    InspectionSource,
    InspectionStatus,
    RectificationOrder,
    RectificationStatus,
)

S = InspectionStatus


def _checklist_for(power_id: int | None, checklist_id: int | None) -> Checklist:
    if checklist_id:
        found = Checklist.objects.filter(pk=checklist_id, is_active=True).first()
        if found is None:
            raise NotFound(_("检查单 %(id)s 不存在") % {"id": checklist_id})
        return found
    if power_id:
        found = Checklist.objects.filter(power_id=power_id, is_active=True).first()
        if found is not None:
            return found
    found = Checklist.objects.filter(code="default").first()
    if found is None:
        raise DomainError(_("没有通用检查单"), code="checklist_missing")
    return found


def _squad(squad_id, party, user) -> Section:
    if squad_id:
        squad = Section.objects.filter(pk=squad_id, kind=SectionKind.SQUAD).first()
        if squad is None:
            raise DomainError(_("承办中队不存在"), code="invalid_squad")
        return squad
    if party is not None and party.grid_id and party.grid.squad_id:
        return party.grid.squad
    me = staff_of(user)
    if me is not None and me.section_id and me.section.kind == SectionKind.SQUAD:
        return me.section
    raise DomainError(_("须指定承办中队"), code="squad_required", field_errors={"squad_id": ["?"]})


def _squad_officers(officer_ids, squad: Section, actor, what) -> list[Staff]:
    eligible = set(Staff.objects.filter(section=squad, is_active=True).values_list("pk", flat=True))
    return check_two_officers(officer_ids, actor=actor, eligible=eligible, what=what)


def create_inspection(
    *,
    source: str,
    subject: str,
    squad_id: int | None = None,
    party_id: int | None = None,
    power_id: int | None = None,
    officer_ids=(),
    due_on: dt.date | None = None,
    place: str = "",
    source_type: str = "",
    source_id: str | int = "",
    checklist_id: int | None = None,
    recheck_of: RectificationOrder | None = None,
    user=None,
) -> Inspection:
    """A task to inspect. From another app's record (``source_type``/``source_id``) it is
    created once: a second call returns the live inspection for that record. Officers, when
    given, are two or more certified members of the squad; the head may assign them later."""
    if source not in InspectionSource.values:
        raise DomainError(_("未知的任务来源"), code="invalid_source")
    subject = require_text(subject, "subject", _("须写明检查事由"))
    source_id = str(source_id or "")
    scope = Scope.of(user) if user is not None else None
    if scope is not None and not scope.has_role(
        Role.ENFORCEMENT_OFFICER, Role.BUREAU_HEAD, Role.LEGAL_REVIEWER
    ):
        raise Forbidden(_("只有执法人员或负责人可以下达检查任务"))
    with transaction.atomic():
        if source_id:
            live = (
                Inspection.objects.for_source(source_type, source_id)
                .exclude(status=S.CANCELLED)
                .first()
            )
            if live is not None:
                return live
        party = None
        if party_id is not None:
            party = Party.objects.select_related("grid__squad").filter(pk=party_id).first()
            if party is None:
                raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
        if power_id is not None and not Power.objects.filter(pk=power_id).exists():
            raise NotFound(_("事项 %(id)s 不存在") % {"id": power_id})
        squad = _squad(squad_id, party, user)
        if scope is not None:
            require_change(scope, squad.pk, _("该中队的检查"))
        officers = []
        if officer_ids:
            me = (
                staff_of(user)
                if scope is not None and scope.has_role(Role.ENFORCEMENT_OFFICER)
                else None
            )
            officers = _squad_officers(officer_ids, squad, me, _("检查"))
        checklist = _checklist_for(power_id, checklist_id)
        day = today()
        insp = Inspection.objects.create(
            number=number("查", "inspection_number", day),
            source=source,
            source_type=source_type[:100],
            source_id=source_id,
            party=party,
            power_id=power_id,
            checklist=checklist,
            squad=squad,
            subject=subject[:300],
            place=(place or (party.grid.name if party and party.grid_id else ""))[:300],
            due_on=due_on,
            recheck_of=recheck_of,
            created_by=user,
        )
        InspectionOfficer.objects.bulk_create(
            [InspectionOfficer(inspection=insp, staff=s) for s in officers]
        )
        ChecklistAnswer.objects.bulk_create(
            [
                ChecklistAnswer(
                    inspection=insp,
                    seq=e.seq,
                    text=e.text,
                    basis=e.basis,
                    requires_evidence=e.requires_evidence,
                )
                for e in checklist.entries.order_by("seq")
            ]
        )
        journal.record("enforcement.inspection.created", insp, after=journal.snapshot(insp))
        outbox.emit("enforcement.inspection.created", insp, inspection_payload(insp))
        return insp


def inspection_payload(insp: Inspection, **extra) -> dict:
    return {
        "inspection_id": insp.pk,
        "number": insp.number,
        "source": insp.source,
        "source_type": insp.source_type,
        "source_id": insp.source_id,
        "status": insp.status,
        "result": insp.result,
        "party_id": insp.party_id,
        "power_id": insp.power_id,
        "squad_id": insp.squad_id,
        "completed_at": insp.completed_at,
        **extra,
    }


def lock_inspection(inspection_id, user) -> Inspection:
    try:
        insp = (
            Inspection.objects.select_for_update(of=("self",), no_key=True)
            .select_related("party", "squad", "power")
            .get(pk=inspection_id)
        )
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("检查 %(id)s 不存在") % {"id": inspection_id})
    if user is not None:
        scope = Scope.of(user)
        if not can_view_squad(scope, insp.squad_id):
            raise NotFound(_("检查 %(id)s 不存在") % {"id": inspection_id})
        require_change(scope, insp.squad_id, _("检查"))
    return insp


def _assigned(insp: Inspection) -> dict[int, InspectionOfficer]:
    return {
        o.staff_id: o
        for o in InspectionOfficer.objects.select_for_update(no_key=True).filter(inspection=insp)
    }


def _as_officer(insp: Inspection, user, what: str) -> tuple[Staff, dict[int, InspectionOfficer]]:
    """The caller as one of the inspection's assigned, certified officers."""
    me = require_certified_officer(user, what)
    assigned = _assigned(insp)
    if me.pk not in assigned:
        raise Forbidden(_("您不是本次检查的检查人员"), code="not_assigned")
    return me, assigned


def _log(insp: Inspection, action: str, after: dict | None = None, event: bool = False):
    journal.record(f"enforcement.inspection.{action}", insp, after=after)
    if event:
        outbox.emit(f"enforcement.inspection.{action}", insp, inspection_payload(insp))


def start_inspection(inspection_id: int, *, user) -> Inspection:
    """Two certified officers on the spot, showing their IDs (行政处罚法 art 42, 55)."""
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("start", insp.status)
        me, assigned = _as_officer(insp, user, _("检查"))
        officers = check_two_officers(
            assigned.keys(), actor=me, eligible=assigned.keys(), what=_("现场检查")
        )
        insp.status, insp.started_at = S.IN_PROGRESS, timezone.now()
        insp.save(update_fields=["status", "started_at"])
        _log(
            insp,
            "started",
            {"status": insp.status, "officers": officers_record(officers)},
            event=True,
        )
        return insp


def answer_item(
    inspection_id: int, *, seq: int, answer: str, note: str = "", user
) -> ChecklistAnswer:
    if answer not in Answer.values:
        raise DomainError(_("检查结论应为符合、不符合或不适用"), code="invalid_answer")
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("answer", insp.status)
        me, _assigned_ = _as_officer(insp, user, _("检查"))
        row = (
            ChecklistAnswer.objects.select_for_update(no_key=True)
            .filter(inspection=insp, seq=seq)
            .first()
        )
        if row is None:
            raise NotFound(_("检查单没有第 %(n)s 项") % {"n": seq})
        if answer == Answer.NOT_OK and not (note or "").strip():
            raise DomainError(
                _("判为不符合的，须写明问题"), code="note_required", field_errors={"note": ["?"]}
            )
        before = {"answer": row.answer, "note": row.note}
        row.answer, row.note = answer, (note or "").strip()[:300]
        row.answered_by, row.answered_at = me, timezone.now()
        row.save(update_fields=["answer", "note", "answered_by", "answered_at"])
        journal.record(
            "enforcement.inspection.answered",
            insp,
            before={"seq": seq, **before},
            after={"seq": seq, "answer": answer, "note": row.note},
        )
        return row


def add_inspection_evidence(
    inspection_id: int,
    *,
    content,
    filename: str,
    place: str = "",
    answer_seq: int | None = None,
    description: str = "",
    taken_at=None,
    latitude=None,
    longitude=None,
    user,
):
    """A photo or file taken during the inspection, with where and when; checksummed."""
    with evidence.upload(content, filename) as prepared, transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("add_evidence", insp.status)
        me, assigned = _as_officer(insp, user, _("取证"))
        if answer_seq is not None and not insp.answers.filter(seq=answer_seq).exists():
            raise NotFound(_("检查单没有第 %(n)s 项") % {"n": answer_seq})
        return evidence.store(
            prepared,
            owner=insp,
            captured_by=me,
            officers=[o.staff for o in assigned.values()],
            place=place or insp.place,
            taken_at=taken_at,
            description=description,
            latitude=latitude,
            longitude=longitude,
            answer_seq=answer_seq,
        )


def record_result(
    inspection_id: int,
    *,
    result: str,
    findings: str,
    rectify_days: int | None = None,
    rectify_requirements: str = "",
    user,
) -> Inspection:
    if result not in InspectionResult.values:
        raise DomainError(_("未知的检查结果"), code="invalid_result")
    findings = require_text(findings, "findings", _("须写明检查情况"))
    fields = {
        "result": result,
        "findings": findings,
        "rectify_days": None,
        "rectify_requirements": "",
    }
    if result == InspectionResult.RECTIFY:
        if not rectify_days or int(rectify_days) < 1:
            raise DomainError(
                _("须给出整改期限（日）"), code="rectify_days", field_errors={"rectify_days": ["?"]}
            )
        fields["rectify_days"] = int(rectify_days)
        fields["rectify_requirements"] = require_text(
            rectify_requirements, "rectify_requirements", _("须写明整改要求")
        )
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("record_result", insp.status)
        _as_officer(insp, user, _("记录检查结果"))
        for name, value in fields.items():
            setattr(insp, name, value)
        insp.save(update_fields=list(fields))
        _log(insp, "result_recorded", fields)
        return insp


def missing_for_signature(insp: Inspection) -> list[tuple[str, str]]:
    """What keeps the record from being signed, as (code, message); empty when complete."""
    problems = []
    answers = list(insp.answers.all())
    unanswered = [a.seq for a in answers if not a.answer]
    if unanswered:
        problems.append(
            ("incomplete", _("检查单第 %(n)s 项尚未填写") % {"n": "、".join(map(str, unanswered))})
        )
    if not insp.result:
        problems.append(("incomplete", _("尚未记录检查结果")))
    seqs_with_evidence = set(insp.evidence.values_list("answer_seq", flat=True))
    for a in answers:
        if a.answer == Answer.NOT_OK and a.requires_evidence and a.seq not in seqs_with_evidence:
            problems.append(
                ("evidence_required", _("第 %(n)s 项判为不符合，须附证据") % {"n": a.seq})
            )
    if (
        insp.result in (InspectionResult.RECTIFY, InspectionResult.VIOLATION)
        and not seqs_with_evidence
    ):
        problems.append(("evidence_required", _("发现问题的检查须附证据（行政处罚法第四十六条）")))
    return problems


def sign_inspection(inspection_id: int, *, user) -> Inspection:
    """Each of two officers signs the record (art 55). The first signature freezes it; the
    second, by a different officer, completes the inspection and sets its consequences going:
    a rectification order (with its deadline) or a lead for a penalty case."""
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        step = workflow.step_for("sign", insp.status)
        me, assigned = _as_officer(insp, user, _("签名"))
        if assigned[me.pk].signed_at is not None:
            raise DomainError(
                _("您已签名，须由另一名检查人员签名（行政处罚法第四十二条、第五十五条）"),
                code="two_officers",
            )
        problems = missing_for_signature(insp)
        if problems:
            codes = {code for code, _text in problems}
            raise DomainError(
                "；".join(text for _code, text in problems),
                code="evidence_required" if "evidence_required" in codes else "incomplete",
            )
        now = timezone.now()
        assigned[me.pk].signed_at = now
        assigned[me.pk].save(update_fields=["signed_at"])
        signed = [o for o in assigned.values() if o.signed_at is not None]
        insp.status = step.target
        if step.target == S.COMPLETED:
            check_two_officers(
                [o.staff_id for o in signed],
                actor=me,
                eligible=assigned.keys(),
                what=_("检查笔录签名"),
            )
            insp.completed_at = now
            insp.save(update_fields=["status", "completed_at"])
            _complete(insp, [o.staff for o in signed])
        else:
            insp.save(update_fields=["status"])
            _log(insp, "signed", {"status": insp.status, "by": me.name})
        return insp


def _complete(insp: Inspection, officers: list[Staff]) -> None:
    lines = [
        f"检查事由：{insp.subject}（{insp.get_source_display()}）。",
        f"检查对象：{insp.party.name if insp.party else '—'}；地点：{insp.place or '—'}。",
        "检查人员："
        + "、".join(f"{o.name}（执法证号{o.enforcement_cert_no}）" for o in officers)
        + "，已出示执法证件。",
    ]
    for a in insp.answers.order_by("seq"):
        lines.append(
            f"{a.seq}. {a.text}：{a.get_answer_display()}{('，' + a.note) if a.note else ''}"
        )
    count = insp.evidence.count()
    lines += [
        f"检查情况：{insp.findings}",
        f"检查结果：{insp.get_result_display()}；取证 {count} 份（附SHA-256校验值）。",
    ]
    issue_document("inspection_record", lines, owner=insp)
    extra = {}
    if insp.result == InspectionResult.RECTIFY:
        due = deadlines.count(calendar.Law.PENALTY, today(), insp.rectify_days)
        order = RectificationOrder.objects.create(
            inspection=insp, requirements=insp.rectify_requirements, due_on=due
        )
        issue_document(
            "rectification",
            [
                f"{insp.party.name if insp.party else ''}：",
                f"经检查发现：{insp.findings}",
                f"根据《中华人民共和国行政处罚法》第二十八条，责令你（单位）于{due:%Y年%m月%d日}前改正：{order.requirements}",
                "逾期不改正的，本机关将依法处理。",
            ],
            owner=insp,
        )
        extra["rectification_due_on"] = due
    if insp.result == InspectionResult.VIOLATION:
        from ..cases.services import receive_lead

        lead = receive_lead(
            LeadSource.INSPECTION,
            description=insp.findings,
            party_id=insp.party_id,
            power_id=None,
            squad_id=insp.squad_id,
            source_type="enforcement.inspection",
            source_id=insp.pk,
            reporter="、".join(o.name for o in officers),
        )
        extra["lead_id"] = lead.pk
    if insp.recheck_of_id:
        _close_order(insp)
    journal.record(
        "enforcement.inspection.completed",
        insp,
        after={
            "status": insp.status,
            "result": insp.result,
            "officers": officers_record(officers),
            **extra,
        },
    )
    outbox.emit("enforcement.inspection.completed", insp, inspection_payload(insp, **extra))


def _close_order(recheck: Inspection) -> None:
    order = RectificationOrder.objects.select_for_update(no_key=True).get(pk=recheck.recheck_of_id)
    if order.status != RectificationStatus.OPEN:
        return
    ok = recheck.result == InspectionResult.COMPLIANT
    order.status = RectificationStatus.COMPLIED if ok else RectificationStatus.NOT_COMPLIED
    order.closed_on = today()
    order.save(update_fields=["status", "closed_on"])
    journal.record("enforcement.rectification.closed", order, after={"status": order.status})
    if not ok and recheck.result != InspectionResult.VIOLATION:
        from ..cases.services import receive_lead

        receive_lead(
            LeadSource.INSPECTION,
            description=_("逾期未按要求整改：%(f)s") % {"f": recheck.findings},
            party_id=recheck.party_id,
            squad_id=recheck.squad_id,
            source_type="enforcement.rectification",
            source_id=order.pk,
        )


def reopen_inspection(inspection_id: int, *, reason: str, user) -> Inspection:
    """Take back the first signature to correct the record (both sign again after)."""
    reason = require_text(reason, "reason", _("须写明修改原因"))
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("reopen", insp.status)
        _as_officer(insp, user, _("修改检查记录"))
        InspectionOfficer.objects.filter(inspection=insp).update(signed_at=None)
        insp.status = S.IN_PROGRESS
        insp.save(update_fields=["status"])
        _log(insp, "reopened", {"status": insp.status, "reason": reason})
        return insp


def assign_officers(inspection_id: int, *, officer_ids, user) -> Inspection:
    """The head names the inspecting officers (two or more certified members of the squad)."""
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("assign_officers", insp.status)
        if user is not None and not Scope.of(user).has_role(Role.BUREAU_HEAD):
            raise Forbidden(_("只有负责人可以调整检查人员"))
        officers = _squad_officers(officer_ids, insp.squad, None, _("检查"))
        InspectionOfficer.objects.filter(inspection=insp).delete()
        InspectionOfficer.objects.bulk_create(
            [InspectionOfficer(inspection=insp, staff=s) for s in officers]
        )
        _log(insp, "officers_assigned", {"officers": officers_record(officers)}, event=True)
        return insp


def cancel_inspection(inspection_id: int, *, reason: str, user=None) -> Inspection:
    reason = require_text(reason, "reason", _("须写明取消原因"))
    with transaction.atomic():
        insp = lock_inspection(inspection_id, user)
        workflow.step_for("cancel", insp.status)
        if user is not None and not Scope.of(user).has_role(Role.BUREAU_HEAD):
            raise Forbidden(_("只有负责人可以取消检查"))
        insp.status = S.CANCELLED
        insp.save(update_fields=["status"])
        _log(insp, "cancelled", {"status": insp.status, "reason": reason}, event=True)
        return insp


def schedule_recheck(order_id: int, *, officer_ids, user) -> Inspection:
    """A re-check of a rectification order, by two officers of the same squad."""
    with transaction.atomic():
        order = (
            RectificationOrder.objects.select_for_update(of=("self",), no_key=True)
            .select_related("inspection__party", "inspection__squad")
            .filter(pk=order_id)
            .first()
        )
        if order is None or not can_view_squad(Scope.of(user), order.inspection.squad_id):
            raise NotFound(_("整改通知 %(id)s 不存在") % {"id": order_id})
        if order.status != RectificationStatus.OPEN:
            raise Conflict(_("整改通知已结束"), code="order_closed")
        if order.rechecks.exclude(status=S.CANCELLED).exists():
            raise Conflict(_("已安排复查"), code="recheck_exists")
        first = order.inspection
        return create_inspection(
            source=InspectionSource.RECHECK,
            subject=_("整改复查：%(r)s") % {"r": order.requirements[:200]},
            squad_id=first.squad_id,
            party_id=first.party_id,
            power_id=first.power_id,
            officer_ids=officer_ids,
            due_on=order.due_on + dt.timedelta(days=7),
            place=first.place,
            checklist_id=first.checklist_id,
            recheck_of=order,
            user=user,
        )
