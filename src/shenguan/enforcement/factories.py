"""Test and demo set-up for the enforcement bureau: a bureau with two squads of certified
officers, a legal section, a head, the command centre, grids with parties, and penalty and
inspection powers. Built with the org/parties/catalog factories and services; nothing here
bypasses an enforcement service."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from shenguan.catalog.choices import PowerKind
from shenguan.catalog.factories import make_power
from shenguan.core.factories import make_user
from shenguan.core.permissions import Role, forget_scope
from shenguan.org.choices import DepartmentKind, SectionKind
from shenguan.org.factories import DepartmentFactory, GridFactory, SectionFactory
from shenguan.org.models import Staff
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory

_seq = itertools.count(1)


def certify(user, n: int | None = None) -> Staff:
    n = n if n is not None else next(_seq)
    Staff.objects.filter(user=user).update(enforcement_cert_no=f"鄂执{420700000 + n}")
    forget_scope(user)
    return Staff.objects.get(user=user)


def officer(squad, username: str, name: str = "", certified: bool = True):
    user = make_user(
        Role.ENFORCEMENT_OFFICER, section=squad, username=username, first_name=name or username
    )
    if certified:
        certify(user)
    return user


def ensure_seed() -> None:
    """The data migration's seed (policy v1, the four procedures, the default checklist):
    tests that flush the database (live server, transactional) wipe it, so put it back."""
    import importlib

    from django.apps import apps

    module = importlib.import_module(
        "shenguan.enforcement.migrations.0003_seed_policy_procedures_checklist"
    )
    module.seed(apps, None)


def bureau(prefix: str = "") -> SimpleNamespace:
    """A small enforcement bureau; ``prefix`` keeps codes unique when called twice."""
    ensure_seed()
    p = prefix
    dept = DepartmentFactory(
        code=f"{p}ZFJ", name=f"{p}综合执法局", kind=DepartmentKind.ENFORCEMENT_BUREAU
    )
    squad = SectionFactory(
        department=dept, code=f"{p}ZFJ-1", name="执法一中队", kind=SectionKind.SQUAD
    )
    other_squad = SectionFactory(
        department=dept, code=f"{p}ZFJ-2", name="执法二中队", kind=SectionKind.SQUAD
    )
    legal_section = SectionFactory(
        department=dept, code=f"{p}ZFJ-FZ", name="法制科", kind=SectionKind.LEGAL
    )
    office = SectionFactory(
        department=dept, code=f"{p}ZFJ-BGS", name="办公室", kind=SectionKind.OFFICE
    )
    o1 = officer(squad, f"{p}inspector1", "何振华")
    o2 = officer(squad, f"{p}inspector2", "高洁")
    o3 = officer(squad, f"{p}inspector3", "林伟")
    uncertified = officer(squad, f"{p}trainee", "见习队员", certified=False)
    other = officer(other_squad, f"{p}inspector9", "梁超")
    other2 = officer(other_squad, f"{p}inspector10", "宋雨")
    legal = make_user(
        Role.LEGAL_REVIEWER, section=legal_section, username=f"{p}legal1", first_name="谢文"
    )
    legal2 = make_user(
        Role.LEGAL_REVIEWER, section=legal_section, username=f"{p}legal2", first_name="韩冰"
    )
    head = make_user(Role.BUREAU_HEAD, section=office, username=f"{p}ehead1", first_name="冯国栋")
    command = make_user(Role.COMMAND_CENTRE, staff=True, username=f"{p}command1", first_name="邓辉")
    grid = GridFactory(code=f"{p}G-1", name="葛店社区", squad=squad)
    other_grid = GridFactory(code=f"{p}G-2", name="工业园网格", squad=other_squad)
    company = EnterpriseFactory(grid=grid, name=f"{p}鄂州葛店示例食品有限公司")
    person = IndividualFactory(grid=grid, name=f"{p}张三丰")
    far_company = EnterpriseFactory(grid=other_grid)
    penalty = make_power(
        kind=PowerKind.PENALTY,
        department=dept,
        section=squad,
        name="对未取得食品经营许可从事食品经营活动的处罚",
        acting_body=dept.name,
        enforcement_class="penalty",
        legal_basis="《中华人民共和国食品安全法》第一百二十二条",
    )
    inspection = make_power(
        kind=PowerKind.INSPECTION,
        department=dept,
        section=squad,
        name="对食品经营者的监督检查",
        acting_body=dept.name,
        enforcement_class="inspection",
    )
    staff = {
        u.username: Staff.objects.get(user=u)
        for u in (o1, o2, o3, uncertified, other, other2, legal, legal2, head)
    }
    return SimpleNamespace(
        department=dept,
        squad=squad,
        other_squad=other_squad,
        legal_section=legal_section,
        officer1=o1,
        officer2=o2,
        officer3=o3,
        trainee=uncertified,
        other_officer=other,
        other_officer2=other2,
        legal=legal,
        legal2=legal2,
        head=head,
        command=command,
        grid=grid,
        company=company,
        person=person,
        far_company=far_company,
        penalty_power=penalty,
        inspection_power=inspection,
        staff=lambda user: Staff.objects.get(user=user),
        staff_by_name=staff,
    )
