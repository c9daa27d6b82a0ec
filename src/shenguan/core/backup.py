"""Backing up and restoring the whole database (``shenguan backup`` / ``shenguan restore``).

SQLite: SQLite's online backup API copies a consistent snapshot page by page while the system
runs (a plain file copy would miss what is still in the ``-wal`` file). PostgreSQL: ``pg_dump
-Fc`` inside a snapshot that the row counts are read from too, restored with ``pg_restore`` in
one transaction.

Next to the backup a small manifest (``FILE.json``) records the engine, the time, the row count
of every table and the journal's head; ``restore`` checks the restored database against it, and
the command then runs ``journal verify``. Restore refuses a database that already holds data
unless forced (then it replaces everything in it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_SUFFIX = ".json"
PG_BIN_DIRS = ("/usr/lib/postgresql/{major}/bin",)


class BackupError(RuntimeError):
    """Anything that stops a backup or restore; the message says what to do."""


@dataclass
class Manifest:
    engine: str
    created: str
    tables: dict[str, int] = field(default_factory=dict)
    journal_seq: int = 0
    journal_hash: str = ""

    def write(self, path: Path) -> Path:
        target = manifest_path(path)
        target.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True), encoding="utf-8")
        return target

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        source = manifest_path(path)
        if not source.exists():
            return None
        try:
            return cls(**json.loads(source.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise BackupError(f"the manifest {source} is unreadable: {exc}")


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor_execute, tables: list[str]) -> dict[str, int]:
    return {t: int(cursor_execute(f"SELECT COUNT(*) FROM {_quote(t)}")) for t in tables}  # noqa: S608


def _sqlite_counts(conn) -> dict[str, int]:
    return _counts(lambda sql: conn.execute(sql).fetchone()[0], _sqlite_tables(conn))


def _journal_head(counts: dict[str, int], fetch) -> tuple[int, str]:
    if "core_journalhead" not in counts:
        return 0, ""
    row = fetch("SELECT last_seq, last_hash FROM core_journalhead WHERE id = 1")
    return (int(row[0]), row[1]) if row else (0, "")


def sqlite_backup(django_connection, target: Path) -> Manifest:
    """Copy the live database into ``target`` (a new file) with the online backup API."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    django_connection.ensure_connection()
    source = django_connection.connection
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        check = dest.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the backup copy fails SQLite's integrity check: {check}")
        counts = _sqlite_counts(dest)
        seq, head = _journal_head(counts, lambda sql: dest.execute(sql).fetchone())
    except Exception:
        dest.close()
        target.unlink(missing_ok=True)
        raise
    dest.close()
    manifest = Manifest("sqlite", _now(), counts, seq, head)
    manifest.write(target)
    return manifest


def _sqlite_open_backup(path: Path):
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite backup: {exc}")
    return conn


def sqlite_restore(source: Path, target_name: str, force: bool = False) -> dict[str, int]:
    """Replace the database file ``target_name`` by the backup ``source``."""
    backup = _sqlite_open_backup(source)
    try:
        target_path = Path(target_name)
        if target_path.exists() and not force:
            with sqlite3.connect(str(target_path)) as probe:
                holding = [t for t, n in _sqlite_counts(probe).items() if n]
            if holding:
                raise BackupError(
                    f"the database {target_name} already holds data ({len(holding)} tables "
                    "with rows); restore into an empty database or pass --force to replace it"
                )
        target_path.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target_path), timeout=10)
        try:
            backup.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
            counts = _sqlite_counts(dest)
        finally:
            dest.close()
    finally:
        backup.close()
    return counts


# --- PostgreSQL ---------------------------------------------------------------------------


def pg_tool(name: str, server_major: int | None = None) -> str:
    """The ``pg_dump``/``pg_restore`` to use: the server's major version first, then PATH."""
    candidates = []
    if server_major:
        candidates += [Path(d.format(major=server_major)) / name for d in PG_BIN_DIRS]
    for path in candidates:
        if path.exists():
            return str(path)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools "
            f"(postgresql-client-{server_major or 'N'}) matching the server version"
        )
    return found


def _pg_env(settings: dict) -> dict[str, str]:
    env = dict(os.environ)
    mapping = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    for key, var in mapping.items():
        if settings.get(key):
            env[var] = str(settings[key])
    env["PGDATABASE"] = settings["NAME"]
    for key, value in (settings.get("OPTIONS") or {}).items():
        if key == "sslmode":
            env["PGSSLMODE"] = str(value)
    return env


def _pg_connect(settings: dict, autocommit: bool = False):
    import psycopg

    params = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "connect_timeout": 10,
    }
    try:
        return psycopg.connect(
            **{k: v for k, v in params.items() if v is not None}, autocommit=autocommit
        )
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot connect to PostgreSQL database {settings['NAME']}: {exc}")


def _pg_tables(cur) -> list[str]:
    cur.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [r[0] for r in cur.fetchall()]


def _pg_counts(cur) -> dict[str, int]:
    def fetch(sql):
        cur.execute(sql)
        return cur.fetchone()[0]

    return _counts(fetch, _pg_tables(cur))


def _pg_major(cur) -> int:
    cur.execute("SHOW server_version_num")
    return int(cur.fetchone()[0]) // 10000


def pg_backup(settings: dict, target: Path) -> Manifest:
    """``pg_dump -Fc`` of the database, with counts read in the very snapshot it dumps."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    conn = _pg_connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            major = _pg_major(cur)
            counts = _pg_counts(cur)

            def fetch(sql):
                cur.execute(sql)
                return cur.fetchone()

            seq, head = _journal_head(counts, fetch)
            tool = pg_tool("pg_dump", major)
            result = subprocess.run(
                [tool, "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target)],
                env=_pg_env(settings),
                capture_output=True,
                text=True,
                timeout=3600,
            )
        conn.rollback()
    finally:
        conn.close()
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    manifest = Manifest("postgresql", _now(), counts, seq, head)
    manifest.write(target)
    return manifest


def pg_restore(source: Path, settings: dict, force: bool = False) -> dict[str, int]:
    """Load the dump into the (empty, or with ``force`` emptied) database."""
    with source.open("rb") as fh:
        if fh.read(5) != b"PGDMP":
            raise BackupError(f"{source} is not a pg_dump custom-format (-Fc) backup")
    conn = _pg_connect(settings, autocommit=True)
    try:
        with conn.cursor() as cur:
            major = _pg_major(cur)
            tables = _pg_tables(cur)
            if tables and not force:
                raise BackupError(
                    f"the database {settings['NAME']} already has {len(tables)} tables; "
                    "restore into an empty database or pass --force to replace it"
                )
            if tables:
                cur.execute("DROP SCHEMA public CASCADE")
                cur.execute("CREATE SCHEMA public")
    finally:
        conn.close()
    tool = pg_tool("pg_restore", major)
    result = subprocess.run(
        [tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         "-d", settings["NAME"], str(source)],
        env=_pg_env(settings),
        capture_output=True,
        text=True,
        timeout=3600,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    conn = _pg_connect(settings)
    try:
        with conn.cursor() as cur:
            counts = _pg_counts(cur)
    finally:
        conn.close()
    return counts


# --- both ---------------------------------------------------------------------------------


def backup(django_connection, target: Path) -> Manifest:
    target = Path(target)
    if not target.parent.exists():
        raise BackupError(f"the directory {target.parent} does not exist")
    if django_connection.vendor == "sqlite":
        return sqlite_backup(django_connection, target)
    if django_connection.vendor == "postgresql":
        return pg_backup(django_connection.settings_dict, target)
    raise BackupError(f"cannot back up a {django_connection.vendor} database")


def restore(source: Path, settings: dict, force: bool = False) -> tuple[dict[str, int], list]:
    """Restore ``source`` into the database described by ``settings`` (a Django DATABASES
    entry). Returns the restored row counts and the differences from the manifest (empty when
    they match or there is no manifest)."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"no such backup file: {source}")
    manifest = Manifest.read(source)
    engine = settings["ENGINE"]
    if "sqlite" in engine:
        if manifest and manifest.engine != "sqlite":
            raise BackupError(f"{source} is a {manifest.engine} backup, the database is SQLite")
        counts = sqlite_restore(source, settings["NAME"], force=force)
    elif "postgresql" in engine:
        if manifest and manifest.engine != "postgresql":
            raise BackupError(f"{source} is a {manifest.engine} backup, the database is PostgreSQL")
        counts = pg_restore(source, settings, force=force)
    else:
        raise BackupError(f"cannot restore into a {engine} database")
    differences = []
    if manifest is not None:
        for table in sorted(set(manifest.tables) | set(counts)):
            expected, got = manifest.tables.get(table), counts.get(table)
            if expected != got:
                differences.append((table, expected, got))
    return counts, differences
