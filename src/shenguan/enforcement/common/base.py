"""Helpers every enforcement service shares: today, the bureau's name, document numbers, who
is acting, and the two-officer rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core.context import current_actor
from shenguan.core.errors import DomainError, Forbidden
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Staff

from .models import Counter, Document


def today() -> dt.date:
    return timezone.localdate()


def bureau_name() -> str:
    # SHENGUAN_ENFORCEMENT_BUREAU_NAME (setting, optional): the name printed on documents.
    return getattr(settings, "SHENGUAN_ENFORCEMENT_BUREAU_NAME", "葛店开发区综合执法局")


def doc_prefix() -> str:
    # SHENGUAN_ENFORCEMENT_DOCUMENT_PREFIX (setting, optional): e.g. 葛综执罚〔2026〕000001号.
    return getattr(settings, "SHENGUAN_ENFORCEMENT_DOCUMENT_PREFIX", "葛综执")


# --- numbering --------------------------------------------------------------------------------


def next_number(key: str, year: int) -> int:
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


def number(mark: str, key: str, day: dt.date) -> str:
    """An official number: prefix + kind mark + 〔year〕 + sequence, e.g. 葛综执罚〔2026〕000012号."""
    return f"{doc_prefix()}{mark}〔{day.year}〕{next_number(key, day.year):06d}号"


# Document kind → (mark in the number, counter key).
MARKS = {
    "case_opening": ("立", "case"),
    "lead_dismissal": ("不立", "lead_dismissal"),
    "investigation_report": ("调终", "investigation_report"),
    "penalty_notice": ("告", "notice"),
    "statement_record": ("申辩", "statement_record"),
    "hearing_notice": ("听通", "hearing_notice"),
    "hearing_record": ("听录", "hearing_record"),
    "legal_opinion": ("审", "legal_opinion"),
    "extension": ("延", "extension"),
    "decision": ("罚决", "decision"),
    "no_penalty_decision": ("不罚", "no_penalty"),
    "spot_decision": ("简", "spot_decision"),
    "service_receipt": ("送", "service"),
    "payment_demand": ("催", "demand"),
    "court_application": ("申执", "court"),
    "closing": ("结", "closing"),
    "transfer": ("移", "transfer"),
    "annulment": ("撤", "annulment"),
    "inspection_record": ("检", "inspection"),
    "rectification": ("改", "rectification"),
    "measure_decision": ("强", "measure"),
    "measure_extension": ("强延", "measure_extension"),
    "measure_release": ("强解", "measure_release"),
}


def issue_document(kind: str, paragraphs: list[str], *, owner, day: dt.date | None = None):
    """Write a numbered document for ``owner`` (a case, inspection or measure)."""
    from .models import DocumentKind

    day = day or today()
    mark, key = MARKS[kind]
    owner_field = {
        "penaltycase": "case",
        "inspection": "inspection",
        "coercivemeasure": "measure",
    }[owner._meta.model_name]
    return Document.objects.create(
        kind=kind,
        number=number(mark, key, day),
        title=str(DocumentKind(kind).label),
        paragraphs=[str(p) for p in paragraphs],
        issuer=bureau_name(),
        issued_on=day,
        **{owner_field: owner},
    )


# --- who is acting ----------------------------------------------------------------------------


def actor_name(user) -> str:
    if user is None:
        return current_actor().display_name
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()


def staff_of(user) -> Staff | None:
    if user is None:
        return None
    scope = Scope.of(user)
    if scope.staff_id is None:
        return None
    return Staff.objects.filter(pk=scope.staff_id).first()


def require_certified_officer(user, what: str) -> Staff:
    """The caller as an enforcement officer holding a valid certificate (行政处罚法 art 42)."""
    scope = Scope.of(user)
    staff = staff_of(user)
    if staff is None or not scope.has_role(Role.ENFORCEMENT_OFFICER):
        raise Forbidden(_("只有执法人员可以%(what)s") % {"what": what})
    if not staff.is_certified:
        raise Forbidden(
            _("%(name)s没有有效的行政执法证件，不得%(what)s（行政处罚法第四十二条）")
            % {"name": staff.name, "what": what},
            code="not_certified",
        )
    return staff


def check_two_officers(
    officer_ids: Iterable[int] | None,
    *,
    actor: Staff | None,
    eligible: Iterable[int] | None,
    what: str,
    article: str = "行政处罚法第四十二条",
) -> list[Staff]:
    """At least two distinct certified officers, the acting one among them, all of them
    among ``eligible`` (assigned to the matter and not recused). Refused otherwise: the law
    requires two officers (行政处罚法 art 42, 55; 行政强制法 art 18)."""
    ids = []
    for raw in officer_ids or []:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise DomainError(_("执法人员编号无效"), code="invalid_officer")
        if value not in ids:
            ids.append(value)
    if actor is not None and actor.pk not in ids:
        ids.insert(0, actor.pk)
    if len(ids) < 2:
        raise DomainError(
            _("%(what)s须由两名以上执法人员实施，仅有一名执法人员不得办理（%(art)s）")
            % {"what": what, "art": article},
            code="two_officers",
            field_errors={"officer_ids": [_("至少需要两名执法人员")]},
        )
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in staff]
    if missing:
        raise DomainError(_("执法人员不存在"), code="invalid_officer")
    allowed = set(eligible) if eligible is not None else None
    result = []
    for i in ids:
        person = staff[i]
        if allowed is not None and i not in allowed:
            raise DomainError(
                _("%(name)s不是本案（本任务）的承办执法人员，或已回避") % {"name": person.name},
                code="officer_not_assigned",
            )
        if not person.is_certified or not person.is_present():
            raise DomainError(
                _("%(name)s没有有效的行政执法证件或不在岗，不能参与%(what)s（%(art)s）")
                % {"name": person.name, "what": what, "art": article},
                code="not_certified",
            )
        result.append(person)
    return result


def officers_record(staff: Iterable[Staff]) -> list[dict]:
    """How the officers of a step are kept in its record (survives later renames)."""
    return [{"id": s.pk, "name": s.name, "cert_no": s.enforcement_cert_no} for s in staff]


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", field_errors={field: [message]})
    return value
