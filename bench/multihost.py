"""A multi-host rehearsal on one machine (issue 7): Linux network namespaces joined by a
bridge stand for four hosts —

    sg-db    10.77.0.1   PostgreSQL 15 (its own cluster, in a temporary directory)
    sg-app1  10.77.0.11  gunicorn (web) + shenguan worker processes, hostname app1
    sg-app2  10.77.0.12  gunicorn (web) + shenguan worker processes, hostname app2
    sg-load  10.77.0.21  the load generator (bench/loadgen.py), half the requests to each

It stages N commitment-route applications, submits them over HTTP through both app hosts,
accepts them, approves them over HTTP through both hosts, waits until every licence has its
verification task, and then checks from the database that

- the work was shared: both hosts served requests and both hosts' workers delivered events;
- every event was delivered: no outbox event is left pending or failed;
- no event's effect was applied twice: one receipt per (event, consumer), one push and one
  verification task per licence, and the journal chain verifies.

Needs root (ip netns). Run as:

    sudo .venv/bin/python bench/multihost.py run [--apps 300 --web 2 --workers 2]
    sudo .venv/bin/python bench/multihost.py down      # tears everything down (run also does)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")
BRIDGE = "sg-br0"
HOSTS = {
    "sg-db": "10.77.0.1",
    "sg-app1": "10.77.0.11",
    "sg-app2": "10.77.0.12",
    "sg-load": "10.77.0.21",
}
DB_URL = "postgres://postgres@10.77.0.1:5432/shenguan?conn_max_age=60"
STATE = Path(tempfile.gettempdir()) / "sg-multihost"


def sh(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), check=check, **kw)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def netns(ns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *cmd]


# --- network -----------------------------------------------------------------------------------
def up() -> None:
    down(quiet=True)
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", "10.77.0.254/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    for i, (ns, addr) in enumerate(HOSTS.items()):
        host_end, ns_end = f"sgv{i}h", f"sgv{i}n"
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", ns_end)
        sh("ip", "link", "set", ns_end, "netns", ns)
        sh("ip", "link", "set", host_end, "master", BRIDGE)
        sh("ip", "link", "set", host_end, "up")
        sh(*netns(ns, "ip", "addr", "add", f"{addr}/24", "dev", ns_end))
        sh(*netns(ns, "ip", "link", "set", ns_end, "up"))
        sh(*netns(ns, "ip", "link", "set", "lo", "up"))
    log("namespaces up: " + ", ".join(f"{ns} {addr}" for ns, addr in HOSTS.items()))


def down(quiet: bool = False) -> None:
    pidfile = STATE / "pids.json"
    if pidfile.exists():
        for pid in json.loads(pidfile.read_text()):
            try:
                os.killpg(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(2)
        for pid in json.loads(pidfile.read_text()):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    for ns in HOSTS:
        sh("ip", "netns", "del", ns, check=False, stderr=subprocess.DEVNULL)
    sh("ip", "link", "del", BRIDGE, check=False, stderr=subprocess.DEVNULL)
    shutil.rmtree(STATE, ignore_errors=True)
    if not quiet:
        log("torn down")


# --- processes -------------------------------------------------------------------------------
PIDS: list[int] = []


def spawn(ns: str, cmd: list[str], *, hostname: str = "", env: dict | None = None, log_name: str):
    """Start ``cmd`` in ``ns`` (with its own UTS namespace and hostname when given), in its own
    process group so that ``down`` can stop everything it started."""
    if hostname:
        cmd = ["unshare", "--uts", "sh", "-c", f'hostname {hostname} && exec "$@"', "sh", *cmd]
    out = open(STATE / f"{log_name}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        netns(ns, *cmd),
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    PIDS.append(proc.pid)
    (STATE / "pids.json").write_text(json.dumps(PIDS))
    return proc


def start_postgres() -> None:
    data = STATE / "pgdata"
    data.mkdir(parents=True)
    shutil.chown(STATE, "postgres")
    shutil.chown(data, "postgres")
    sh(
        "runuser",
        "-u",
        "postgres",
        "--",
        str(PG_BIN / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        stdout=subprocess.DEVNULL,
    )
    with open(data / "pg_hba.conf", "a") as fh:
        fh.write("host all all 10.77.0.0/24 trust\n")
    spawn(
        "sg-db",
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-c",
            "listen_addresses=10.77.0.1",
            "-c",
            "port=5432",
            "-c",
            f"unix_socket_directories={data}",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=256MB",
            "-c",
            "synchronous_commit=on",
        ],
        log_name="postgres",
    )
    for _ in range(100):
        ok = (
            subprocess.run(
                netns("sg-app1", str(PG_BIN / "pg_isready"), "-h", "10.77.0.1", "-p", "5432"),
                capture_output=True,
            ).returncode
            == 0
        )
        if ok:
            break
        time.sleep(0.2)
    else:
        sys.exit("PostgreSQL in sg-db did not come up (see its log in /tmp/sg-multihost)")
    sh(*netns("sg-app1", str(PG_BIN / "createdb"), "-h", "10.77.0.1", "-U", "postgres", "shenguan"))
    log("PostgreSQL listening on 10.77.0.1:5432 (namespace sg-db)")


def app_env() -> dict:
    return {
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "shenguan.settings.base",
        "SHENGUAN_VAR_DIR": str(STATE / "var"),
        "ALLOWED_HOSTS": "10.77.0.11,10.77.0.12",
        "PYTHONUNBUFFERED": "1",
    }


def in_app(*args: str, ns: str = "sg-app1") -> str:
    return sh(
        *netns(ns, PY, *args),
        env={**os.environ, **app_env()},
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout


# --- the rehearsal -----------------------------------------------------------------------------
STAGE = r"""
import json, sys
sys.path.insert(0, "bench")
import suite
suite.setup_django(__import__("os").environ["DATABASE_URL"])
from shenguan.core.api_clients import issue_token
from django.contrib.auth import get_user_model
from shenguan.parties.models import PartyAccount
n = int(sys.argv[1])
world = suite.build_world(n)
User = get_user_model()
applicant = User.objects.get(pk=world["people"][0][0])
for _, party in world["people"][1:]:
    PartyAccount.objects.get_or_create(user=applicant, party_id=party)
drafts = [suite.draft(world, applicant.pk, party, i) for i, (_, party) in enumerate(world["people"])]
_, a = issue_token("multihost applicant", applicant)
_, o = issue_token("multihost officer", User.objects.get(pk=world["officer_id"]))
print(json.dumps({"drafts": drafts, "applicant": a, "officer": o, "clerk": world["clerk_id"]}))
"""

ACCEPT = r"""
import json, sys
sys.path.insert(0, "bench")
import suite
suite.setup_django(__import__("os").environ["DATABASE_URL"])
from django.contrib.auth import get_user_model
from shenguan.approvals import services
staged = json.loads(open(sys.argv[1]).read())
clerk = get_user_model().objects.get(pk=staged["clerk"])
for pk in staged["drafts"]:
    services.accept(pk, user=clerk)
"""

CHECK = r"""
import json, sys
sys.path.insert(0, "bench")
import suite
suite.setup_django(__import__("os").environ["DATABASE_URL"])
from django.db.models import Count
from shenguan.core import journal
from shenguan.core.models import ConsumerReceipt, DeliveryAttempt, OutboxEvent
from shenguan.approvals.models import Licence
from shenguan.verification.models import Push, VerificationTask
staged = json.loads(open(sys.argv[1]).read())
apps = staged["drafts"]
deadline = __import__("time").monotonic() + float(sys.argv[2])
while suite.tasks_for(apps) < len(apps) and __import__("time").monotonic() < deadline:
    __import__("time").sleep(0.5)
licences = Licence.objects.filter(application_id__in=apps)
by_host = {}
for worker, n in DeliveryAttempt.objects.values_list("worker").annotate(n=Count("id")):
    host = worker.split(":")[0]
    by_host[host] = by_host.get(host, 0) + n
dup_receipts = (ConsumerReceipt.objects.values("event", "consumer").annotate(n=Count("id"))
                .filter(n__gt=1).count())
result = {
    "licences": licences.count(),
    "tasks": VerificationTask.objects.filter(licence__in=licences).count(),
    "pushes": Push.objects.filter(licence__in=licences).count(),
    "licences_with_two_tasks": VerificationTask.objects.filter(licence__in=licences)
        .values("licence").annotate(n=Count("id")).filter(n__gt=1).count(),
    "events": OutboxEvent.objects.count(),
    "events_not_delivered": OutboxEvent.objects.exclude(status="delivered").count(),
    "duplicate_receipts": dup_receipts,
    "deliveries_by_host": by_host,
    "journal_ok": journal.verify().ok,
}
print(json.dumps(result))
"""


def loadgen_both(plan: list, token: str, clients: int) -> list[dict]:
    halves = [plan[0::2], plan[1::2]]
    procs = []
    for half, host in zip(halves, ("10.77.0.11", "10.77.0.12"), strict=True):
        path = STATE / f"plan-{host}.json"
        path.write_text(json.dumps(half))
        procs.append(
            subprocess.Popen(
                netns(
                    "sg-load",
                    PY,
                    str(BENCH / "loadgen.py"),
                    "--url",
                    f"http://{host}:8000",
                    "--clients",
                    str(clients // 2),
                    "--plan",
                    str(path),
                    "--token",
                    token,
                ),
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
    return [json.loads(p.communicate()[0]) for p in procs]


def run(args) -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    up()
    STATE.mkdir(parents=True, exist_ok=True)
    ok = False
    try:
        start_postgres()
        (STATE / "var").mkdir()
        in_app("-m", "shenguan", "migrate", "-v0")
        log(f"staging {args.apps} drafts from sg-app1 (not timed) …")
        staged_text = in_app("-c", STAGE, str(args.apps))
        staged_path = STATE / "staged.json"
        staged_path.write_text(staged_text.strip().splitlines()[-1])
        staged = json.loads(staged_path.read_text())
        for ns, name in (("sg-app1", "app1"), ("sg-app2", "app2")):
            addr = HOSTS[ns]
            spawn(
                ns,
                [
                    PY,
                    "-m",
                    "gunicorn",
                    "shenguan.wsgi:application",
                    "--bind",
                    f"{addr}:8000",
                    "--workers",
                    str(args.web),
                    "--access-logfile",
                    "-",
                ],
                hostname=name,
                env=app_env(),
                log_name=f"{name}-web",
            )
            for w in range(args.workers):
                spawn(
                    ns,
                    [PY, "-m", "shenguan", "worker", "--poll", "0.2"],
                    hostname=name,
                    env=app_env(),
                    log_name=f"{name}-worker{w}",
                )
        time.sleep(4)
        log("submitting over HTTP through both app hosts …")
        submit = loadgen_both(
            [["POST", f"/api/approvals/applications/{pk}/submit", None] for pk in staged["drafts"]],
            staged["applicant"],
            args.clients,
        )
        in_app("-c", ACCEPT, str(staged_path))
        log("approving over HTTP through both app hosts …")
        approve = loadgen_both(
            [["POST", f"/api/approvals/applications/{pk}/approve", {}] for pk in staged["drafts"]],
            staged["officer"],
            args.clients,
        )
        log("waiting for every verification task, then checking …")
        check = json.loads(in_app("-c", CHECK, str(staged_path), "600").strip().splitlines()[-1])
        served = {
            name: sum(
                1
                for line in (STATE / f"{name}-web.log").read_text().splitlines()
                if '"POST /api/' in line
            )
            for name in ("app1", "app2")
        }
        print()
        print(
            f"multi-host rehearsal: {args.apps} applications, 2 app hosts × "
            f"({args.web} web + {args.workers} worker processes), PostgreSQL host, load host"
        )
        for label, results in (("submit", submit), ("approve", approve)):
            for host, r in zip(("app1", "app2"), results, strict=True):
                print(
                    f"  {label:<8} via {host}: {r['ok']}/{r['count']} ok, {r['rps']} req/s, "
                    f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
                )
        print(f"  API requests served (access logs): {served}")
        print(f"  event deliveries by host (worker hostnames): {check['deliveries_by_host']}")
        print(
            f"  licences {check['licences']}, pushes {check['pushes']}, tasks {check['tasks']}; "
            f"licences with two tasks {check['licences_with_two_tasks']}"
        )
        print(
            f"  events {check['events']}, not delivered {check['events_not_delivered']}, "
            f"duplicate receipts {check['duplicate_receipts']}, journal ok {check['journal_ok']}"
        )
        hosts = check["deliveries_by_host"]
        ok = (
            all(r["ok"] == r["count"] for r in submit + approve)
            and min(served.values()) > 0
            and len([h for h in hosts if h in ("app1", "app2")]) == 2
            and check["events_not_delivered"] == 0
            and check["duplicate_receipts"] == 0
            and check["licences_with_two_tasks"] == 0
            and check["licences"] == check["tasks"] == check["pushes"] == args.apps
            and check["journal_ok"]
        )
        print("  RESULT:", "shared, all delivered, none twice" if ok else "FAILED (see above)")
    finally:
        if not args.keep:
            down()
    sys.exit(0 if ok else 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("action", choices=["run", "down"])
    p.add_argument("--apps", type=int, default=300)
    p.add_argument("--web", type=int, default=2, help="gunicorn workers per app host")
    p.add_argument("--workers", type=int, default=2, help="shenguan workers per app host")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--keep", action="store_true", help="leave the hosts up after the run")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root for ip netns")
    if args.action == "down":
        down()
    else:
        run(args)


if __name__ == "__main__":
    main()
