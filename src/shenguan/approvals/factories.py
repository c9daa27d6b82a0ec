"""Factories for approval items (catalogue rows built directly, so approvals tests do not wait
on the catalogue services), the people who handle them, and applications driven through the
real services up to a wanted state. The demo seeder may reuse them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import factory
from django.contrib.auth import get_user_model

from shenguan.catalog.choices import ApprovalClass, PowerKind
from shenguan.catalog.models import Material, Power, PowerVersion, Responsibility
from shenguan.core.factories import make_user
from shenguan.org.choices import DepartmentKind, SectionKind
from shenguan.org.factories import DepartmentFactory, PostFactory, SectionFactory
from shenguan.parties.factories import EnterpriseFactory
from shenguan.parties.models import PartyAccount

from .models import ItemTemplate, RoutePolicy, RoutePolicyRule, default_rules


class PowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Power

    code = factory.Sequence(lambda n: f"TEST-APPROVAL-{n:05d}")
    kind = PowerKind.LICENSING
    department = factory.SubFactory(
        DepartmentFactory, kind=DepartmentKind.APPROVAL_BUREAU, name="葛店开发区行政审批局"
    )


class PowerVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PowerVersion

    power = factory.SubFactory(PowerFactory)
    version = 1
    effective_from = dt.date(2020, 1, 1)
    name = factory.Sequence(lambda n: f"食品经营许可（测试{n}）")
    statutory_limit_days = 20
    promised_limit_days = 10
    approval_class = ApprovalClass.CAUTIOUS
    content_hash = factory.Sequence(lambda n: f"{n:064d}")


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    version = factory.SubFactory(PowerVersionFactory)
    seq = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"申请材料{n}")
    essential = True
    deferrable = False

    class Params:
        optional = factory.Trait(essential=False, deferrable=True)


class ItemTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemTemplate

    power = factory.SubFactory(PowerFactory)
    conditions = "申请人应当具有与经营的食品品种、数量相适应的经营场所和设备设施。"
    licence_validity_years = 5


def ensure_route_policy() -> RoutePolicy:
    """The seeded default policy (the data migration writes it; tests that flush the database
    get it back here)."""
    policy = RoutePolicy.objects.order_by("version").first()
    if policy is not None:
        return policy
    policy = RoutePolicy.objects.create(
        version=1, effective_from=dt.date(2000, 1, 1), note="DOMAIN.md §5 defaults"
    )
    RoutePolicyRule.objects.bulk_create(
        [RoutePolicyRule(policy=policy, **row) for row in default_rules()]
    )
    return policy


@dataclass
class Item:
    """An approval item with its materials and the post accountable for it."""

    power: Power
    version: PowerVersion
    essential: list[Material]
    optional: list[Material]
    post: object
    holder_user: object
    backup_user: object
    template: ItemTemplate | None = None
    materials: list[Material] = field(default_factory=list)

    @property
    def holder(self):
        return self.holder_user.staff

    @property
    def backup(self):
        return self.backup_user.staff


def approval_item(
    *,
    approval_class: str = ApprovalClass.CAUTIOUS,
    statutory: int | None = 20,
    promised: int | None = 10,
    essential: int = 2,
    optional: int = 2,
    name: str | None = None,
    template: bool = True,
    commitment_excluded: bool = False,
) -> Item:
    ensure_route_policy()
    section = SectionFactory(
        department=DepartmentFactory(
            code="APPROVAL", name="葛店开发区行政审批局", kind=DepartmentKind.APPROVAL_BUREAU
        ),
        kind=SectionKind.SECTION,
    )
    holder_user = make_user("approval_officer", section=section)
    backup_user = make_user("approval_officer", section=section)
    post = PostFactory(section=section, holder=holder_user.staff, backup=backup_user.staff)
    version_kwargs = {
        "approval_class": approval_class,
        "statutory_limit_days": statutory,
        "promised_limit_days": promised,
    }
    if name:
        version_kwargs["name"] = name
    version = PowerVersionFactory(power__section=section, **version_kwargs)
    power = version.power
    ess = [
        MaterialFactory(version=version, seq=i + 1, name=f"要件材料{i + 1}")
        for i in range(essential)
    ]
    opt = [
        MaterialFactory(
            version=version, seq=essential + i + 1, name=f"非要件材料{i + 1}", optional=True
        )
        for i in range(optional)
    ]
    Responsibility.objects.create(power=power, section=section, post=post)
    tmpl = (
        ItemTemplateFactory(power=power, commitment_excluded=commitment_excluded)
        if template
        else None
    )
    return Item(power, version, ess, opt, post, holder_user, backup_user, tmpl, ess + opt)


def applicant_user(party=None, **party_fields):
    """A portal user acting for a (new) enterprise party."""
    party = party or EnterpriseFactory(**party_fields)
    user = make_user("applicant")
    PartyAccount.objects.create(user=user, party=party)
    from shenguan.core.permissions import forget_scope

    forget_scope(user)
    return user, party


def clerk_user():
    return make_user("window_clerk", staff=True)


def head_user():
    return make_user("bureau_head", staff=True)


PDF_BYTES = b"%PDF-1.4\n% test material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def provide_all(app, materials, user) -> None:
    from . import services

    for m in materials:
        services.upload_material(
            app.pk, m.pk, content=PDF_BYTES, filename=f"{m.name}.pdf", user=user
        )


def user_model():
    return get_user_model()
