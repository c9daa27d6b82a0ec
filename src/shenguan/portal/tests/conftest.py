"""Fixtures of the page tests: a small organisation, catalogue and set of parties, built with
the apps' factories and plain ORM writes (test set-up, not application state changes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shenguan.catalog.models import Duty, Material, Power, PowerVersion, Responsibility
from shenguan.org.choices import DepartmentKind, SectionKind
from shenguan.org.factories import (
    DepartmentFactory,
    GridFactory,
    PostFactory,
    SectionFactory,
    StaffFactory,
)
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory


def make_power(code, name, kind, department, *, section=None, versions=1, **fields):
    """A power with ``versions`` versions, the last one in force since last year."""
    power = Power.objects.create(code=code, kind=kind, department=department, section=section)
    today = timezone.localdate()
    for n in range(1, versions + 1):
        start = today - dt.timedelta(days=365 * (versions - n + 1))
        end = (
            None
            if n == versions
            else today - dt.timedelta(days=365 * (versions - n)) - dt.timedelta(days=1)
        )
        PowerVersion.objects.create(
            power=power,
            version=n,
            effective_from=start,
            effective_to=end,
            name=name if n == versions else f"{name}（旧版{n}）",
            content_hash=f"{code}-{n}",
            **fields,
        )
    return power


@pytest.fixture
def org(db):
    """Approval bureau (window + one section with an A/B post), enforcement bureau (one squad,
    legal section) and two grids, one with a worker."""
    approval = DepartmentFactory(code="SPJ", name="行政审批局", kind=DepartmentKind.APPROVAL_BUREAU)
    enforcement = DepartmentFactory(
        code="ZFJ", name="综合执法局", kind=DepartmentKind.ENFORCEMENT_BUREAU
    )
    market = SectionFactory(department=approval, code="SPJ-SC", name="市场准入科")
    window = SectionFactory(
        department=approval, code="SPJ-CK", name="综合窗口", kind=SectionKind.WINDOW
    )
    squad = SectionFactory(
        department=enforcement, code="ZFJ-1", name="执法一中队", kind=SectionKind.SQUAD
    )
    holder = StaffFactory(section=market, name="张审批")
    backup = StaffFactory(section=market, name="李备岗")
    post = PostFactory(
        section=market, code="P-SC-1", name="食品经营许可审查", holder=holder, backup=backup
    )
    worker = StaffFactory(section=squad, name="王网格")
    grid_a = GridFactory(
        code="G-A", name="葛店社区", worker=worker, worker_phone="13900000001", squad=squad
    )
    grid_b = GridFactory(code="G-B", name="工业园网格", kind="industrial_park")
    return {
        "approval": approval,
        "enforcement": enforcement,
        "market": market,
        "window": window,
        "squad": squad,
        "post": post,
        "holder": holder,
        "backup": backup,
        "worker": worker,
        "grid_a": grid_a,
        "grid_b": grid_b,
    }


@pytest.fixture
def catalog(org):
    licence = make_power(
        "511A0138000000-511602000000-000-115113010833722043-1-00",
        "食品经营许可",
        "licensing",
        org["approval"],
        section=org["market"],
        versions=2,
        approval_class="controlled",
        statutory_limit_days=20,
        promised_limit_days=5,
        legal_basis="《中华人民共和国食品安全法》第三十五条",
    )
    current = licence.versions.get(version=2)
    Material.objects.create(version=current, seq=1, name="食品经营许可申请书", essential=True)
    Material.objects.create(
        version=current, seq=2, name="场所平面图", essential=False, deferrable=True
    )
    Duty.objects.create(version=current, seq=1, stage="intake", text="依法受理申请材料")
    Duty.objects.create(version=current, seq=2, stage="decision", text="作出准予或不予许可决定")
    Responsibility.objects.create(power=licence, section=org["market"], post=org["post"])
    make_power(
        "PUB-0002", "个体工商户登记", "licensing", org["approval"], approval_class="encouraged"
    )
    penalty = make_power(
        "ZF-CF-0001",
        "对未取得食品经营许可从事食品经营的处罚",
        "penalty",
        org["enforcement"],
        section=org["squad"],
        enforcement_class="penalty",
        day_counting="penalty",
    )
    return {"licence": licence, "penalty": penalty}


@pytest.fixture
def parties(org):
    return {
        "in_grid": IndividualFactory(name="刘居民", grid=org["grid_a"]),
        "other_grid": IndividualFactory(name="陈居民", grid=org["grid_b"]),
        "enterprise": EnterpriseFactory(name="葛店食品有限公司", grid=org["grid_a"]),
    }


@pytest.fixture
def grid_worker(make_user, org):
    """A grid-worker account linked to the worker of grid A."""
    user = make_user("grid_worker", username="gridworker")
    staff = org["worker"]
    staff.user = user
    staff.save()
    return user
