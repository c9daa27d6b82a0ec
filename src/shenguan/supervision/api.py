"""API of the supervision app, mounted at /api/supervision/."""

from ninja import Router

router = Router(tags=["supervision"])
