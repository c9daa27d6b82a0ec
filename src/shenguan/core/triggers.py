"""Helpers to lift the journal triggers for the one operation that must wipe the table: a full
``flush`` (test teardown, or an administrator resetting a database). Normal code never calls
these; they live here so the SQL sits next to the migration that defines it."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections

from .journal_sql import SQLITE_UP


@contextmanager
def journal_triggers_lifted(using: str = "default"):
    connection = connections[using]
    if connection.vendor != "sqlite":
        # PostgreSQL flushes with TRUNCATE, which row triggers do not see.
        yield
        return
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER IF EXISTS journal_no_update")
        cur.execute("DROP TRIGGER IF EXISTS journal_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for sql in SQLITE_UP:
                cur.execute(sql)
