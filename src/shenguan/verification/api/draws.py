"""The sampling directory, draws and their replay, recusals, the policy in force, and the
public list of published draws."""

from django.http import HttpRequest
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from shenguan.core.api import PUBLIC
from shenguan.core.errors import NotFound
from shenguan.core.pagination import Pagination

from .. import services
from ..choices import PoolStatus
from ..models import Draw, PoolEntry, Recusal, VerificationPolicy
from ..public import public_draw, published_draws, with_targets
from .base import router
from .schemas import (
    DrawDetailOut,
    DrawIn,
    DrawOut,
    PolicyOut,
    PoolEntryOut,
    PublicDrawOut,
    RecusalIn,
    RecusalOut,
    ReplayOut,
)


@router.get("/pool", response=list[PoolEntryOut], summary="The random-sampling directory")
@paginate(Pagination)
def list_pool(request: HttpRequest, status: PoolStatus | None = PoolStatus.WAITING):
    qs = PoolEntry.objects.restrict(request.user, "view").select_related(
        "party", "licence", "policy"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("entered_on", "pk")


def draws(request: HttpRequest):
    return Draw.objects.restrict(request.user, "view")


def get_draw(request: HttpRequest, draw_id: int) -> Draw:
    draw = draws(request).prefetch_related("tasks").filter(pk=draw_id).first()
    if draw is None:
        raise NotFound(f"抽查批次 {draw_id} 不存在")
    return draw


@router.get("/draws", response=list[DrawOut], summary="Draws within scope")
@paginate(Pagination)
def list_draws(request: HttpRequest):
    return draws(request).defer("inputs")


@router.get("/draws/{int:draw_id}", response=DrawDetailOut, summary="A draw: inputs and result")
def get_one_draw(request: HttpRequest, draw_id: int):
    return get_draw(request, draw_id)


@router.post("/draws", response={201: DrawDetailOut}, summary="Make a double-random draw")
def make_draw(request: HttpRequest, payload: DrawIn):
    draw = services.make_draw(
        size=payload.size,
        inspectors_per_target=payload.inspectors_per_target,
        squad_ids=payload.squad_ids or None,
        seed=payload.seed,
        note=payload.note,
        user=request.user,
    )
    return Reply(201, get_draw(request, draw.pk))


@router.get(
    "/draws/{int:draw_id}/replay",
    response=ReplayOut,
    summary="Recompute a draw from its seed and inputs and compare",
)
def replay(request: HttpRequest, draw_id: int):
    draw = get_draw(request, draw_id)
    result = services.replay(draw.pk)
    return {
        "draw_id": draw.pk,
        "number": draw.number,
        "ok": result.ok,
        "checks": [{"name": c.name, "ok": c.ok, "detail": str(c.detail)} for c in result.checks],
    }


@router.get("/recusals", response=list[RecusalOut], summary="Registered recusals")
@paginate(Pagination)
def list_recusals(request: HttpRequest, party_id: int | None = None):
    qs = Recusal.objects.restrict(request.user, "view").select_related("staff", "party")
    if party_id:
        qs = qs.filter(party_id=party_id)
    return qs


@router.post("/recusals", response={201: RecusalOut}, summary="Register a recusal")
def add_recusal(request: HttpRequest, payload: RecusalIn):
    recusal = services.register_recusal(
        payload.staff_id, payload.party_id, reason=payload.reason, user=request.user
    )
    return Reply(201, Recusal.objects.select_related("staff", "party").get(pk=recusal.pk))


@router.delete("/recusals/{int:recusal_id}", response={204: None}, summary="Remove a recusal")
def delete_recusal(request: HttpRequest, recusal_id: int):
    services.remove_recusal(recusal_id, user=request.user)
    return Reply(204, None)


@router.get("/policy", response=PolicyOut, summary="The verification policy in force")
def policy(request: HttpRequest):
    current = services.policy_in_force()
    visible = VerificationPolicy.objects.restrict(request.user, "view").filter(pk=current.pk)
    if not visible.exists():
        raise NotFound("not found")
    return current


@router.get(
    "/public/draws",
    response=list[PublicDrawOut],
    auth=PUBLIC,
    summary="Published draws (anyone): targets, inspectors, results",
)
@paginate(Pagination)
def public_list(request: HttpRequest):
    return _Mapped(with_targets(published_draws()), public_draw)


class _Mapped:
    """A queryset seen through ``fn``, sliced lazily by the paginator (one page is built)."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, index):
        return [self.fn(obj) for obj in self.qs[index]]


@router.get(
    "/public/draws/{number}", response=PublicDrawOut, auth=PUBLIC, summary="One published draw"
)
def public_detail(request: HttpRequest, number: str):
    draw = with_targets(published_draws()).filter(number=number).first()
    if draw is None:
        raise NotFound(f"抽查批次 {number} 未公示或不存在")
    return public_draw(draw)
