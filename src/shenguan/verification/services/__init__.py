"""Every state change of the verification app is one function here (split by aggregate):

- ``pushes``: the consumer's entry (``receive_event``: push + planning), acknowledgement,
  squad assignment, the overdue sweep;
- ``findings``: findings signed by two inspectors and the outcome chain (rectification,
  revocation, lead, credit), the bureau head's revocation, publication of finished draws;
- ``draws``: double-random draws and their replay;
- ``recusal``: who must not inspect whom;
- ``policy``: versions of the verification policy.

Each runs in one transaction: lock, check, write, journal, outbox. ``user=None`` is the
system (the worker, the sweep, commands)."""

from .draws import directory, inspector_pool, make_draw, replay
from .findings import record_finding, revoke_licence, sign_finding
from .policy import current_rows, policy_in_force, publish_policy, rule_for
from .pushes import (
    acknowledge_push,
    assign_squad,
    fill_missing_deadlines,
    flag_overdue_pushes,
    receive_event,
)
from .recusal import recused_staff_ids, register_recusal, remove_recusal


def sweep(day=None) -> dict[str, int]:
    """The periodic sweep: overdue pushes flagged, missing deadlines filled, finished draws
    published (normally done as their last task closes)."""
    from django.db import transaction

    from ..choices import DrawStatus
    from ..models import Draw
    from .findings import publish_if_finished

    result = {
        "pushes_overdue": flag_overdue_pushes(day),
        "deadlines_filled": fill_missing_deadlines(),
    }
    published = 0
    for draw_id in Draw.objects.filter(status=DrawStatus.DRAWN).values_list("pk", flat=True):
        with transaction.atomic():
            published += publish_if_finished(draw_id)
    result["draws_published"] = published
    return result


__all__ = [
    "acknowledge_push",
    "assign_squad",
    "current_rows",
    "directory",
    "fill_missing_deadlines",
    "flag_overdue_pushes",
    "inspector_pool",
    "make_draw",
    "policy_in_force",
    "publish_policy",
    "receive_event",
    "record_finding",
    "recused_staff_ids",
    "register_recusal",
    "remove_recusal",
    "replay",
    "revoke_licence",
    "rule_for",
    "sign_finding",
    "sweep",
]
