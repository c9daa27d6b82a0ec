"""REST endpoints of the enforcement app."""

from ninja import Router

from .discretion.api import router as discretion_router

router = Router(tags=["enforcement"])
router.add_router("/discretion", discretion_router)
