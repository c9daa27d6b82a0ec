#!/usr/bin/env python3
"""Shenguan's two set-up commands; needs nothing but Python 3.11+.

    python3 run.py          install into .venv, migrate the SQLite database under var/,
                            seed the demo and serve it at http://127.0.0.1:8000
    python3 run.py test     run the whole test suite: ruff, migrations check, pytest on SQLite
                            and on PostgreSQL (DATABASE_URL_PG, default
                            postgres://postgres@127.0.0.1:5432/postgres)

Any further arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SHENGUAN_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
PG_URL = os.environ.get("DATABASE_URL_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def sh(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    rc = subprocess.call([str(a) for a in args], cwd=ROOT, env=env)
    if rc != 0:
        sys.exit(rc)


def ensure_venv(extra: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (run.py may be started by an older python3)
        sys.exit("Shenguan needs Python 3.11 or newer")
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed{extra}"
    pyproject = ROOT / "pyproject.toml"
    if not stamp.exists() or stamp.stat().st_mtime < pyproject.stat().st_mtime:
        sh(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
        sh(PY, "-m", "pip", "install", "-q", "-e", f".{extra}")
        stamp.touch()


def pg_reachable(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


def serve() -> None:
    ensure_venv()
    os.execv(str(BIN / "shenguan"), [str(BIN / "shenguan"), "up"])  # noqa: S606


def test(pytest_args: list[str]) -> None:
    ensure_venv("[test]")
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "ruff", "format", "--check", ".")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "shenguan.settings.test"
    sh(BIN / "shenguan", "makemigrations", "--check", "--dry-run", env=env)
    print("\n=== test suite on SQLite ===", flush=True)
    sh(PY, "-m", "pytest", *pytest_args, env=env)
    if pg_reachable(PG_URL):
        print(f"\n=== test suite on PostgreSQL ({PG_URL}) ===", flush=True)
        sh(PY, "-m", "pytest", *pytest_args, env={**env, "DATABASE_URL": PG_URL})
    elif os.environ.get("CI") or os.environ.get("SHENGUAN_REQUIRE_PG"):
        sys.exit(f"PostgreSQL is not reachable at {PG_URL}; CI needs it")
    else:
        print(f"\n!!! PostgreSQL is not reachable at {PG_URL}: its run was SKIPPED !!!")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "test":
        test(sys.argv[2:])
    elif len(sys.argv) == 1:
        serve()
    else:
        sys.exit(__doc__)
