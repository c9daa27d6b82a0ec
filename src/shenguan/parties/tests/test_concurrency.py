"""Two windows registering the same enterprise at once: one wins, the other gets a 409
(the unique index decides; the service turns the IntegrityError into a Conflict)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shenguan.core.errors import Conflict
from shenguan.parties import services
from shenguan.parties.factories import generated_uscc
from shenguan.parties.models import Party


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_code_give_one_party_and_one_conflict():
    code = generated_uscc(314)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.register_enterprise(name=name, uscc=code)
            outcomes.append("created")
        except Conflict as exc:
            assert exc.status == 409 and "uscc" in exc.field_errors
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(f"并发企业{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "created"]
    assert Party.objects.filter(uscc=code).count() == 1
