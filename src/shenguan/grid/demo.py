"""Demo grid events: the routing policy and about twenty events across the demo grids in
every state — waiting for the centre, routed, accepted, closed, confirmed, reopened, returned,
overdue and closed late — plus one 代办 filing. Idempotent: does nothing if events exist.

Called by the lead's seeder as ``seed_demo(rng)`` after the organisation, catalogue and
parties exist (users grid1–grid7, inspector1–6, command1)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shenguan.core import calendar
from shenguan.core.context import acting_as
from shenguan.org.models import Grid, Staff

from . import services
from .choices import Category
from .models import GridEvent, ProxyFiling

# (category, title, place suffix, description)
EVENTS = [
    (Category.HAZARD, "河沟有企业偷排废水", "排水沟", "沟内水体发黑、有刺鼻异味，疑似偷排"),
    (Category.HAZARD, "小区消防通道被占用", "北门消防通道", "多辆车辆长期停放堵塞消防通道"),
    (Category.HAZARD, "路边井盖缺失", "主干道人行道", "井盖缺失，夜间存在跌落危险"),
    (Category.HAZARD, "废品站露天焚烧产生废气", "废品回收站", "傍晚焚烧电线，废气污染严重"),
    (Category.UNLICENSED_OPERATION, "路边无证烧烤摊", "夜市路口", "占道经营，未见营业执照"),
    (Category.UNLICENSED_OPERATION, "居民楼内无证小作坊", "3栋一楼", "加工食品，无任何证照"),
    (Category.UNLICENSED_OPERATION, "无证废品收购点", "村口空地", "堆放杂乱，无经营许可"),
    (Category.COMPLAINT, "夜间施工噪声扰民", "在建工地", "晚十点后仍在施工"),
    (Category.COMPLAINT, "餐馆后厨卫生差", "美食街12号", "群众反映食品卫生问题"),
    (Category.COMPLAINT, "商铺占道堆放货物", "商业街", "影响行人通行"),
    (Category.HELP_REQUEST, "独居老人需要生活帮扶", "5组", "老人行动不便，请求帮助"),
    (Category.HELP_REQUEST, "失业人员咨询就业帮扶", "社区服务站", "希望了解就业援助政策"),
]


def _user_in(section_id):
    staff = (
        Staff.objects.filter(section_id=section_id, user__isnull=False, is_active=True)
        .select_related("user")
        .order_by("employee_no")
        .first()
    )
    return staff.user if staff else None


def _past(days_back: int) -> dt.datetime:
    day = timezone.localdate()
    for _ in range(days_back):
        day -= dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


def seed_demo(rng: random.Random | None = None) -> dict:
    rng = rng or random.Random(2026)
    with acting_as(source="command", name="command:demo"):
        return _seed(rng)


def _seed(rng: random.Random) -> dict:
    services.ensure_policy()
    if GridEvent.objects.exists():
        return {"grid events": GridEvent.objects.count()}
    grids = list(Grid.objects.filter(worker__user__isnull=False).select_related("worker__user"))
    if not grids:
        return {"grid events": 0}
    # Plans: how far back it was reported (working days) and how far it goes.
    plans = (
        ["open"] * 3
        + ["accepted"] * 3
        + ["closed"] * 3
        + ["confirmed"] * 4
        + ["reopened", "returned", "overdue", "overdue", "late", "late"]
    )
    made = 0
    for n, plan in enumerate(plans):
        cat, title, where, text = EVENTS[n % len(EVENTS)]
        grid = grids[n % len(grids)]
        worker = grid.worker.user
        back = {"overdue": 12, "late": 10}.get(plan, rng.randint(0, 2))
        party = grid.parties.order_by("id").first() if cat != Category.HELP_REQUEST else None
        event = services.report_event(
            grid_id=grid.pk,
            category=cat,
            title=title,
            place=f"{grid.name.removesuffix('网格')}{where}",
            description=text,
            latitude=f"{30.49 + rng.random() * 0.03:.6f}",
            longitude=f"{114.62 + rng.random() * 0.05:.6f}",
            party_id=party.pk if party and cat != Category.HAZARD else None,
            reported_at=_past(back) if back else None,
        )
        made += 1
        if event.status == "reported":  # no rule placed it: the centre dispatches
            command = Staff.objects.filter(user__username="command1").first()
            if command is None or grid.squad_id is None or plan == "open":
                continue
            services.dispatch_event(
                event.pk, section_id=grid.squad_id, user=command.user, note="指挥中心分派"
            )
            event.refresh_from_db()
        receiver = _user_in(event.assigned_section_id)
        if receiver is None or plan in ("open", "overdue"):
            continue
        if plan == "returned":
            services.return_event(event.pk, reason="不属于本单位职责，请重新分派", user=receiver)
            continue
        services.accept_event(event.pk, user=receiver)
        if plan == "accepted":
            continue
        services.close_event(
            event.pk,
            report=rng.choice(
                ["已现场处置并责令整改", "已联系相关单位处理完毕", "已立案调查，现场已恢复"]
            ),
            user=receiver,
        )
        if plan in ("confirmed", "late"):
            services.confirm_event(
                event.pk, rating=rng.randint(3, 5), comment="处理及时", user=worker
            )
        elif plan == "reopened":
            services.reopen_event(event.pk, reason="复查发现问题仍然存在", user=worker)
    swept = services.sweep()
    proxy = _proxy_filing(grids)
    return {"grid events": made, "overdue marked": swept["overdue"], "proxy filings": proxy}


def _proxy_filing(grids) -> int:
    from shenguan.approvals.models import RoutePolicy
    from shenguan.catalog.models import Power

    if ProxyFiling.objects.exists() or RoutePolicy.in_force() is None:
        return ProxyFiling.objects.count()
    grid = grids[0]
    party = grid.parties.filter(kind="individual").order_by("id").first()
    power = (
        Power.objects.filter(kind="licensing", versions__name__contains="食品")
        .order_by("code")
        .first()
    )
    if party is None or power is None or power.current is None:
        return 0
    services.file_on_behalf(
        party_id=party.pk,
        power_id=power.pk,
        consent_note="本人行动不便，口头委托网格员代办，已核对身份证件",
        description="网格员上门代办",
        user=grid.worker.user,
    )
    return 1
