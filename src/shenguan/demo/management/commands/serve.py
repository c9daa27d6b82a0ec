"""``shenguan serve``: the production-style server — gunicorn over WSGI (Django over ASGI was
measured 3-8x slower on our machines), static files by WhiteNoise from ``collectstatic``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand

STAMP_NAME = ".shenguan-collected"
MAX_DEFAULT_WORKERS = 4


def default_workers(cpus: int | None = None) -> int:
    """gunicorn's rule of thumb (2 x cores + 1), capped: beyond 4 processes the single SQLite
    writer, not the CPU, is the limit, and each worker holds its own connections."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return max(1, min(2 * cpus + 1, MAX_DEFAULT_WORKERS))


def _storage_backend() -> str:
    return settings.STORAGES["staticfiles"]["BACKEND"]


def _newest_source_mtime() -> float:
    newest = 0.0
    for finder in get_finders():
        for path, storage in finder.list([]):
            try:
                newest = max(newest, storage.get_modified_time(path).timestamp())
            except (NotImplementedError, OSError):
                return float("inf")  # cannot tell: collect to be safe
    return newest


def collectstatic_needed() -> bool:
    """True when ``STATIC_ROOT`` is missing, was collected for another storage backend, or is
    older than any source static file (a ``git pull`` brought new CSS, say)."""
    stamp = Path(settings.STATIC_ROOT) / STAMP_NAME
    if not stamp.exists():
        return True
    if stamp.read_text(encoding="utf-8").strip() != _storage_backend():
        return True
    return _newest_source_mtime() > stamp.stat().st_mtime


def collect_static(stdout=None) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp = Path(settings.STATIC_ROOT) / STAMP_NAME
    stamp.write_text(_storage_backend() + "\n", encoding="utf-8")
    if stdout is not None:
        stdout.write(f"static files collected into {settings.STATIC_ROOT}")


def gunicorn_argv(bind: str, workers: int, threads: int, timeout: int = 60) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shenguan.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # Workers import the project after fork; a request id per line helps tie the access log
        # to journal entries (the X-Request-ID response header).
        "--access-logformat",
        '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s',
    ]


def add_server_arguments(parser) -> None:
    parser.add_argument(
        "--bind", default="127.0.0.1:8000", help="address:port to listen on (127.0.0.1:8000)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"worker processes (default 2 x cores + 1, at most {MAX_DEFAULT_WORKERS})",
    )
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (2)")
    parser.add_argument("--timeout", type=int, default=60, help="worker timeout in seconds (60)")


def serve(stdout, *, bind: str, workers: int | None, threads: int, timeout: int) -> None:
    """Collect static files if needed, then replace this process with gunicorn."""
    if workers is not None and workers < 1:
        raise CommandError("--workers must be at least 1")
    if threads < 1:
        raise CommandError("--threads must be at least 1")
    if collectstatic_needed():
        collect_static(stdout)
    workers = workers or default_workers()
    host = bind.rsplit(":", 1)[0].strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1") and host not in settings.ALLOWED_HOSTS:
        stdout.write(
            f"note: requests are answered only for ALLOWED_HOSTS={','.join(settings.ALLOWED_HOSTS)}"
        )
    stdout.write(
        f"serving Shenguan on http://{bind} with gunicorn "
        f"({workers} workers x {threads} threads); Ctrl-C stops it"
    )
    stdout.flush()
    argv = gunicorn_argv(bind, workers, threads, timeout)
    # exec, not a child process: signals (Ctrl-C, systemd's TERM) reach gunicorn directly.
    os.execv(argv[0], argv)  # noqa: S606


class Command(ShenguanCommand):
    help = "Serve Shenguan with gunicorn (WSGI), collecting static files first when needed."

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, bind, workers, threads, timeout, **options):
        serve(self.stdout, bind=bind, workers=workers, threads=threads, timeout=timeout)
