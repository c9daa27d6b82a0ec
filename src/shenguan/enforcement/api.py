"""REST endpoints of the enforcement app."""

from ninja import Router

router = Router(tags=["enforcement"])
