"""Assembles each app's router into one API and one OpenAPI document (served at /api/docs)."""

from ninja import NinjaAPI

from shenguan import __version__
from shenguan.core.api import AUTH, SafeParser, install_problem_handlers

api = NinjaAPI(
    title="Shenguan 审管 API",
    version=__version__,
    description=(
        "Concentrated approval and comprehensive enforcement. People authenticate with the "
        "session cookie (unsafe methods need the CSRF token); machine clients with "
        "`Authorization: Bearer <token>`. Errors are RFC 9457 problem documents."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    parser=SafeParser(),
)
install_problem_handlers(api)


def _mount() -> None:
    from shenguan.approvals.api import router as approvals_router
    from shenguan.catalog.api import router as catalog_router
    from shenguan.command.api import router as command_router
    from shenguan.core.api_views import router as core_router
    from shenguan.credit.api import router as credit_router
    from shenguan.enforcement.api import router as enforcement_router
    from shenguan.grid.api import router as grid_router
    from shenguan.org.api import router as org_router
    from shenguan.oversight.api import router as oversight_router
    from shenguan.parties.api import router as parties_router
    from shenguan.supervision.api import router as supervision_router
    from shenguan.verification.api import router as verification_router

    api.add_router("/core", core_router)
    api.add_router("/org", org_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/parties", parties_router)
    api.add_router("/approvals", approvals_router)
    api.add_router("/credit", credit_router)
    api.add_router("/enforcement", enforcement_router)
    api.add_router("/verification", verification_router)
    api.add_router("/oversight", oversight_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/grid", grid_router)
    api.add_router("/command", command_router)


_mount()
