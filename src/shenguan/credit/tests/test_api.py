"""Credit API and public lookup: only published information in public, individuals never;
archive and repair endpoints checked both ways; constant query counts on list endpoints."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shenguan.credit import services
from shenguan.credit.models import ListEntry, RepairApplication
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory

pytestmark = pytest.mark.django_db

PRIVATE_KEYS = {"id_number", "phone", "email", "address", "addresses", "contacts", "id"}


def keys(value) -> set[str]:
    """Every key anywhere in a JSON document."""
    found = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(k)
            found |= keys(v)
    elif isinstance(value, list):
        for v in value:
            found |= keys(v)
    return found


@pytest.fixture
def listed(record, travel):
    """An enterprise with a public and a non-public record, blacklisted, and an individual
    with a similar name and public records of their own."""
    travel(dt.date(2026, 3, 2))
    firm = EnterpriseFactory(name="葛店示范食品有限公司")
    record(
        firm,
        "penalty_light",
        source="enforcement",
        source_ref={"type": "c", "id": "1", "display": "鄂葛综执罚〔2026〕1号"},
    )
    record(firm, "tolerance_missed", source="approval")
    record(
        firm,
        "commitment_falsified",
        source="verification",
        source_ref={"type": "v", "id": "9", "display": "核查 9"},
    )
    person = IndividualFactory(name="葛店示范")
    record(person, "penalty_heavy", source="enforcement")
    return firm, person


def test_public_lookup_shows_only_published_enterprise_information(api, listed):
    firm, person = listed
    status, body = api.get("/api/credit/public?q=葛店示范")
    assert status == 200 and body["count"] == 1
    (item,) = body["items"]
    assert (item["name"], item["uscc"]) == (firm.name, firm.uscc)
    assert {e["kind"] for e in item["events"]} == {"penalty_light", "commitment_falsified"}
    assert {entry["list_kind"] for entry in item["lists"]} == {"serious_dishonesty"}  # not watch
    assert not keys(body) & PRIVATE_KEYS
    assert "weight" not in keys(body) and "description" not in keys(body)
    text = json.dumps(body, ensure_ascii=False)
    assert person.name not in {i["name"] for i in body["items"]}
    assert person.id_number not in text and firm.phone not in text


def test_individuals_are_never_found(api, listed):
    _, person = listed
    for q in (person.name, person.id_number, f"{person.name} {person.id_number}"):
        status, body = api.get(f"/api/credit/public?q={q}")
        assert status == 200, q
        # the name also matches the enterprise "葛店示范食品有限公司", never the person
        assert person.name not in {i["name"] for i in body["items"]}, q
        assert person.id_number not in json.dumps(body, ensure_ascii=False)
    assert api.get(f"/api/credit/public?q={person.id_number}")[1]["count"] == 0


def test_lookup_by_credit_code_and_short_queries(api, listed):
    firm, _ = listed
    status, body = api.get(f"/api/credit/public?q={firm.uscc.lower()}")
    assert body["count"] == 1 and body["items"][0]["uscc"] == firm.uscc
    status, body = api.get("/api/credit/public?q=葛")
    assert status == 200 and body["count"] == 0


def test_an_expired_record_disappears_from_the_lookup(api, listed, travel):
    travel(dt.date(2026, 6, 2))  # the three-month penalty ended on 2026-06-02 …
    body = api.get("/api/credit/public?q=葛店示范")[1]
    assert "penalty_light" in {e["kind"] for e in body["items"][0]["events"]}
    travel(dt.date(2026, 6, 3))  # … and is gone the next day, sweep or not
    body = api.get("/api/credit/public?q=葛店示范")[1]
    assert {e["kind"] for e in body["items"][0]["events"]} == {"commitment_falsified"}


def test_public_page(client, listed):
    firm, person = listed
    response = client.get("/credit/lookup", {"q": "葛店示范"})
    assert response.status_code == 200
    html = response.content.decode()
    assert firm.name in html and firm.uscc in html
    assert "严重失信主体名单" in html and "重点关注名单" not in html
    assert "鄂葛综执罚〔2026〕1号" in html
    assert "容缺材料逾期未补" not in html  # not a public kind
    assert person.id_number not in html and firm.phone not in html
    assert client.get("/credit/lookup").status_code == 200
    response = client.get("/credit/lookup", {"q": person.id_number})
    assert person.name not in response.content.decode().split("</form>", 1)[1]


def test_public_lookup_query_count_is_constant(api, record, django_assert_max_num_queries):
    for n in range(8):
        firm = EnterpriseFactory(name=f"常数查询企业{n}")
        record(firm, "award", source="manual")
        record(firm, "penalty_heavy", source="enforcement")
    with django_assert_max_num_queries(4):  # count, page, published events, public lists
        status, body = api.get("/api/credit/public?q=常数查询企业&limit=50")
    assert status == 200 and body["count"] == 8


# --- archive ---------------------------------------------------------------------------------


def test_archive_both_ways(api, listed, head, make_user, account_of):
    firm, person = listed
    status, body = api.login(head).get(f"/api/credit/parties/{firm.pk}")
    assert status == 200
    assert body["party"]["credit_tier"] == "D" and body["standing"]["tier"] == "D"
    assert {e["kind"] for e in body["events"]} == {
        "penalty_light",
        "tolerance_missed",
        "commitment_falsified",
    }
    assert {e["list_kind"] for e in body["lists"]} == {"serious_dishonesty", "watch"}
    assert body["tier_changes"][0]["to_tier"] == "D"
    assert body["tier_changes"][0]["policy_version"] == 1

    api.client.logout()
    assert api.get(f"/api/credit/parties/{firm.pk}")[0] == 401
    stranger = make_user("applicant")
    assert api.login(stranger).get(f"/api/credit/parties/{firm.pk}")[0] == 404
    officer = make_user("enforcement_officer", staff=True)  # no grid covers the firm
    assert api.login(officer).get(f"/api/credit/parties/{firm.pk}")[0] == 404
    owner = account_of(firm)
    status, body = api.login(owner).get(f"/api/credit/parties/{firm.pk}")
    assert status == 200 and len(body["events"]) == 3
    assert api.get(f"/api/credit/parties/{person.pk}")[0] == 404


def test_archive_masks_an_individuals_id_for_those_without_the_right(api, listed, make_user):
    _, person = listed
    supervisor = make_user("department_supervisor", staff=True)  # zone-wide, no full IDs
    status, body = api.login(supervisor).get(f"/api/credit/parties/{person.pk}")
    assert status == 200
    assert body["party"]["identifier"] != person.id_number
    assert body["party"]["identifier"].endswith(person.id_number[-4:])


def test_list_entries_endpoint_scoped_and_constant(
    api, record, head, account_of, django_assert_max_num_queries
):
    firms = [EnterpriseFactory() for _ in range(6)]
    for firm in firms:
        record(firm, "commitment_broken", source="verification")
    api.login(head)
    with django_assert_max_num_queries(11):  # 9 of them: session, user, scope
        status, body = api.get("/api/credit/lists?list_kind=watch&open=true")
    assert status == 200 and body["count"] == 6
    owner = account_of(firms[0])
    status, body = api.login(owner).get("/api/credit/lists")
    assert [i["party_id"] for i in body["items"]] == [firms[0].pk]


# --- repairs -----------------------------------------------------------------------------------


@pytest.fixture
def repairable(enterprise, record, travel):
    travel(dt.date(2026, 6, 30))
    event = record(enterprise, "commitment_broken", source="verification")
    travel(dt.date(2026, 10, 12))
    return event


def test_repair_through_the_api(api, enterprise, repairable, account_of, head, clerk, make_user):
    owner = account_of(enterprise)
    data = {"party_id": enterprise.pk, "event_id": repairable.pk, "reasons": "已整改"}
    assert api.login(make_user("applicant")).post("/api/credit/repairs", data)[0] == 404
    assert api.login(clerk).post("/api/credit/repairs", data)[0] == 403
    status, body = api.login(owner).post("/api/credit/repairs", data)
    assert status == 201, body
    assert body["due_on"] == "2026-10-15" and body["status"] == "submitted"
    repair_id = body["id"]
    status, body = api.post("/api/credit/repairs", data)
    assert status == 409
    assert body["type"].endswith("repair_pending")

    decision = {"approve": True, "opinion": "整改到位"}
    assert api.post(f"/api/credit/repairs/{repair_id}/decision", decision)[0] == 403
    assert api.login(clerk).post(f"/api/credit/repairs/{repair_id}/decision", decision)[0] == 403
    status, body = api.login(head).post(f"/api/credit/repairs/{repair_id}/decision", decision)
    assert status == 200 and body["status"] == "approved" and not body["overdue"]
    status, body = api.post(f"/api/credit/repairs/{repair_id}/decision", decision)
    assert status == 409
    assert api.login(owner).get(f"/api/credit/repairs/{repair_id}")[1]["status"] == "approved"


def test_repair_list_scoped_and_constant(
    api, record, account_of, head, travel, django_assert_max_num_queries
):
    travel(dt.date(2026, 6, 30))
    firms = [EnterpriseFactory() for _ in range(5)]
    events = [record(f, "commitment_broken", source="verification") for f in firms]
    travel(dt.date(2026, 10, 12))
    owners = [account_of(f) for f in firms]
    for firm, event, owner in zip(firms, events, owners):
        services.apply_for_repair(firm.pk, event_id=event.pk, reasons="x", user=owner)
    api.login(head)
    with django_assert_max_num_queries(11):
        status, body = api.get("/api/credit/repairs?status=submitted")
    assert status == 200 and body["count"] == 5
    status, body = api.login(owners[2]).get("/api/credit/repairs")
    assert [i["party_id"] for i in body["items"]] == [firms[2].pk]
    other = RepairApplication.objects.get(party=firms[0])
    assert api.get(f"/api/credit/repairs/{other.pk}")[0] == 404


def test_manual_event_through_the_api(api, enterprise, head, clerk):
    data = {"party_id": enterprise.pk, "kind": "award", "description": "市级表彰"}
    assert api.login(clerk).post("/api/credit/events", data)[0] == 403
    status, body = api.login(head).post("/api/credit/events", data)
    assert status == 201 and body["weight"] == 10 and body["policy_version"] == 1
    status, body = api.post("/api/credit/events", {**data, "kind": "bogus"})
    assert status == 422
    assert not ListEntry.objects.filter(party=enterprise, list_kind="serious_dishonesty")


def test_archive_page_both_ways(client, listed, head, make_user, account_of):
    firm, person = listed
    url = f"/credit/parties/{firm.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user("applicant"))
    assert client.get(url).status_code == 404
    client.force_login(head)
    html = client.get(url).content.decode()
    assert firm.name in html and "严重失信主体名单" in html and "容缺材料逾期未补" in html
    client.force_login(account_of(firm))
    assert client.get(url).status_code == 200
    assert client.get(f"/credit/parties/{person.pk}/").status_code == 404
