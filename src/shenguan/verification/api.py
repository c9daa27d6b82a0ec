"""REST endpoints of the verification app."""

from ninja import Router

router = Router(tags=["verification"])
