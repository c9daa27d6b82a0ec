"""REST endpoints of the credit app."""

from ninja import Router

router = Router(tags=["credit"])
