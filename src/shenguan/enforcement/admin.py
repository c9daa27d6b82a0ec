"""Admin of the enforcement app: each aggregate registers its own admin classes."""

from .common import admin as common_admin  # noqa: F401  (registers the admin classes)
from .discretion import admin as discretion_admin  # noqa: F401  (registers the admin classes)
