"""Models of the approvals app, split by aggregate."""

from .applications import (
    APPROVAL_STAFF_ROLES,
    READ_ONLY_ROLES,
    Application,
    Commitment,
    DeadlineWarning,
    Decision,
    DeferredMaterial,
    DeficiencyNotice,
    Extension,
    MaterialSubmission,
    Receipt,
    Review,
    StatusChange,
    StoredFile,
    Suspension,
)
from .licences import Licence, Renewal
from .policy import Counter, ItemTemplate, RoutePolicy, RoutePolicyRule, default_rules

__all__ = [
    "APPROVAL_STAFF_ROLES",
    "READ_ONLY_ROLES",
    "Application",
    "Commitment",
    "Counter",
    "DeadlineWarning",
    "Decision",
    "DeferredMaterial",
    "DeficiencyNotice",
    "Extension",
    "ItemTemplate",
    "Licence",
    "MaterialSubmission",
    "Receipt",
    "Renewal",
    "Review",
    "RoutePolicy",
    "RoutePolicyRule",
    "StatusChange",
    "StoredFile",
    "Suspension",
    "default_rules",
]
