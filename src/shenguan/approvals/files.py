"""Uploaded files: size limit, type sniffed from the content (never the client's word), and a
SHA-256 checksum. The file is written to storage before the business transaction; if that
transaction fails the caller discards it, so no orphan stays behind."""

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

# Accepted types and the bytes each starts with.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def max_bytes() -> int:
    # SHENGUAN_MATERIAL_MAX_MB (setting, optional): largest material file; default 20 MB.
    return int(getattr(settings, "SHENGUAN_MATERIAL_MAX_MB", 20)) * 1024 * 1024


@dataclass
class PreparedFile:
    name: str  # storage name
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


def sniff(head: bytes) -> str | None:
    for content_type, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return content_type
    return None


def prepare(content, filename: str) -> PreparedFile:
    """Check and store ``content`` (bytes or an UploadedFile); raise DomainError if it is
    empty, too large or not PDF/PNG/JPEG."""
    limit = max_bytes()
    declared = getattr(content, "size", None)
    if declared is not None and declared > limit:
        raise DomainError(
            _("文件过大：最大 %(mb)s MB") % {"mb": limit // (1024 * 1024)}, code="file_too_large"
        )
    digest = hashlib.sha256()
    parts = []
    size = 0
    for chunk in _chunks(content):
        size += len(chunk)
        if size > limit:
            raise DomainError(
                _("文件过大：最大 %(mb)s MB") % {"mb": limit // (1024 * 1024)},
                code="file_too_large",
            )
        digest.update(chunk)
        parts.append(chunk)
    if size == 0:
        raise DomainError(_("文件为空"), code="file_empty")
    data = b"".join(parts)
    content_type = sniff(data[:16])
    if content_type is None:
        raise DomainError(_("只接受 PDF、PNG 或 JPEG 文件"), code="file_type")
    sha = digest.hexdigest()
    now = timezone.now()
    name = f"approvals/{now:%Y/%m}/{sha[:16]}-{uuid.uuid4().hex[:8]}{EXTENSIONS[content_type]}"
    stored = default_storage.save(name, ContentFile(data))
    original = os.path.basename(filename or "") or f"upload{EXTENSIONS[content_type]}"
    return PreparedFile(stored, original[:255], content_type, size, sha)


def create_row(prepared: PreparedFile, user):
    from .models import StoredFile

    row = StoredFile(
        original_name=prepared.original_name,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    row.file.name = prepared.name
    row.save()
    return row
