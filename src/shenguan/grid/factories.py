"""A small grid world for tests: an enforcement bureau with two grid squads and an
environmental squad that answers (in the responsibility list) for a pollution penalty power,
two grids with their workers, receivers, a command centre user, parties in each grid."""

from __future__ import annotations

from dataclasses import dataclass

from shenguan.catalog import services as catalog_services
from shenguan.catalog.factories import make_power
from shenguan.core.factories import make_user
from shenguan.core.permissions import Role
from shenguan.org.choices import DepartmentKind
from shenguan.org.factories import DepartmentFactory, GridFactory, PostFactory, SectionFactory
from shenguan.org.models import Staff
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x02" * 64


@dataclass
class World:
    bureau: object
    squad1: object
    squad2: object
    eco_squad: object
    pollution_power: object
    eco_holder: object  # Staff holding the post answerable for the pollution power
    grid1: object
    grid2: object
    worker1: object
    worker2: object
    inspector1: object  # squad1 (grid1's squad)
    inspector2: object  # squad2
    eco_inspector: object  # user of eco_holder
    command: object
    party1: object
    party2: object
    resident1: object


def build_world() -> World:
    bureau = DepartmentFactory(
        code="GW-ENF", name="网格测试执法局", kind=DepartmentKind.ENFORCEMENT_BUREAU
    )
    squad1 = SectionFactory(department=bureau, code="GW-SQ1", squad=True)
    squad2 = SectionFactory(department=bureau, code="GW-SQ2", squad=True)
    eco = SectionFactory(department=bureau, code="GW-SQ3", squad=True, name="生态环境中队")
    centre = DepartmentFactory(
        code="GW-CC", name="网格测试指挥中心", kind=DepartmentKind.COMMAND_CENTRE
    )
    ops = SectionFactory(department=centre, code="GW-OPS")
    eco_inspector = make_user(Role.ENFORCEMENT_OFFICER, username="gw_eco", section=eco)
    holder = Staff.objects.get(user=eco_inspector)
    post = PostFactory(section=eco, holder=holder, backup=None)
    power = make_power(
        code="GW-PEN-001",
        kind="penalty",
        department=bureau,
        section=eco,
        name="对超标排放水污染物的行政处罚",
    )
    catalog_services.assign_responsibility(power.pk, section_id=eco.pk, post_id=post.pk)
    worker1 = make_user(Role.GRID_WORKER, username="gw_worker1", section=ops)
    worker2 = make_user(Role.GRID_WORKER, username="gw_worker2", section=ops)
    grid1 = GridFactory(
        code="GW-G1", name="测试一网格", worker=Staff.objects.get(user=worker1), squad=squad1
    )
    grid2 = GridFactory(
        code="GW-G2", name="测试二网格", worker=Staff.objects.get(user=worker2), squad=squad2
    )
    inspector1 = make_user(Role.ENFORCEMENT_OFFICER, username="gw_insp1", section=squad1)
    inspector2 = make_user(Role.ENFORCEMENT_OFFICER, username="gw_insp2", section=squad2)
    command = make_user(Role.COMMAND_CENTRE, username="gw_command", section=ops)
    party1 = EnterpriseFactory(grid=grid1)
    party2 = EnterpriseFactory(grid=grid2)
    resident1 = IndividualFactory(grid=grid1)
    for u in (worker1, worker2, inspector1, inspector2, command, eco_inspector):
        from shenguan.core.permissions import forget_scope

        forget_scope(u)
    return World(
        bureau=bureau,
        squad1=squad1,
        squad2=squad2,
        eco_squad=eco,
        pollution_power=power,
        eco_holder=holder,
        grid1=grid1,
        grid2=grid2,
        worker1=worker1,
        worker2=worker2,
        inspector1=inspector1,
        inspector2=inspector2,
        eco_inspector=eco_inspector,
        command=command,
        party1=party1,
        party2=party2,
        resident1=resident1,
    )
