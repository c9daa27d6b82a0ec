from __future__ import annotations

import factory

from .choices import DepartmentKind, GridKind, SectionKind
from .models import Department, Grid, Post, Section, Staff


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DEP{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = DepartmentKind.BUSINESS

    class Params:
        approval_bureau = factory.Trait(kind=DepartmentKind.APPROVAL_BUREAU)
        enforcement_bureau = factory.Trait(kind=DepartmentKind.ENFORCEMENT_BUREAU)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("code",)

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"SEC{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}科")
    kind = SectionKind.SECTION

    class Params:
        squad = factory.Trait(
            kind=SectionKind.SQUAD, name=factory.Sequence(lambda n: f"执法{n}中队")
        )
        legal = factory.Trait(kind=SectionKind.LEGAL, name="法制科")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"工作人员{n}")
    section = factory.SubFactory(SectionFactory)
    department = factory.LazyAttribute(lambda o: o.section.department)
    phone = factory.Sequence(lambda n: f"0711-{3300000 + n}")

    class Params:
        certified = factory.Trait(
            enforcement_cert_no=factory.Sequence(lambda n: f"鄂执{420700000 + n}")
        )
        absent = factory.Trait(is_absent=True)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    section = factory.SubFactory(SectionFactory)
    code = factory.Sequence(lambda n: f"POST{n:04d}")
    name = factory.Sequence(lambda n: f"岗位{n}")
    holder = factory.SubFactory(StaffFactory, section=factory.SelfAttribute("..section"))
    backup = factory.SubFactory(StaffFactory, section=factory.SelfAttribute("..section"))


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"G{n:03d}")
    name = factory.Sequence(lambda n: f"网格{n}")
    kind = GridKind.COMMUNITY
    worker = None
