"""On PostgreSQL, 20 threads racing to approve and issue the same application make exactly one
licence: the row lock serialises them and the partial unique constraint backs it up."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from shenguan.approvals import factories, services
from shenguan.approvals.choices import LicenceStatus
from shenguan.approvals.models import Licence
from shenguan.core.errors import DomainError


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_make_one_licence(travel):
    travel(dt.date(2026, 2, 10))
    item = factories.approval_item()
    clerk = factories.clerk_user()
    user, party = factories.applicant_user()
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    services.accept(app.pk, user=clerk)
    officer = item.holder_user

    barrier = threading.Barrier(20)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i: int):
        try:
            barrier.wait(timeout=30)
            if i % 2:
                services.approve(app.pk, user=officer, issue_now=True)
            else:
                services.issue_licence(app.pk, user=officer)
            outcome = "ok"
        except DomainError as exc:
            outcome = f"refused:{exc.code}"
        except Exception as exc:  # noqa: BLE001 - record anything unexpected
            outcome = f"error:{type(exc).__name__}:{exc}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 20
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("ok") == 1, results
    assert Licence.objects.filter(application=app).count() == 1
    assert app.history.filter(to_status="licence_issued").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_partial_unique_constraint_refuses_a_second_live_licence(travel):
    travel(dt.date(2026, 2, 10))
    item = factories.approval_item()
    clerk = factories.clerk_user()
    user, party = factories.applicant_user()
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    services.accept(app.pk, user=clerk)
    services.approve(app.pk, user=item.holder_user, issue_now=True)
    licence = Licence.objects.get(application=app)
    twin = Licence.objects.get(pk=licence.pk)
    twin.pk = None
    twin.number = licence.number + "-x"
    twin.verification_number = licence.verification_number + "X"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # once the first is no longer live, the constraint no longer applies
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.CANCELLED)
    twin.save()
    assert Licence.objects.filter(application=app, status="valid").count() == 1
