"""The demo: a Gedian-like development zone (labelled as generated wherever it is not real).

Real: the Guang'an district's published service items (its 行政审批局's 344 items become our
approval catalogue), the Xi'an power-and-responsibility sample, the Guangdong eco-environment
penalty list (281 penalty powers), the 2026 holiday arrangement. Generated: the organisation,
staff, grids, 200 enterprises and 100 individuals (valid identifiers built with the GB
algorithms), and the approval items' class, limits and materials (``demo/rules.py``).

Everything goes through the services, so the demo's journal is a real archive of its making."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from shenguan.core import services as core_services
from shenguan.core.permissions import Role
from shenguan.org.choices import DepartmentKind, GridKind, SectionKind
from shenguan.org.models import Department, Grid, Post, Section, Staff

PASSWORD = "Shenguan-demo-2026"  # noqa: S105 (the documented password of demo accounts)

APPROVAL_BUREAU = "区行政审批局"  # the name in the Guang'an list, whose 344 items we take
ENFORCEMENT_BUREAU = "区综合执法局"

SECTIONS = {
    APPROVAL_BUREAU: [
        ("AB-WIN", "综合受理窗口", SectionKind.WINDOW),
        ("AB-ENT", "企业服务科", SectionKind.SECTION),
        ("AB-CON", "建设项目审批科", SectionKind.SECTION),
        ("AB-SOC", "社会事务审批科", SectionKind.SECTION),
        ("AB-MKT", "市场准入科", SectionKind.SECTION),
    ],
    ENFORCEMENT_BUREAU: [
        ("EB-LEG", "法制科", SectionKind.LEGAL),
        ("EB-SQ1", "执法一中队", SectionKind.SQUAD),
        ("EB-SQ2", "执法二中队", SectionKind.SQUAD),
        ("EB-SQ3", "执法三中队（生态环境）", SectionKind.SQUAD),
        ("EB-OFF", "办公室", SectionKind.OFFICE),
    ],
    "信息指挥中心": [("CC-OPS", "指挥调度科", SectionKind.SECTION)],
}

# username, name, role, section code, title
STAFF = [
    ("clerk1", "李晓雯", Role.WINDOW_CLERK, "AB-WIN", "窗口受理员"),
    ("clerk2", "陈思远", Role.WINDOW_CLERK, "AB-WIN", "窗口受理员"),
    ("officer1", "张建国", Role.APPROVAL_OFFICER, "AB-ENT", "审批员"),
    ("officer2", "王丽娟", Role.APPROVAL_OFFICER, "AB-ENT", "审批员"),
    ("officer3", "刘海峰", Role.APPROVAL_OFFICER, "AB-CON", "审批员"),
    ("officer4", "赵敏", Role.APPROVAL_OFFICER, "AB-CON", "审批员"),
    ("officer5", "孙立新", Role.APPROVAL_OFFICER, "AB-SOC", "审批员"),
    ("officer6", "周红梅", Role.APPROVAL_OFFICER, "AB-SOC", "审批员"),
    ("officer7", "吴俊", Role.APPROVAL_OFFICER, "AB-MKT", "审批员"),
    ("officer8", "郑雪", Role.APPROVAL_OFFICER, "AB-MKT", "审批员"),
    ("head1", "黄志强", Role.BUREAU_HEAD, "AB-ENT", "局长"),
    ("inspector1", "何振华", Role.ENFORCEMENT_OFFICER, "EB-SQ1", "执法队员"),
    ("inspector2", "高洁", Role.ENFORCEMENT_OFFICER, "EB-SQ1", "执法队员"),
    ("inspector3", "林伟", Role.ENFORCEMENT_OFFICER, "EB-SQ2", "执法队员"),
    ("inspector4", "罗静", Role.ENFORCEMENT_OFFICER, "EB-SQ2", "执法队员"),
    ("inspector5", "梁超", Role.ENFORCEMENT_OFFICER, "EB-SQ3", "执法队员"),
    ("inspector6", "宋雨", Role.ENFORCEMENT_OFFICER, "EB-SQ3", "执法队员"),
    ("legal1", "谢文", Role.LEGAL_REVIEWER, "EB-LEG", "法制审核员"),
    ("legal2", "韩冰", Role.LEGAL_REVIEWER, "EB-LEG", "法制审核员"),
    ("ehead1", "冯国栋", Role.BUREAU_HEAD, "EB-OFF", "局长"),
    ("command1", "邓辉", Role.COMMAND_CENTRE, "CC-OPS", "值班长"),
]

# grids: code, name, kind, squad code, worker username, worker name, centre (lon, lat)
GRIDS = [
    ("GD-01", "葛店村网格", GridKind.VILLAGE, "EB-SQ1", "grid1", "曹永红", (114.640, 30.508)),
    ("GD-02", "高新社区网格", GridKind.COMMUNITY, "EB-SQ1", "grid2", "彭丽", (114.655, 30.515)),
    (
        "GD-03",
        "光谷联合科技城网格",
        GridKind.INDUSTRIAL_PARK,
        "EB-SQ2",
        "grid3",
        "袁斌",
        (114.670, 30.520),
    ),
    (
        "GD-04",
        "华中药谷产业园网格",
        GridKind.INDUSTRIAL_PARK,
        "EB-SQ3",
        "grid4",
        "蒋涛",
        (114.685, 30.505),
    ),
    ("GD-05", "张铺村网格", GridKind.VILLAGE, "EB-SQ2", "grid5", "沈芳", (114.630, 30.495)),
    ("GD-06", "宝龙社区网格", GridKind.COMMUNITY, "EB-SQ2", "grid6", "田野", (114.660, 30.498)),
    (
        "GD-07",
        "晶核电子（重点企业）网格",
        GridKind.ENTERPRISE,
        "EB-SQ3",
        "grid7",
        "石磊",
        (114.690, 30.515),
    ),
]

# Sections of the approval bureau, chosen for an item by words in its name.
SECTION_WORDS = [
    (
        "AB-CON",
        ("建设", "工程", "规划", "施工", "房屋", "土地", "用地", "道路", "桥", "水利", "林"),
    ),
    ("AB-MKT", ("食品", "药品", "经营", "营业", "广告", "特种设备", "计量", "市场")),
    (
        "AB-SOC",
        ("学校", "教育", "医疗", "卫生", "民办", "社会", "养老", "殡葬", "文化", "体育", "出版"),
    ),
]


@dataclass
class DemoResult:
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, name, role
    counts: dict[str, int] = field(default_factory=dict)
    activity: object = None  # demo.activity.ActivityReport when activity was asked for


def _square(lon: float, lat: float, half: float = 0.006) -> dict:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _user(username: str, name: str, role: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=PASSWORD, first_name=name)
    user.groups.add(Group.objects.get_or_create(name=str(role))[0])
    return user


def _department(name: str, kind: str, code: str) -> Department:
    existing = Department.objects.filter(name=name).first()
    if existing is not None:
        if existing.kind != kind:
            core_services.update_object(Department, existing.pk, {"kind": kind})
            existing.refresh_from_db()
        return existing
    return core_services.create_object(Department, {"name": name, "kind": kind, "code": code})


def _staff(user, name, department, section, title, n, certified=False) -> Staff:
    existing = Staff.objects.filter(user=user).first()
    if existing is not None:
        return existing
    data = {
        "user": user,
        "employee_no": f"GD{n:04d}",
        "name": name,
        "department": department,
        "section": section,
        "title": title,
        "phone": f"0711-{5300100 + n}",
    }
    if certified:
        data["enforcement_cert_no"] = f"鄂{42070000 + n}"
    return core_services.create_object(Staff, data)


def build_organisation(result: DemoResult) -> dict[str, Section]:
    _department(APPROVAL_BUREAU, DepartmentKind.APPROVAL_BUREAU, "APPROVAL")
    _department(ENFORCEMENT_BUREAU, DepartmentKind.ENFORCEMENT_BUREAU, "ENFORCEMENT")
    _department("信息指挥中心", DepartmentKind.COMMAND_CENTRE, "COMMAND")
    sections: dict[str, Section] = {}
    for dep_name, rows in SECTIONS.items():
        dep = Department.objects.get(name=dep_name)
        for code, name, kind in rows:
            sec = Section.objects.filter(code=code).first() or core_services.create_object(
                Section, {"department": dep, "code": code, "name": name, "kind": kind}
            )
            sections[code] = sec
    staff_by_section: dict[str, list[Staff]] = {}
    for n, (username, name, role, sec_code, title) in enumerate(STAFF, start=1):
        sec = sections[sec_code]
        user = _user(username, name, role)
        st = _staff(
            user, name, sec.department, sec, title, n, certified=role == Role.ENFORCEMENT_OFFICER
        )
        staff_by_section.setdefault(sec_code, []).append(st)
        result.logins.append((username, name, Role(role).label))
    # Section heads and A/B posts: each approval section's two officers back each other up.
    for code, members in staff_by_section.items():
        sec = sections[code]
        if sec.head_id is None:
            core_services.update_object(Section, sec.pk, {"head": members[0]})
        if len(members) >= 2:
            for i, (holder, backup) in enumerate(
                [(members[0], members[1]), (members[1], members[0])]
            ):
                post_code = f"{code}-P{i + 1}"
                if not Post.objects.filter(code=post_code).exists():
                    core_services.create_object(
                        Post,
                        {
                            "section": sec,
                            "code": post_code,
                            "name": f"{sec.name}{'A' if i == 0 else 'B'}岗",
                            "holder": holder,
                            "backup": backup,
                        },
                    )
    # Business departments with a supervisor each (they watch approvals in their domain).
    for i, (dep_name, username, name) in enumerate(
        [("区市监局", "supervisor1", "马骏"), ("区住建局", "supervisor2", "许晴")], start=100
    ):
        dep = _department(dep_name, DepartmentKind.BUSINESS, f"BIZ{i}")
        sec = Section.objects.filter(
            department=dep, name="监管科"
        ).first() or core_services.create_object(
            Section, {"department": dep, "code": f"BIZ{i}-SUP", "name": "监管科"}
        )
        _staff(_user(username, name, Role.DEPARTMENT_SUPERVISOR), name, dep, sec, "监管员", i)
        result.logins.append((username, name, Role.DEPARTMENT_SUPERVISOR.label))
    # Grids with their workers (in the command centre's department) and squads.
    cc = Department.objects.get(name="信息指挥中心")
    for n, (code, name, kind, squad, username, worker_name, centre) in enumerate(GRIDS, start=200):
        worker = _staff(
            _user(username, worker_name, Role.GRID_WORKER),
            worker_name,
            cc,
            sections["CC-OPS"],
            "网格员",
            n,
        )
        if not Grid.objects.filter(code=code).exists():
            core_services.create_object(
                Grid,
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "area": f"葛店开发区{name.removesuffix('网格')}",
                    "boundary": _square(*centre),
                    "worker": worker,
                    "worker_phone": f"1387110{n:04d}",
                    "squad": sections[squad],
                },
            )
        result.logins.append((username, worker_name, Role.GRID_WORKER.label))
    admin = _user("admin", "系统管理员", Role.ADMINISTRATOR)
    if not admin.is_staff:
        admin.is_staff = True
        admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    result.logins.append(("admin", "系统管理员", Role.ADMINISTRATOR.label))
    return sections


def import_catalogue(result: DemoResult, sections: dict[str, Section]) -> None:
    from shenguan.catalog import services as catalog_services
    from shenguan.catalog.importer import import_catalog
    from shenguan.catalog.models import Power

    data = Path(settings.DATA_DIR)
    import_catalog(data / "power_lists" / "guangan_district_service_items.csv")
    import_catalog(data / "power_lists" / "xian_power_responsibility_sample.json")
    from .rules import generated_content

    bureau = Department.objects.get(name=APPROVAL_BUREAU)
    posts = {
        p.section.code: p
        for p in Post.objects.select_related("section").filter(code__endswith="-P1")
    }
    for power in Power.objects.filter(department=bureau).prefetch_related("versions"):
        current = power.current
        if current is None:
            continue
        if not current.approval_class:
            changes, materials, generated = generated_content(current.name)
            catalog_services.revise_power(
                power.pk, changes=changes, materials=materials, generated_fields=generated
            )
        sec_code = next(
            (code for code, words in SECTION_WORDS if any(w in current.name for w in words)),
            "AB-ENT",
        )
        if not hasattr(power, "responsibility"):
            catalog_services.assign_responsibility(
                power.pk, section_id=sections[sec_code].pk, post_id=posts[sec_code].pk
            )
    import_penalty_powers(sections)
    from shenguan.enforcement.discretion.services import import_files

    discretion = Path(settings.DATA_DIR) / "discretion"
    import_files(
        [
            discretion / "guangdong_eco_env_fine_benchmarks_2022.json",
            discretion / "guangdong_eco_env_no_penalty_list_2022.csv",
        ]
    )
    result.counts["powers"] = Power.objects.count()
    result.counts["approval items"] = Power.objects.filter(department=bureau).count()


def import_penalty_powers(sections: dict[str, Section]) -> None:
    """The Guangdong eco-environment fine table doubles as a real list of 281 penalty powers,
    exercised by the enforcement bureau's environmental squad."""
    from shenguan.catalog import services as catalog_services
    from shenguan.catalog.models import Power

    rows = json.loads(
        (
            Path(settings.DATA_DIR) / "discretion" / "guangdong_eco_env_fine_benchmarks_2022.json"
        ).read_text(encoding="utf-8")
    )
    bureau = Department.objects.get(name=ENFORCEMENT_BUREAU)
    squad = sections["EB-SQ3"]
    post = Post.objects.get(code="EB-SQ3-P1")
    existing = set(Power.objects.filter(code__startswith="GDEE-").values_list("code", flat=True))
    seen: dict[str, int] = {}
    for row in rows:
        code = "GDEE-" + row["code"].lstrip("§").replace(".", "-")
        # the published table prints §8.17 twice (two violations); the second becomes -2
        seen[code] = seen.get(code, 0) + 1
        if seen[code] > 1:
            code = f"{code}-{seen[code]}"
        if code in existing:
            continue
        power = catalog_services.create_power(
            code=code,
            kind="penalty",
            department_id=bureau.pk,
            section_id=squad.pk,
            source="粤环发〔2021〕7号 附件1",
            version={
                "name": f"对{row['violation']}的行政处罚"[:300],
                "main_item": row["chapter"],
                "legal_basis": f"{row['violated_provision']}\n{row['penalty_basis']}",
                "acting_body": ENFORCEMENT_BUREAU,
                "handling_unit": squad.name,
                "enforcement_class": "penalty",
                "statutory_limit_days": 90,
                "day_counting": "penalty",
                "extra": {"discretion_code": row["code"], "pdf_page": row.get("pdf_page")},
            },
        )
        catalog_services.assign_responsibility(power.pk, section_id=squad.pk, post_id=post.pk)


def build_parties(result: DemoResult, enterprises: int = 200, individuals: int = 100) -> None:
    from shenguan.parties import services as party_services
    from shenguan.parties.factories import generated_ric, generated_uscc
    from shenguan.parties.models import Party

    rng = random.Random(2026)
    grids = list(Grid.objects.order_by("code"))
    trades = [
        "电子信息",
        "生物医药",
        "新材料",
        "食品加工",
        "餐饮",
        "商贸",
        "物流",
        "建筑",
        "汽车零部件",
        "光电子",
    ]
    suffix = ["科技有限公司", "实业有限公司", "贸易有限公司", "制造有限公司", "餐饮管理有限公司"]
    tiers = ["A"] * 20 + ["B"] * 70 + ["C"] * 7 + ["D"] * 3
    have = Party.objects.filter(is_generated=True).count()
    for n in range(have, enterprises):
        grid = grids[n % len(grids)]
        trade = trades[n % len(trades)]
        party = party_services.register_enterprise(
            name=f"鄂州葛店{trade}演示{n + 1:03d}{suffix[n % len(suffix)]}",
            uscc=generated_uscc(n),
            legal_representative=f"法人代表{n + 1:03d}",
            phone=f"1390711{n:04d}",
            grid_id=grid.pk,
            industry=trade,
            addresses=[
                {
                    "kind": "business",
                    "text": f"湖北省鄂州市葛店开发区创业大道{n + 1}号",
                    "grid_id": grid.pk,
                }
            ],
            contacts=[{"name": f"经办人{n + 1:03d}", "role": "经办人", "phone": f"1350711{n:04d}"}],
        )
        _generated(party, rng.choice(tiers))
    have_ind = Party.objects.filter(is_generated=True, kind="individual").count()
    for n in range(have_ind, individuals):
        grid = grids[n % len(grids)]
        party = party_services.register_individual(
            name=f"演示居民{n + 1:03d}",
            id_number=generated_ric(n),
            phone=f"1370711{n:04d}",
            grid_id=grid.pk,
            addresses=[
                {
                    "kind": "residence",
                    "text": f"湖北省鄂州市葛店开发区{grid.name.removesuffix('网格')}{n + 1}号",
                    "grid_id": grid.pk,
                }
            ],
        )
        _generated(party, rng.choice(tiers))
    # Two applicant logins: an enterprise and a resident.
    ent = Party.objects.filter(kind="enterprise", is_generated=True).order_by("pk").first()
    ind = Party.objects.filter(kind="individual", is_generated=True).order_by("pk").first()
    for username, party in (("applicant1", ent), ("applicant2", ind)):
        user = _user(username, party.legal_representative or party.name, Role.APPLICANT)
        if not party.accounts.filter(user=user).exists():
            party_services.link_account(user.pk, party.pk, "owner")
        result.logins.append((username, f"{party.name}", Role.APPLICANT.label))
    result.counts["enterprises"] = Party.objects.filter(kind="enterprise").count()
    result.counts["individuals"] = Party.objects.filter(kind="individual").count()


def _generated(party, tier: str) -> None:
    from shenguan.parties import services as party_services

    changes = {}
    if not party.is_generated:
        changes["is_generated"] = True
    if party.credit_tier != tier:
        changes["credit_tier"] = tier
    if changes:
        party_services.update_party(party.pk, changes)


def load_holidays() -> None:
    from shenguan.core.holidays import load_holiday_file
    from shenguan.core.models import HolidayYear

    for path in sorted((Path(settings.DATA_DIR) / "holidays").glob("holiday-cn_*.json")):
        year = int(path.stem.rsplit("_", 1)[1])
        if HolidayYear.objects.filter(year=year).exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not data.get("days"):
            continue  # not yet published (2027): the calendar will refuse that year
        load_holiday_file(path)


def seed(
    *,
    enterprises: int = 200,
    individuals: int = 100,
    catalogue: bool = True,
    activity_days: int = 0,
) -> DemoResult:
    """Idempotent: running it again adds only what is missing. ``activity_days`` > 0 then
    replays that much history through the services (``demo/activity.py``), once."""
    result = DemoResult()
    with transaction.atomic():
        load_holidays()
        sections = build_organisation(result)
    if catalogue:
        import_catalogue(result, sections)
    with transaction.atomic():
        build_parties(result, enterprises, individuals)
    if activity_days > 0:
        from .activity import simulate

        result.activity = simulate(activity_days)
    return result


def seed_extras(rng: random.Random | None = None) -> dict[str, dict]:
    """The issue-6 apps' demo records, today (after any simulated history): grid events,
    department supervision domains and objections, then the oversight sweep over every clock.
    Each app's ``seed_demo`` is idempotent."""
    from shenguan.grid.demo import seed_demo as grid_demo
    from shenguan.oversight.demo import seed_demo as oversight_demo
    from shenguan.supervision.demo import seed_demo as supervision_demo

    rng = rng or random.Random(2026)
    return {
        "grid": grid_demo(rng),
        "supervision": supervision_demo(rng),
        "oversight": oversight_demo(rng),  # last: it sweeps the clocks the others started
    }
