"""API of the command app, mounted at /api/command/.

One endpoint per figure of the command centre (``GET /intake``, ``/on_time``,
``/time_to_decision``, ``/routes``, ``/verification``, ``/findings``, ``/enforcement_stages``,
``/fines``, ``/credit_tiers``, ``/overdue_heatmap``), each with an optional ``start``/``end``
(ISO dates; default the last twelve months) and each value carrying the link to the records
behind it; and ``GET /feed?after=<seq>``, the live feed (journal entries after a cursor), which
the page polls — no connection is held open. Open to the command centre, bureau heads and
administrators (403 for other users)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from shenguan.core.errors import DomainError
from shenguan.core.models import JournalEntry

from . import figures
from .access import require_centre

router = Router(tags=["command"])

FEED_LIMIT = 50


class SeriesOut(Schema):
    key: str
    name: str
    data: list[float | None]
    links: list[str]


class CellOut(Schema):
    x: int
    y: int
    value: int
    link: str


class FigureOut(Schema):
    figure: str
    title: str
    start: dt.date | None
    end: dt.date | None
    labels: list[str]
    series: list[SeriesOut]
    summary: dict
    y_labels: list[str] = []
    cells: list[CellOut] = []


class FeedItemOut(Schema):
    seq: int
    time: dt.datetime
    actor_name: str
    source: str
    action: str
    object_type: str
    object_repr: str


class FeedOut(Schema):
    items: list[FeedItemOut]
    cursor: int
    journal_url: str


def _period(start: dt.date | None, end: dt.date | None) -> figures.Period:
    default = figures.Period.default()
    end = end or default.end
    start = start or (default.start if end == default.end else figures.Period.default(end).start)
    if start > end:
        raise DomainError(_("开始日期不能晚于结束日期"), field_errors={"start": ["> end"]})
    if (end - start).days > figures.MAX_SPAN_DAYS:
        raise DomainError(_("统计区间最长三年"), field_errors={"start": ["span > 3 years"]})
    return figures.Period(start, end)


def _endpoint(name: str, summary: str):
    compute = figures.FIGURES[name]

    def view(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None):
        require_centre(request)
        return compute(request.user, _period(start, end))

    view.__name__ = f"figure_{name}"
    router.get(f"/{name}", response=FigureOut, summary=summary, operation_id=f"command_{name}")(
        view
    )


for _name, _summary in (
    ("intake", "Applications received and decisions taken per month"),
    ("on_time", "Share of decisions within the promised and the statutory limit per month"),
    ("time_to_decision", "Average days to decision against the promised limit, per route"),
    ("routes", "Applications accepted by route (tolerance, commitment, ordinary)"),
    ("verification", "Approval pushes by kind and their verification-task coverage"),
    ("findings", "Countersigned verification findings by outcome"),
    ("enforcement_stages", "Penalty cases opened in the period by current stage"),
    ("fines", "Fines imposed and paid per month"),
    ("credit_tiers", "Parties by current credit tier"),
    ("overdue_heatmap", "Open overdue clocks by department and grid"),
):
    _endpoint(_name, _summary)


@router.get("/feed", response=FeedOut, summary="Live feed: journal entries after a cursor")
def feed(request: HttpRequest, after: int | None = None, limit: int = 20):
    """Newest entries first when ``after`` is missing; else the entries after ``after`` in
    order (at most ``limit``, 50 at most). ``cursor`` is the last sequence number returned (or
    ``after`` when nothing is new); poll again with ``?after=<cursor>``."""
    require_centre(request)
    limit = max(1, min(limit, FEED_LIMIT))
    fields = ("seq", "time", "actor_name", "source", "action", "object_type", "object_repr")
    qs = JournalEntry.objects.restrict(request.user, "view").only(*fields)
    if after is None:
        items = list(qs.order_by("-seq")[:limit])[::-1]
    else:
        items = list(qs.filter(seq__gt=after).order_by("seq")[:limit])
    cursor = items[-1].seq if items else (after or 0)
    return {"items": items, "cursor": cursor, "journal_url": reverse("portal:journal")}
