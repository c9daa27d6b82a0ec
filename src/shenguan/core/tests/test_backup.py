"""``shenguan backup`` → ``shenguan restore`` into a fresh database → ``shenguan journal verify``
passes and every table's row count matches, on whichever database the suite runs on. The
backup is taken in-process from the live test database; restore and verify run as real
``shenguan`` processes against a new SQLite file or a new PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from shenguan.core import backup as backup_module
from shenguan.core import journal
from shenguan.core.backup import BackupError, Manifest
from shenguan.core.models import JournalEntry
from shenguan.parties import services as party_services
from shenguan.parties.factories import generated_uscc


def _live_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        counts = {}
        for table in tables:
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
    return counts


@pytest.fixture
def fresh_database(tmp_path):
    """A DATABASE_URL for an empty database that did not exist before the test."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
        return
    import psycopg

    settings = dict(connection.settings_dict)
    name = f"test_sg_restore_{uuid.uuid4().hex[:10]}"
    admin = backup_module._pg_connect({**settings, "NAME": "postgres"}, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    user = settings.get("USER") or "postgres"
    password = settings.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or "5432"
    try:
        yield f"postgres://{auth}{host}:{port}/{name}", {**settings, "NAME": name}
    finally:
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error:
            pass
        admin.close()


def _shenguan(args: list[str], database_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shenguan.settings.base",
        "DATABASE_URL": database_url,
        "SHENGUAN_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "shenguan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _restored_counts(settings: dict) -> dict[str, int]:
    if "sqlite" in settings["ENGINE"]:
        import sqlite3

        with sqlite3.connect(settings["NAME"]) as conn:
            return backup_module._sqlite_counts(conn)
    conn = backup_module._pg_connect(settings)
    try:
        with conn.cursor() as cur:
            return backup_module._pg_counts(cur)
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_backup_restore_verify_round_trip(tmp_path, fresh_database):
    for i in range(3):
        party_services.register_enterprise(
            name=f"备份测试企业{i}〈&〉", uscc=generated_uscc(700 + i)
        )
    entries = JournalEntry.objects.count()
    assert entries >= 3
    source_counts = _live_counts()
    assert journal.verify().ok

    file = tmp_path / ("shenguan.sqlite3" if connection.vendor == "sqlite" else "shenguan.dump")
    manifest = backup_module.backup(connection, file)
    assert file.exists() and file.stat().st_size > 0
    assert manifest.journal_seq == entries
    assert manifest.tables == source_counts
    assert Manifest.read(file).tables == source_counts

    url, settings = fresh_database
    restored = _shenguan(["restore", str(file)], url, tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert f"journal OK: {entries} entries checked" in restored.stdout
    assert _restored_counts(settings) == source_counts

    verify = _shenguan(["journal", "verify"], url, tmp_path)
    assert verify.returncode == 0, verify.stderr
    assert f"{entries} entries checked, chain intact" in verify.stdout

    # the restored database now holds data: a second restore is refused unless forced
    again = _shenguan(["restore", str(file)], url, tmp_path)
    assert again.returncode != 0
    assert "already" in again.stderr and "--force" in again.stderr

    # a manifest that disagrees with the backup (a cut or swapped file) fails the restore
    data = json.loads(backup_module.manifest_path(file).read_text())
    data["tables"]["core_journalentry"] = entries + 1
    backup_module.manifest_path(file).write_text(json.dumps(data))
    forced = _shenguan(["restore", "--force", str(file)], url, tmp_path)
    assert forced.returncode != 0
    assert "core_journalentry: backup" in forced.stderr
    assert _restored_counts(settings) == source_counts


@pytest.mark.django_db
def test_backup_refuses_an_existing_file_and_restore_a_foreign_file(tmp_path):
    existing = tmp_path / "exists.bak"
    existing.write_bytes(b"x")
    with pytest.raises(BackupError, match="already exists"):
        backup_module.backup(connection, existing)
    with pytest.raises(BackupError, match="does not exist"):
        backup_module.backup(connection, tmp_path / "no-such-dir" / "b.bak")

    garbage = tmp_path / "garbage.bak"
    garbage.write_bytes(b"this is not a database backup" * 100)
    target = tmp_path / "target.sqlite3"
    with pytest.raises(BackupError, match="not"):
        backup_module.restore(
            garbage, {"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}
        )
    with pytest.raises(BackupError, match="no such backup"):
        backup_module.restore(tmp_path / "missing.bak", {"ENGINE": "x", "NAME": "y"})


def test_missing_postgresql_tools_give_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup_module, "PG_BIN_DIRS", ("/nonexistent/{major}",))
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup_module.pg_tool("pg_dump", 15)
