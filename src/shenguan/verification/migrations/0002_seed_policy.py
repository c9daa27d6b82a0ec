"""Seed version 1 of the verification policy with the DOMAIN.md §5 defaults (effective from
2014-01-01, so every approval finds a version). Administrators publish new versions through
the admin; tasks keep the version they were planned under."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

CLASSES = ["controlled", "cautious", "encouraged"]
ROUTES = ["ordinary", "tolerance", "commitment"]
TIERS = ["A", "B", "C", "D"]


def rules():
    # Kept literal (not imported) so the migration never changes with the code.
    for klass in CLASSES:
        for route in ROUTES:
            for tier in TIERS:
                if klass == "controlled":  # on-site inspection of every approval, 10 days
                    method, days = "on_site", 10
                elif klass == "cautious":  # on site if deferred/committed, else documents
                    method, days = ("document_review" if route == "ordinary" else "on_site"), 20
                else:  # random sampling, the draw weights by credit tier
                    method, days = "sampling_pool", 20
                yield {
                    "approval_class": klass,
                    "route": route,
                    "credit_tier": tier,
                    "method": method,
                    "deadline_working_days": days,
                    "risk_weight": Decimal("1.50") if route == "commitment" else Decimal("1.00"),
                }


def seed(apps, schema_editor):
    Policy = apps.get_model("verification", "VerificationPolicy")
    Rule = apps.get_model("verification", "VerificationRule")
    if Policy.objects.exists():
        return
    policy = Policy.objects.create(
        version=1,
        effective_from=dt.date(2014, 1, 1),
        note="DOMAIN.md §5 默认政策",
        ack_working_days=2,
        rectification_working_days=10,
    )
    Rule.objects.bulk_create([Rule(policy=policy, **row) for row in rules()])


def unseed(apps, schema_editor):
    Policy = apps.get_model("verification", "VerificationPolicy")
    Policy.objects.filter(version=1, tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
