"""Attaching evidence. The owner's service (inspection, case, measure) locks the owner, checks
its state and the officers present, then calls ``store`` inside its transaction; the file was
checked and written by ``files.prepare`` before, and is discarded if the transaction fails."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal
from shenguan.core.errors import DomainError

from ..common.base import officers_record, require_text
from .files import PreparedFile, prepare
from .models import Evidence, EvidenceKind


def kind_for(content_type: str) -> str:
    if content_type.startswith("image/"):
        return EvidenceKind.PHOTO
    if content_type.startswith("video/"):
        return EvidenceKind.VIDEO
    if content_type.startswith("audio/"):
        return EvidenceKind.AUDIO
    return EvidenceKind.DOCUMENT


@contextmanager
def upload(content, filename: str):
    """``with upload(data, name) as prepared:`` — the checked, stored file; removed again if
    the block raises (the business transaction rolled back)."""
    prepared = prepare(content, filename)
    try:
        yield prepared
    except BaseException:
        prepared.discard()
        raise


def _coordinate(value, name: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise DomainError(_("坐标无效"), code="invalid_coordinate", field_errors={name: ["?"]})
    if abs(number) > bound:
        raise DomainError(_("坐标超出范围"), code="invalid_coordinate", field_errors={name: ["?"]})
    return number


def store(
    prepared: PreparedFile,
    *,
    owner,
    captured_by,
    officers,
    place: str,
    taken_at: dt.datetime | None = None,
    description: str = "",
    latitude=None,
    longitude=None,
    answer_seq: int | None = None,
) -> Evidence:
    place = require_text(place, "place", _("须写明取证地点"))
    now = timezone.now()
    taken_at = taken_at or now
    if timezone.is_naive(taken_at):
        taken_at = timezone.make_aware(taken_at)
    if taken_at > now + dt.timedelta(minutes=5):
        raise DomainError(
            _("取证时间不能晚于现在"), code="taken_at", field_errors={"taken_at": ["?"]}
        )
    owner_field = {
        "penaltycase": "case",
        "inspection": "inspection",
        "coercivemeasure": "measure",
    }[owner._meta.model_name]
    item = Evidence(
        kind=kind_for(prepared.content_type),
        original_name=prepared.original_name,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
        description=(description or "").strip()[:300],
        place=place[:300],
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        taken_at=taken_at,
        captured_by=captured_by,
        officers=officers_record(officers),
        answer_seq=answer_seq,
        **{owner_field: owner},
    )
    item.file.name = prepared.name
    item.save()
    journal.record(
        f"enforcement.{owner_field}.evidence_added",
        owner,
        after={
            "evidence": item.pk,
            "sha256": item.sha256,
            "content_type": item.content_type,
            "size": item.size,
            "place": item.place,
            "taken_at": item.taken_at,
        },
    )
    return item
