"""Routes: which routes an applicant may take (and why not), the applicant's choice, and the
written notice of the notification-commitment route (深圳经济特区社会信用条例 art 61–62)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.catalog.choices import ApprovalClass
from shenguan.core import journal, outbox
from shenguan.core.errors import Conflict, DomainError
from shenguan.parties.choices import CreditTier

from .. import workflow
from ..choices import CommitmentKind, CommitmentStatus, MaterialState, Route
from ..models import (
    Application,
    Commitment,
    ItemTemplate,
    MaterialSubmission,
    RoutePolicyRule,
)
from ..workflow import Actor
from ._base import (
    approval_class_of,
    bureau_name,
    event_payload,
    lock_application,
    require_actor,
    rule_for,
)

KIND_OF_ROUTE = {
    Route.TOLERANCE: CommitmentKind.TOLERANCE,
    Route.COMMITMENT: CommitmentKind.NOTIFICATION,
}


# --- which routes -----------------------------------------------------------------------------


def route_refusal(
    route: str,
    *,
    approval_class: str,
    credit_tier: str,
    rule: RoutePolicyRule | None,
    template: ItemTemplate | None = None,
    policy_version: int | None = None,
    unrepaired_breach: bool = False,
) -> str | None:
    """Why ``route`` is not open, in words for the applicant; None if it is."""
    route = Route(route)
    if route == Route.ORDINARY:
        return None
    if unrepaired_breach:
        # A false or unkept commitment not yet repaired closes both routes whatever the tier
        # has climbed back to (深圳经济特区社会信用条例 art 59; DOMAIN §5 #2, #8).
        return _(
            "申请人有虚假承诺或未履行承诺的记录且尚未信用修复，不适用容缺受理/告知承诺，"
            "请按一般程序办理（深圳经济特区社会信用条例第五十九条）"
        )
    if credit_tier == CreditTier.D:
        # 深圳经济特区社会信用条例 art 59; DOMAIN §5 #8.
        return _(
            "申请人信用等级为D（严重失信），不适用容缺受理/告知承诺，请按一般程序办理"
            "（深圳经济特区社会信用条例第五十九条）"
        )
    if route == Route.COMMITMENT:
        if approval_class == ApprovalClass.CONTROLLED:
            return _(
                "控制类事项直接涉及公共安全和人身健康、生命财产安全，不适用告知承诺"
                "（深圳经济特区社会信用条例第五十九条）"
            )
        if template is not None and template.commitment_excluded:
            return _("该事项已列为不适用告知承诺的事项（深圳经济特区社会信用条例第五十九条）")
    if rule is None:
        return _("办理路径政策未规定该类事项对该信用等级的办理方式")
    allowed = rule.allow_tolerance if route == Route.TOLERANCE else rule.allow_commitment
    if not allowed:
        return _(
            "按办理路径政策（第%(v)s版），%(klass)s事项对信用等级为%(tier)s的申请人不适用%(route)s"
        ) % {
            "v": policy_version or rule.policy.version,
            "klass": ApprovalClass(approval_class).label,
            "tier": credit_tier,
            "route": route.label,
        }
    return None


def _template(app: Application) -> ItemTemplate | None:
    return ItemTemplate.objects.filter(power_id=app.power_id).first()


def _unrepaired_breach(app: Application) -> bool:
    from shenguan.credit.services import has_unrepaired_false_commitment

    return has_unrepaired_false_commitment(app.applicant)


def check_route(app: Application, route: str, rule: RoutePolicyRule | None = None) -> None:
    if route == Route.ORDINARY:
        return
    klass = approval_class_of(app)
    tier = app.applicant.credit_tier
    if tier != CreditTier.D and rule is None:
        rule = rule_for(app)
    reason = route_refusal(
        route,
        approval_class=klass,
        credit_tier=tier,
        rule=rule,
        template=_template(app) if route == Route.COMMITMENT else None,
        policy_version=app.route_policy.version,
        unrepaired_breach=_unrepaired_breach(app),
    )
    if reason:
        raise DomainError(reason, code="route_not_allowed", field_errors={"route": [reason]})


def route_options(app: Application) -> list[dict]:
    """Each route with whether it is open to this application and, if not, why."""
    klass = approval_class_of(app)
    tier = app.applicant.credit_tier
    rule = RoutePolicyRule.objects.filter(
        policy_id=app.route_policy_id, approval_class=klass, credit_tier=tier
    ).first()
    template = _template(app)
    breach = _unrepaired_breach(app)
    out = []
    for route in Route:
        reason = route_refusal(
            route,
            approval_class=klass,
            credit_tier=tier,
            rule=rule,
            template=template,
            policy_version=app.route_policy.version,
            unrepaired_breach=breach,
        )
        out.append({"route": route.value, "allowed": reason is None, "reason": reason or ""})
    return out


def commitment_for_route(app: Application) -> Commitment | None:
    kind = KIND_OF_ROUTE.get(Route(app.route))
    if kind is None:
        return None
    return Commitment.objects.filter(application=app, kind=kind).first()


def _revert_deferrals(commitment: Commitment, keep: set[int] = frozenset()) -> None:
    """Deferred materials of ``commitment`` not in ``keep`` (submission ids) go back to
    missing; their deferral rows are removed (the commitment is being replaced or dropped)."""
    rows = commitment.deferrals.exclude(submission_id__in=keep)
    ids = list(rows.filter(supplemented_at__isnull=True).values_list("submission_id", flat=True))
    MaterialSubmission.objects.filter(pk__in=ids, state=MaterialState.DEFERRED).update(
        state=MaterialState.MISSING, updated=timezone.now()
    )
    rows.filter(supplemented_at__isnull=True).delete()


def apply_route(app: Application, route: str, user) -> None:
    """Switch the (locked, not yet accepted) application to ``route``; the commitment route
    starts with its written notice (深圳经济特区社会信用条例 art 61)."""
    check_route(app, route)
    previous = Route(app.route)
    if previous != route:
        old = commitment_for_route(app)
        if old is not None and old.status in (CommitmentStatus.NOTIFIED, CommitmentStatus.SIGNED):
            _revert_deferrals(old)
            old.status = CommitmentStatus.WITHDRAWN
            old.withdrawn_at = timezone.now()
            old.withdrawal_reason = _("申请人改选%(route)s") % {"route": Route(route).label}
            old.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    app.route = route
    app.save(update_fields=["route"])
    if route == Route.COMMITMENT:
        existing = Commitment.objects.filter(application=app, kind=CommitmentKind.NOTIFICATION)
        if existing.exclude(status=CommitmentStatus.WITHDRAWN).exists():
            return
        if existing.exists():
            raise Conflict(
                _(
                    "申请人已撤回告知承诺，本申请按一般程序办理（深圳经济特区社会信用条例第六十二条）"
                ),
                code="commitment_withdrawn",
            )
        Commitment.objects.create(
            application=app,
            kind=CommitmentKind.NOTIFICATION,
            status=CommitmentStatus.NOTIFIED,
            notice_text=commitment_notice_text(app),
            notice_issued_at=timezone.now(),
        )


def choose_route(application_id: int, route: str, *, user=None) -> Application:
    """The applicant's choice of route before acceptance (深圳经济特区社会信用条例 art 62:
    the applicant chooses; a window clerk may record the choice made at the window)."""
    route = Route(route)
    with transaction.atomic():
        app = lock_application(application_id, user)
        require_actor(app, user, {Actor.APPLICANT, Actor.CLERK}, _("选择办理路径"))
        if app.status not in workflow.BEFORE_ACCEPTANCE:
            raise Conflict(_("申请受理后不能再变更办理路径"), code="route_fixed")
        before = app.route
        apply_route(app, route, user)
        journal.record(
            "approvals.application.route_chosen",
            app,
            before={"route": before},
            after={"route": app.route},
        )
        outbox.emit("approvals.application.route_chosen", app, event_payload(app))
        return app


# --- notices ----------------------------------------------------------------------------------

DEFAULT_VERIFICATION = (
    "本机关有权在作出许可决定后对申请人承诺的内容进行核查，核查可以采取书面核查、"
    "实地核查、抽查等方式，核查的时间、标准和方式依本事项核查办法确定"
    "（深圳经济特区社会信用条例第六十三条）。申请人应当如实提供情况、配合核查。"
)
DEFAULT_LIABILITY = (
    "申请人承诺不实或者未履行承诺的，本机关将责令限期整改，并中止办理相关事项；"
    "拒不整改的，终止办理，依法撤销相关许可决定；情节严重的，依法予以行政处罚，"
    "并实施失信惩戒措施。承诺及其履行情况记入申请人信用记录"
    "（深圳经济特区社会信用条例第六十四条）。"
)
CHOICE_TEXT = (
    "申请人可以自主选择是否采用告知承诺方式办理；不愿承诺或者无法承诺的，按一般程序办理。"
    "事项办结前，申请人有合理理由的，可以撤回承诺，撤回后按一般程序办理"
    "（深圳经济特区社会信用条例第六十二条）。"
)


def commitment_notice_text(app: Application) -> str:
    """The written notice of 深圳经济特区社会信用条例 art 61, from the item's template: the
    item, its conditions, the bureau's power to verify, the liability for a false or unkept
    commitment, and the applicant's free choice."""
    version = app.power_version
    template = _template(app)
    conditions = (template.conditions if template else "") or (
        _("申请人应当符合本事项实施依据规定的许可条件、标准。")
        + (_("实施依据：%(basis)s") % {"basis": version.legal_basis} if version.legal_basis else "")
    )
    materials = list(version.materials.order_by("seq"))
    lines = [
        _("告知承诺书"),
        "",
        _("事项名称：%(name)s（%(code)s）") % {"name": version.name, "code": app.power.code},
        _("申请人：%(party)s") % {"party": app.applicant.name},
        _("申请编号：%(number)s") % {"number": app.number},
        "",
        _("一、办理条件"),
        conditions,
        "",
        _("二、申请材料"),
        *[f"{m.seq}. {m.name}（{_('要件') if m.essential else _('非要件')}）" for m in materials],
        "",
        _("三、审批机关的核查权力"),
        (template.verification_text if template else "") or DEFAULT_VERIFICATION,
        "",
        _("四、不实承诺的法律责任"),
        (template.liability_text if template else "") or DEFAULT_LIABILITY,
        "",
        _("五、申请人的选择"),
        CHOICE_TEXT,
        "",
        _("告知机关：%(body)s") % {"body": bureau_name()},
    ]
    return "\n".join(lines)
