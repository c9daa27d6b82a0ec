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
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

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
    head = JournalHead.objects.select_for_update(no_key=True).filter(pk=1).first()
    if head is None:
        head, _ = JournalHead.objects.get_or_create(pk=1)
        head = JournalHead.objects.select_for_update(no_key=True).get(pk=1)
    fields = {
        "seq": head.last_seq + 1,
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
        "prev_hash": head.last_hash,
    }
    fields["hash"] = entry_hash(fields)
    entry = JournalEntry.objects.create(**fields)
    JournalHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
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


def _iter_rows(batch: int = 5000) -> Iterator[dict]:
    fields = ("id", "hash", *HASHED_FIELDS)
    last = 0
    while True:
        rows = list(
            JournalEntry.objects.filter(seq__gt=last).order_by("seq").values(*fields)[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def verify(progress=None) -> VerifyResult:
    """Walk the chain from the start; stop at the first broken link."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in _iter_rows():
        if row["seq"] != expected_seq:
            return VerifyResult(
                checked,
                expected_seq,
                None,
                f"entry #{expected_seq} is missing (next is #{row['seq']})",
            )
        if row["prev_hash"] != prev_hash:
            return VerifyResult(
                checked,
                row["seq"],
                row["id"],
                "its previous-hash does not match the entry before it",
            )
        if entry_hash(row) != row["hash"]:
            return VerifyResult(
                checked, row["seq"], row["id"], "its content does not match its hash (altered)"
            )
        prev_hash = row["hash"]
        expected_seq += 1
        checked += 1
        if progress is not None and checked % 10000 == 0:
            progress(checked)
    head = JournalHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(
            checked,
            checked + 1,
            None,
            f"the chain head names entry #{head.last_seq} but the journal ends at #{checked}",
        )
    return VerifyResult(checked)


def entries_for(obj: models.Model):
    return JournalEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


__all__ = ["record", "verify", "snapshot", "diff", "jsonable", "entries_for", "transaction"]
