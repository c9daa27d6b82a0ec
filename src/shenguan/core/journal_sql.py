"""SQL that makes the journal append-only; used by migration 0002 and by ``flush``."""

TABLE = "core_journalentry"

SQLITE_UP = [
    f"""CREATE TRIGGER journal_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END;""",
    f"""CREATE TRIGGER journal_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS journal_no_update;",
    "DROP TRIGGER IF EXISTS journal_no_delete;",
]

PG_UP = [
    """CREATE OR REPLACE FUNCTION shenguan_journal_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'journal is append-only: % refused', TG_OP; END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION shenguan_journal_append_only();""",
]
PG_DOWN = [
    f"DROP TRIGGER IF EXISTS journal_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS shenguan_journal_append_only();",
]
