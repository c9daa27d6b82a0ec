"""Models of the enforcement app. Each aggregate lives in its own module; they are imported
here so that Django finds them."""

from .cases.models import CaseLead, CaseOfficer, CaseStep, Hearing, PenaltyCase, Statement
from .coercion.models import CoerciveMeasure
from .common.models import Counter, Document, EnforcementPolicy
from .discretion.models import Benchmark, BenchmarkRow, BenchmarkTable, NoPenaltyRule
from .evidence.models import Evidence
from .inspections.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistEntry,
    Inspection,
    InspectionOfficer,
    RectificationOrder,
)
from .legal.models import Alert, Guidance, LegalReview
from .procedures.models import GroupMember, Procedure, ProcedureGroup
from .publication.models import Publication

__all__ = [
    "Alert",
    "Benchmark",
    "BenchmarkRow",
    "BenchmarkTable",
    "CaseLead",
    "CaseOfficer",
    "CaseStep",
    "Checklist",
    "ChecklistAnswer",
    "ChecklistEntry",
    "CoerciveMeasure",
    "Counter",
    "Document",
    "EnforcementPolicy",
    "Evidence",
    "GroupMember",
    "Guidance",
    "Hearing",
    "Inspection",
    "InspectionOfficer",
    "LegalReview",
    "NoPenaltyRule",
    "PenaltyCase",
    "Procedure",
    "ProcedureGroup",
    "Publication",
    "RectificationOrder",
    "Statement",
]
