"""Publishing licensing and penalty decisions (双公示).

- Published from the decision's event (consumer ``enforcement.publication``), so within the
  policy's 7 working days; the due date is kept to show it was met.
- Only public fields: an individual's name keeps the surname and stars the rest, and no
  resident ID number, phone or address is ever published.
- Withdrawn when the decision is changed or annulled (行政处罚法 art 48 ¶2: within 3 days),
  or a licence is revoked, cancelled or withdrawn.
- Ends after its period: 3 months for warnings, criticism and small fines, 3 years otherwise
  (市场监督管理行政处罚信息公示规定 art 13-14; the policy holds the numbers)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shenguan.core import calendar, journal, outbox
from shenguan.core.errors import Conflict, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.parties.choices import PartyKind

from ..cases import deadlines
from ..cases.choices import DecisionOutcome
from ..cases.documents import sanctions_text
from ..cases.models import PenaltyCase
from ..common.base import bureau_name, require_text, today
from ..common.policy import add_months, policy_in_force
from .models import Publication, PublicationKind, PublicationStatus

LICENCE_SOURCE = "approvals.licence"
CASE_SOURCE = "enforcement.penaltycase"


def mask_person_name(name: str) -> str:
    """The surname, the rest starred: 张三丰 → 张**."""
    name = (name or "").strip()
    return name if len(name) <= 1 else name[0] + "*" * (len(name) - 1)


def _party_fields(party, name: str) -> dict:
    if party.kind == PartyKind.ENTERPRISE:
        return {"party_name": name, "party_code": party.uscc or "", "is_person": False}
    return {"party_name": mask_person_name(name), "party_code": "", "is_person": True}


def _create(
    kind: str, source_type: str, source_id, *, decided_on, short: bool, **fields
) -> Publication:
    existing = Publication.objects.filter(
        kind=kind, source_type=source_type, source_id=str(source_id)
    ).first()
    if existing is not None:
        return existing
    policy = policy_in_force()
    day = today()
    months = policy.publication_short_months if short else policy.publication_long_months
    pub = Publication(
        kind=kind,
        source_type=source_type,
        source_id=str(source_id),
        decided_on=decided_on,
        due_on=deadlines.count(calendar.Law.WORKING, decided_on, policy.publication_working_days),
        published_on=day,
        expires_on=add_months(day, months),
        **fields,
    )
    try:
        with transaction.atomic():
            pub.save()
    except IntegrityError:  # published concurrently by another delivery
        return Publication.objects.get(kind=kind, source_type=source_type, source_id=str(source_id))
    journal.record("enforcement.publication.published", pub, after=journal.snapshot(pub))
    outbox.emit("enforcement.publication.published", pub, _payload(pub))
    return pub


def _payload(pub: Publication) -> dict:
    return {
        "publication_id": pub.pk,
        "kind": pub.kind,
        "source_type": pub.source_type,
        "source_id": pub.source_id,
        "status": pub.status,
        "document_number": pub.document_number,
        "expires_on": pub.expires_on,
    }


def publish_licence(licence_id: int) -> Publication:
    from shenguan.approvals.models import Licence

    with transaction.atomic():
        licence = (
            Licence.objects.select_related("holder", "power_version").filter(pk=licence_id).first()
        )
        if licence is None:
            raise NotFound(_("许可证 %(id)s 不存在") % {"id": licence_id})
        validity = f"{licence.valid_from:%Y-%m-%d} 至 " + (
            f"{licence.valid_until:%Y-%m-%d}" if licence.valid_until else "长期"
        )
        return _create(
            PublicationKind.LICENSING,
            LICENCE_SOURCE,
            licence.pk,
            decided_on=licence.issued_on,
            short=False,
            document_number=licence.number,
            title=licence.item_name[:300],
            content=f"准予行政许可：{licence.item_name}；有效期：{validity}",
            basis=licence.power_version.legal_basis or "",
            authority=licence.issuing_body,
            **_party_fields(licence.holder, licence.holder_name),
        )


def publish_case(case_id: int) -> Publication | None:
    """A penalty decision; a decision not to penalise is not published."""
    from ..cases.services import credit_kind

    with transaction.atomic():
        case = PenaltyCase.objects.select_related("party", "policy").filter(pk=case_id).first()
        if case is None:
            raise NotFound(_("案件 %(id)s 不存在") % {"id": case_id})
        if case.outcome != DecisionOutcome.PENALTY or not case.decision_number:
            return None
        return _create(
            PublicationKind.PENALTY,
            CASE_SOURCE,
            case.pk,
            decided_on=case.decided_on,
            short=credit_kind(case) == "penalty_light",
            document_number=case.decision_number,
            title=case.title[:300],
            content=f"违法行为：{case.title}。处罚内容："
            + sanctions_text(case.sanctions, case.fine_amount, case.confiscation_amount),
            basis=f"违反{case.violated_provision}；依据{case.penalty_basis}",
            authority=bureau_name(),
            **_party_fields(case.party, case.party.name),
        )


def withdraw_source(kind: str, source_type: str, source_id, *, reason: str) -> Publication | None:
    """Withdraw what was published for a decision that changed (no-op if none or done)."""
    with transaction.atomic():
        pub = (
            Publication.objects.select_for_update(no_key=True)
            .filter(kind=kind, source_type=source_type, source_id=str(source_id))
            .first()
        )
        if pub is None or pub.status != PublicationStatus.PUBLISHED:
            return pub
        return _withdraw(pub, reason)


def _withdraw(pub: Publication, reason: str) -> Publication:
    pub.status, pub.withdrawn_on, pub.withdrawal_reason = (
        PublicationStatus.WITHDRAWN,
        today(),
        reason,
    )
    pub.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    journal.record(
        "enforcement.publication.withdrawn",
        pub,
        before={"status": PublicationStatus.PUBLISHED},
        after={"status": pub.status, "reason": reason},
    )
    outbox.emit("enforcement.publication.withdrawn", pub, {**_payload(pub), "reason": reason})
    return pub


def withdraw_publication(publication_id: int, *, reason: str, user) -> Publication:
    """A head or legal reviewer withdraws a publication (e.g. published in error)."""
    reason = require_text(reason, "reason", _("须写明撤回理由"))
    with transaction.atomic():
        pub = Publication.objects.select_for_update(no_key=True).filter(pk=publication_id).first()
        scope = Scope.of(user)
        if (
            pub is None
            or not Publication.objects.filter(pk=publication_id).restrict(user, "view").exists()
        ):
            raise NotFound(_("公示信息不存在"))
        if not scope.has_role(Role.BUREAU_HEAD, Role.LEGAL_REVIEWER):
            raise Forbidden(_("只有负责人或法制审核人员可以撤回公示"))
        if pub.status != PublicationStatus.PUBLISHED:
            raise Conflict(_("该信息不在公示中"), code="not_published")
        return _withdraw(pub, reason)


def expire_due() -> int:
    """End the publications whose period has run out (the sweep calls this)."""
    with transaction.atomic():
        due = list(
            Publication.objects.select_for_update(no_key=True).filter(
                status=PublicationStatus.PUBLISHED, expires_on__lt=today()
            )
        )
        for pub in due:
            pub.status = PublicationStatus.EXPIRED
            pub.save(update_fields=["status"])
            journal.record(
                "enforcement.publication.expired",
                pub,
                before={"status": PublicationStatus.PUBLISHED},
                after={"status": pub.status},
            )
            outbox.emit("enforcement.publication.expired", pub, _payload(pub))
        return len(due)
