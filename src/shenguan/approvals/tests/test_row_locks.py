"""Services lock the rows they change with FOR NO KEY UPDATE, not FOR UPDATE.

Django makes PostgreSQL foreign keys DEFERRABLE INITIALLY DEFERRED: a transaction that inserted
a row pointing at an application checks the key at COMMIT with ``FOR KEY SHARE`` on the
application. FOR UPDATE conflicts with that, FOR NO KEY UPDATE does not. With FOR UPDATE the
benchmark deadlocked: a worker journalled an event's effect (holding the journal head) and
waited at COMMIT for the application that an approving officer had locked, while the officer
waited for the journal head. This test holds an application locked the way the services do and
commits, from another connection, a row that references it: it must not wait."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from shenguan.approvals import factories, services
from shenguan.approvals.models import Application, StatusChange
from shenguan.approvals.services._base import lock_application


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_locked_application_does_not_block_rows_that_reference_it():
    item = factories.approval_item()
    user, party = factories.applicant_user()
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    locked = threading.Event()
    release = threading.Event()
    errors: list[str] = []

    def holder():
        try:
            with transaction.atomic():
                lock_application(app.pk, None)
                locked.set()
                release.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(20)
        template = StatusChange.objects.filter(application=app).first()
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        with transaction.atomic():
            # a row referencing the locked application, committed while the lock is held
            StatusChange.objects.create(
                application=Application(pk=app.pk),
                from_status=template.from_status,
                to_status=template.to_status,
                action=template.action,
                actor_kind=template.actor_kind,
                actor_name="another worker",
            )
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join(30)
    assert not errors, errors
    assert waited < 2.5, f"the insert waited {waited:.1f} s for the application's row lock"
