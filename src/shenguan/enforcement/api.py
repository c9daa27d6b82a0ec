"""REST endpoints of the enforcement app."""

from ninja import Router

from .cases.api import router as cases_router
from .coercion.api import router as coercion_router
from .discretion.api import router as discretion_router
from .inspections.api import router as inspections_router
from .legal.api import router as legal_router
from .procedures.api import router as procedures_router
from .publication.api import router as publication_router

router = Router(tags=["enforcement"])
router.add_router("/discretion", discretion_router)
router.add_router("", procedures_router)
router.add_router("", cases_router)
router.add_router("", inspections_router)
router.add_router("", coercion_router)
router.add_router("/legal", legal_router)
router.add_router("", publication_router)
