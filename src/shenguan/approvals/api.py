"""REST endpoints of the approvals app."""

from ninja import Router

router = Router(tags=["approvals"])
