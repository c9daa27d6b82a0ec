"""limit/offset pagination for every API list, with a bounded count.

An exact ``COUNT(*)`` over a city's million applications costs the database a full index
scan on every page (≈100 ms here), more than the page itself. Lists therefore count at most
``COUNT_CAP`` rows past the page (``SELECT COUNT(*) FROM (… LIMIT n)``): ``count`` is exact
and ``count_exact`` true while the list is shorter than that; beyond it ``count`` is a lower
bound ("1,000 or more") that still grows with the offset, so a client that pages until
``offset >= count`` or until a page comes back short reaches the end either way."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

COUNT_CAP = 1_000


def bounded_count(queryset, upto: int) -> tuple[int, bool]:
    """(count, exact): the number of rows if it is at most ``upto``, else (``upto``, False)."""
    upto = min(upto, 2**63 - 2)  # the SQL LIMIT below is upto + 1, a signed 64-bit number
    if isinstance(queryset, QuerySet):
        counted = queryset.all().order_by()  # (order is no matter to a count)
        if counted._fields is None:
            # model rows: count their keys only, so that annotations the list shows (a
            # correlated sub-select per row, say) are not computed for every counted row
            counted = counted.values("pk")
        n = counted[: upto + 1].count()
    else:
        n = len(queryset)
    return (n, True) if n <= upto else (upto, False)


class Pagination(LimitOffsetPagination):
    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ..., description="rows in the list; a lower bound when count_exact is false"
        )
        count_exact: bool = Field(
            ..., description=f"false when the list is longer than {COUNT_CAP:,} rows past the page"
        )

    def paginate_queryset(
        self, queryset, pagination: LimitOffsetPagination.Input, request: HttpRequest, **params
    ) -> Any:
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        count, exact = bounded_count(queryset, max(COUNT_CAP, offset + limit + 1))
        return {
            self.items_attribute: queryset[offset : offset + limit],
            "count": count,
            "count_exact": exact,
        }
