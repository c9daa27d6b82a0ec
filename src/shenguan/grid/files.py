"""Event photos: JPEG, PNG or WebP read from the bytes (never the file name or the client's
content type), a size limit, and a SHA-256 checksum. The sniffing is the evidence module's; the
file is written before the business transaction and discarded if that fails."""

from __future__ import annotations

import hashlib
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core.errors import DomainError
from shenguan.enforcement.evidence.files import EXTENSIONS, PHOTO_TYPES, sniff

MAX_PHOTOS = 6


def max_bytes() -> int:
    # SHENGUAN_GRID_PHOTO_MAX_MB (setting, optional): the largest event photo; default 10 MB.
    return int(getattr(settings, "SHENGUAN_GRID_PHOTO_MAX_MB", 10)) * 1024 * 1024


@dataclass
class PreparedPhoto:
    name: str
    original_name: str
    content_type: str
    size: int
    sha256: str

    def discard(self) -> None:
        try:
            default_storage.delete(self.name)
        except OSError:
            pass


def _chunks(content):
    if isinstance(content, bytes | bytearray):
        yield bytes(content)
        return
    if hasattr(content, "seek"):
        content.seek(0)
    yield from content.chunks()


def prepare(content, filename: str) -> PreparedPhoto:
    limit = max_bytes()
    too_large = DomainError(
        _("照片过大：最大 %(mb)s MB") % {"mb": limit // (1024 * 1024)}, code="file_too_large"
    )
    declared = getattr(content, "size", None)
    if declared is not None and declared > limit:
        raise too_large
    digest = hashlib.sha256()
    parts, size = [], 0
    for chunk in _chunks(content):
        size += len(chunk)
        if size > limit:
            raise too_large
        digest.update(chunk)
        parts.append(chunk)
    if size == 0:
        raise DomainError(_("文件为空"), code="file_empty")
    data = b"".join(parts)
    content_type = sniff(data[:16])
    if content_type not in PHOTO_TYPES:
        raise DomainError(_("只接受照片（JPEG、PNG、WebP）"), code="file_type")
    sha = digest.hexdigest()
    ext = EXTENSIONS[content_type]
    name = f"grid/{timezone.now():%Y/%m}/{sha[:16]}-{uuid.uuid4().hex[:8]}{ext}"
    stored = default_storage.save(name, ContentFile(data))
    original = os.path.basename(filename or "") or f"photo{ext}"
    return PreparedPhoto(stored, original[:255], content_type, size, sha)


@contextmanager
def prepared_photos(uploads):
    """``with prepared_photos([(content, name), ...]) as photos:`` — checked and stored; all
    removed again if the block raises."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(_("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS}, code="too_many_files")
    photos: list[PreparedPhoto] = []
    try:
        for content, filename in uploads:
            photos.append(prepare(content, filename))
        yield photos
    except BaseException:
        for p in photos:
            p.discard()
        raise
