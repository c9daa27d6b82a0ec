"""Fixtures for the approvals tests: an item with its responsible post, the people who act on
it, and a helper that drives an application through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shenguan.approvals import factories, services


@pytest.fixture
def item(db):
    return factories.approval_item()


@pytest.fixture
def clerk(db):
    return factories.clerk_user()


@pytest.fixture
def head(db):
    return factories.head_user()


@pytest.fixture
def applicant(db):
    return factories.applicant_user()  # (user, party)


@pytest.fixture
def travel():
    """``travel(date)`` moves the clock to 09:00 China time on that day (nests: last wins)."""
    travellers = []

    def go(day: dt.date):
        if travellers:
            travellers[-1].stop()
        t = time_machine.travel(
            dt.datetime(
                day.year, day.month, day.day, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))
            ),
            tick=False,
        )
        t.start()
        travellers.append(t)
        return t

    yield go
    if travellers:
        travellers[-1].stop()


class Flow:
    """Drive one application: ``flow.to("accepted")``."""

    def __init__(self, item, clerk, applicant_user, party):
        self.item, self.clerk, self.user, self.party = item, clerk, applicant_user, party
        self.app = None

    def create(self, route="ordinary", channel="online"):
        self.app = services.create_application(
            power_id=self.item.power.pk,
            applicant_id=self.party.pk,
            channel=channel,
            route=route,
            user=self.user,
        )
        return self.app

    def provide(self, materials=None):
        factories.provide_all(
            self.app, materials if materials is not None else self.item.materials, self.user
        )

    def submit(self):
        return services.submit(self.app.pk, user=self.user)

    def accept(self):
        return services.accept(self.app.pk, user=self.clerk)

    def refresh(self):
        self.app.refresh_from_db()
        return self.app


@pytest.fixture
def flow(item, clerk, applicant):
    user, party = applicant
    return Flow(item, clerk, user, party)
