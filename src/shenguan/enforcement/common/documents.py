"""Rendering a numbered document as PDF. The CJK font is the one the approvals app ships
(``approvals/fonts/wqy-microhei.ttc``), embedded by its ``text_pdf``: documents print the same
on a machine with no Chinese font."""

from __future__ import annotations

from shenguan.approvals.documents import text_pdf

from .models import Document


def render(document: Document, viewer=None) -> bytes:
    """The PDF; for a ``viewer`` whose role may not see resident ID numbers whole (the command
    centre) the numbers in the text are masked (个人信息保护法 art 51)."""
    paragraphs = list(document.paragraphs)
    if viewer is not None:
        from shenguan.core.permissions import Scope
        from shenguan.core.security import mask_ric_numbers

        if not Scope.of(viewer).sees_full_identifiers:
            paragraphs = [mask_ric_numbers(str(p)) for p in paragraphs]
    return text_pdf(
        document.title,
        document.number,
        paragraphs,
        issuer=document.issuer,
        date=document.issued_on,
    )


def filename(document: Document) -> str:
    return f"{document.kind}-{document.pk}.pdf"
