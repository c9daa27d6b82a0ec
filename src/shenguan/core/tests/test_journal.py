"""The journal is append-only and hash-chained; verify names the first broken link."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from shenguan.core import journal, services
from shenguan.core.context import acting_as
from shenguan.core.models import JournalEntry, JournalHead, OutboxEvent
from shenguan.org.models import Department


def make_entries(n: int) -> list[JournalEntry]:
    for i in range(n):
        services.create_object(Department, {"code": f"J{i:03d}", "name": f"日志测试部门{i}"})
    return list(JournalEntry.objects.order_by("seq"))


def tamper(sql: str, params=()) -> None:
    """Change journal rows behind the application's back, lifting the trigger as an
    attacker with database access would."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_journalentry DISABLE TRIGGER journal_append_only")
            cur.execute(sql, params)
            cur.execute("ALTER TABLE core_journalentry ENABLE TRIGGER journal_append_only")
        else:
            cur.execute("DROP TRIGGER journal_no_update")
            cur.execute("DROP TRIGGER journal_no_delete")
            cur.execute(sql, params)
            from shenguan.core.journal_sql import SQLITE_UP

            for stmt in SQLITE_UP:
                cur.execute(stmt)


@pytest.mark.django_db(transaction=True)
def test_record_refuses_outside_a_transaction():
    """(A transactional test: its teardown also proves flush can empty the journal.)"""
    with pytest.raises(journal.JournalError):
        journal.record("x.y", object_type="x", object_id="1")


@pytest.mark.django_db
def test_chain_links_and_verifies():
    entries = make_entries(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    result = journal.verify()
    assert result.ok and result.checked == 5
    head = JournalHead.objects.get()
    assert head.last_seq == 5 and head.last_hash == entries[-1].hash


@pytest.mark.django_db
def test_change_and_its_entry_and_event_commit_together():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_object(Department, {"code": "RB1", "name": "回滚部门"})
        raise RuntimeError("boom after the write")
    assert not Department.objects.filter(code="RB1").exists()
    assert not JournalEntry.objects.exists()
    assert not OutboxEvent.objects.exists()
    services.create_object(Department, {"code": "OK1", "name": "提交部门"})
    assert JournalEntry.objects.filter(action="org.department.created").count() == 1
    assert OutboxEvent.objects.filter(type="org.department.created").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_journalentry SET action = 'forged' WHERE seq = 1",
        "DELETE FROM core_journalentry WHERE seq = 1",
    ],
)
def test_database_refuses_update_and_delete(sql):
    make_entries(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql)
    assert JournalEntry.objects.get(seq=1).action == "org.department.created"


@pytest.mark.django_db
def test_orm_delete_is_refused_too():
    make_entries(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.all().delete()
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_verify_names_an_altered_entry():
    make_entries(6)
    target = JournalEntry.objects.get(seq=4)
    tamper("UPDATE core_journalentry SET object_repr = %s WHERE seq = 4", ["篡改"])
    result = journal.verify()
    assert not result.ok
    assert result.broken_seq == 4 and result.broken_id == target.pk
    assert result.checked == 3
    with pytest.raises(CommandError, match=rf"entry #4 \(id {target.pk}\)"):
        call_command("journal", "verify")


@pytest.mark.django_db
def test_verify_names_a_rehashed_entry_by_its_successor():
    """Recomputing the altered entry's own hash moves the break to the next link."""
    make_entries(4)
    row = JournalEntry.objects.filter(seq=2).values(*journal.HASHED_FIELDS).get()
    row["object_repr"] = "篡改并重算"
    new_hash = journal.entry_hash(row)
    tamper(
        "UPDATE core_journalentry SET object_repr = %s, hash = %s WHERE seq = 2",
        ["篡改并重算", new_hash],
    )
    result = journal.verify()
    assert result.broken_seq == 3
    assert "previous-hash" in result.reason


@pytest.mark.django_db
def test_verify_notices_removed_entries():
    make_entries(5)
    tamper("DELETE FROM core_journalentry WHERE seq = 3")
    result = journal.verify()
    assert result.broken_seq == 3 and "missing" in result.reason
    tamper("DELETE FROM core_journalentry WHERE seq >= 3")
    result = journal.verify()
    assert not result.ok and "head" in result.reason


@pytest.mark.django_db
def test_verify_command_reports_count(capsys):
    make_entries(3)
    call_command("journal", "verify")
    assert "3 entries checked" in capsys.readouterr().out


@pytest.mark.django_db
def test_actor_and_request_id_are_recorded(make_user):
    user = make_user("administrator", username="boss", first_name="王局长")
    with acting_as(user, source="ui", request_id="req-123", ip="10.0.0.9"):
        services.create_object(Department, {"code": "AC1", "name": "操作人测试"})
    entry = JournalEntry.objects.get(action="org.department.created")
    assert entry.actor_id == user.pk
    assert entry.actor_name == "王局长 (boss)"
    assert (entry.source, entry.request_id, entry.ip) == ("ui", "req-123", "10.0.0.9")
    assert entry.after["name"] == "操作人测试"


@pytest.mark.django_db
def test_updates_journal_only_what_changed():
    dep = services.create_object(Department, {"code": "UP1", "name": "改名前"})
    services.update_object(Department, dep.pk, {"name": "改名后"})
    services.update_object(Department, dep.pk, {"name": "改名后"})  # no change, no entry
    updates = JournalEntry.objects.filter(action="org.department.updated")
    assert updates.count() == 1
    assert updates[0].before == {"name": "改名前"} and updates[0].after == {"name": "改名后"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Eight threads journalling at once on PostgreSQL still produce one unbroken chain."""
    errors = []

    def work(n):
        try:
            for i in range(10):
                services.create_object(Department, {"code": f"C{n}-{i}", "name": f"并发{n}-{i}"})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = journal.verify()
    assert result.ok and result.checked == 80


@pytest.mark.django_db
def test_verify_renders_whole_second_times_as_recorded():
    """An entry stamped on a whole second (no microseconds) verifies: the database's
    rendering of the time must match the one that was hashed."""
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, 0, tzinfo=dt.UTC), tick=False):
        make_entries(2)
    assert JournalEntry.objects.get(seq=1).time.microsecond == 0
    result = journal.verify()
    assert result.ok and result.checked == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_verify_agrees_with_a_single_walk(monkeypatch):
    """Cut into spans checked by separate processes, the chain gives the same answers: the
    count when intact, an altered entry inside a span, a re-hashed entry at a span's end
    (caught at the join) and a removed entry."""
    calls = []
    real = journal._verify_parallel

    def spy(last, workers, progress):
        calls.append((last, workers))
        return real(last, workers, progress)

    monkeypatch.setattr(journal, "PARALLEL_MIN", 10)
    monkeypatch.setattr(journal, "_verify_parallel", spy)
    make_entries(30)  # three spans of ten with three workers
    result = journal.verify(workers=3)
    assert calls == [(30, 3)]
    assert result.ok and result.checked == 30

    original = JournalEntry.objects.get(seq=17).object_repr
    tamper("UPDATE core_journalentry SET object_repr = %s WHERE seq = 17", ["篡改"])
    result = journal.verify(workers=3)
    assert (result.broken_seq, result.checked) == (17, 16)
    assert "altered" in result.reason
    tamper("UPDATE core_journalentry SET object_repr = %s WHERE seq = 17", [original])
    assert journal.verify(workers=3).ok

    row = JournalEntry.objects.filter(seq=10).values(*journal.HASHED_FIELDS).get()
    row["object_repr"] = "篡改并重算"
    tamper(
        "UPDATE core_journalentry SET object_repr = %s, hash = %s WHERE seq = 10",
        ["篡改并重算", journal.entry_hash(row)],
    )
    result = journal.verify(workers=3)
    assert (result.broken_seq, result.checked) == (11, 10)
    assert "previous-hash" in result.reason

    tamper("DELETE FROM core_journalentry WHERE seq = 5")
    result = journal.verify(workers=3)
    assert (result.broken_seq, result.checked) == (5, 4)
    assert "missing" in result.reason
    assert len(calls) == 5


def _head_reads(queries) -> int:
    return sum(
        1 for q in queries if q["sql"].startswith("SELECT") and "core_journalhead" in q["sql"]
    )


@pytest.mark.django_db(transaction=True)
def test_one_transaction_reads_the_head_once_and_a_rolled_back_savepoint_forgets_it():
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():  # the journal's first entry also creates its head row
        journal.record("t.0", object_type="t", object_id="0")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as first:
            journal.record("t.a", object_type="t", object_id="1")
        with CaptureQueriesContext(connection) as second:
            journal.record("t.b", object_type="t", object_id="2")
        assert (_head_reads(first), _head_reads(second)) == (1, 0)
        with pytest.raises(RuntimeError), transaction.atomic():
            journal.record("t.c", object_type="t", object_id="3")
            raise RuntimeError("roll the savepoint back")
        with CaptureQueriesContext(connection) as after:
            entry = journal.record("t.d", object_type="t", object_id="4")
        assert _head_reads(after) == 1  # the head is read again, as the database has it
        assert entry.seq == 4
    result = journal.verify()
    assert result.ok and result.checked == 4
    actions = list(JournalEntry.objects.values_list("action", flat=True))
    assert actions == ["t.0", "t.a", "t.b", "t.d"]
    with transaction.atomic():  # a new transaction starts from the committed head
        assert journal.record("t.e", object_type="t", object_id="5").seq == 5
    assert journal.verify().ok


@pytest.mark.django_db
def test_values_orjson_renders_differently_still_verify_and_tampering_still_shows():
    """The fast encoder is only a shortcut: where its bytes differ from the canonical ones
    (an exponent, an integer beyond 64 bits) the canonical encoder decides."""
    with transaction.atomic():
        journal.record(
            "t.odd",
            object_type="t",
            object_id="1",
            after={"big": 2**70, "tiny": 1e-7, "text": "行\u2028分隔", "n": [1.5, 2.0]},
        )
    make_entries(2)
    result = journal.verify()
    assert result.ok and result.checked == 3
    tamper(
        "UPDATE core_journalentry SET after = %s WHERE seq = 1",
        ['{"big": 2, "tiny": 1e-7, "text": "x", "n": [1.5, 2.0]}'],
    )
    result = journal.verify()
    assert (result.broken_seq, result.checked) == (1, 0)
