"""State changes of sealing and seizure (行政强制法 art 18-28). Periods are counted with
``deadlines.count("coercion", …)``: 30 days is a calendar period (art 69: only periods of ten
days or less are working days)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import calendar, journal, outbox
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Staff
from shenguan.parties.models import Party

from ..cases import deadlines
from ..cases.models import PenaltyCase
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
from ..inspections.models import Inspection
from . import workflow
from .models import CoerciveMeasure, MeasureKind, MeasureStatus, ReleaseReason

S = MeasureStatus
TERM_DAYS = 30  # art 25
EXTENSION_DAYS = 30  # art 25
REPORT_WITHIN = dt.timedelta(hours=24)  # art 19


def _items(items) -> list[dict]:
    out = []
    for raw in items or []:
        name = str((raw or {}).get("name", "")).strip()
        if not name:
            raise DomainError(
                _("清单中每项须写明名称"), code="items", field_errors={"items": ["?"]}
            )
        out.append(
            {
                "name": name[:200],
                "quantity": str(raw.get("quantity", "") or ""),
                "unit": str(raw.get("unit", "") or ""),
            }
        )
    if not out:
        raise DomainError(_("须列出查封、扣押的场所、设施或财物清单（第二十四条）"), code="items")
    return out


def _paragraphs(m: CoerciveMeasure) -> list[str]:
    lines = [
        f"当事人：{m.party.name}。",
        f"根据{m.basis}，因{m.reason}，本机关决定对下列场所、设施或者财物予以{m.get_kind_display()}，"
        f"期限自{m.starts_on:%Y年%m月%d日}至{m.ends_on:%Y年%m月%d日}（行政强制法第二十五条）。",
        f"地点：{m.place}。清单：",
    ]
    lines += [f"{n}. {i['name']} {i['quantity']}{i['unit']}" for n, i in enumerate(m.items, 1)]
    lines.append("执法人员：" + "、".join(o["name"] for o in m.officers))
    lines.append("如不服本决定，可以在收到之日起六十日内申请行政复议，或者六个月内提起行政诉讼。")
    return lines


def lock_measure(measure_id, user) -> CoerciveMeasure:
    try:
        m = (
            CoerciveMeasure.objects.select_for_update(of=("self",), no_key=True)
            .select_related("party")
            .get(pk=measure_id)
        )
    except (CoerciveMeasure.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("强制措施 %(id)s 不存在") % {"id": measure_id})
    if user is not None:
        scope = Scope.of(user)
        if not can_view_squad(scope, m.squad_id):
            raise NotFound(_("强制措施 %(id)s 不存在") % {"id": measure_id})
        require_change(scope, m.squad_id, _("强制措施"))
    return m


def _head(user) -> Staff | None:
    if user is None:
        return None
    if not Scope.of(user).has_role(Role.BUREAU_HEAD):
        raise Forbidden(_("只有行政机关负责人可以批准或解除（行政强制法第十八条、第十九条）"))
    return staff_of(user)


def _log(m: CoerciveMeasure, action: str, after: dict, event: bool = True) -> None:
    journal.record(f"enforcement.measure.{action}", m, after=after)
    if event:
        outbox.emit(
            f"enforcement.measure.{action}",
            m,
            {
                "measure_id": m.pk,
                "number": m.number,
                "kind": m.kind,
                "status": m.status,
                "party_id": m.party_id,
                "case_id": m.case_id,
                "ends_on": m.ends_on,
                **{k: v for k, v in after.items() if k not in ("officers",)},
            },
        )


def _start_term(m: CoerciveMeasure) -> None:
    day = today()
    m.taken_at = m.taken_at or timezone.now()
    m.starts_on = day
    m.ends_on = deadlines.count(calendar.Law.COERCION, day, TERM_DAYS)


def _new(
    kind,
    party_id,
    place,
    items,
    reason,
    basis,
    officer_ids,
    case_id,
    inspection_id,
    user,
    emergency,
):
    if kind not in MeasureKind.values:
        raise DomainError(_("措施应为查封或扣押"), code="invalid_kind")
    place = require_text(place, "place", _("须写明场所"))
    reason = require_text(reason, "reason", _("须写明理由"))
    basis = require_text(basis, "basis", _("须写明依据"))
    items = _items(items)
    me = require_certified_officer(user, _("实施行政强制措施"))
    party = Party.objects.select_related("grid").filter(pk=party_id).first()
    if party is None or not Party.objects.filter(pk=party_id).restrict(user).exists():
        raise NotFound(_("当事人 %(id)s 不存在") % {"id": party_id})
    case = PenaltyCase.objects.filter(pk=case_id).first() if case_id else None
    inspection = Inspection.objects.filter(pk=inspection_id).first() if inspection_id else None
    squad_id = (
        (case.squad_id if case else None)
        or (inspection.squad_id if inspection else None)
        or me.section_id
    )
    require_change(Scope.of(user), squad_id, _("强制措施"))
    eligible = set(
        Staff.objects.filter(section_id=squad_id, is_active=True).values_list("pk", flat=True)
    )
    officers = check_two_officers(
        officer_ids, actor=me, eligible=eligible, what=_("查封、扣押"), article="行政强制法第十八条"
    )
    return CoerciveMeasure(
        number=number("强", "measure_number", today()),
        kind=kind,
        party=party,
        case=case,
        inspection=inspection,
        squad_id=squad_id,
        place=place,
        items=items,
        reason=reason,
        basis=basis,
        officers=officers_record(officers),
        emergency=emergency,
        created_by=user,
    )


def request_measure(
    *,
    kind,
    party_id,
    place,
    items,
    reason,
    basis,
    officer_ids,
    case_id=None,
    inspection_id=None,
    user,
) -> CoerciveMeasure:
    """Two officers ask the head for approval before acting (art 18 (1), (2))."""
    with transaction.atomic():
        m = _new(
            kind,
            party_id,
            place,
            items,
            reason,
            basis,
            officer_ids,
            case_id,
            inspection_id,
            user,
            False,
        )
        workflow.step_for("request", workflow.START)
        m.status = S.REQUESTED
        m.save()
        _log(m, "requested", {"status": m.status, "officers": m.officers})
        return m


def approve_measure(measure_id: int, *, user) -> CoerciveMeasure:
    with transaction.atomic():
        m = lock_measure(measure_id, user)
        workflow.step_for("approve", m.status)
        head = _head(user)
        m.status, m.approved_at, m.approved_by = S.IN_FORCE, timezone.now(), head
        _start_term(m)
        m.save()
        issue_document("measure_decision", _paragraphs(m), owner=m)
        _log(m, "approved", {"status": m.status, "starts_on": m.starts_on, "ends_on": m.ends_on})
        return m


def refuse_measure(measure_id: int, *, reason: str, user) -> CoerciveMeasure:
    reason = require_text(reason, "reason", _("须写明理由"))
    with transaction.atomic():
        m = lock_measure(measure_id, user)
        workflow.step_for("refuse", m.status)
        _head(user)
        m.status, m.release_note = S.REFUSED, reason
        m.save(update_fields=["status", "release_note"])
        _log(m, "refused", {"status": m.status, "reason": reason})
        return m


def take_emergency_measure(
    *,
    kind,
    party_id,
    place,
    items,
    reason,
    basis,
    officer_ids,
    case_id=None,
    inspection_id=None,
    user,
) -> CoerciveMeasure:
    """Taken on the spot when things cannot wait (art 19): the decision and list are handed
    over at once, and the officers must report to the head within 24 hours."""
    with transaction.atomic():
        m = _new(
            kind,
            party_id,
            place,
            items,
            reason,
            basis,
            officer_ids,
            case_id,
            inspection_id,
            user,
            True,
        )
        workflow.step_for("take_emergency", workflow.START)
        m.status = S.IN_FORCE
        _start_term(m)
        m.report_due_at = m.taken_at + REPORT_WITHIN
        m.save()
        issue_document("measure_decision", _paragraphs(m), owner=m)
        _log(
            m,
            "taken",
            {
                "status": m.status,
                "emergency": True,
                "report_due_at": m.report_due_at,
                "ends_on": m.ends_on,
            },
        )
        return m


def report_emergency(measure_id: int, *, note: str = "", user) -> CoerciveMeasure:
    with transaction.atomic():
        m = lock_measure(measure_id, user)
        workflow.step_for("report_emergency", m.status)
        if not m.emergency:
            raise Conflict(_("只有紧急措施需要事后报告"), code="not_emergency")
        if m.reported_at is not None:
            raise Conflict(_("已经报告"), code="already_reported")
        require_certified_officer(user, _("报告"))
        now = timezone.now()
        m.reported_at, m.reported_late = now, now > m.report_due_at
        m.save(update_fields=["reported_at", "reported_late"])
        _log(m, "reported", {"reported_at": now, "late": m.reported_late, "note": note})
        return m


def ratify_emergency(measure_id: int, *, approve: bool, note: str = "", user) -> CoerciveMeasure:
    """The head approves after the fact, or finds the measure should not have been taken and
    releases it at once (art 19)."""
    with transaction.atomic():
        m = lock_measure(measure_id, user)
        if not m.emergency or m.approved_at is not None:
            raise Conflict(_("没有待补办批准的紧急措施"), code="nothing_to_ratify")
        if m.reported_at is None:
            raise Conflict(_("执法人员尚未报告"), code="not_reported")
        head = _head(user)
        if approve:
            workflow.step_for("ratify", m.status)
            m.approved_at, m.approved_by = timezone.now(), head
            m.save(update_fields=["approved_at", "approved_by"])
            _log(m, "ratified", {"approved_by": head.pk if head else None, "note": note})
            return m
        workflow.step_for("disapprove", m.status)
        return _release(m, ReleaseReason.NOT_RATIFIED, note or _("负责人认为不应当采取"), user)


def extend_measure(measure_id: int, *, reason: str, user) -> CoerciveMeasure:
    """Once, by up to 30 days, for a complicated case, approved by the head before the term
    ends; the party is told in writing with the reasons (art 25)."""
    reason = require_text(reason, "reason", _("须说明情况复杂需要延长的理由"))
    with transaction.atomic():
        m = lock_measure(measure_id, user)
        workflow.step_for("extend", m.status)
        _head(user)
        if m.extended_on is not None:
            raise Conflict(
                _("查封、扣押期限只能延长一次（行政强制法第二十五条）"), code="already_extended"
            )
        if today() > m.ends_on:
            raise DomainError(_("期限已经届满，应当解除（行政强制法第二十八条）"), code="term_over")
        previous = m.ends_on
        m.ends_on = deadlines.count(calendar.Law.COERCION, previous, EXTENSION_DAYS)
        m.extended_on, m.extension_reason = today(), reason
        m.save(update_fields=["ends_on", "extended_on", "extension_reason"])
        issue_document(
            "measure_extension",
            [
                f"当事人：{m.party.name}。",
                f"本机关于{m.starts_on:%Y年%m月%d日}对你（单位）实施的{m.get_kind_display()}（{m.number}），"
                f"因{reason}，经本机关负责人批准，期限由{previous:%Y年%m月%d日}延长至{m.ends_on:%Y年%m月%d日}"
                "（行政强制法第二十五条）。",
            ],
            owner=m,
        )
        _log(m, "extended", {"ends_on": m.ends_on, "previous": previous, "reason": reason})
        return m


def _release(m: CoerciveMeasure, reason: str, note: str, user) -> CoerciveMeasure:
    m.status, m.released_on, m.release_reason, m.release_note = S.RELEASED, today(), reason, note
    m.save(update_fields=["status", "released_on", "release_reason", "release_note"])
    issue_document(
        "measure_release",
        [
            f"当事人：{m.party.name}。",
            f"本机关于{m.starts_on:%Y年%m月%d日}实施的{m.get_kind_display()}（{m.number}），"
            f"因{ReleaseReason(reason).label}，决定予以解除（行政强制法第二十八条）。{note}",
            "解除查封、扣押的财物立即退还。",
        ],
        owner=m,
    )
    _log(m, "released", {"status": m.status, "reason": reason, "note": note})
    return m


def release_measure(measure_id: int, *, reason: str, note: str = "", user) -> CoerciveMeasure:
    if reason not in ReleaseReason.values or reason == ReleaseReason.NOT_RATIFIED:
        raise DomainError(_("请选择解除的法定情形（行政强制法第二十八条）"), code="invalid_reason")
    with transaction.atomic():
        m = lock_measure(measure_id, user)
        workflow.step_for("release", m.status)
        scope = Scope.of(user)
        if not scope.has_role(Role.BUREAU_HEAD):
            require_certified_officer(user, _("解除强制措施"))
        return _release(m, reason, note, user)


def add_measure_evidence(
    measure_id: int, *, content, filename: str, place: str = "", description: str = "", user
):
    with evidence.upload(content, filename) as prepared, transaction.atomic():
        m = lock_measure(measure_id, user)
        workflow.step_for("add_evidence", m.status)
        me = require_certified_officer(user, _("取证"))
        return evidence.store(
            prepared,
            owner=m,
            captured_by=me,
            officers=Staff.objects.filter(pk__in=[o["id"] for o in m.officers]),
            place=place or m.place,
            description=description,
        )
