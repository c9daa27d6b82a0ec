"""Fixtures for the supervision tests: two business departments each supervising one
approval item, applications driven through the real approval services, and the people who
watch and decide."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shenguan.approvals import factories as approval_factories
from shenguan.approvals import services as approval_services
from shenguan.org.choices import DepartmentKind
from shenguan.org.factories import DepartmentFactory
from shenguan.supervision.models import SupervisedPower

DAY = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def travel():
    with time_machine.travel(DAY, tick=True) as t:
        yield t


class Zone:
    def __init__(self, make_user):
        self.market = DepartmentFactory(code="BIZ-M", name="区市监局", kind=DepartmentKind.BUSINESS)
        self.housing = DepartmentFactory(
            code="BIZ-H", name="区住建局", kind=DepartmentKind.BUSINESS
        )
        self.food = approval_factories.approval_item(name="食品经营许可")
        self.building = approval_factories.approval_item(name="建筑工程施工许可")
        SupervisedPower.objects.create(department=self.market, power=self.food.power)
        SupervisedPower.objects.create(department=self.housing, power=self.building.power)
        self.sup_market = make_user("department_supervisor", department=self.market)
        self.sup_market2 = make_user("department_supervisor", department=self.market)
        self.sup_housing = make_user("department_supervisor", department=self.housing)
        self.head = approval_factories.head_user()
        self.clerk = approval_factories.clerk_user()
        self.centre = make_user("command_centre", staff=True)
        self.applicant_user, self.party = approval_factories.applicant_user()

    def application(self, item, *, accept=True, issue=False):
        app = approval_services.create_application(
            power_id=item.power.pk,
            applicant_id=self.party.pk,
            channel="online",
            route="ordinary",
            user=self.applicant_user,
        )
        approval_factories.provide_all(app, item.materials, self.applicant_user)
        approval_services.submit(app.pk, user=self.applicant_user)
        if accept:
            approval_services.accept(app.pk, user=self.clerk)
        if issue:
            approval_services.approve(app.pk, user=item.holder_user, issue_now=True)
        app.refresh_from_db()
        return app


@pytest.fixture
def zone(db, make_user, travel):
    return Zone(make_user)
