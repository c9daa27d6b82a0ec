"""The database itself refuses UPDATE and DELETE on the journal (docs/decisions/0002-journal.md)."""

from django.db import migrations

from shenguan.core.journal_sql import PG_DOWN, PG_UP, SQLITE_DOWN, SQLITE_UP


def up(apps, schema_editor):
    statements = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for sql in statements:
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    statements = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
