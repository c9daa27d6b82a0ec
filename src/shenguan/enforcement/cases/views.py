"""Staff pages of penalty cases: the list and one case with its steps, documents, evidence
and discretion rationale; documents as PDF and evidence files."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shenguan.portal.queries import paginate

from ..common.access import enforcement_staff
from ..common.documents import filename
from ..common.documents import render as render_pdf
from ..common.models import Document
from ..evidence.models import Evidence
from ..legal.models import LegalReview
from . import services, workflow
from .choices import CaseStatus
from .models import CaseOfficer, PenaltyCase


@require_GET
@enforcement_staff
def case_list(request):
    qs = (
        PenaltyCase.objects.restrict(request.user, "view")
        .select_related("party", "squad")
        .order_by("-opened_on", "-id")
    )
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "enforcement/cases/list.html",
        {"page": paginate(request, qs), "status": status, "statuses": CaseStatus.choices},
    )


def visible_case(request, pk: int) -> PenaltyCase:
    case = (
        PenaltyCase.objects.restrict(request.user, "view")
        .with_related()
        .prefetch_related(
            Prefetch("officers", queryset=CaseOfficer.objects.select_related("staff")),
            "steps",
            "documents",
            "evidence",
            "statements",
            Prefetch(
                "reviews", queryset=LegalReview.objects.select_related("reviewer", "submitted_by")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def case_context(case: PenaltyCase) -> dict:
    owed = services.amount_owed(case) if case.status in workflow.AWAITING_PAYMENT else None
    return {
        "case": case,
        "calc": case.discretion or {},
        "owed": owed,
        "actions": [workflow.ACTION_LABELS[a] for a in workflow.actions_from(case.status)],
        "hearing": getattr(case, "hearing", None) if hasattr(case, "hearing") else None,
    }


@require_GET
@enforcement_staff
def case_detail(request, pk: int):
    case = visible_case(request, pk)
    return render(request, "enforcement/cases/detail.html", case_context(case))


@require_GET
@enforcement_staff
def document_pdf(request, pk: int):
    doc = Document.objects.restrict(request.user, "view").filter(pk=pk).first()
    if doc is None:
        raise Http404
    response = HttpResponse(render_pdf(doc, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(doc)}"'
    return response


@require_GET
@enforcement_staff
def evidence_file(request, pk: int):
    item = Evidence.objects.restrict(request.user, "view").filter(pk=pk).first()
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["X-Content-SHA256"] = item.sha256
    return response
