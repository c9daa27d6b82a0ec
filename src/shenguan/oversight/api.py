"""API of the oversight app, mounted at /api/oversight/."""

from ninja import Router

router = Router(tags=["oversight"])
