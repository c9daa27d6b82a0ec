"""The worker as a real process: killed with SIGKILL in the middle of a batch and restarted,
every event is delivered and every consumer effect applied exactly once.

It runs the real ``shenguan`` console script against a throwaway database of the same kind as
the suite's (a SQLite file, or a new PostgreSQL database on the same server)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

N_EVENTS = 150
# the test's own events: the worker's periodic sweeps may write events of their own (a policy
# version created on first use, say)
OURS = "type = 'test.thing.happened'"


@pytest.fixture
def scratch_db(tmp_path):
    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        import psycopg

        name = f"sg_worker_{uuid.uuid4().hex[:10]}"
        conninfo = {
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "dbname": "postgres",
        }
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{db['USER']}@{conninfo['host']}:{conninfo['port']}/{name}"

        def query(sql):
            with psycopg.connect(**{**conninfo, "dbname": name}) as conn:
                return conn.execute(sql).fetchall()

        yield url, query
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "worker.sqlite3"

        def query(sql):
            with sqlite3.connect(path, timeout=30) as conn:
                return conn.execute(sql).fetchall()

        yield f"sqlite:///{path}", query


def test_sigkill_mid_batch_loses_nothing_and_applies_once(scratch_db, tmp_path):
    url, query = scratch_db
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHENGUAN_VAR_DIR": str(tmp_path),
        "SHENGUAN_EXTRA_CONSUMERS": "shenguan.core.tests.consumers_for_test",
        "SG_TEST_CONSUMER_SLEEP": "0.02",
        "DJANGO_SETTINGS_MODULE": "shenguan.settings.base",
    }
    cli = [sys.executable, "-m", "shenguan"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    seed = (
        "from django.db import transaction\n"
        "from shenguan.core import outbox\n"
        "with transaction.atomic():\n"
        f"    [outbox.emit('test.thing.happened', None, {{'n': i}}) for i in range({N_EVENTS})]\n"
    )
    subprocess.run([*cli, "shell", "-c", seed], env=env, check=True)

    def applied() -> int:
        return query("SELECT COUNT(*) FROM core_journalentry WHERE action = 'test.effect.applied'")[
            0
        ][0]

    worker_cmd = [*cli, "worker", "--batch", "25", "--lease", "2", "--poll", "0.1"]
    first = subprocess.Popen(worker_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while applied() < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = applied()
    assert 0 < killed_at < N_EVENTS, "the kill must land in the middle of the work"
    # some events were claimed (leased) by the dead worker but not delivered
    pending = query(f"SELECT COUNT(*) FROM core_outboxevent WHERE status = 'pending' AND {OURS}")[
        0
    ][0]
    assert pending > 0

    second = subprocess.Popen(
        [*worker_cmd, "--max-seconds", "60"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (
            query(f"SELECT COUNT(*) FROM core_outboxevent WHERE status <> 'delivered' AND {OURS}")[
                0
            ][0]
            == 0
        ):
            break
        time.sleep(0.2)
    second.send_signal(signal.SIGTERM)
    second.wait(20)

    assert (
        query(f"SELECT COUNT(*) FROM core_outboxevent WHERE status = 'delivered' AND {OURS}")[0][0]
        == N_EVENTS
    )
    per_event = query(
        "SELECT object_id, COUNT(*) FROM core_journalentry WHERE action = 'test.effect.applied' "
        "GROUP BY object_id"
    )
    assert len(per_event) == N_EVENTS
    assert {count for _, count in per_event} == {1}
    assert query("SELECT COUNT(*) FROM core_consumerreceipt")[0][0] == N_EVENTS
    verify = subprocess.run([*cli, "journal", "verify"], env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
