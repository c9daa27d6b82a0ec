"""Every state change of the approvals app is one function here (split by aggregate):

- ``intake``: create, materials, submit, one-time notice, resubmit, accept, deemed acceptance;
- ``outcomes``: the other outcomes of 行政许可法 art 32 (refusal, redirection, no licence
  needed) and withdrawal;
- ``routes``: which routes are open, the route choice, the commitment notice text;
- ``commitments``: tolerance and notification-commitment signing, withdrawal, supplements;
- ``decisions``: review, suspension, extension, approval, refusal, licence issue,
  termination, warnings;
- ``licences``: renewal, cancellation, revocation, expiry;
- ``policy``: new versions of the route policy.

Each runs in one transaction: lock, check the transition table and the rules, write, append
the status change, journal, outbox. ``user=None`` means the system (the sweep, commands)."""

from .commitments import (
    attach_commitment_scan,
    sign_commitment,
    sign_tolerance,
    supplement,
    withdraw_commitment,
)
from .decisions import (
    approve,
    extend,
    issue_licence,
    record_review,
    refuse,
    resume,
    start_review,
    suspend,
    terminate,
    warn,
)
from .intake import (
    DEFAULT_REMEDIES,
    accept,
    create_application,
    deem_acceptance,
    notify_deficiency,
    resubmit,
    set_material_state,
    submit,
    upload_material,
)
from .licences import (
    apply_renewal,
    cancel_licence,
    decide_renewal,
    deem_renewal,
    expire_licence,
    revoke_licence,
    start_revocation,
)
from .outcomes import declare_not_required, redirect, refuse_intake, withdraw
from .policy import publish_route_policy
from .routes import choose_route, commitment_notice_text, route_options, route_refusal

__all__ = [
    "DEFAULT_REMEDIES",
    "accept",
    "apply_renewal",
    "attach_commitment_scan",
    "approve",
    "cancel_licence",
    "choose_route",
    "commitment_notice_text",
    "create_application",
    "decide_renewal",
    "declare_not_required",
    "deem_acceptance",
    "deem_renewal",
    "expire_licence",
    "extend",
    "issue_licence",
    "notify_deficiency",
    "publish_route_policy",
    "record_review",
    "redirect",
    "refuse",
    "refuse_intake",
    "resubmit",
    "resume",
    "revoke_licence",
    "route_options",
    "route_refusal",
    "set_material_state",
    "sign_commitment",
    "sign_tolerance",
    "start_review",
    "start_revocation",
    "submit",
    "supplement",
    "suspend",
    "terminate",
    "upload_material",
    "warn",
    "withdraw",
    "withdraw_commitment",
]
