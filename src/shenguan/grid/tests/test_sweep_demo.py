"""The worker's periodic sweep, the command, and the demo seeder."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command

from shenguan.core.consumers import PERIODIC, load_consumers
from shenguan.grid import services
from shenguan.grid.models import GridEvent, RoutingPolicy

pytestmark = pytest.mark.django_db


def test_sweep_is_a_periodic_task_and_a_command(world, travel, capsys):
    load_consumers()
    assert "grid.sweep" in PERIODIC
    travel(dt.date(2026, 9, 29))
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="hazard",
        title="井盖缺失",
        place="路口",
        user=world.worker1,
    )
    travel(dt.date(2026, 10, 12))
    PERIODIC["grid.sweep"].func()
    event.refresh_from_db()
    assert event.is_overdue
    call_command("grid", "sweep", "--today", "2026-10-13")
    assert "overdue=0" in capsys.readouterr().out
    call_command("grid", "policy")
    assert "routing policy v1" in capsys.readouterr().out


def test_policy_seeded_once_and_new_version_takes_over(world, travel, admin_user):
    travel(dt.date(2026, 9, 29))
    first = services.ensure_policy()
    assert services.ensure_policy() == first and RoutingPolicy.objects.count() == 1
    new = services.publish_policy(
        effective_from=dt.date(2026, 9, 29),
        rules=[
            {"category": "hazard", "to_grid_squad": True, "limit_days": 1},
            {"category": "complaint", "power_id": world.pollution_power.pk, "limit_days": 2},
        ],
        user=admin_user,
    )
    assert new.version == 2
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="hazard",
        title="企业偷排废水",
        place="河道",
        user=world.worker1,
    )
    # the new table sends all hazards to the grid's squad, 1 working day
    assert event.policy_id == new.pk and event.assigned_section_id == world.squad1.pk
    assert event.due_on == dt.date(2026, 9, 30)
    complaint = services.report_event(
        grid_id=world.grid1.pk,
        category="complaint",
        title="异味投诉",
        place="河道",
        user=world.worker1,
    )
    assert complaint.assigned_section_id == world.eco_squad.pk
    from shenguan.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.publish_policy(
            effective_from=dt.date(2026, 10, 1),
            rules=[{"category": "hazard", "to_grid_squad": True}],
            user=world.command,
        )


def test_demo_seed_is_idempotent_and_varied(world, travel):
    from shenguan.grid.demo import seed_demo

    travel(dt.date(2026, 11, 16))
    result = seed_demo(random.Random(1))
    count = GridEvent.objects.count()
    assert count >= 18 and result["grid events"] == count
    states = set(GridEvent.objects.values_list("status", flat=True))
    assert {"reported", "routed", "accepted", "closed", "confirmed"} <= states
    assert GridEvent.objects.filter(is_overdue=True, closed_at__isnull=True).exists()
    assert GridEvent.objects.filter(closed_overdue=True).exists()
    assert GridEvent.objects.filter(reopen_count=1).exists()
    seed_demo(random.Random(1))
    assert GridEvent.objects.count() == count


def test_admin_publishes_a_new_policy_version(client, make_user, world):
    services.ensure_policy()
    su = make_user(username="gw_su", is_superuser=True, is_staff=True)
    client.force_login(su)
    page = client.get("/admin/grid/routingpolicy/add/")
    assert page.status_code == 200
    form = {
        "effective_from": "2026-01-01",
        "note": "测试",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-category": "hazard",
        "rules-0-keywords": "",
        "rules-0-power": str(world.pollution_power.pk),
        "rules-0-power_kind": "",
        "rules-0-power_keywords": "",
        "rules-0-limit_days": "2",
    }
    r = client.post("/admin/grid/routingpolicy/add/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    latest = RoutingPolicy.objects.order_by("-version").first()
    assert latest.version == 2
    rule = latest.rules.get()
    assert rule.power_id == world.pollution_power.pk and rule.limit_days == 2
    for url in ("/admin/grid/gridevent/", "/admin/grid/proxyfiling/"):
        assert client.get(url).status_code == 200
