"""Push-to-task latency under a burst of approvals (issue 4). A benchmark, not a test.

Against the database in DATABASE_URL (PostgreSQL is the target; a scratch database whose name
starts with ``sg_bench``, already migrated), it

1. stages N commitment-route applications of a cautious item up to acceptance (not timed)
   and drains the events that staging produced;
2. starts W real ``shenguan worker`` processes;
3. bursts the N approvals through ``approvals.services.approve`` from T threads (each
   approval issues the licence on the spot and writes ``approvals.licence.issued``);
4. waits until every licence has its push and its verification task, stops the workers and
   prints p50/p90/p99/max of outbox event written → push created and → task created.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_bench_verification \\
        .venv/bin/python bench/push_to_task.py --fresh --approvals 500 --workers 2

See bench/README.md."""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--approvals", type=int, default=500, help="approvals in the burst")
    p.add_argument("--workers", type=int, default=2, help="shenguan worker processes")
    p.add_argument("--threads", type=int, default=4, help="threads issuing approvals")
    p.add_argument("--poll", type=float, default=1.0, help="worker idle poll (s), as deployed")
    p.add_argument("--batch", type=int, default=50, help="worker claim batch")
    p.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="PostgreSQL: drop, create and migrate the sg_bench* database first",
    )
    p.add_argument("--force", action="store_true", help="run on a database not named sg_bench*")
    return p.parse_args()


def setup(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenguan.settings.base")
    os.environ.setdefault("SHENGUAN_VAR_DIR", tempfile.mkdtemp(prefix="sg_bench_"))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # the staged applicants' logins are never used: skip the deliberately slow password hash
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    db = connection.settings_dict
    name = str(db["NAME"])
    if not (Path(name).name.startswith("sg_bench") or args.force):
        sys.exit(f"refusing to write benchmark data into {name!r}: use a sg_bench* database")
    if args.fresh:
        if connection.vendor != "postgresql":
            sys.exit("--fresh is for PostgreSQL; remove the SQLite file instead")
        import psycopg

        admin = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
        with psycopg.connect(**admin, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run([sys.executable, "-m", "shenguan", "migrate", "-v0"], check=True, cwd=ROOT)
    from shenguan.parties.models import Party

    if Party.objects.exists():
        # the factories number their rows from 1 in every process: a second run would clash
        sys.exit(f"{name!r} already holds parties: start from a fresh database (--fresh)")
    return connection


def stage(n: int):
    """N accepted commitment-route applications of one cautious item (one essential
    material, nothing deferred), each of its own enterprise in a grid covered by a squad."""
    from shenguan.approvals import factories as af
    from shenguan.approvals import services
    from shenguan.core.factories import make_user
    from shenguan.org.choices import DepartmentKind, SectionKind
    from shenguan.org.factories import DepartmentFactory, GridFactory, SectionFactory
    from shenguan.parties.factories import EnterpriseFactory

    run = f"{int(time.time()) % 100000:05d}"
    bureau = DepartmentFactory(
        code=f"BENCH-EB-{run}",
        name=f"综合执法局（压测{run}）",
        kind=DepartmentKind.ENFORCEMENT_BUREAU,
    )
    squad = SectionFactory(
        department=bureau, code=f"BENCH-SQ-{run}", name="执法中队", kind=SectionKind.SQUAD
    )
    grid = GridFactory(code=f"BENCH-G-{run}", name=f"压测网格{run}", squad=squad)
    make_user("enforcement_officer", section=squad)
    item = af.approval_item(approval_class="cautious", essential=1, optional=0)
    clerk = af.clerk_user()
    apps = []
    for i in range(n):
        user, party = af.applicant_user(EnterpriseFactory(grid=grid))
        app = services.create_application(
            power_id=item.power.pk,
            applicant_id=party.pk,
            channel="online",
            route="commitment",
            user=user,
        )
        af.provide_all(app, item.materials, user)
        services.sign_commitment(app.pk, signer_name=f"法人{i}", user=user)
        services.submit(app.pk, user=user)
        services.accept(app.pk, user=clerk)
        apps.append(app.pk)
        if (i + 1) % 100 == 0:
            print(f"  staged {i + 1}/{n}", flush=True)
    return item, apps


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[k]


def main() -> None:
    args = parse()
    connection = setup(args)
    from shenguan.approvals import services
    from shenguan.core.models import OutboxEvent
    from shenguan.core.worker import Worker
    from shenguan.verification.models import Push

    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}")
    print(f"staging {args.approvals} accepted commitment-route applications …", flush=True)
    t0 = time.monotonic()
    item, app_ids = stage(args.approvals)
    drained = Worker().deliver_pending()
    print(f"  staged in {time.monotonic() - t0:.1f} s; drained {drained} staging events")

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-m",
        "shenguan",
        "worker",
        "--poll",
        str(args.poll),
        "--batch",
        str(args.batch),
    ]
    workers = [
        subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(args.workers)
    ]
    time.sleep(3)  # let them import and enter their loop
    try:
        officer = item.holder_user
        chunks = [app_ids[i :: args.threads] for i in range(args.threads)]

        def approve_all(chunk: list[int]) -> None:
            from django.db import connection as thread_connection

            try:
                for app_id in chunk:
                    services.approve(app_id, user=officer)
            finally:
                thread_connection.close()

        from django.utils import timezone

        burst_start = timezone.now()
        t_burst = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(approve_all, chunks))
        burst_seconds = time.monotonic() - t_burst
        t_last = time.monotonic()
        expected = len(app_ids)
        deadline = time.monotonic() + args.timeout
        while True:
            done = Push.objects.filter(
                kind="licence_issued", pushed_at__gte=burst_start, task__isnull=False
            ).count()
            if done >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        drain_seconds = time.monotonic() - t_last
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()

    pushes = list(
        Push.objects.filter(kind="licence_issued", pushed_at__gte=burst_start).select_related(
            "task"
        )
    )
    to_push = [(p.created - p.pushed_at).total_seconds() for p in pushes]
    to_task = [(p.task.created - p.pushed_at).total_seconds() for p in pushes if p.task_id]
    events = OutboxEvent.objects.filter(created__gte=burst_start).count()
    print()
    print(
        f"push-to-task latency: {expected} commitment-route approvals (cautious item), "
        f"{args.workers} worker process(es), {args.threads} approving threads, {vendor}"
    )
    print(f"{'':<26}{'n':>6}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}  (seconds)")
    for label, values in (("event → push created", to_push), ("event → task created", to_task)):
        if not values:
            print(f"{label:<26}{0:>6}")
            continue
        cells = [pct(values, 50), pct(values, 90), pct(values, 99), max(values)]
        print(f"{label:<26}{len(values):>6}" + "".join(f"{c:>9.3f}" for c in cells))
    if to_task:
        print(f"{'(mean)':<26}{'':>6}{statistics.mean(to_task):>9.3f}")
    print(
        f"burst: {expected} approvals in {burst_seconds:.1f} s ({expected / burst_seconds:.1f}/s), "
        f"{events} outbox events; last task {drain_seconds:.1f} s after the last approval"
    )
    if len(to_task) < expected:
        sys.exit(f"only {len(to_task)} of {expected} tasks were created within the timeout")


if __name__ == "__main__":
    main()
