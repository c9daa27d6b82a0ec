"""The route policy: seeded with the DOMAIN.md §5 defaults, changed only by publishing a new
version (services or admin), and an application keeps the version it started under."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.approvals import factories, services
from shenguan.approvals.models import Application, RoutePolicy, RoutePolicyRule, default_rules
from shenguan.core.errors import DomainError, Forbidden
from shenguan.core.models import JournalEntry

pytestmark = pytest.mark.django_db


def rule(policy, klass, tier):
    return RoutePolicyRule.objects.get(policy=policy, approval_class=klass, credit_tier=tier)


def test_seeded_defaults():
    policy = RoutePolicy.objects.get(version=1)  # written by the data migration
    assert policy.rules.count() == 12
    controlled = rule(policy, "controlled", "B")
    assert controlled.allowed_routes == ["ordinary"]
    cautious = rule(policy, "cautious", "B")
    assert cautious.allowed_routes == ["ordinary", "tolerance", "commitment"]
    assert cautious.max_deferred == 1
    encouraged = rule(policy, "encouraged", "B")
    assert encouraged.max_deferred is None  # all non-essential materials
    for klass in ("controlled", "cautious", "encouraged"):
        d = rule(policy, klass, "D")
        assert d.allowed_routes == ["ordinary"] and d.strict_review
        assert "commitment" not in rule(policy, klass, "C").allowed_routes
        a = rule(policy, klass, "A")
        assert a.green_channel and a.promised_reduction_percent == 30


def test_migration_seed_equals_the_code_defaults():
    policy = RoutePolicy.objects.get(version=1)
    seeded = sorted(
        policy.rules.values(
            "approval_class",
            "credit_tier",
            "allow_tolerance",
            "allow_commitment",
            "max_deferred",
            "green_channel",
            "promised_reduction_percent",
            "strict_review",
        ),
        key=lambda r: (r["approval_class"], r["credit_tier"]),
    )
    assert seeded == sorted(default_rules(), key=lambda r: (r["approval_class"], r["credit_tier"]))


def _rules(**changes):
    rows = default_rules()
    for row in rows:
        if (row["approval_class"], row["credit_tier"]) == ("cautious", "B"):
            row.update(changes)
    return rows


def test_new_version_leaves_started_applications_alone(item, travel, make_user):
    travel(dt.date(2026, 2, 10))
    admin = make_user("administrator")
    user, party = factories.applicant_user()
    old = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    policy = services.publish_route_policy(
        effective_from=dt.date(2026, 2, 10), rules=_rules(max_deferred=2), note="放宽", user=admin
    )
    assert policy.version == 2
    assert JournalEntry.objects.filter(action="approvals.route_policy.published").count() == 1
    new = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    assert Application.objects.get(pk=old.pk).route_policy.version == 1
    assert new.route_policy.version == 2
    # the old application still allows one deferred material, the new one two
    for app, ok in ((old, False), (new, True)):
        services.choose_route(app.pk, "tolerance", user=user)
        factories.provide_all(app, item.essential, user)
        deferrals = [{"material_id": m.pk, "due_on": dt.date(2026, 2, 26)} for m in item.optional]
        if ok:
            services.sign_tolerance(app.pk, signer_name="甲", deferrals=deferrals, user=user)
        else:
            with pytest.raises(DomainError, match="最多可容缺1项"):
                services.sign_tolerance(app.pk, signer_name="甲", deferrals=deferrals, user=user)


def test_future_version_applies_from_its_date(travel, make_user):
    admin = make_user("administrator")
    travel(dt.date(2026, 2, 10))
    services.publish_route_policy(
        effective_from=dt.date(2026, 3, 1), rules=default_rules(), user=admin
    )
    assert RoutePolicy.in_force().version == 1
    assert RoutePolicy.in_force(dt.date(2026, 3, 1)).version == 2


def test_only_administrators_and_only_whole_lawful_tables(make_user):
    clerk = make_user("window_clerk")
    admin = make_user("administrator")
    with pytest.raises(Forbidden):
        services.publish_route_policy(
            effective_from=dt.date(2026, 1, 1), rules=default_rules(), user=clerk
        )
    with pytest.raises(DomainError, match="共12行"):
        services.publish_route_policy(
            effective_from=dt.date(2026, 1, 1), rules=default_rules()[:11], user=admin
        )
    rows = default_rules()
    next(r for r in rows if r["credit_tier"] == "D").update(allow_tolerance=True)
    with pytest.raises(DomainError, match="严重失信"):
        services.publish_route_policy(effective_from=dt.date(2026, 1, 1), rules=rows, user=admin)
    rows = default_rules()
    next(r for r in rows if r["approval_class"] == "controlled").update(allow_commitment=True)
    with pytest.raises(DomainError, match="控制类"):
        services.publish_route_policy(effective_from=dt.date(2026, 1, 1), rules=rows, user=admin)
    assert RoutePolicy.objects.count() == 1


def test_admin_publishes_a_new_version(client, make_user):
    superuser = make_user("administrator", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    page = client.get("/admin/approvals/routepolicy/add/")
    assert page.status_code == 200
    assert page.content.decode().count('name="rules-') > 12 * 8
    data = {
        "effective_from": "2026-04-01",
        "note": "绿色通道压缩40%",
        "rules-TOTAL_FORMS": "12",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "12",
    }
    for i, row in enumerate(default_rules()):
        if row["credit_tier"] == "A":
            row["promised_reduction_percent"] = 40
        for key, value in row.items():
            if isinstance(value, bool):
                if value:
                    data[f"rules-{i}-{key}"] = "on"
            else:
                data[f"rules-{i}-{key}"] = "" if value is None else str(value)
    response = client.post("/admin/approvals/routepolicy/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = RoutePolicy.objects.get(version=2)
    assert policy.effective_from == dt.date(2026, 4, 1)
    assert rule(policy, "encouraged", "A").promised_reduction_percent == 40
    assert (
        rule(RoutePolicy.objects.get(version=1), "encouraged", "A").promised_reduction_percent == 30
    )
    entry = JournalEntry.objects.get(action="approvals.route_policy.published")
    assert entry.actor_id == superuser.pk  # journalled through the service, as the admin user
    # published versions are read only
    view = client.get(f"/admin/approvals/routepolicy/{policy.pk}/change/")
    assert view.status_code == 200
    assert 'name="effective_from"' not in view.content.decode()


def test_admin_lists_applications_and_licences(client, make_user):
    superuser = make_user("administrator", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    for path in (
        "/admin/approvals/application/",
        "/admin/approvals/licence/",
        "/admin/approvals/deadlinewarning/",
        "/admin/approvals/itemtemplate/",
        "/admin/approvals/routepolicy/",
    ):
        assert client.get(path).status_code == 200, path
