"""Double-random draws (双随机): random targets from the sampling directory, random certified
inspectors from the pool, with recusal and at least two inspectors per target; the seed, the
input snapshot and the result are stored and journalled so that ``replay`` reproduces the draw
exactly. A draw creates the on-site tasks of its targets; its results are published once every
one of them is closed (``findings.publish_if_finished``)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shenguan.approvals.choices import LicenceStatus
from shenguan.core import journal, outbox
from shenguan.core.errors import DomainError, NotFound
from shenguan.credit.services import sampling_weight
from shenguan.org.choices import SectionKind
from shenguan.org.models import Staff

from ..choices import Method, PoolStatus, TaskOrigin
from ..drawing import ALGORITHM, WEIGHT_SCALE, TooFewInspectors, compute, digest
from ..models import Draw, PoolEntry, TaskInspector
from ._base import DRAW_ROLES, actor_name, next_number, real_user, require_roles, today
from .policy import policy_in_force
from .pushes import create_task
from .recusal import recusals_by_party

# 行政处罚法 art 42: inspections by at least two officers
MIN_INSPECTORS = 2


def inspector_pool(day: dt.date, squad_ids: list[int] | None = None):
    """Certified enforcement officers at work on ``day`` (行政处罚法 art 42), in the given
    squads or in every squad."""
    qs = Staff.objects.filter(is_active=True).exclude(enforcement_cert_no="")
    qs = qs.filter(Q(cert_valid_until__isnull=True) | Q(cert_valid_until__gte=day))
    qs = qs.filter(Q(is_absent=False) | Q(absent_until__lt=day))
    if squad_ids:
        qs = qs.filter(section_id__in=squad_ids)
    else:
        qs = qs.filter(section__kind=SectionKind.SQUAD)
    return qs.select_related("section").order_by("pk")


def _weight_units(entry: PoolEntry, day: dt.date) -> tuple[str, int]:
    weight = Decimal(str(sampling_weight(entry.party_id, day))) * entry.risk_weight
    weight = weight.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return str(weight), int(weight * WEIGHT_SCALE)


def _name(party) -> str:
    return party.name if party.kind == "enterprise" else _("个人")


def make_draw(
    *,
    size: int,
    inspectors_per_target: int = MIN_INSPECTORS,
    squad_ids: list[int] | None = None,
    seed: str | None = None,
    note: str = "",
    user=None,
) -> Draw:
    """Draw ``size`` targets from the directory and inspectors for each; refused, with nothing
    changed, if the directory is smaller than ``size`` or a drawn target has fewer than
    ``inspectors_per_target`` (at least two) eligible inspectors."""
    require_roles(user, DRAW_ROLES, _("只有局领导或法制审核人员可以组织双随机抽查"))
    if not isinstance(size, int) or size < 1:
        raise DomainError(_("抽取数量至少为1"), field_errors={"size": [_("至少为1")]})
    if not isinstance(inspectors_per_target, int) or inspectors_per_target < MIN_INSPECTORS:
        message = _("每个检查对象至少抽取两名执法人员（行政处罚法第四十二条）")
        raise DomainError(message, field_errors={"inspectors_per_target": [message]})
    seed = (seed or secrets.token_hex(16)).strip()
    if not 8 <= len(seed) <= 128:
        raise DomainError(_("随机种子须为8至128个字符"), field_errors={"seed": [_("长度无效")]})
    day = today()
    with transaction.atomic():
        entries = list(
            PoolEntry.objects.select_for_update(of=("self",), no_key=True)
            .select_related("party", "licence")
            .filter(status=PoolStatus.WAITING, licence__status=LicenceStatus.VALID)
            .order_by("pk")
        )
        if size > len(entries):
            raise DomainError(
                _("抽查对象名录库中只有%(n)s个待抽取对象，少于抽取数量%(size)s")
                % {"n": len(entries), "size": size},
                code="directory_too_small",
                field_errors={"size": [_("超过名录库数量")]},
            )
        pool = list(inspector_pool(day, squad_ids))
        if len(pool) < inspectors_per_target:
            raise DomainError(
                _("执法人员库中只有%(n)s名在岗的持证执法人员，少于每个对象所需的%(m)s名")
                % {"n": len(pool), "m": inspectors_per_target},
                code="too_few_inspectors",
            )
        recused = recusals_by_party({e.party_id for e in entries}, [s.pk for s in pool])
        targets = []
        for entry in entries:
            weight, units = _weight_units(entry, day)
            targets.append(
                {
                    "entry_id": entry.pk,
                    "party_id": entry.party_id,
                    "licence_id": entry.licence_id,
                    "credit_tier": entry.party.credit_tier,
                    "risk_weight": str(entry.risk_weight),
                    "weight": weight,
                    "weight_units": units,
                    "recused": sorted(recused[entry.party_id]),
                }
            )
        inputs = {
            "algorithm": ALGORITHM,
            "drawn_on": day.isoformat(),
            "params": {
                "size": size,
                "inspectors_per_target": inspectors_per_target,
                "squad_ids": sorted(squad_ids or []),
            },
            "targets": targets,
            "inspectors": [
                {"staff_id": s.pk, "name": s.name, "section_id": s.section_id} for s in pool
            ],
        }
        inputs = journal.jsonable(inputs)
        try:
            result = compute(seed, inputs)
        except TooFewInspectors as exc:
            party = next(e.party for e in entries if e.pk == exc.target["entry_id"])
            raise DomainError(
                _(
                    "检查对象“%(party)s”可抽取的执法人员只有%(n)s名（执法人员库%(pool)s名，"
                    "回避%(recused)s名），少于所需的%(m)s名；请扩大执法人员库后重新抽取"
                )
                % {
                    "party": _name(party),
                    "n": exc.eligible,
                    "pool": len(pool),
                    "recused": len(exc.target["recused"]),
                    "m": exc.needed,
                },
                code="too_few_inspectors",
            )
        draw = Draw.objects.create(
            number=next_number("draw", "SJ", day),
            algorithm=ALGORITHM,
            seed=seed,
            inputs=inputs,
            inputs_sha256=digest(inputs),
            result=result,
            result_sha256=digest(result),
            drawn_on=day,
            created_by=real_user(user),
            created_by_name=actor_name(user),
            note=(note or "").strip()[:300],
        )
        # the journal keeps the digests: a later change to the stored draw shows in replay
        journal.record(
            "verification.draw.made",
            draw,
            after={
                "number": draw.number,
                "algorithm": ALGORITHM,
                "seed": seed,
                "inputs_sha256": draw.inputs_sha256,
                "result_sha256": draw.result_sha256,
                "size": size,
                "targets": [t["entry_id"] for t in result["targets"]],
            },
        )
        _make_tasks(draw, result, {e.pk: e for e in entries}, day)
        outbox.emit(
            "verification.draw.made",
            draw,
            {"draw_id": draw.pk, "number": draw.number, "targets": len(result["targets"])},
        )
        return draw


def _make_tasks(draw: Draw, result: dict, entries: dict[int, PoolEntry], day: dt.date) -> None:
    policy = policy_in_force(day)
    for target in result["targets"]:
        entry = entries[target["entry_id"]]
        entry.status, entry.draw = PoolStatus.DRAWN, draw
        entry.save(update_fields=["status", "draw"])
        task = create_task(
            entry.licence,
            origin=TaskOrigin.DRAWN,
            method=Method.ON_SITE,
            rule=entry.rule,
            policy=policy,
            tier=entry.party.credit_tier,
            start=day,
            basis=_("双随机抽查%(number)s") % {"number": draw.number},
            draw=draw,
            pool_entry=entry,
        )
        TaskInspector.objects.bulk_create(
            [TaskInspector(task=task, staff_id=s, drawn=True) for s in target["inspectors"]]
        )


# --- replay -----------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Replay:
    draw: Draw
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def replay(draw_id) -> Replay:
    """Recompute a draw from its stored seed and inputs and compare: the result byte for byte
    with the stored one, and the seed and both digests with the journal entry written when it
    was made (the journal is append-only and hash-chained)."""
    draw = Draw.objects.filter(pk=draw_id).first() if str(draw_id).isdigit() else None
    if draw is None:
        draw = Draw.objects.filter(number=str(draw_id)).first()
    if draw is None:
        raise NotFound(_("抽查批次 %(id)s 不存在") % {"id": draw_id})
    out = Replay(draw)
    try:
        recomputed = compute(draw.seed, draw.inputs)
        error = ""
    except (KeyError, TypeError, ValueError) as exc:
        recomputed, error = None, f"{type(exc).__name__}: {exc}"
    same = recomputed is not None and digest(recomputed) == digest(draw.result)
    out.checks.append(
        Check(
            "result",
            same,
            error
            or (
                _("重新计算的结果与存储的结果一致")
                if same
                else _("重新计算的结果与存储的结果不一致")
            ),
        )
    )
    entry = (
        journal.entries_for(draw).filter(action="verification.draw.made").order_by("seq").first()
    )
    recorded = (entry.after or {}) if entry is not None else {}
    out.checks.append(
        Check("journal", entry is not None, "" if entry else _("审计日志中没有该批次的抽取记录"))
    )
    for name, actual in (
        ("seed", draw.seed),
        ("inputs_sha256", digest(draw.inputs)),
        ("result_sha256", digest(draw.result)),
    ):
        expected = recorded.get(name)
        ok = expected == actual
        out.checks.append(Check(name, ok, f"journal={expected} stored={actual}"))
    out.checks.append(
        Check(
            "stored_digests",
            draw.inputs_sha256 == digest(draw.inputs) and draw.result_sha256 == digest(draw.result),
            _("批次记录中的摘要与内容相符")
            if draw.inputs_sha256 == digest(draw.inputs)
            and draw.result_sha256 == digest(draw.result)
            else _("批次记录中的摘要与内容不符"),
        )
    )
    return out


def directory():
    """The sampling directory as it stands: entries awaiting a draw with a live licence."""
    return PoolEntry.objects.filter(
        status=PoolStatus.WAITING, licence__status=LicenceStatus.VALID
    ).select_related("party", "licence", "rule")


__all__ = ["make_draw", "replay", "directory", "inspector_pool", "Replay", "Check"]
