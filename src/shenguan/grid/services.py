"""Every state change of the grid app. Each function runs in one transaction: lock, check the
transition table and the caller's capacity, write, record the step, journal, outbox.

Routing (条例 art 12 分流交办) reads the routing policy in force: the first rule matching the
event's category (and words) whose receiver can be found — a power's responsibility in the
power list, or the grid's enforcement squad — decides the department/section, the power and
the closing limit in working days. An event no rule can place stays with the command centre,
which dispatches it by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.catalog.models import Power, Responsibility
from shenguan.core import calendar, journal, outbox
from shenguan.core.context import current_actor
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Role, Scope
from shenguan.org.models import Grid, Section, Staff

from . import workflow
from .choices import OPEN_STATUSES, Category, EventStatus
from .files import PreparedPhoto, prepared_photos
from .models import (
    EventPhoto,
    EventStep,
    GridEvent,
    PhotoStage,
    ProxyFiling,
    RoutingPolicy,
    RoutingRule,
)
from .workflow import Actor

DEFAULT_LIMIT_DAYS = 5
# An event no rule placed (or one sent back) waits for the command centre, which must dispatch
# it promptly (条例 art 11: 及时流转办理): by the next working day.
DISPATCH_LIMIT_DAYS = 1
# The first policy, written on first use (and by the demo). Administrators publish new versions.
DEFAULT_RULES = [
    # (category, keywords, power_kind, power_keywords, to_grid_squad, limit_days)
    (Category.HAZARD, "污染|排污|废水|废气|异味|偷排", "penalty", "污染|排放|排污", False, 3),
    (Category.HAZARD, "", "", "", True, 3),
    (Category.UNLICENSED_OPERATION, "", "penalty", "未取得|未经许可|无证", True, 5),
    (Category.COMPLAINT, "食品|餐饮|药品", "licensing", "食品|药品", False, 5),
    (Category.COMPLAINT, "", "", "", True, 5),
    (
        Category.HELP_REQUEST,
        "社保|医保|养老|低保|救助|就业",
        "public_service",
        "社会保险|养老|救助|就业",
        False,
        5,
    ),
]


def today() -> dt.date:
    return timezone.localdate()


# --- policy -----------------------------------------------------------------------------------


def ensure_policy(day: dt.date | None = None) -> RoutingPolicy:
    """The policy in force; the first version is seeded on first use (idempotent, and safe
    after a test's flush since it runs when needed, not in a migration)."""
    day = day or today()
    policy = RoutingPolicy.in_force(day)
    if policy is not None:
        return policy
    if RoutingPolicy.objects.exists():
        raise DomainError(_("没有在该日期生效的网格事件分派政策"), code="policy_missing")
    with transaction.atomic():
        try:
            with transaction.atomic():
                policy, created = RoutingPolicy.objects.get_or_create(
                    version=1,
                    defaults={
                        "effective_from": dt.date(2000, 1, 1),
                        "note": "初始分派政策（系统预置）",
                    },
                )
        except IntegrityError:
            return RoutingPolicy.objects.get(version=1)
        if created:
            for order, (cat, words, kind, pwords, squad, days) in enumerate(DEFAULT_RULES):
                RoutingRule.objects.create(
                    policy=policy,
                    order=order,
                    category=cat,
                    keywords=words,
                    power_kind=kind,
                    power_keywords=pwords,
                    to_grid_squad=squad,
                    limit_days=days,
                )
            journal.record(
                "grid.routingpolicy.seeded",
                policy,
                after={"version": 1, "rules": len(DEFAULT_RULES)},
            )
        return policy


def publish_policy(
    *, effective_from: dt.date, rules: list[dict], note: str = "", user=None
) -> RoutingPolicy:
    """A new version of the routing table (administrators). ``rules`` are dicts of
    RoutingRule fields (category, keywords, power_id, power_kind, power_keywords,
    to_grid_squad, limit_days)."""
    with transaction.atomic():
        if user is not None and not Scope.of(user).is_admin:
            raise Forbidden(_("只有系统管理员可以发布分派政策"))
        if not rules:
            raise DomainError(_("分派政策至少需要一条规则"), code="invalid")
        last = RoutingPolicy.objects.select_for_update(no_key=True).order_by("-version").first()
        policy = RoutingPolicy.objects.create(
            version=(last.version + 1) if last else 1,
            effective_from=effective_from,
            note=note[:300],
            created_by=user,
        )
        allowed = {
            "category",
            "keywords",
            "power_id",
            "power_kind",
            "power_keywords",
            "to_grid_squad",
            "limit_days",
        }
        from shenguan.core.services import full_clean

        for order, data in enumerate(rules):
            rule = RoutingRule(
                policy=policy, order=order, **{k: v for k, v in data.items() if k in allowed}
            )
            full_clean(rule)
            rule.save()
        journal.record(
            "grid.routingpolicy.published",
            policy,
            after={
                "version": policy.version,
                "effective_from": effective_from,
                "rules": [journal.snapshot(r) for r in policy.rules.all()],
            },
        )
        outbox.emit("grid.policy_published", policy, {"version": policy.version})
        return policy


# --- routing ----------------------------------------------------------------------------------


@dataclass
class Receiver:
    department_id: int
    section_id: int | None
    assignee_id: int | None
    power: Power | None
    basis: str


def find_power(kind: str, words: list[str]) -> Power | None:
    """The first power (by code) of ``kind`` whose current name contains one of ``words``
    and that has a responsibility entry (责任清单)."""
    qs = Power.objects.filter(kind=kind, responsibility__isnull=False)
    if words:
        cond = Q()
        for w in words:
            cond |= Q(versions__name__contains=w)
        qs = qs.filter(cond)
    return qs.order_by("code").distinct().first()


def _receiver_for_power(power: Power, basis: str) -> Receiver:
    resp = (
        Responsibility.objects.select_related("section", "post__holder", "post__backup")
        .filter(power=power)
        .first()
    )
    if resp is not None:
        staff = resp.acting_staff()
        return Receiver(
            resp.section.department_id,
            resp.section_id,
            staff.pk if staff else None,
            power,
            f"{basis}；责任清单：{resp.section}",
        )
    return Receiver(power.department_id, power.section_id, None, power, basis)


def resolve(rule: RoutingRule, event: GridEvent) -> Receiver | None:
    power = rule.power
    if power is None and rule.power_kind:
        power = find_power(rule.power_kind, RoutingRule.words(rule.power_keywords))
    basis = f"分派政策v{rule.policy.version}第{rule.order + 1}条"
    if power is not None:
        basis += f"；权力事项 {power.code}"
    if rule.to_grid_squad:
        squad = event.grid.squad
        if squad is None:
            return None
        return Receiver(squad.department_id, squad.pk, None, power, f"{basis}；网格责任执法中队")
    if power is None:
        return None
    return _receiver_for_power(power, basis)


def _text(event: GridEvent) -> str:
    return f"{event.title}\n{event.description}\n{event.place}"


def route_for(event: GridEvent, day: dt.date) -> tuple[RoutingPolicy, RoutingRule, Receiver] | None:
    policy = ensure_policy(day)
    text = _text(event)
    rules = policy.rules.select_related("power", "policy").order_by("order", "id")
    for rule in rules:
        if not rule.matches(event.category, text):
            continue
        receiver = resolve(rule, event)
        if receiver is not None:
            return policy, rule, receiver
    return None


def limit_for(category: str, day: dt.date) -> int:
    policy = ensure_policy(day)
    rule = policy.rules.filter(category=category).order_by("order", "id").first()
    return rule.limit_days if rule else DEFAULT_LIMIT_DAYS


# --- helpers ----------------------------------------------------------------------------------


def _staff_of(user) -> Staff | None:
    if user is None:
        return None
    sid = Scope.of(user).staff_id
    return Staff.objects.get(pk=sid) if sid else None


def actors_for(user, event: GridEvent) -> set[Actor]:
    if user is None:
        return {Actor.SYSTEM}
    scope = Scope.of(user)
    kinds: set[Actor] = set()
    if Role.GRID_WORKER.value in scope.roles and event.grid_id in scope.grid_ids:
        kinds.add(Actor.WORKER)
    if scope.is_admin or Role.COMMAND_CENTRE.value in scope.roles:
        kinds.add(Actor.CENTRE)
    if event.assigned_section_id is not None:
        if event.assigned_section_id in scope.section_ids:
            kinds.add(Actor.RECEIVER)
    elif event.assigned_department_id and event.assigned_department_id == scope.department_id:
        kinds.add(Actor.RECEIVER)
    return kinds


def _lock(event_id, user) -> GridEvent:
    try:
        event = (
            GridEvent.objects.select_for_update(of=("self",), no_key=True)
            .select_related("grid__squad", "assigned_section", "assigned_department")
            .get(pk=event_id)
        )
    except (GridEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("事件 %(id)s 不存在") % {"id": event_id})
    if user is not None:
        mine = GridEvent.objects.filter(pk=event.pk)
        if not mine.restrict(user).exists():
            raise NotFound(_("事件 %(id)s 不存在") % {"id": event_id})
        # visible but not theirs to handle: 403 before any state check (no 409 that would
        # describe the event's state to a reader)
        if not mine.restrict(user, "change").exists():
            raise Forbidden(_("您可以查看该事件，但无权办理"))
    return event


def _authorize(event: GridEvent, action: str, user) -> tuple[workflow.Transition, Actor]:
    transition = workflow.transition_for(action, event.status)
    actor = workflow.check_actor(transition, actors_for(user, event))
    return transition, actor


def _require(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message, code="required", field_errors={field: [message]})
    return text


def _coordinate(value, name: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise DomainError(_("坐标无效"), code="invalid_coordinate", field_errors={name: ["?"]})
    if abs(number) > bound:
        raise DomainError(_("坐标超出范围"), code="invalid_coordinate", field_errors={name: ["?"]})
    return number


STATE_FIELDS = (
    "status",
    "assigned_department_id",
    "assigned_section_id",
    "assignee_id",
    "routed_power_id",
    "limit_days",
    "due_on",
    "closed_at",
    "closed_overdue",
    "is_overdue",
    "rating",
    "reopen_count",
)
PAST = {
    "report": "reported",
    "route": "routed",
    "accept": "accepted",
    "return": "returned",
    "recall": "recalled",
    "close": "closed",
    "confirm": "confirmed",
    "reopen": "reopened",
    "mark_overdue": "overdue",
}


def _state(event: GridEvent) -> dict:
    return {f: getattr(event, f) for f in STATE_FIELDS}


def payload(event: GridEvent, **extra) -> dict:
    return {
        "id": event.pk,
        "number": event.number,
        "category": event.category,
        "status": event.status,
        "grid_id": event.grid_id,
        "reporter_id": event.reporter_id,
        "assigned_department_id": event.assigned_department_id,
        "assigned_section_id": event.assigned_section_id,
        "assignee_id": event.assignee_id,
        "routed_power_id": event.routed_power_id,
        "due_on": event.due_on,
        "is_overdue": event.is_overdue,
        "url": event.get_absolute_url(),
        **extra,
    }


def _record(
    event: GridEvent,
    transition: workflow.Transition,
    before: dict,
    *,
    source_status: str = "",
    note: str = "",
    by: str = "",
    **extra,
) -> EventStep:
    step = EventStep.objects.create(
        event=event,
        action=transition.action,
        from_status=source_status,
        to_status=event.status,
        article=transition.article,
        actor_name=(by or current_actor().display_name)[:200],
        note=note,
    )
    past = PAST[transition.action]
    after = _state(event)
    b, a = journal.diff(before, after)
    journal.record(
        f"grid.event.{past}",
        event,
        before=b,
        after={**(a or {}), **({"note": note} if note else {}), **extra},
    )
    outbox.emit(f"grid.event_{past}", event, payload(event, note=note, **extra))
    return step


def _save_photos(event: GridEvent, photos: list[PreparedPhoto], stage: str, staff) -> list[dict]:
    out = []
    for p in photos:
        row = EventPhoto(
            event=event,
            stage=stage,
            original_name=p.original_name,
            content_type=p.content_type,
            size=p.size,
            sha256=p.sha256,
            uploaded_by=staff,
        )
        row.file.name = p.name
        row.save()
        out.append({"id": row.pk, "sha256": row.sha256, "size": row.size})
    return out


def _assign(event: GridEvent, receiver: Receiver, limit_days: int, day: dt.date, at=None) -> None:
    event.assigned_department_id = receiver.department_id
    event.assigned_section_id = receiver.section_id
    event.assignee_id = receiver.assignee_id
    event.routed_power = receiver.power
    event.routing_basis = receiver.basis[:300]
    event.routed_at = at or timezone.now()
    event.limit_days = limit_days
    # The receiver's limit runs from the day of dispatch, in working days (the start day is
    # not counted).
    event.due_on = calendar.add_working_days(day, limit_days)
    event.return_reason = ""
    # the clock is the new holder's: an earlier delay stays in the file, not on the receiver
    event.is_overdue = False
    event.overdue_marked_at = None


def _next_number(day: dt.date) -> str:
    from shenguan.approvals.services._base import next_number

    return f"GE-{day.year}-{next_number('grid_event', day.year):06d}"


# --- report and route -------------------------------------------------------------------------


def report_event(
    *,
    grid_id: int,
    category: str,
    title: str,
    place: str,
    description: str = "",
    latitude=None,
    longitude=None,
    party_id: int | None = None,
    photos=(),
    reported_at: dt.datetime | None = None,
    user=None,
) -> GridEvent:
    """A grid worker reports an event of their grid, with photos from the phone (JPEG, PNG,
    WebP). It is routed at once by the policy in force; if no rule places it, it waits for
    the command centre (status ``reported``). ``reported_at`` (system imports only, e.g. from
    an older grid system) dates the report in the past."""
    if category not in Category.values:
        raise DomainError(_("事件类别无效"), code="invalid", field_errors={"category": [_("无效")]})
    title = _require(title, "title", _("请填写事件标题"))
    place = _require(place, "place", _("请填写事件地点"))
    with prepared_photos(photos) as prepared, transaction.atomic():
        scope = Scope.of(user) if user is not None else None
        grid = Grid.objects.select_related("squad").filter(pk=grid_id).first()
        if grid is None:
            raise DomainError(
                _("网格不存在"), code="invalid", field_errors={"grid_id": [_("不存在")]}
            )
        if scope is not None:
            if Role.GRID_WORKER.value not in scope.roles or grid.pk not in scope.grid_ids:
                raise Forbidden(_("只有本网格的网格员可以上报事件"))
            reporter = _staff_of(user)
        else:
            reporter = grid.worker
        if reporter is None:
            raise DomainError(_("上报人须为登记在册的网格员"), code="no_staff")
        party = None
        if party_id:
            from shenguan.parties.models import Party

            qs = Party.objects.filter(pk=party_id)
            party = (qs.restrict(user) if user is not None else qs).first()
            if party is None:
                raise DomainError(
                    _("相关主体不存在"),
                    code="invalid",
                    field_errors={"party_id": [_("不存在")]},
                )
        now = timezone.now()
        if reported_at is not None:
            if user is not None:
                raise Forbidden(_("只有系统导入可以补录上报时间"))
            if reported_at > now:
                raise DomainError(_("上报时间不能晚于现在"), code="reported_at")
            now = reported_at
        day = timezone.localdate(now)
        event = GridEvent.objects.create(
            number=_next_number(day),
            category=category,
            title=title[:200],
            description=(description or "").strip(),
            place=place[:300],
            latitude=_coordinate(latitude, "latitude", 90),
            longitude=_coordinate(longitude, "longitude", 180),
            grid=grid,
            reporter=reporter,
            party=party,
            status=EventStatus.REPORTED,
            reported_at=now,
            reported_on=day,
        )
        saved = _save_photos(event, prepared, PhotoStage.REPORT, reporter)
        transition = workflow.transition_for("report", None)
        _record(event, transition, {}, photos=saved)
        if not _route_locked(event, day, now):
            event.due_on = calendar.add_working_days(day, DISPATCH_LIMIT_DAYS)
            event.save(update_fields=["due_on", "updated"])
        if user is not None and not GridEvent.objects.filter(pk=event.pk).restrict(user).exists():
            raise Forbidden(_("上报结果超出您的可见范围，未保存"))
        return event


def _route_locked(event: GridEvent, day: dt.date, at=None) -> bool:
    found = route_for(event, day)
    if found is None:
        return False
    policy, rule, receiver = found
    transition = workflow.transition_for("route", event.status)
    before = _state(event)
    source = event.status
    event.policy, event.rule = policy, rule
    _assign(event, receiver, rule.limit_days, day, at)
    event.status = transition.target
    event.save()
    _record(
        event,
        transition,
        before,
        source_status=source,
        note=receiver.basis,
        by=_("系统（按分派政策自动分派）"),
    )
    return True


def route_event(event_id: int, *, user=None) -> GridEvent:
    """Run the routing table again on an event waiting for dispatch (after a new policy)."""
    with transaction.atomic():
        event = _lock(event_id, user)
        _authorize(event, "route", user)
        if not _route_locked(event, today()):
            raise Conflict(_("分派政策中没有可以处理该事件的规则，请人工分派"))
        return event


def dispatch_event(
    event_id: int,
    *,
    section_id: int | None = None,
    power_id: int | None = None,
    limit_days: int | None = None,
    note: str = "",
    user=None,
) -> GridEvent:
    """The command centre dispatches by hand: to a power's responsible section (power list)
    or straight to a section/squad."""
    with transaction.atomic():
        event = _lock(event_id, user)
        transition, _actor = _authorize(event, "route", user)
        day = today()
        if power_id:
            power = Power.objects.filter(pk=power_id).first()
            if power is None:
                raise DomainError(
                    _("权力事项不存在"), code="invalid", field_errors={"power_id": [_("不存在")]}
                )
            receiver = _receiver_for_power(power, f"指挥中心人工分派；权力事项 {power.code}")
        elif section_id:
            section = Section.objects.filter(pk=section_id).first()
            if section is None:
                raise DomainError(
                    _("科室不存在"), code="invalid", field_errors={"section_id": [_("不存在")]}
                )
            receiver = Receiver(
                section.department_id, section.pk, None, None, f"指挥中心人工分派：{section}"
            )
        else:
            raise DomainError(_("请选择承办科室或权力事项"), code="required")
        if limit_days is not None and not 1 <= int(limit_days) <= 60:
            raise DomainError(
                _("办结时限须为1至60个工作日"),
                code="invalid",
                field_errors={"limit_days": ["1-60"]},
            )
        before, source = _state(event), event.status
        event.policy = ensure_policy(day)
        event.rule = None
        _assign(event, receiver, int(limit_days or limit_for(event.category, day)), day)
        event.status = transition.target
        event.save()
        _record(event, transition, before, source_status=source, note=(note or receiver.basis))
        return event


# --- the receiver -----------------------------------------------------------------------------


def accept_event(event_id: int, *, user=None) -> GridEvent:
    with transaction.atomic():
        event = _lock(event_id, user)
        transition, _actor = _authorize(event, "accept", user)
        before, source = _state(event), event.status
        staff = _staff_of(user)
        if staff is not None:
            event.assignee = staff
        event.accepted_at = timezone.now()
        event.status = transition.target
        event.save()
        _record(event, transition, before, source_status=source)
        return event


def _back_to_centre(event_id: int, action: str, reason: str, user) -> GridEvent:
    reason = _require(reason, "reason", _("请写明理由"))
    with transaction.atomic():
        event = _lock(event_id, user)
        transition, _actor = _authorize(event, action, user)
        before, source = _state(event), event.status
        event.status = transition.target
        event.return_reason = reason[:500]
        event.assigned_department = None
        event.assigned_section = None
        event.assignee = None
        event.accepted_at = None
        event.due_on = calendar.add_working_days(today(), DISPATCH_LIMIT_DAYS)
        event.is_overdue = False
        event.overdue_marked_at = None
        event.save()
        _record(event, transition, before, source_status=source, note=reason)
        return event


def return_event(event_id: int, *, reason: str, user=None) -> GridEvent:
    """Not this receiver's remit: back to the command centre with the reason (art 11 ¶2)."""
    return _back_to_centre(event_id, "return", reason, user)


def recall_event(event_id: int, *, reason: str, user=None) -> GridEvent:
    return _back_to_centre(event_id, "recall", reason, user)


def close_event(event_id: int, *, report: str, photos=(), user=None) -> GridEvent:
    """The receiver closes the event with a report of what was done (and photos); a closure
    after the limit is recorded as overdue. The result goes back to the grid worker."""
    report = _require(report, "report", _("请填写办理结果"))
    with prepared_photos(photos) as prepared, transaction.atomic():
        event = _lock(event_id, user)
        transition, _actor = _authorize(event, "close", user)
        before, source = _state(event), event.status
        now = timezone.now()
        staff = _staff_of(user)
        event.closed_at = now
        event.closed_by = staff
        if event.assignee_id is None and staff is not None:
            event.assignee = staff
        event.closure_report = report
        late = event.due_on is not None and timezone.localdate(now) > event.due_on
        event.closed_overdue = late
        if late:
            event.is_overdue = True
        event.status = transition.target
        event.save()
        saved = _save_photos(event, prepared, PhotoStage.CLOSURE, staff)
        _record(
            event,
            transition,
            before,
            source_status=source,
            note=report,
            overdue=late,
            photos=saved,
        )
        return event


# --- the grid worker's feedback ---------------------------------------------------------------


def confirm_event(event_id: int, *, rating: int | None = None, comment: str = "", user=None):
    with transaction.atomic():
        event = _lock(event_id, user)
        transition, actor = _authorize(event, "confirm", user)
        if rating is not None and not 1 <= int(rating) <= 5:
            raise DomainError(_("评价须为1至5分"), code="invalid", field_errors={"rating": ["1-5"]})
        if actor == Actor.WORKER and rating is None:
            raise DomainError(
                _("请对办理结果评分"), code="required", field_errors={"rating": ["1-5"]}
            )
        before, source = _state(event), event.status
        event.rating = int(rating) if rating is not None else None
        event.feedback = (comment or "").strip()[:500]
        event.confirmed_at = timezone.now()
        event.status = transition.target
        event.save()
        _record(event, transition, before, source_status=source, note=event.feedback)
        return event


def reopen_event(event_id: int, *, reason: str, user=None) -> GridEvent:
    """The result does not settle the matter: back to the same receiver with a fresh limit."""
    reason = _require(reason, "reason", _("请写明重办理由"))
    with transaction.atomic():
        event = _lock(event_id, user)
        transition, _actor = _authorize(event, "reopen", user)
        before, source = _state(event), event.status
        day = today()
        event.status = transition.target
        event.reopen_count += 1
        event.closed_at = None
        event.closed_by = None
        event.closed_overdue = False
        event.is_overdue = False
        event.overdue_marked_at = None
        event.accepted_at = None
        event.due_on = calendar.add_working_days(day, event.limit_days or DEFAULT_LIMIT_DAYS)
        event.save()
        _record(event, transition, before, source_status=source, note=reason)
        return event


# --- the overdue sweep ------------------------------------------------------------------------


def sweep(day: dt.date | None = None) -> dict:
    """Mark every open event past its limit as overdue (once). Idempotent."""
    day = day or today()
    ids = list(
        GridEvent.objects.filter(
            status__in=OPEN_STATUSES, due_on__lt=day, is_overdue=False, closed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    marked = 0
    for pk in ids:
        with transaction.atomic():
            event = GridEvent.objects.select_for_update(no_key=True).filter(pk=pk).first()
            if event is None or not event.overdue_on(day) or event.is_overdue:
                continue
            transition = workflow.transition_for("mark_overdue", event.status)
            before = _state(event)
            event.is_overdue = True
            event.overdue_marked_at = timezone.now()
            event.save(update_fields=["is_overdue", "overdue_marked_at", "updated"])
            _record(
                event,
                transition,
                before,
                source_status=event.status,
                note=_("已超过办结期限 %(due)s") % {"due": event.due_on},
                by=_("系统（超期检查）"),
            )
            marked += 1
    return {"checked": len(ids), "overdue": marked}


# --- filing on behalf of a resident (代办) ------------------------------------------------------


def file_on_behalf(
    *,
    party_id: int,
    power_id: int,
    consent_note: str,
    description: str = "",
    user=None,
) -> ProxyFiling:
    """A grid worker files an application for a resident or enterprise of their grid
    (公共服务代办, 条例 art 3). The application is filed through the approvals intake with the
    agent channel and the worker as filer, then follows the normal flow."""
    from shenguan.approvals.choices import Channel
    from shenguan.approvals.services import intake
    from shenguan.parties.models import Party

    consent_note = _require(consent_note, "consent_note", _("请写明委托人的委托情况"))
    with transaction.atomic():
        if user is None:
            raise Forbidden(_("代办须由网格员办理"))
        scope = Scope.of(user)
        if Role.GRID_WORKER.value not in scope.roles or scope.staff_id is None:
            raise Forbidden(_("只有网格员可以代办"))
        party = Party.objects.restrict(user).filter(pk=party_id).first()
        if party is None:
            raise NotFound(_("主体 %(id)s 不存在") % {"id": party_id})
        if party.grid_id not in scope.grid_ids:
            raise Forbidden(_("只能为本网格内的主体代办"))
        app = intake.create_application(
            power_id=power_id,
            applicant_id=party.pk,
            channel=Channel.AGENT,
            description=description,
            user=user,
        )
        filing = ProxyFiling.objects.create(
            grid_id=party.grid_id,
            worker_id=scope.staff_id,
            party=party,
            application=app,
            consent_note=consent_note[:500],
        )
        journal.record(
            "grid.proxyfiling.created",
            filing,
            after={
                "grid": filing.grid_id,
                "worker": filing.worker_id,
                "party": party.pk,
                "application": app.pk,
                "number": app.number,
                "channel": app.channel,
                "consent_note": filing.consent_note,
            },
        )
        outbox.emit(
            "grid.proxy_filed",
            filing,
            {"id": filing.pk, "application_id": app.pk, "party_id": party.pk},
        )
        return filing
