"""What the public sees of a draw (优化营商环境条例 art 54; 双随机、一公开): published only
once every inspection of the draw has finished; enterprises by name, individuals not at all
(no personal data), inspectors by name (officials acting in office), each result, and the seed
and digests so that anyone may check the draw."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from shenguan.parties.choices import PartyKind

from .choices import DrawStatus
from .models import Draw, TaskInspector, VerificationTask


def published_draws():
    return Draw.objects.filter(status=DrawStatus.PUBLISHED).order_by("-published_at", "-pk")


def with_targets(qs):
    return qs.prefetch_related(
        Prefetch(
            "tasks",
            queryset=VerificationTask.objects.select_related("party", "licence").prefetch_related(
                Prefetch(
                    "inspectors",
                    queryset=TaskInspector.objects.filter(drawn=True).select_related("staff"),
                )
            ),
        )
    )


def target_name(party) -> str:
    return party.name if party.kind == PartyKind.ENTERPRISE else _("个人（依法不公示姓名）")


def public_draw(draw: Draw) -> dict:
    tasks = sorted(draw.tasks.all(), key=lambda t: t.pk)
    return {
        "number": draw.number,
        "drawn_on": draw.drawn_on,
        "published_at": draw.published_at,
        "algorithm": draw.algorithm,
        "seed": draw.seed,
        "inputs_sha256": draw.inputs_sha256,
        "result_sha256": draw.result_sha256,
        "targets": [
            {
                "name": target_name(task.party),
                "item_name": task.licence.item_name,
                "inspectors": [i.staff.name for i in task.inspectors.all()],
                "result": str(task.get_result_display()) if task.result else "",
                "closed_on": task.closed_on,
            }
            for task in tasks
        ],
    }
