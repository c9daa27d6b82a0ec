"""Admin: saving a policy version publishes the next one; events and list entries are added
through the services; the archive is read-only."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.core.models import JournalEntry
from shenguan.credit.models import CreditEvent, CreditPolicy, ListEntry
from shenguan.credit.policy import policy_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user):
    return make_user("administrator", username="root", is_staff=True, is_superuser=True)


def inline_data(prefix: str, rows: list[dict], fields: tuple[str, ...], policy) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"{prefix}-{i}-id"] = str(row["id"])
        data[f"{prefix}-{i}-policy"] = str(policy.pk)
        for name in fields:
            value = row[name]
            if isinstance(value, bool):
                if value:
                    data[f"{prefix}-{i}-{name}"] = "on"
            else:
                data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
    return data


def test_saving_a_version_publishes_the_next_one(client, superuser, travel):
    travel(dt.date(2026, 3, 2))
    v1 = policy_for()
    client.force_login(superuser)
    url = f"/admin/credit/creditpolicy/{v1.pk}/change/"
    assert client.get(url).status_code == 200
    kind_fields = ("kind", "weight", "is_public", "period_months", "repair_after_months")
    list_fields = ("list_kind", "event_kind", "tier", "min_months", "max_months")
    kinds = list(v1.kind_rules.values("id", *kind_fields))
    for row in kinds:
        if row["kind"] == "award":
            row["weight"] = 15
    lists = list(v1.list_rules.values("id", *list_fields))
    data = {
        "effective_from": "2026-03-02",
        "base_score": "70",
        "tier_a_min": "95",
        "tier_b_min": "60",
        "tier_c_min": "30",
        "sampling_weight_a": "0.5",
        "sampling_weight_b": "1.0",
        "sampling_weight_c": "2.0",
        "sampling_weight_d": "4.0",
        "note": "raise the A line",
        **inline_data("kind_rules", kinds, kind_fields, v1),
        **inline_data("list_rules", lists, list_fields, v1),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = CreditPolicy.objects.get(version=2)
    assert (v2.tier_a_min, v2.note) == (95, "raise the A line")
    assert v2.kind_rules.get(kind="award").weight == 15
    assert v2.list_rules.count() == v1.list_rules.count()
    v1.refresh_from_db()
    assert v1.tier_a_min == 90 and v1.kind_rules.get(kind="award").weight == 10
    entry = JournalEntry.objects.get(action="credit.policy.created", object_id=str(v2.pk))
    assert entry.actor_id == superuser.pk


def test_a_bad_version_is_refused_with_a_message(client, superuser, travel):
    travel(dt.date(2026, 3, 2))
    v1 = policy_for()
    client.force_login(superuser)
    url = f"/admin/credit/creditpolicy/{v1.pk}/change/"
    data = {
        "effective_from": "2026-03-01",  # before today
        "base_score": "70",
        "tier_a_min": "90",
        "tier_b_min": "60",
        "tier_c_min": "30",
        "sampling_weight_a": "0.5",
        "sampling_weight_b": "1.0",
        "sampling_weight_c": "2.0",
        "sampling_weight_d": "4.0",
        "note": "",
        **inline_data("kind_rules", [], (), v1),
        **inline_data("list_rules", [], (), v1),
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "生效日期" in response.content.decode()
    assert CreditPolicy.objects.count() == 1


def test_manual_event_and_list_entry_through_the_admin(client, superuser, enterprise):
    client.force_login(superuser)
    response = client.post(
        "/admin/credit/creditevent/add/",
        {
            "party": enterprise.pk,
            "kind": "award",
            "source": "manual",
            "occurred_on": "",
            "source_display": "表彰文件",
            "description": "",
            "weight_override": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = CreditEvent.objects.get(party=enterprise)
    assert (event.weight, event.source_display) == (10, "表彰文件")
    assert client.get(f"/admin/credit/creditevent/{event.pk}/change/").status_code == 200
    response = client.post(
        "/admin/credit/listentry/add/",
        {"party": enterprise.pk, "list_kind": "watch", "reason": "专项整治", "min_months": "0"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = ListEntry.objects.get(party=enterprise, list_kind="watch")
    response = client.post(
        "/admin/credit/listentry/",
        {"action": "exit_corrected", "_selected_action": [entry.pk]},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.exit_reason == "corrected"
    for model in ("repairapplication", "tierchange", "creditstanding"):
        assert client.get(f"/admin/credit/{model}/").status_code == 200
