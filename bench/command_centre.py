"""Command-centre endpoints under volume (issue 6). A benchmark, not a test.

Against the database in DATABASE_URL (PostgreSQL is the target; a scratch database whose name
starts with ``sg_bench``) it

1. with ``--fresh``: drops, creates and migrates the database, then seeds N applications
   (default 100,000) spread over the last 14 months with pushes, licences, verification
   tasks, findings and penalty cases in proportion (``shenguan.command.sample``, bulk inserts
   in batches; not timed), ANALYZEs, and writes a few hundred journal entries for the feed;
2. signs in a command-centre user through the Django test client (the whole request path:
   middleware, session, scope, ninja, JSON) and calls every ``/api/command/`` endpoint
   ``--warm`` times untimed, then ``--runs`` times timed;
3. prints p50/p95/max per endpoint and whether each p95 is under the 300 ms target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_bench_command \\
        .venv/bin/python bench/command_centre.py --fresh --applications 100000

A second run without ``--fresh`` reuses the seeded database. See bench/README.md."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TARGET_MS = 300.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--applications", type=int, default=100_000, help="applications to seed")
    p.add_argument("--runs", type=int, default=20, help="timed calls per endpoint")
    p.add_argument("--warm", type=int, default=3, help="untimed calls per endpoint first")
    p.add_argument("--batch", type=int, default=5000, help="bulk insert batch")
    p.add_argument("--fresh", action="store_true", help="drop, create, migrate and seed first")
    p.add_argument("--force", action="store_true", help="run on a database not named sg_bench*")
    p.add_argument("--records", action="store_true", help="also time the drill-down pages")
    return p.parse_args()


def setup(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenguan.settings.base")
    os.environ.setdefault("SHENGUAN_VAR_DIR", tempfile.mkdtemp(prefix="sg_bench_"))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    # pages render {% static %} without a collectstatic manifest
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    db = connection.settings_dict
    name = str(db["NAME"])
    if not (Path(name).name.startswith("sg_bench") or args.force):
        sys.exit(f"refusing to write benchmark data into {name!r}: use a sg_bench* database")
    if args.fresh:
        if connection.vendor != "postgresql":
            sys.exit("--fresh is for PostgreSQL; remove the SQLite file instead")
        import psycopg

        admin = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
        connection.close()
        with psycopg.connect(**admin, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run([sys.executable, "-m", "shenguan", "migrate", "-v0"], check=True, cwd=ROOT)
    return connection


def seed(args, connection) -> None:
    from django.db import transaction

    from shenguan.command.sample import seed as seed_sample
    from shenguan.core import journal
    from shenguan.core.models import JournalEntry

    started = time.perf_counter()
    print(f"seeding {args.applications:,} applications …", flush=True)
    sample = seed_sample(
        args.applications,
        rng=random.Random(20261202),
        prefix="B",
        batch=args.batch,
        progress=lambda n: print(f"  {n:,}", flush=True) if n % 20_000 == 0 else None,
    )
    for i in range(300):
        with transaction.atomic():
            journal.record(
                "command.bench.event", object_type="bench", object_id=str(i), object_repr=f"#{i}"
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: {sample.applications:,} applications,"
        f" {sample.pushes:,} pushes, {sample.tasks:,} tasks, {sample.findings:,} findings,"
        f" {sample.cases:,} cases, {sample.alerts:,} open overdue alerts, {JournalEntry.objects.count():,} journal entries",
        flush=True,
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[k]


def main() -> None:
    args = parse()
    connection = setup(args)
    from django.test import Client

    from shenguan.approvals.models import Application
    from shenguan.command import figures
    from shenguan.core.factories import make_user
    from shenguan.core.models import JournalEntry

    if args.fresh or not Application.objects.exists():
        seed(args, connection)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench-command").first()
    if user is None:
        user = make_user("command_centre", staff=True, username="bench-command")
    client = Client()
    client.force_login(user)

    total = Application.objects.count()
    newest = JournalEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    paths = [(name, f"/api/command/{name}") for name in figures.FIGURES]
    paths += [
        ("feed (first load)", "/api/command/feed"),
        ("feed (?after=cursor)", f"/api/command/feed?after={newest - 5}"),
    ]
    if args.records:
        paths += [
            ("records: applications", "/command/records/applications/"),
            ("records: overdue cell", "/command/records/alerts/?level=overdue&grid=none"),
            ("records: cases", "/command/records/cases/?status=opened"),
        ]
    print(
        f"\n{connection.vendor} {connection.settings_dict['NAME']}: {total:,} applications;"
        f" {args.warm} warm-up + {args.runs} timed calls each (Django test client, one process)\n"
    )
    print(f"| endpoint | p50 ms | p95 ms | max ms | < {TARGET_MS:.0f} ms |")
    print("|---|---:|---:|---:|---|")
    worst = 0.0
    for label, path in paths:
        for _ in range(args.warm):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        p95 = pct(times, 95)
        worst = max(worst, p95)
        print(
            f"| `{label}` | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} |"
            f" {'yes' if p95 < TARGET_MS else 'NO'} |",
            flush=True,
        )
    print(f"\nworst p95: {worst:.1f} ms (target {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
