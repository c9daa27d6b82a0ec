"""Fixtures for the verification tests: a zone with two squads and a grid, certified
inspectors, a bureau head, and a helper that drives an approval through the real approvals
services up to an issued licence (then the worker delivers its events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from shenguan.approvals import factories as af
from shenguan.approvals import services as approvals
from shenguan.approvals.models import Licence
from shenguan.core.factories import make_user
from shenguan.core.worker import Worker
from shenguan.org.choices import DepartmentKind, SectionKind
from shenguan.org.factories import DepartmentFactory, GridFactory, SectionFactory
from shenguan.parties.factories import EnterpriseFactory


@pytest.fixture
def travel():
    """``travel(date)`` moves the clock to 09:00 China time on that day (last call wins)."""
    travellers = []

    def go(day: dt.date, hour: int = 9):
        if travellers:
            travellers[-1].stop()
        t = time_machine.travel(
            dt.datetime(
                day.year, day.month, day.day, hour, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))
            ),
            tick=False,
        )
        t.start()
        travellers.append(t)
        return t

    yield go
    if travellers:
        travellers[-1].stop()


def officer(squad, name: str, *, certified: bool = True):
    user = make_user("enforcement_officer", section=squad, first_name=name)
    staff = user.staff
    if certified:
        staff.enforcement_cert_no = f"鄂执{staff.pk:06d}"
        staff.save(update_fields=["enforcement_cert_no"])
    return user


@dataclass
class Zone:
    bureau: object
    squad1: object
    squad2: object
    grid1: object
    inspectors1: list
    inspectors2: list
    head: object
    legal: object
    command: object


@pytest.fixture
def zone(db):
    bureau = DepartmentFactory(
        code="EB", name="葛店开发区综合执法局", kind=DepartmentKind.ENFORCEMENT_BUREAU
    )
    squad1 = SectionFactory(
        department=bureau, code="EB-SQ1", name="执法一中队", kind=SectionKind.SQUAD
    )
    squad2 = SectionFactory(
        department=bureau, code="EB-SQ2", name="执法二中队", kind=SectionKind.SQUAD
    )
    grid1 = GridFactory(code="GD-01", name="葛店村网格", squad=squad1)
    return Zone(
        bureau=bureau,
        squad1=squad1,
        squad2=squad2,
        grid1=grid1,
        inspectors1=[officer(squad1, "何振华"), officer(squad1, "高洁"), officer(squad1, "陈明")],
        inspectors2=[officer(squad2, "林伟"), officer(squad2, "罗静")],
        head=make_user("bureau_head", staff=True, first_name="局长"),
        legal=make_user("legal_reviewer", staff=True, first_name="法制"),
        command=make_user("command_centre", staff=True, first_name="指挥"),
    )


class Approvals:
    """Drive approvals through the real services: ``approvals.issue(route=...)``."""

    def __init__(self):
        self.items: dict[str, af.Item] = {}
        self.clerk = af.clerk_user()

    def item(self, approval_class: str) -> af.Item:
        if approval_class not in self.items:
            self.items[approval_class] = af.approval_item(approval_class=approval_class)
        return self.items[approval_class]

    def party(self, grid=None, **fields):
        party = EnterpriseFactory(grid=grid, **fields)
        user, party = af.applicant_user(party)
        return user, party

    def issue(self, user, party, *, route: str = "commitment", approval_class: str = "cautious"):
        item = self.item(approval_class)
        app = approvals.create_application(
            power_id=item.power.pk, applicant_id=party.pk, channel="online", route=route, user=user
        )
        if route == "tolerance":
            af.provide_all(app, [*item.essential, *item.optional[:-1]], user)
            due = approvals_due(app)
            approvals.sign_tolerance(
                app.pk,
                signer_name="王五",
                deferrals=[{"material_id": item.optional[-1].pk, "due_on": due}],
                user=user,
            )
        else:
            af.provide_all(app, item.materials, user)
            if route == "commitment":
                approvals.sign_commitment(app.pk, signer_name="王五", user=user)
        approvals.submit(app.pk, user=user)
        approvals.accept(app.pk, user=self.clerk)
        approvals.approve(app.pk, user=item.holder_user, issue_now=True)
        return Licence.objects.get(application=app)


def approvals_due(app) -> dt.date:
    """A cure date within the promised limit: the next working day."""
    from shenguan.core import calendar

    return calendar.add_working_days(dt.date.today(), 1)


@pytest.fixture
def flows(db):
    return Approvals()


def deliver() -> int:
    return Worker().deliver_pending()
