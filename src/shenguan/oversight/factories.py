"""Test and demo helpers: an accepted application on an approval item whose post has a holder
(A role), a backup (B role) and a section head."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shenguan.approvals.choices import Channel, Status
from shenguan.approvals.factories import approval_item, ensure_route_policy
from shenguan.core.factories import make_user
from shenguan.parties.factories import EnterpriseFactory


@dataclass
class Desk:
    """An approval item's desk: its section, post, holder, backup and head (users)."""

    item: object
    holder: object
    backup: object
    head: object

    @property
    def section(self):
        return self.item.post.section


def desk(promised: int = 10) -> Desk:
    item = approval_item(promised=promised)
    head = make_user("approval_officer", section=item.post.section)
    section = item.post.section
    section.head = head.staff
    section.save(update_fields=["head"])
    return Desk(item, item.holder_user, item.backup_user, head)


_seq = iter(range(1, 10**6))


def accepted_application(d: Desk, accepted_on: dt.date, promised_due_on: dt.date, **fields):
    from shenguan.approvals.models import Application

    n = next(_seq)
    values = {
        "number": f"TEST-OV-{n:06d}",
        "applicant": EnterpriseFactory(),
        "power": d.item.power,
        "power_version": d.item.version,
        "route_policy": ensure_route_policy(),
        "channel": Channel.WINDOW,
        "status": Status.ACCEPTED,
        "received_on": accepted_on,
        "accepted_on": accepted_on,
        "responsible": d.holder.staff,
        "statutory_limit_days": d.item.version.statutory_limit_days,
        "promised_limit_days": d.item.version.promised_limit_days,
        "promised_due_on": promised_due_on,
        "statutory_due_on": promised_due_on,
    }
    values.update(fields)
    return Application.objects.create(**values)
