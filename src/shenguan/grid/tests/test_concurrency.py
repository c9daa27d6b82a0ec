"""On PostgreSQL, receivers racing to close and return the same event: the row lock lets
exactly one through; the others are refused and nothing is written twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from shenguan.core.errors import DomainError
from shenguan.grid import services
from shenguan.grid.models import EventStep


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_close_and_return(world, travel):
    travel(dt.date(2026, 9, 29))
    event = services.report_event(
        grid_id=world.grid1.pk,
        category="hazard",
        title="企业偷排废水",
        place="河道",
        user=world.worker1,
    )
    n = 8
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def run(i: int):
        try:
            barrier.wait(timeout=30)
            if i % 2:
                services.close_event(event.pk, report=f"办结{i}", user=world.eco_inspector)
            else:
                services.return_event(event.pk, reason=f"退回{i}", user=world.eco_inspector)
            outcome = "ok"
        except DomainError as exc:
            outcome = f"refused:{exc.code}"
        except Exception as exc:  # noqa: BLE001 - record anything unexpected
            outcome = f"error:{type(exc).__name__}:{exc}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("ok") == 1, results
    assert EventStep.objects.filter(event=event, action__in=["close", "return"]).count() == 1
