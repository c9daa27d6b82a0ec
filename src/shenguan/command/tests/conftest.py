import datetime as dt
import random

import pytest

TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def sample(db, frozen):
    from shenguan.command.sample import seed

    return seed(400, rng=random.Random(7), today=frozen, prefix="T", batch=150)


@pytest.fixture
def centre_user(make_user):
    return make_user("command_centre", staff=True, username="cc1", first_name="邓辉")


@pytest.fixture
def head(make_user):
    return make_user("bureau_head", staff=True, username="head1", first_name="冯国栋")
