"""A city-sized database on PostgreSQL (issue 7), then measurements at that size.

    .venv/bin/python bench/citygen.py                       # 1,000,000 applications …
    .venv/bin/python bench/citygen.py --scale 0.05          # a twentieth, for a smoke run
    .venv/bin/python bench/citygen.py --measure-only        # measure an existing sg_bench_city

1. drops, creates and migrates ``sg_bench_city`` and seeds the demo zone without its activity
   (organisation, the 344 approval items and 281 penalty powers, logins);
2. bulk-loads with COPY (not through the services: this is volume for reads, and the journal
   rows carry a correct hash chain so verification is measured on real work):
   200,000 parties (valid credit codes and ID numbers, spread over the grids and credit tiers),
   1,000,000 applications over three years in every status and route, with dates consistent
   with their status, and 5,000,000 journal entries chained from the demo's head;
3. VACUUM ANALYZEs, then measures (warm, median of N) the application list page and API, the party
   credit lookup, the command-centre endpoints, and journal verification throughput.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
DB = "sg_bench_city"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力"
TRADES = ["科技", "商贸", "餐饮", "建材", "物流", "医药", "光电", "机械", "食品", "环保"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "个体工商户"]


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--scale", type=float, default=1.0, help="fraction of the city")
    p.add_argument("--measure-only", action="store_true")
    p.add_argument("--repeat", type=int, default=15, help="timed calls per measurement")
    return p.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenguan.settings.base")
    os.environ.setdefault("SHENGUAN_VAR_DIR", tempfile.mkdtemp(prefix="sg_bench_"))
    os.environ.setdefault("SHENGUAN_MANIFEST_STATIC", "0")  # pages render without collectstatic
    import django

    django.setup()


def recreate(server: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


# --- the bulk load -----------------------------------------------------------------------------
def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def load(scale: float) -> dict:
    from django.db import connection
    from django.utils import timezone

    from shenguan.approvals.choices import Channel, Route, Status
    from shenguan.approvals.models import RoutePolicy
    from shenguan.catalog.models import Power
    from shenguan.core import journal
    from shenguan.core.models import JournalHead
    from shenguan.org.models import Grid
    from shenguan.parties.factories import generated_ric, generated_uscc

    rng = random.Random(20261202)
    n_parties = int(200_000 * scale)
    n_apps = int(1_000_000 * scale)
    n_journal = int(5_000_000 * scale)
    grids = list(Grid.objects.values_list("pk", flat=True))
    items = list(
        Power.objects.filter(kind="licensing")
        .exclude(versions=None)
        .values_list("pk", "responsibility__post__holder_id")
    )
    versions = {}
    from shenguan.catalog.models import PowerVersion

    for pk, power_id in PowerVersion.objects.order_by("version").values_list("pk", "power_id"):
        versions[power_id] = pk  # the latest
    items = [(pk, staff) for pk, staff in items if pk in versions]
    route_policy = RoutePolicy.objects.order_by("-pk").values_list("pk", flat=True).first()
    now = timezone.now()
    raw = connection.connection
    counts = {}
    with raw.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM parties_party")
        first_party = cur.fetchone()[0] + 1
        tiers = ["A"] * 30 + ["B"] * 60 + ["C"] * 8 + ["D"] * 2

        def parties():
            for i in range(n_parties):
                pk = first_party + i
                if i % 5 == 4:
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                    yield (
                        pk,
                        "individual",
                        name,
                        None,
                        generated_ric(1_000_000 + i),
                        "",
                        "",
                        "",
                        rng.choice(grids),
                        "",
                        rng.choice(tiers),
                        True,
                        now,
                    )
                else:
                    name = (
                        f"鄂州{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
                        f"{rng.choice(TRADES)}{i}{rng.choice(FORMS)}"
                    )
                    yield (
                        pk,
                        "enterprise",
                        name,
                        generated_uscc(1_000_000 + i),
                        None,
                        rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "",
                        "",
                        rng.choice(grids),
                        rng.choice(TRADES),
                        rng.choice(tiers),
                        True,
                        now,
                    )

        t = time.monotonic()
        counts["parties"] = copy_rows(
            cur,
            "parties_party",
            [
                "id",
                "kind",
                "name",
                "uscc",
                "id_number",
                "legal_representative",
                "phone",
                "email",
                "grid_id",
                "industry",
                "credit_tier",
                "is_generated",
                "created",
            ],
            parties(),
        )
        log(f"    {counts['parties']:,} parties in {time.monotonic() - t:.0f} s")

        statuses = [
            (Status.LICENCE_ISSUED, 70),
            (Status.APPROVED, 3),
            (Status.REFUSED, 4),
            (Status.ACCEPTED, 6),
            (Status.UNDER_REVIEW, 6),
            (Status.SUBMITTED, 3),
            (Status.WITHDRAWN, 3),
            (Status.DRAFT, 5),
        ]
        status_pool = [s for s, w in statuses for _ in range(w)]
        routes = [Route.ORDINARY] * 60 + [Route.TOLERANCE] * 20 + [Route.COMMITMENT] * 20
        channels = [Channel.WINDOW] * 50 + [Channel.ONLINE] * 45 + [Channel.AGENT] * 5
        start = dt.date(2024, 1, 2)
        span = (dt.date(2026, 11, 30) - start).days
        cur.execute("SELECT coalesce(max(id), 0) FROM approvals_application")
        first_app = cur.fetchone()[0] + 1

        def apps():
            for i in range(n_apps):
                power, staff = rng.choice(items)
                status = rng.choice(status_pool)
                received = start + dt.timedelta(days=rng.randrange(span))
                accepted = decided = closed = None
                if status not in (Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN):
                    accepted = received + dt.timedelta(days=rng.randrange(0, 3))
                if status in (Status.LICENCE_ISSUED, Status.APPROVED, Status.REFUSED):
                    decided = accepted + dt.timedelta(days=rng.randrange(0, 30))
                if status in (Status.LICENCE_ISSUED, Status.REFUSED, Status.WITHDRAWN):
                    closed = (decided or received) + dt.timedelta(days=rng.randrange(0, 3))
                promised_days = rng.choice([5, 8, 10, 15])
                promised_due = (
                    accepted + dt.timedelta(days=promised_days * 7 // 5) if accepted else None
                )
                statutory_due = accepted + dt.timedelta(days=28) if accepted else None
                created = timezone.make_aware(dt.datetime.combine(received, dt.time(9)))
                yield (
                    first_app + i,
                    f"SQ-{received.year}-C{i:07d}",
                    first_party + rng.randrange(n_parties),
                    power,
                    versions[power],
                    rng.choice(routes),
                    rng.choice(channels),
                    status,
                    route_policy,
                    "",
                    created,
                    None if status == Status.DRAFT else received,
                    accepted,
                    decided,
                    closed,
                    "",
                    staff,
                    False,
                    False,
                    20,
                    promised_days,
                    0,
                    0,
                    statutory_due,
                    promised_due,
                )

        t = time.monotonic()
        counts["applications"] = copy_rows(
            cur,
            "approvals_application",
            [
                "id",
                "number",
                "applicant_id",
                "power_id",
                "power_version_id",
                "route",
                "channel",
                "status",
                "route_policy_id",
                "description",
                "created",
                "received_on",
                "accepted_on",
                "decided_on",
                "closed_on",
                "closing_note",
                "responsible_id",
                "green_channel",
                "strict_review",
                "statutory_limit_days",
                "promised_limit_days",
                "extension_days",
                "suspended_days",
                "statutory_due_on",
                "promised_due_on",
            ],
            apps(),
        )
        log(f"    {counts['applications']:,} applications in {time.monotonic() - t:.0f} s")

        head = JournalHead.objects.get(pk=1)
        seq, prev = head.last_seq, head.last_hash
        actions = [
            "approvals.application.created",
            "approvals.application.submitted",
            "approvals.application.accepted",
            "approvals.application.approved",
            "approvals.licence.issued",
        ]
        base_time = timezone.now() - dt.timedelta(days=3 * 365)

        def entries():
            nonlocal seq, prev
            step = dt.timedelta(seconds=3 * 365 * 86400 / max(n_journal, 1))
            for i in range(n_journal):
                seq += 1
                app = first_app + (i // 5) % max(n_apps, 1)
                fields = {
                    "seq": seq,
                    "time": base_time + step * i,
                    "actor_id": None,
                    "actor_name": "城市规模数据生成",
                    "source": "system",
                    "action": actions[i % 5],
                    "object_type": "approvals.application",
                    "object_id": str(app),
                    "object_repr": f"SQ-C{app}",
                    "before": None,
                    "after": {"status": actions[i % 5].rsplit(".", 1)[1]},
                    "request_id": "",
                    "ip": "",
                    "prev_hash": prev,
                }
                fields["hash"] = journal.entry_hash(fields)
                prev = fields["hash"]
                yield (
                    seq,
                    fields["time"],
                    None,
                    fields["actor_name"],
                    "system",
                    fields["action"],
                    fields["object_type"],
                    fields["object_id"],
                    fields["object_repr"],
                    None,
                    journal.canonical(fields["after"]).decode(),
                    "",
                    "",
                    fields["prev_hash"],
                    fields["hash"],
                )

        t = time.monotonic()
        counts["journal"] = copy_rows(
            cur,
            "core_journalentry",
            [
                "seq",
                "time",
                "actor_id",
                "actor_name",
                "source",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "before",
                "after",
                "request_id",
                "ip",
                "prev_hash",
                "hash",
            ],
            entries(),
        )
        cur.execute(
            "UPDATE core_journalhead SET last_seq = %s, last_hash = %s WHERE id = 1", (seq, prev)
        )
        log(f"    {counts['journal']:,} journal entries in {time.monotonic() - t:.0f} s")
        for table in ("parties_party", "approvals_application", "core_journalentry"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    raw.commit()
    # VACUUM as well as ANALYZE: autovacuum does both to a table after a bulk insert, and
    # without the visibility map the planner cannot use index-only scans (the command
    # centre's daily counts then read the whole table: 340 ms instead of 80 ms for intake)
    with connection.cursor() as cur:  # (autocommit: VACUUM cannot run in a transaction)
        cur.execute("VACUUM ANALYZE")
    return counts


# --- measurements ------------------------------------------------------------------------------
def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[
        int(len(samples) * 0.9) - 1 if len(samples) > 1 else 0
    ]


def measure(repeat: int) -> list[tuple[str, float, float, str]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from shenguan.core import journal
    from shenguan.parties.models import Party

    User = get_user_model()
    rows = []

    def get(client, url, expect=200):
        def call():
            response = client.get(url)
            if response.status_code != expect:
                raise SystemExit(f"GET {url} answered {response.status_code}")

        return call

    head = Client(HTTP_HOST="127.0.0.1")
    head.force_login(User.objects.get(username="head1"))
    command = Client(HTTP_HOST="127.0.0.1")
    command.force_login(User.objects.get(username="command1"))
    anon = Client(HTTP_HOST="127.0.0.1")
    party = Party.objects.filter(kind="enterprise", is_generated=True).order_by("-pk").first()
    checks = [
        ("application list page (head, first page)", head, reverse("approvals:review")),
        ("application list API (head, first page)", head, "/api/approvals/applications"),
        (
            "application list API, filtered by status",
            head,
            "/api/approvals/applications?status=under_review",
        ),
        ("public credit lookup by credit code", anon, f"/credit/lookup?q={party.uscc}"),
        ("public credit lookup by name", anon, f"/credit/lookup?q={party.name[:6]}"),
        ("party credit archive page", head, reverse("credit:archive", args=[party.pk])),
    ]
    try:
        from shenguan.command.api import router  # noqa: F401

        for path in command_paths():
            checks.append((f"command centre {path}", command, path))
    except ImportError:
        pass
    for label, client, url in checks:
        p50, p90 = timed(get(client, url), repeat)
        rows.append((label, p50, p90, "ms"))
        log(f"    {label}: p50 {p50:.0f} ms")
    t = time.perf_counter()
    result = journal.verify()
    seconds = time.perf_counter() - t
    if not result.ok:
        raise SystemExit(f"journal verify failed at seq {result.broken_seq}: {result.reason}")
    rows.append(("journal verification (entries/s)", result.checked / seconds, float("nan"), "/s"))
    return rows


def command_paths() -> list[str]:
    """Every GET endpoint of /api/command/ without path parameters (read from the schema)."""
    from shenguan.api import api

    schema = api.get_openapi_schema()
    return [
        path
        for path, ops in schema["paths"].items()
        if path.startswith("/api/command/") and "get" in ops and "{" not in path
    ]


def main() -> None:
    args = parse()
    url = f"{args.pg}/{DB}"
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("SHENGUAN_VAR_DIR", tempfile.mkdtemp(prefix="sg_bench_"))
    started = time.monotonic()
    counts = {}
    if not args.measure_only:
        log(f"creating {DB} and seeding the demo zone without activity …")
        recreate(args.pg)
        run = [sys.executable, "-m", "shenguan"]
        subprocess.run([*run, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
        subprocess.run(
            [*run, "demo", "--enterprises", "2", "--individuals", "1", "--no-activity"],
            check=True,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        setup(url)
        log(f"bulk loading at scale {args.scale} …")
        counts = load(args.scale)
        log(f"built in {time.monotonic() - started:.0f} s (target < 900 s at scale 1)")
    else:
        setup(url)
    log("measuring …")
    rows = measure(args.repeat)
    print()
    print(f"City-size measurements — {DB}, scale {args.scale}, {os.cpu_count()} cores")
    if counts:
        print(
            "rows: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f"; built in {time.monotonic() - started:.0f} s"
        )
    print(f"{'measure':<60}{'p50':>10}{'p90':>10}")
    for label, p50, p90, unit in rows:
        if unit == "/s":
            print(f"{label:<60}{p50:>10,.0f}")
        else:
            print(f"{label:<60}{p50:>8.0f}ms{p90:>8.0f}ms")


if __name__ == "__main__":
    main()
