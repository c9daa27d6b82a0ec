"""Rendering a numbered document as PDF. The CJK font is the one the approvals app ships
(``approvals/fonts/wqy-microhei.ttc``), embedded by its ``text_pdf``: documents print the same
on a machine with no Chinese font."""

from __future__ import annotations

from shenguan.approvals.documents import text_pdf

from .models import Document


def render(document: Document) -> bytes:
    return text_pdf(
        document.title,
        document.number,
        list(document.paragraphs),
        issuer=document.issuer,
        date=document.issued_on,
    )


def filename(document: Document) -> str:
    return f"{document.kind}-{document.pk}.pdf"
