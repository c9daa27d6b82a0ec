"""API of the command app, mounted at /api/command/."""

from ninja import Router

router = Router(tags=["command"])
