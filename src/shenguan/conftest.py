"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from shenguan.core import calendar

    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture(autouse=True)
def _no_uploads_outside_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests run only when the suite runs on PostgreSQL."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def make_user(db):
    """``make_user("window_clerk", staff=True)`` — a user with roles; staff=True links a Staff
    record (department/section from the keyword arguments or new ones)."""
    from shenguan.core.factories import make_user as _make_user

    return _make_user


@pytest.fixture
def admin_user(make_user):
    return make_user("administrator", username="admin1", is_superuser=False)


@pytest.fixture
def api(client):
    """A Django test client with JSON helpers for /api."""
    from shenguan.core.testing import ApiClientHelper

    return ApiClientHelper(client)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
