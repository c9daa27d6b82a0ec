"""Written documents of an application, printable (HTML) and as PDF: the one-time notice,
the receipts of 行政许可法 art 32, the commitments, the licence certificate, and the uploaded
material files. Staff and the applicant use the same addresses; what each may open follows
``Application.restrict`` / ``Licence.restrict`` (someone else's document is a 404)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import documents
from ..choices import CommitmentKind
from ..models import Commitment, DeficiencyNotice, Licence, MaterialSubmission, Receipt
from .common import get_application, login_required, pdf_response, visible_applications


def _notice(request, pk: int) -> DeficiencyNotice:
    notice = (
        DeficiencyNotice.objects.select_related(
            "application__applicant", "application__power_version", "application__power"
        )
        .filter(application__in=visible_applications(request), application_id=pk)
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def _receipt(request, receipt_id: int) -> Receipt:
    receipt = (
        Receipt.objects.select_related(
            "application__applicant", "application__power_version", "application__power"
        )
        .filter(application__in=visible_applications(request), pk=receipt_id)
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


def _commitment(request, pk: int, kind: str) -> Commitment:
    if kind not in CommitmentKind.values:
        raise Http404
    commitment = (
        Commitment.objects.select_related(
            "application__applicant", "application__power_version", "application__power"
        )
        .filter(application__in=visible_applications(request), application_id=pk, kind=kind)
        .first()
    )
    if commitment is None:
        raise Http404
    return commitment


@require_GET
@login_required
def notice_page(request, pk: int):
    notice = _notice(request, pk)
    return render(
        request, "approvals/documents/notice.html", {"notice": notice, "app": notice.application}
    )


@require_GET
@login_required
def notice_pdf(request, pk: int):
    notice = _notice(request, pk)
    return pdf_response(documents.notice_pdf(notice), f"notice-{notice.application.number}.pdf")


@require_GET
@login_required
def receipt_page(request, receipt_id: int):
    receipt = _receipt(request, receipt_id)
    return render(
        request,
        "approvals/documents/receipt.html",
        {
            "receipt": receipt,
            "app": receipt.application,
            "text": documents.RECEIPT_TEXT[receipt.kind],
        },
    )


@require_GET
@login_required
def receipt_pdf(request, receipt_id: int):
    receipt = _receipt(request, receipt_id)
    return pdf_response(documents.receipt_pdf(receipt), f"receipt-{receipt.number}.pdf")


@require_GET
@login_required
def commitment_page(request, pk: int, kind: str):
    commitment = _commitment(request, pk, kind)
    return render(
        request,
        "approvals/documents/commitment.html",
        {
            "commitment": commitment,
            "app": commitment.application,
            "deferrals": list(
                commitment.deferrals.select_related("submission__material").order_by("due_on")
            ),
        },
    )


@require_GET
@login_required
def commitment_pdf(request, pk: int, kind: str):
    commitment = _commitment(request, pk, kind)
    return pdf_response(
        documents.commitment_pdf(commitment), f"{kind}-{commitment.application.number}.pdf"
    )


@require_GET
@login_required
def licence_pdf(request, licence_id: int):
    licence = (
        Licence.objects.restrict(request.user, "view").with_related().filter(pk=licence_id).first()
    )
    if licence is None:
        raise Http404
    return pdf_response(
        documents.licence_pdf(licence),
        f"licence-{licence.verification_number}.pdf",
        attachment=request.GET.get("download") == "1",
    )


@require_GET
@login_required
def material_file(request, pk: int, material_id: int):
    app = get_application(request, pk)
    sub = (
        MaterialSubmission.objects.select_related("file")
        .filter(application=app, material_id=material_id)
        .first()
    )
    if sub is None or sub.file is None:
        raise Http404
    return FileResponse(
        sub.file.file.open("rb"),
        content_type=sub.file.content_type,
        filename=sub.file.original_name,
    )
