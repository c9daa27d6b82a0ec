"""The benchmark suite (issue 7): one command, one run, one table, against PostgreSQL.

    .venv/bin/python bench/suite.py            # full run (about 10 minutes here)
    .venv/bin/python bench/suite.py --quick    # a smoke run with small numbers

It measures, in order, on scratch databases it creates (``sg_bench_pgbench`` and
``sg_bench_suite`` on the server in ``--pg``, dropped and re-created each run):

a. the database's own limit: pgbench TPC-B, 8 clients, 2 threads (tps);
b. full approval flows per second through the services — intake (create, materials,
   commitment, submit), accept, approve (licence on the spot), then the outbox delivers the
   push and the verification task — from P processes, with W ``shenguan worker`` processes;
   a flow counts when its verification task exists;
c. HTTP under load from a separate process (bench/loadgen.py, 32 clients) against gunicorn:
   submit-application and approve, next to a minimal JSON view with one insert served by the
   same server (the framework's ceiling) — requests/s, p50, p99;
d. push-to-task latency (outbox event written → verification task created) of the
   approvals made during (c);
e. peak resident memory (VmHWM) of each gunicorn worker after the load;
and the ratios b ÷ a and c ÷ ceiling. See docs/performance.md."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    p.add_argument("--quick", action="store_true", help="small numbers: a smoke run")
    p.add_argument("--flows", type=int, default=400, help="(b) flows in all")
    p.add_argument("--processes", type=int, default=2, help="(b) processes running flows")
    p.add_argument("--workers", type=int, default=2, help="shenguan worker processes")
    p.add_argument("--poll", type=float, default=1.0, help="worker idle poll (s), as deployed")
    p.add_argument("--web", type=int, default=4, help="gunicorn worker processes")
    p.add_argument("--clients", type=int, default=32, help="(c) concurrent HTTP clients")
    p.add_argument("--http", type=int, default=600, help="(c) submits and approves each")
    p.add_argument(
        "--prefer-minimal",
        action="store_true",
        help="(c) submits and approves send Prefer: return=minimal (204, no detail read back)",
    )
    p.add_argument("--ceiling-seconds", type=float, default=15.0)
    p.add_argument("--pgbench-seconds", type=int, default=30)
    p.add_argument("--port", type=int, default=8765)
    args = p.parse_args()
    if args.quick:
        args.flows, args.http, args.ceiling_seconds, args.pgbench_seconds = 40, 60, 5.0, 5
    return args


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


# --- a. pgbench --------------------------------------------------------------------------
def pgbench(server: str, seconds: int) -> float:
    db = f"{server}/sg_bench_pgbench"
    exe = str(PG_BIN / "pgbench") if (PG_BIN / "pgbench").exists() else "pgbench"
    recreate(server, "sg_bench_pgbench")
    subprocess.run([exe, "-i", "-q", "-s", "10", db], check=True, capture_output=True)
    out = subprocess.run(
        [exe, "-c", "8", "-j", "2", "-T", str(seconds), "-n", db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if not match:
        sys.exit(f"could not read pgbench's tps from:\n{out}")
    return float(match.group(1))


def recreate(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- the world: one cautious item, one clerk, one officer, applicants --------------------
def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenguan.settings.base")
    os.environ.setdefault("SHENGUAN_VAR_DIR", tempfile.mkdtemp(prefix="sg_bench_"))
    import django

    django.setup()
    from django.conf import settings

    # the staged logins never log in through a form: skip the deliberately slow hash
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_world(applicants: int) -> dict:
    from shenguan.approvals import factories as af
    from shenguan.core.factories import make_user
    from shenguan.org.choices import DepartmentKind, SectionKind
    from shenguan.org.factories import DepartmentFactory, GridFactory, SectionFactory
    from shenguan.parties.factories import EnterpriseFactory

    bureau = DepartmentFactory(
        code="BENCH-EB", name="综合执法局（压测）", kind=DepartmentKind.ENFORCEMENT_BUREAU
    )
    squad = SectionFactory(
        department=bureau, code="BENCH-SQ", name="执法中队", kind=SectionKind.SQUAD
    )
    grid = GridFactory(code="BENCH-G", name="压测网格", squad=squad)
    make_user("enforcement_officer", section=squad)
    item = af.approval_item(approval_class="cautious", essential=1, optional=0)
    clerk = af.clerk_user()
    people = []
    for _ in range(applicants):
        user, party = af.applicant_user(EnterpriseFactory(grid=grid))
        people.append((user.pk, party.pk))
    return {
        "power_id": item.power.pk,
        "material_ids": [m.pk for m in item.materials],
        "clerk_id": clerk.pk,
        "officer_id": item.holder_user.pk,
        "people": people,
    }


def _users(world: dict):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.get(pk=world["clerk_id"]), User.objects.get(pk=world["officer_id"])


def draft(world: dict, user_id: int, party_id: int, n: int) -> int:
    """A commitment-route application with its material, signed, not yet submitted."""
    from django.contrib.auth import get_user_model

    from shenguan.approvals import services
    from shenguan.approvals.factories import PDF_BYTES

    user = get_user_model().objects.get(pk=user_id)
    app = services.create_application(
        power_id=world["power_id"],
        applicant_id=party_id,
        channel="online",
        route="commitment",
        user=user,
    )
    for material_id in world["material_ids"]:
        services.upload_material(
            app.pk, material_id, content=PDF_BYTES, filename="材料.pdf", user=user
        )
    services.sign_commitment(app.pk, signer_name=f"法人{n}", user=user)
    return app.pk


def flow_process(database_url: str, world: dict, people: list, offset: int, out: str) -> None:
    """(b) in a child process: whole flows for its applicants."""
    setup_django(database_url)
    from django.contrib.auth import get_user_model

    from shenguan.approvals import services

    clerk, officer = _users(world)
    User = get_user_model()
    done = []
    for n, (user_id, party_id) in enumerate(people, start=offset):
        app_id = draft(world, user_id, party_id, n)
        services.submit(app_id, user=User.objects.get(pk=user_id))
        services.accept(app_id, user=clerk)
        services.approve(app_id, user=officer)
        done.append(app_id)
    Path(out).write_text(json.dumps(done))


def start_workers(env: dict, count: int, poll: float) -> list[subprocess.Popen]:
    cmd = [sys.executable, "-m", "shenguan", "worker", "--poll", str(poll)]
    return [
        subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def tasks_for(app_ids: list[int]) -> int:
    from shenguan.verification.models import VerificationTask

    return VerificationTask.objects.filter(licence__application_id__in=app_ids).count()


def wait_for_tasks(app_ids: list[int], timeout: float = 600.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tasks_for(app_ids) >= len(app_ids):
            return time.monotonic()
        time.sleep(0.2)
    sys.exit(f"only {tasks_for(app_ids)} of {len(app_ids)} verification tasks within {timeout} s")


def flows(args, database_url: str, world: dict, env: dict) -> dict:
    from django.db import connections

    people = world["people"][: args.flows]
    shares = [people[i :: args.processes] for i in range(args.processes)]
    connections.close_all()
    workers = start_workers(env, args.workers, args.poll)
    time.sleep(3)  # let the workers import and enter their loop
    outs = [tempfile.mktemp(prefix="sg_bench_flows_") for _ in shares]
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child-flows",
                json.dumps([database_url, world, share, i * 100000, out]),
            ],
            env=env,
            cwd=ROOT,
        )
        for i, (share, out) in enumerate(zip(shares, outs, strict=True))
    ]
    for proc in procs:
        if proc.wait() != 0:
            stop(workers)
            sys.exit("a flow process failed")
    services_done = time.monotonic()
    app_ids = [pk for out in outs for pk in json.loads(Path(out).read_text())]
    finished = wait_for_tasks(app_ids)
    stop(workers)
    seconds = finished - started
    return {
        "flows": len(app_ids),
        "seconds": seconds,
        "flows_per_s": len(app_ids) / seconds,
        "services_per_s": len(app_ids) / (services_done - started),
    }


# --- c. HTTP ------------------------------------------------------------------------------
def loadgen(url: str, clients: int, plan, token: str, headers: tuple[str, ...] = ()) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(plan, fh)
    out = subprocess.run(
        [
            sys.executable,
            str(BENCH / "loadgen.py"),
            "--url",
            url,
            "--clients",
            str(clients),
            "--plan",
            fh.name,
            "--token",
            token,
            *(arg for header in headers for arg in ("--header", header)),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
    ).stdout
    return [int(x) for x in out.split()]


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def http(args, world: dict, env: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shenguan.approvals import services
    from shenguan.core.api_clients import issue_token
    from shenguan.core.models import OutboxEvent
    from shenguan.verification.models import Push

    User = get_user_model()
    clerk, officer = _users(world)
    people = world["people"][args.flows : args.flows + args.http]
    if len(people) < args.http:
        sys.exit("not enough staged applicants for the HTTP phase")
    log(f"(c) staging {len(people)} drafts (not timed) …")
    # one applicant account submits for every draft: the token is per user
    from shenguan.parties.models import PartyAccount

    applicant = User.objects.get(pk=people[0][0])
    for _, party_id in people[1:]:
        PartyAccount.objects.get_or_create(user=applicant, party_id=party_id)
    drafts = [draft(world, people[0][0], party_id, n) for n, (_, party_id) in enumerate(people)]
    _, applicant_token = issue_token("bench applicant", applicant)
    _, officer_token = issue_token("bench officer", officer)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial primary key, at timestamptz)"
        )
    connection.close()

    web_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{BENCH}:{ROOT / 'src'}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "shenguan.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.web),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env={**web_env, "GUNICORN_CMD_ARGS": ""},
        cwd=ROOT,
    )
    workers = start_workers(env, args.workers, args.poll)
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            if server.poll() is not None:
                sys.exit("gunicorn did not start")
            if loadgen(url, 1, [["GET", "/healthz", None]], "")["ok"]:
                break
            time.sleep(0.2)
        else:
            sys.exit("gunicorn did not answer /healthz")
        log("(c) ceiling: one insert per request …")
        ceiling = loadgen(
            url,
            args.clients,
            {"repeat": ["POST", "/bench/ceiling", None], "seconds": args.ceiling_seconds},
            "",
        )
        prefer = ("Prefer: return=minimal",) if args.prefer_minimal else ()
        log(f"(c) submit over HTTP {' '.join(prefer)}…")
        submit = loadgen(
            url,
            args.clients,
            [["POST", f"/api/approvals/applications/{pk}/submit", None] for pk in drafts],
            applicant_token,
            prefer,
        )
        for pk in drafts:
            services.accept(pk, user=clerk)
        connection.close()
        log("(c) approve over HTTP, workers delivering …")
        since = time.time()
        approve = loadgen(
            url,
            args.clients,
            [["POST", f"/api/approvals/applications/{pk}/approve", {}] for pk in drafts],
            officer_token,
            prefer,
        )
        memory = [vm_hwm_mib(pid) for pid in worker_pids(server.pid)]
        wait_for_tasks(drafts)
    finally:
        stop(workers)
        stop([server])
    import datetime as dt

    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.fromtimestamp(since)) - dt.timedelta(seconds=1)
    pushes = list(
        Push.objects.filter(kind="licence_issued", pushed_at__gte=start).select_related("task")
    )
    latency = [(p.task.created - p.pushed_at).total_seconds() * 1000 for p in pushes if p.task_id]
    return {
        "ceiling": ceiling,
        "submit": submit,
        "approve": approve,
        "push_to_task_ms": latency,
        "events": OutboxEvent.objects.count(),
        "memory_mib": memory,
    }


# --- the run --------------------------------------------------------------------------------
def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child-flows":
        flow_process(*json.loads(sys.argv[2]))
        return
    args = parse()
    log(f"(a) pgbench TPC-B, 8 clients, {args.pgbench_seconds} s …")
    tps = pgbench(args.pg, args.pgbench_seconds)
    log(f"    {tps:.0f} tps")

    database_url = f"{args.pg}/sg_bench_suite"
    recreate(args.pg, "sg_bench_suite")
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    env.setdefault("SHENGUAN_VAR_DIR", tempfile.mkdtemp(prefix="sg_bench_"))
    subprocess.run([sys.executable, "-m", "shenguan", "migrate", "-v0"], check=True, env=env)
    setup_django(database_url)
    log(f"staging {args.flows + args.http} applicants (not timed) …")
    world = build_world(args.flows + args.http)
    from shenguan.core.worker import Worker

    Worker().deliver_pending()

    log(f"(b) {args.flows} flows from {args.processes} processes, {args.workers} workers …")
    b = flows(args, database_url, world, env)
    log(f"    {b['flows_per_s']:.1f} flows/s")
    c = http(args, world, env)
    lat = c["push_to_task_ms"]

    print()
    print(
        f"Shenguan benchmark suite — PostgreSQL, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"{'measure':<72}{'value':>14}")
    rows = [
        ("a. pgbench TPC-B, 8 clients (tps)", f"{tps:.0f}"),
        (
            f"b. full approval flows/s ({args.processes} proc, {args.workers} workers)",
            f"{b['flows_per_s']:.1f}",
        ),
        ("   (services only, before the last task)", f"{b['services_per_s']:.1f}"),
        ("   b ÷ a  (target ≥ 0.10)", f"{b['flows_per_s'] / tps:.4f}"),
    ]
    for name in ("ceiling", "submit", "approve"):
        r = c[name]
        minimal = " (Prefer: return=minimal)" if args.prefer_minimal and name != "ceiling" else ""
        rows.append(
            (
                f"c. {name}{minimal}: req/s · p50 · p99 ms ({args.clients} clients)",
                f"{r['rps']:.0f} · {r['p50_ms']:.0f} · {r['p99_ms']:.0f}",
            )
        )
        if r["errors"]:
            rows.append((f"   {name} errors (first)", r["errors"][0][:40]))
    ceiling_rps = c["ceiling"]["rps"] or float("nan")
    rows += [
        ("   submit ÷ ceiling  (target ≥ 0.5)", f"{c['submit']['rps'] / ceiling_rps:.2f}"),
        ("   approve ÷ ceiling", f"{c['approve']['rps'] / ceiling_rps:.2f}"),
        (
            f"d. push→task ms p50 · p99 (n={len(lat)}, poll {args.poll}s)",
            f"{pct(lat, 50):.0f} · {pct(lat, 99):.0f}",
        ),
        (
            f"e. peak RSS per web worker MiB (max of {len(c['memory_mib'])})",
            f"{max(c['memory_mib'] or [float('nan')]):.0f}",
        ),
    ]
    if lat:
        rows.append(("   push→task mean ms", f"{statistics.mean(lat):.0f}"))
    for label, value in rows:
        print(f"{label:<72}{value:>14}")


if __name__ == "__main__":
    main()
