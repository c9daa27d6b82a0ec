"""Fixtures of the credit tests: parties, staff in the deciding roles, a party's own account."""

from __future__ import annotations

import pytest

from shenguan.core.permissions import forget_scope
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory()


@pytest.fixture
def individual(db):
    return IndividualFactory()


@pytest.fixture
def head(make_user):
    return make_user("bureau_head", staff=True)


@pytest.fixture
def reviewer(make_user):
    return make_user("legal_reviewer", staff=True)


@pytest.fixture
def clerk(make_user):
    return make_user("window_clerk", staff=True)


@pytest.fixture
def account_of(make_user):
    """``account_of(party)``: an applicant login acting for the party."""
    from shenguan.parties.services import link_account

    def make(party):
        user = make_user("applicant")
        link_account(user.pk, party.pk, "owner")
        forget_scope(user)
        return user

    return make


@pytest.fixture
def travel():
    """``travel(date)`` moves the clock to 09:00 China time on that day (last call wins)."""
    import datetime as dt

    import time_machine

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


@pytest.fixture
def record():
    """``record(party, kind, **kw)``: a system-recorded event (source approval by default)."""
    from shenguan.credit import services

    def go(party, kind, **kw):
        kw.setdefault("source", "approval")
        return services.record_event(party.pk, kind, **kw)

    return go
