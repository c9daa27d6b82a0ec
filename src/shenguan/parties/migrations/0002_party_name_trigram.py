"""A trigram index for the public credit lookup's name search on PostgreSQL.

``name__icontains`` compiles to ``UPPER(name) LIKE UPPER('%…%')``, which no b-tree can serve:
at 200,000 parties it scanned the table (≈70 ms). A GIN index of ``upper(name)`` with
``gin_trgm_ops`` serves it. ``pg_trgm`` ships with PostgreSQL and is a trusted extension
(PostgreSQL 13+), so the database's owner may create it. SQLite gets nothing."""

from django.db import migrations

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS party_name_trgm ON parties_party USING gin (upper(name) gin_trgm_ops)",
]
DOWN = ["DROP INDEX IF EXISTS party_name_trgm"]


class PostgresOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [PostgresOnly(UP, DOWN)]
