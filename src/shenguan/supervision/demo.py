"""Demo supervision records: the routing table that gives each demo business department its
domain (区市监局 watches the items answered for by the approval bureau's market section
AB-MKT, 区住建局 those of the construction section AB-CON) and two objections by
supervisor1 — one waiting in the bureau heads' inbox, one upheld by head1. Idempotent: rows
are added only where missing; objections only if none exist.

Called by the lead's seeder as ``seed_demo(rng)`` after the organisation, catalogue and
demo applications exist (users supervisor1, supervisor2, head1)."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from shenguan.catalog.models import Power
from shenguan.core import services as core_services
from shenguan.core.context import acting_as
from shenguan.org.models import Department

from . import feed, services
from .models import Objection, SupervisedPower

PREFERRED = ("accept", "accepted", "approve", "approved", "refuse", "refused")
DOMAINS = (("区市监局", "AB-MKT"), ("区住建局", "AB-CON"))

OBJECTIONS = (
    (
        "受理时申请人未提交食品安全管理制度文本，属于要件缺失，不应受理。",
        "《中华人民共和国行政许可法》第三十二条；《食品经营许可和备案管理办法》",
        "reconsider",
    ),
    (
        "经营场所与申请材料所载地址不一致，建议核实后再作决定。",
        "《中华人民共和国行政许可法》第三十四条",
        "explain",
    ),
)


def seed_demo(rng: random.Random | None = None) -> dict:
    rng = rng or random.Random(2026)
    added = 0
    with acting_as(None, source="command", name="command:demo"):
        for dept_name, section_code in DOMAINS:
            dept = Department.objects.filter(name=dept_name).first()
            if dept is None:
                continue
            have = set(
                SupervisedPower.objects.filter(department=dept).values_list("power_id", flat=True)
            )
            for power_id in Power.objects.filter(
                responsibility__section__code=section_code
            ).values_list("pk", flat=True):
                if power_id not in have:
                    core_services.create_object(
                        SupervisedPower,
                        {"department": dept, "power_id": power_id, "note": "演示：原业务主管部门"},
                    )
                    added += 1
    result = {"supervised_powers": added, "objections": 0}
    if Objection.objects.exists():
        return result
    users = get_user_model().objects
    supervisor = users.filter(username="supervisor1").first()
    head = users.filter(username="head1").first()
    if supervisor is None:
        return result
    from shenguan.core.permissions import Scope

    scope = Scope.of(supervisor)
    acts = feed.acts_queryset(scope).filter(object_type=feed.APPLICATION).order_by("-seq")
    # Prefer acceptances and decisions; any act on an application will do otherwise.
    candidates = list(
        acts.filter(action__in=[f"approvals.application.{a}" for a in PREFERRED]).values_list(
            "seq", "object_id"
        )[:20]
    ) or list(acts.values_list("seq", "object_id")[:20])
    rng.shuffle(candidates)
    acts = list({object_id: seq for seq, object_id in candidates}.items())
    for (object_id, seq), (grounds, basis, requested) in zip(acts, OBJECTIONS, strict=False):
        with acting_as(supervisor, source="ui"):
            obj = services.raise_objection(
                int(object_id),
                user=supervisor,
                grounds=grounds,
                legal_basis=basis,
                requested_action=requested,
                act_seq=seq,
            )
        result["objections"] += 1
        if head is not None and result["objections"] == 2:
            with acting_as(head, source="ui"):
                services.start_review(obj.pk, user=head)
                services.uphold(
                    obj.pk,
                    user=head,
                    decision="责成审批科三个工作日内现场核实经营场所，并书面报告核实结果。",
                )
    return result
