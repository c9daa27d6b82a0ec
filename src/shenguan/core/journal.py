"""The journal: an append-only, hash-chained record of every state change.

``record`` must run inside the business transaction (it refuses otherwise), so the change and
its entry commit together or not at all. Appending locks the chain's head row; the lock is held
to commit, which orders entries exactly as their transactions commit. Keep ``record`` late in a
service so the lock is held briefly.

The hash covers a canonical JSON rendering of every field but the hash itself; see
docs/decisions/0002-journal.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import orjson
from django.db import connection, models, transaction
from django.utils import timezone

from .context import current_actor
from .models import GENESIS_HASH, JournalEntry, JournalHead

HASHED_FIELDS = (
    "seq",
    "time",
    "actor_id",
    "actor_name",
    "source",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "ip",
    "prev_hash",
)


class JournalError(RuntimeError):
    pass


def _default(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def jsonable(value):
    """A value as it will come back from a JSON column (so hashing is stable)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def canonical(data: dict) -> bytes:
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    ).encode("utf-8")


def _time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(fields: dict) -> str:
    data = {name: fields[name] for name in HASHED_FIELDS}
    data["time"] = _time_text(data["time"])
    return hashlib.sha256(canonical(data)).hexdigest()


def snapshot(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict:
    """The concrete field values of a model instance, foreign keys as ids, JSON-safe."""
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude or f.attname in exclude:
            continue
        data[f.attname] = getattr(instance, f.attname)
    return jsonable(data)


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys that changed (both sides), for compact update entries."""
    if before is None or after is None:
        return before, after
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in sorted(keys)}, {k: after.get(k) for k in sorted(keys)}


class _HeadMark:
    """The chain head as this transaction left it, kept among the connection's on-commit
    callbacks (it does nothing when run). Django drops the callbacks registered inside a
    savepoint that rolls back, so the newest surviving mark is always the head as the
    database now has it in this transaction — and the row lock taken with it is still held
    (PostgreSQL releases a rolled-back savepoint's locks with its changes). A second entry in
    one transaction therefore need not read the head again."""

    __slots__ = ("seq", "hash")

    def __init__(self, seq: int, hash: str):
        self.seq, self.hash = seq, hash

    def __call__(self) -> None:
        pass


def _marked_head() -> _HeadMark | None:
    for _sids, func, _robust in reversed(connection.run_on_commit):
        if isinstance(func, _HeadMark):
            return func
    return None


def _locked_head() -> tuple[int, str]:
    mark = _marked_head()
    if mark is not None:
        return mark.seq, mark.hash
    head = JournalHead.objects.select_for_update(no_key=True).filter(pk=1).first()
    if head is None:
        head, _ = JournalHead.objects.get_or_create(pk=1)
        head = JournalHead.objects.select_for_update(no_key=True).get(pk=1)
    return head.last_seq, head.last_hash


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> JournalEntry:
    if not connection.in_atomic_block:
        raise JournalError("journal.record must be called inside the business transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    actor = current_actor()
    last_seq, last_hash = _locked_head()
    fields = {
        "seq": last_seq + 1,
        "time": timezone.now(),
        "actor_id": actor.user_id,
        "actor_name": actor.display_name[:200],
        "source": actor.source,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "object_repr": str(object_repr)[:300],
        "before": jsonable(before),
        "after": jsonable(after),
        "request_id": actor.request_id[:64],
        "ip": actor.ip[:64],
        "prev_hash": last_hash,
    }
    fields["hash"] = entry_hash(fields)
    entry = JournalEntry.objects.create(**fields)
    JournalHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    # One mark at a time: dropping an older one costs at most a re-read of the head later.
    connection.run_on_commit = [
        c for c in connection.run_on_commit if not isinstance(c[1], _HeadMark)
    ]
    transaction.on_commit(_HeadMark(entry.seq, entry.hash))
    return entry


@dataclass
class VerifyResult:
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


# Verification reads rows as plain tuples through one cursor, in keyset batches, and renders
# each entry's canonical JSON with one reusable C encoder: the ORM's model and converter
# machinery cost more per entry than the hash itself. The hashed time is rendered by the
# database on PostgreSQL (``to_char``, the same text as ``_time_text``).
_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
)
_BATCH = 20_000
# Below this many entries a parallel walk costs more in process start-up than it saves.
PARALLEL_MIN = 200_000


@dataclass
class _Span:
    """The outcome of walking entries ``lo < seq <= hi``."""

    lo: int
    hi: int
    checked: int = 0
    first_prev: str | None = None
    last_hash: str | None = None
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def _select(vendor: str) -> str:
    if vendor == "postgresql":
        time = "to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
        before, after = "before::text", "after::text"
    else:
        time, before, after = "time", "before", "after"
    return (
        f"SELECT id, hash, seq, {time}, actor_id, actor_name, source, action, object_type,"  # noqa: S608
        f" object_id, object_repr, {before}, {after}, request_id, ip, prev_hash"
        f" FROM core_journalentry WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT {_BATCH}"
    )


def _sqlite_time(text) -> str:
    value = text if isinstance(text, dt.datetime) else dt.datetime.fromisoformat(str(text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return _time_text(value)


def _loads(text):
    return None if text is None else orjson.loads(text)


def _walk(cursor, vendor: str, lo: int, hi: int, prev_hash: str | None) -> _Span:
    """Check every entry in ``lo < seq <= hi``: consecutive numbers, each link, each hash.

    ``prev_hash`` is what the first entry must link to, or None to record it instead (a span
    of a parallel walk, whose first link the caller checks against the span before)."""
    span = _Span(lo, hi)
    sql = _select(vendor)
    loads = _loads
    dumps, sort_keys = orjson.dumps, orjson.OPT_SORT_KEYS
    encode = _ENCODER.encode
    sha256 = hashlib.sha256
    pg = vendor == "postgresql"
    expected = lo + 1
    last = lo
    while last < hi:
        cursor.execute(sql, [last, hi])
        rows = cursor.fetchall()
        if not rows:
            break
        for row in rows:
            (id_, hash_, seq, time, actor_id, actor_name, source, action, object_type,
             object_id, object_repr, before, after, request_id, ip, prev) = row  # fmt: skip
            if seq != expected:
                span.broken_seq = expected
                span.reason = f"entry #{expected} is missing (next is #{seq})"
                return span
            if prev_hash is None and seq == lo + 1:
                span.first_prev = prev
            elif prev != prev_hash:
                span.broken_seq, span.broken_id = seq, id_
                span.reason = "its previous-hash does not match the entry before it"
                return span
            data = {
                "seq": seq,
                "time": time if pg else _sqlite_time(time),
                "actor_id": actor_id,
                "actor_name": actor_name,
                "source": source,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "before": loads(before),
                "after": loads(after),
                "request_id": request_id,
                "ip": ip,
                "prev_hash": prev,
            }
            # orjson renders the canonical bytes of what the journal holds several times
            # faster than ``canonical``; where it does not (or cannot: a 65-bit integer), the
            # canonical encoder decides. Sound either way: bytes that hash to the stored hash
            # parse back to the very values that were hashed.
            try:
                ok = sha256(dumps(data, option=sort_keys)).hexdigest() == hash_
            except TypeError:
                ok = False
            if not ok:
                # (orjson reads an integer beyond 64 bits as a float: parse exactly again)
                data["before"] = None if before is None else json.loads(before)
                data["after"] = None if after is None else json.loads(after)
                if sha256(encode(data).encode("utf-8")).hexdigest() != hash_:
                    span.broken_seq, span.broken_id = seq, id_
                    span.reason = "its content does not match its hash (altered)"
                    return span
            prev_hash = hash_
            expected += 1
            span.checked += 1
        last = rows[-1][2]
    if expected <= hi:
        span.broken_seq = expected
        span.reason = f"entry #{expected} is missing"
        return span
    span.last_hash = prev_hash
    return span


def _walk_in_child(lo: int, hi: int) -> _Span:
    """One span of a parallel walk, in a forked process with its own connection."""
    from django.db import connections

    conn = connections["default"]
    try:
        with conn.cursor() as cursor:
            return _walk(cursor, conn.vendor, lo, hi, None)
    finally:
        conn.close()


def _spans(last: int, parts: int) -> list[tuple[int, int]]:
    size = -(-last // parts)
    return [(lo, min(lo + size, last)) for lo in range(0, last, size)]


def verify(progress=None, *, workers: int | None = None) -> VerifyResult:
    """Walk the chain from the start; name the first broken link.

    On PostgreSQL, outside a transaction and with at least ``PARALLEL_MIN`` entries, the
    chain is cut into one span per worker process (default: one per core, at most 4); each
    process checks its span's numbers, links and hashes, and the spans' joins are checked
    here, so the answer is the same as a single walk's."""
    head = JournalHead.objects.filter(pk=1).first()
    last = JournalEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    parallel = (
        workers > 1
        and last >= PARALLEL_MIN
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    if parallel:
        spans = _verify_parallel(last, workers, progress)
    else:
        with connection.cursor() as cursor:
            spans = [_walk(cursor, connection.vendor, 0, last, GENESIS_HASH)]
            if progress is not None:
                progress(spans[0].checked)
    checked = 0
    prev_hash = GENESIS_HASH
    for span in spans:
        if span.first_prev is not None and span.first_prev != prev_hash:
            return VerifyResult(
                checked,
                span.lo + 1,
                None,
                "its previous-hash does not match the entry before it",
            )
        if span.broken_seq is not None:
            return VerifyResult(
                checked + span.checked, span.broken_seq, span.broken_id, span.reason
            )
        checked += span.checked
        prev_hash = span.last_hash
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(
            checked,
            checked + 1,
            None,
            f"the chain head names entry #{head.last_seq} but the journal ends at #{checked}",
        )
    return VerifyResult(checked)


def _verify_parallel(last: int, workers: int, progress) -> list[_Span]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections

    connections.close_all()  # the children must not inherit an open connection
    bounds = _spans(last, workers)
    done = 0
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        futures = [pool.submit(_walk_in_child, lo, hi) for lo, hi in bounds]
        spans = []
        for future in futures:
            spans.append(future.result())
            done += spans[-1].checked
            if progress is not None:
                progress(done)
    return spans


def entries_for(obj: models.Model):
    return JournalEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


__all__ = ["record", "verify", "snapshot", "diff", "jsonable", "entries_for", "transaction"]
