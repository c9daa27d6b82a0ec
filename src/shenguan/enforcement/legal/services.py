"""The legal section's actions: review opinions (法制审核, 行政处罚法 art 58) — approve, amend and
resubmit, reject — guidance messages to officers, and acknowledging alerts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Staff

from ..cases.choices import ReviewOpinion
from ..cases.models import PenaltyCase
from ..cases.services._base import authorize, lock_case, record, set_status
from ..common.base import issue_document, require_text, staff_of, today
from ..common.scope import can_view_squad
from ..inspections.models import Inspection
from .models import Alert, Guidance, LegalReview

ACTIONS = {
    ReviewOpinion.APPROVE: "approve_review",
    ReviewOpinion.AMEND: "return_for_amendment",
    ReviewOpinion.REJECT: "reject_review",
}


def give_opinion(case_id: int, *, opinion: str, text: str = "", user=None) -> LegalReview:
    """Answer the pending round of review. ``approve`` lets the head decide; ``amend`` returns
    the proposal for changes and resubmission; ``reject`` sends the case back to
    investigation (its proposal and notice start again). Any opinion but approval states its
    reasons; a reviewer never reviews a case they investigated."""
    if opinion not in ACTIONS:
        raise Conflict(_("未知的审核意见"), code="invalid_opinion")
    text = (text or "").strip()
    if opinion != ReviewOpinion.APPROVE:
        text = require_text(text, "text", _("须写明审核意见和理由"))
    with transaction.atomic():
        case = lock_case(case_id, user)
        transition, actor = authorize(case, ACTIONS[opinion], user)
        review = (
            LegalReview.objects.select_for_update(no_key=True).filter(case=case, opinion="").first()
        )
        if review is None:
            raise Conflict(_("没有待审核的提交"), code="no_pending_review")
        me = staff_of(user)
        if me is not None and case.officers.filter(staff=me).exists():
            raise Forbidden(_("承办本案的人员不能审核本案"), code="reviewer_investigated")
        day = today()
        review.reviewer, review.opinion, review.text = me, opinion, text
        review.answered_at = timezone.now()
        review.save(update_fields=["reviewer", "opinion", "text", "answered_at"])
        doc = issue_document("legal_opinion", opinion_paragraphs(case, review), owner=case)
        fields = {}
        if opinion == ReviewOpinion.APPROVE:
            fields["review_approved_on"] = day
        step = set_status(
            case,
            transition,
            actor,
            user,
            officers=[me] if me else [],
            note=text,
            fields=fields,
            document=doc,
        )
        record(
            case,
            step,
            {
                "review_round": review.round,
                "opinion": opinion,
                "text": text,
                "document": doc.number,
            },
        )
        return review


def opinion_paragraphs(case: PenaltyCase, review: LegalReview) -> list[str]:
    from ..common.models import MajorGround

    grounds = "、".join(str(MajorGround(g).label) for g in review.grounds) or _(
        "（非必须审核，承办机构主动提交）"
    )
    calc = case.discretion or {}
    lines = [
        f"案件：{case.number} {case.title}；当事人：{case.party.name}。",
        f"审核情形（行政处罚法第五十八条）：{grounds}。",
        f"拟处罚：{', '.join(case.sanctions)}；罚款：{case.fine_amount or '—'}元。",
    ]
    if calc:
        lines.append("裁量计算：" + "；".join(calc.get("formula", [])))
    lines.append(f"审核意见：{ReviewOpinion(review.opinion).label}。{review.text}")
    return lines


# --- guidance -------------------------------------------------------------------------------------


def send_guidance(
    *,
    recipient_id: int,
    text: str,
    case_id: int | None = None,
    inspection_id: int | None = None,
    user=None,
) -> Guidance:
    """A message from the legal section (or a head) to an officer in the field."""
    text = require_text(text, "text", _("须写明指导意见"))
    scope = Scope.of(user) if user is not None else None
    if scope is not None and not scope.has_role(Role.LEGAL_REVIEWER, Role.BUREAU_HEAD):
        raise Forbidden(_("只有法制审核人员或负责人可以发送执法指导"))
    with transaction.atomic():
        recipient = Staff.objects.filter(pk=recipient_id, is_active=True).first()
        if recipient is None:
            raise NotFound(_("接收人不存在"))
        case = inspection = None
        if case_id is not None:
            case = PenaltyCase.objects.filter(pk=case_id).first()
            if case is None or (scope and not can_view_squad(scope, case.squad_id)):
                raise NotFound(_("案件 %(id)s 不存在") % {"id": case_id})
        if inspection_id is not None:
            inspection = Inspection.objects.filter(pk=inspection_id).first()
            if inspection is None or (scope and not can_view_squad(scope, inspection.squad_id)):
                raise NotFound(_("检查 %(id)s 不存在") % {"id": inspection_id})
        author = staff_of(user)
        if author is None:
            raise Forbidden(_("发送人须为在编工作人员"))
        guidance = Guidance.objects.create(
            author=author, recipient=recipient, case=case, inspection=inspection, text=text
        )
        journal.record("enforcement.guidance.sent", guidance, after=journal.snapshot(guidance))
        outbox.emit(
            "enforcement.guidance.sent",
            guidance,
            {
                "guidance_id": guidance.pk,
                "recipient_id": recipient.pk,
                "case_id": case_id,
                "inspection_id": inspection_id,
            },
        )
        return guidance


def mark_guidance_read(guidance_id: int, *, user) -> Guidance:
    with transaction.atomic():
        guidance = (
            Guidance.objects.select_for_update(no_key=True)
            .filter(pk=guidance_id)
            .restrict(user, "view")
            .first()
        )
        if guidance is None:
            raise NotFound(_("指导意见不存在"))
        if guidance.recipient_id != Scope.of(user).staff_id:
            raise Forbidden(_("只有接收人可以标记已读"))
        if guidance.read_at is None:
            guidance.read_at = timezone.now()
            guidance.save(update_fields=["read_at"])
            journal.record(
                "enforcement.guidance.read", guidance, after={"read_at": guidance.read_at}
            )
        return guidance


def acknowledge_alert(alert_id: int, *, user) -> Alert:
    """A legal reviewer or head confirms having seen an alert (it stays open until its cause
    is gone)."""
    scope = Scope.of(user)
    if not scope.has_role(Role.LEGAL_REVIEWER, Role.BUREAU_HEAD):
        raise Forbidden(_("只有法制审核人员或负责人可以确认预警"))
    with transaction.atomic():
        alert = Alert.objects.select_for_update(no_key=True).filter(pk=alert_id).first()
        if alert is None:
            raise NotFound(_("预警不存在"))
        alert.acknowledged_by = user
        alert.save(update_fields=["acknowledged_by"])
        journal.record("enforcement.alert.acknowledged", alert, after={"by": user.pk})
        return alert
