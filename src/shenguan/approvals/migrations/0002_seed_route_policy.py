"""Seed version 1 of the route policy with the DOMAIN.md §5 defaults (effective from 2000-01-01,
so every application finds a version). Administrators publish new versions through the admin."""

import datetime as dt

from django.db import migrations

CLASSES = ["controlled", "cautious", "encouraged"]
TIERS = ["A", "B", "C", "D"]


def rules():
    # Kept literal (not imported) so the migration never changes with the code.
    for klass in CLASSES:
        for tier in TIERS:
            row = {
                "approval_class": klass,
                "credit_tier": tier,
                "allow_tolerance": klass != "controlled",
                "allow_commitment": klass != "controlled",
                "max_deferred": {"controlled": 0, "cautious": 1, "encouraged": None}[klass],
                "green_channel": False,
                "promised_reduction_percent": 0,
                "strict_review": False,
            }
            if tier == "D":  # blacklist: ordinary only, strict review
                row.update(allow_tolerance=False, allow_commitment=False, max_deferred=0, strict_review=True)
            elif tier == "C":  # no commitment
                row.update(allow_commitment=False)
            elif tier == "A":  # green channel
                row.update(green_channel=True, promised_reduction_percent=30)
            yield row


def seed(apps, schema_editor):
    RoutePolicy = apps.get_model("approvals", "RoutePolicy")
    RoutePolicyRule = apps.get_model("approvals", "RoutePolicyRule")
    if RoutePolicy.objects.exists():
        return
    policy = RoutePolicy.objects.create(
        version=1, effective_from=dt.date(2000, 1, 1), note="DOMAIN.md §5 默认政策"
    )
    RoutePolicyRule.objects.bulk_create([RoutePolicyRule(policy=policy, **row) for row in rules()])


def unseed(apps, schema_editor):
    RoutePolicy = apps.get_model("approvals", "RoutePolicy")
    RoutePolicy.objects.filter(version=1, applications__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
