"""REST endpoints of the parties app."""

from ninja import Router

router = Router(tags=["parties"])
