"""The field app (执法终端): phone-first pages for officers — my tasks, the checklist, evidence
from the camera, the two-officer sign-off — installable as a PWA (manifest + service worker,
both served from our own static files)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shenguan.core.permissions import Scope

from ..cases.models import PenaltyCase
from ..cases.workflow import FINAL_STATES
from ..common.access import field_officer, run
from ..inspections import services
from ..inspections.models import (
    Answer,
    Inspection,
    InspectionOfficer,
    InspectionResult,
    InspectionStatus,
)
from ..legal.models import Guidance

OPEN = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS, InspectionStatus.SIGNING)


@require_GET
@field_officer
def tasks(request):
    staff_id = Scope.of(request.user).staff_id
    officers = InspectionOfficer.objects.select_related("staff")
    inspections = (
        Inspection.objects.restrict(request.user, "view")
        .filter(officers__staff_id=staff_id, status__in=OPEN)
        .select_related("party")
        .prefetch_related(Prefetch("officers", queryset=officers))
        .order_by("due_on", "id")
        .distinct()
    )
    rows = []
    for insp in inspections:
        mine = next((o for o in insp.officers.all() if o.staff_id == staff_id), None)
        rows.append({"inspection": insp, "signed_by_me": bool(mine and mine.signed_at)})
    cases = (
        PenaltyCase.objects.restrict(request.user, "view")
        .filter(officers__staff_id=staff_id, officers__recused_on__isnull=True)
        .exclude(status__in=FINAL_STATES)
        .select_related("party")
        .order_by("decision_due_on")
        .distinct()
    )
    notes = Guidance.objects.filter(recipient_id=staff_id, read_at__isnull=True).select_related(
        "author", "case"
    )
    return render(
        request, "enforcement/field/tasks.html", {"rows": rows, "cases": cases, "notes": notes}
    )


def _inspection(request, pk: int) -> Inspection:
    insp = (
        Inspection.objects.restrict(request.user, "view")
        .select_related("party", "squad")
        .prefetch_related(
            Prefetch("officers", queryset=InspectionOfficer.objects.select_related("staff")),
            "answers",
            "evidence",
        )
        .filter(pk=pk)
        .first()
    )
    if insp is None:
        raise Http404
    return insp


def _post(request, insp: Inspection) -> bool:
    action = request.POST.get("action", "")
    user = request.user
    pk = insp.pk
    if action == "start":
        return run(request, lambda: services.start_inspection(pk, user=user), _("检查已开始"))
    if action == "answers":

        def save_answers():
            for a in insp.answers.all():
                value = request.POST.get(f"answer_{a.seq}", "")
                note = request.POST.get(f"note_{a.seq}", "")
                if value and (value != a.answer or note != a.note):
                    services.answer_item(pk, seq=a.seq, answer=value, note=note, user=user)

        return run(request, save_answers, _("检查单已保存"))
    if action == "evidence":
        upload = request.FILES.get("photo")
        if upload is None:
            return run(request, lambda: _missing_file(), "")
        seq = request.POST.get("answer_seq") or None
        return run(
            request,
            lambda: services.add_inspection_evidence(
                pk,
                content=upload,
                filename=upload.name,
                place=request.POST.get("place", ""),
                description=request.POST.get("description", ""),
                answer_seq=int(seq) if seq else None,
                latitude=request.POST.get("latitude") or None,
                longitude=request.POST.get("longitude") or None,
                user=user,
            ),
            _("证据已上传"),
        )
    if action == "result":
        days = request.POST.get("rectify_days") or None
        return run(
            request,
            lambda: services.record_result(
                pk,
                result=request.POST.get("result", ""),
                findings=request.POST.get("findings", ""),
                rectify_days=int(days) if days and days.isdigit() else None,
                rectify_requirements=request.POST.get("rectify_requirements", ""),
                user=user,
            ),
            _("检查结果已记录"),
        )
    if action == "sign":
        return run(request, lambda: services.sign_inspection(pk, user=user), _("已签名"))
    if action == "reopen":
        return run(
            request,
            lambda: services.reopen_inspection(
                pk, reason=request.POST.get("reason", ""), user=user
            ),
            _("已撤回签名"),
        )
    raise Http404


def _missing_file():
    from shenguan.core.errors import DomainError

    raise DomainError(_("请先拍照或选择文件"))


@require_http_methods(["GET", "POST"])
@field_officer
def inspection(request, pk: int):
    insp = _inspection(request, pk)
    if request.method == "POST":
        _post(request, insp)
        return redirect(
            reverse("enforcement:field_inspection", args=[pk])
            + "#"
            + request.POST.get("action", "")
        )
    staff_id = Scope.of(request.user).staff_id
    officers = list(insp.officers.all())
    me = next((o for o in officers if o.staff_id == staff_id), None)
    missing = [text for _code, text in services.missing_for_signature(insp)]
    return render(
        request,
        "enforcement/field/inspection.html",
        {
            "insp": insp,
            "officers": officers,
            "me": me,
            "missing": missing,
            "answers": Answer.choices,
            "results": InspectionResult.choices,
            "editable": insp.status == InspectionStatus.IN_PROGRESS and me is not None,
        },
    )


@require_GET
def service_worker(request):
    """The service worker from our static files, served under /enforcement/field/ so that its
    scope covers the field pages."""
    path = finders.find("enforcement/field/sw.js")
    if path is None:
        raise Http404
    with open(path, encoding="utf-8") as fh:
        response = HttpResponse(fh.read(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("enforcement:field_tasks")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    return render(request, "enforcement/field/offline.html")
