"""Evidence files: the type is read from the content (never the client's word), the size is
limited, and a SHA-256 checksum is taken while the bytes stream in. The file is written to
storage before the business transaction; if that fails the caller discards it."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core.errors import DomainError

# Accepted types: photos from a phone camera, scanned documents, audio and video recordings
# (行政处罚法 art 47: the whole process recorded in text, images, sound and video).
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
}
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


def max_bytes() -> int:
    # SHENGUAN_EVIDENCE_MAX_MB (setting, optional): the largest evidence file; default 20 MB.
    return int(getattr(settings, "SHENGUAN_EVIDENCE_MAX_MB", 20)) * 1024 * 1024


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return None


@dataclass
class PreparedFile:
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
    if hasattr(content, "chunks"):
        if hasattr(content, "seek"):
            content.seek(0)
        yield from content.chunks()
        return
    raise TypeError("content must be bytes or a Django File")


def prepare(content, filename: str) -> PreparedFile:
    limit = max_bytes()
    too_large = DomainError(
        _("文件过大：最大 %(mb)s MB") % {"mb": limit // (1024 * 1024)}, code="file_too_large"
    )
    declared = getattr(content, "size", None)
    if declared is not None and declared > limit:
        raise too_large
    digest = hashlib.sha256()
    parts = []
    size = 0
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
    if content_type is None:
        raise DomainError(
            _("只接受照片（JPEG、PNG、WebP）、PDF、MP4 视频或 MP3 录音"), code="file_type"
        )
    sha = digest.hexdigest()
    now = timezone.now()
    name = f"enforcement/{now:%Y/%m}/{sha[:16]}-{uuid.uuid4().hex[:8]}{EXTENSIONS[content_type]}"
    stored = default_storage.save(name, ContentFile(data))
    original = os.path.basename(filename or "") or f"evidence{EXTENSIONS[content_type]}"
    return PreparedFile(stored, original[:255], content_type, size, sha)
