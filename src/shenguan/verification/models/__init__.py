"""Models of the verification app, split by aggregate."""

from .draws import Draw, PoolEntry, Recusal
from .policy import VerificationPolicy, VerificationRule, default_rules
from .work import (
    Counter,
    Finding,
    FindingSignature,
    Lead,
    Push,
    RectificationOrder,
    TaskInspector,
    VerificationTask,
)

__all__ = [
    "Counter",
    "Draw",
    "Finding",
    "FindingSignature",
    "Lead",
    "PoolEntry",
    "Push",
    "Recusal",
    "RectificationOrder",
    "TaskInspector",
    "VerificationPolicy",
    "VerificationRule",
    "VerificationTask",
    "default_rules",
]
