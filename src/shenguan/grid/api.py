"""API of the grid app, mounted at /api/grid/."""

from ninja import Router

router = Router(tags=["grid"])
