"""Parties API: scope both ways, masking per caller, identifier checks, journal, query counts."""

from __future__ import annotations

import pytest

from shenguan.core.models import JournalEntry
from shenguan.org.factories import GridFactory
from shenguan.parties import services
from shenguan.parties.factories import (
    AddressFactory,
    ContactFactory,
    EnterpriseFactory,
    IndividualFactory,
    generated_uscc,
)
from shenguan.parties.models import Contact, Party

pytestmark = pytest.mark.django_db

RIC = "420704199006120314"
MASKED = "420***********0314"


@pytest.fixture
def world(make_user):
    """Two grids with a worker each, an enterprise and an individual in each grid."""
    w1 = make_user("grid_worker", staff=True, username="worker1")
    w2 = make_user("grid_worker", staff=True, username="worker2")
    g1, g2 = GridFactory(worker=w1.staff), GridFactory(worker=w2.staff)
    return {
        "w1": w1,
        "w2": w2,
        "g1": g1,
        "g2": g2,
        "e1": EnterpriseFactory(grid=g1, name="甲企业"),
        "p1": IndividualFactory(grid=g1, id_number=RIC, name="甲居民"),
        "e2": EnterpriseFactory(grid=g2, name="乙企业"),
        "p2": IndividualFactory(grid=g2, name="乙居民"),
    }


def _ids(body) -> set[int]:
    return {item["id"] for item in body["items"]}


# --- who sees what ----------------------------------------------------------------------------


def test_anonymous_is_refused(api, world):
    for path in ("/api/parties", f"/api/parties/{world['e1'].pk}"):
        status, body = api.get(path)
        assert status == 401 and body["status"] == 401
    status, _ = api.post("/api/parties/enterprises", {"name": "x", "uscc": generated_uscc(1)})
    assert status == 401
    assert Party.objects.count() == 4


def test_window_clerk_sees_all(api, world, make_user):
    api.login(make_user("window_clerk", staff=True))
    status, body = api.get("/api/parties")
    assert status == 200 and body["count"] == 4


def test_grid_worker_sees_only_own_grid(api, world):
    api.login(world["w1"])
    status, body = api.get("/api/parties")
    assert _ids(body) == {world["e1"].pk, world["p1"].pk}
    status, _ = api.get(f"/api/parties/{world['e2'].pk}")
    assert status == 404
    status, _ = api.get(f"/api/parties/{world['e2'].pk}/contacts")
    assert status == 404
    status, body = api.get(f"/api/parties/{world['e1'].pk}")
    assert status == 200 and body["name"] == "甲企业"


def test_applicant_sees_only_own_parties(api, world, make_user):
    applicant = make_user("applicant")
    services.link_account(applicant.pk, world["e2"].pk, "agent")
    api.login(applicant)
    status, body = api.get("/api/parties")
    assert _ids(body) == {world["e2"].pk}
    status, _ = api.get(f"/api/parties/{world['e1'].pk}")
    assert status == 404


def test_change_without_the_right_is_403_and_outside_scope_404(api, world):
    api.login(world["w1"])
    status, body = api.patch(f"/api/parties/{world['e1'].pk}", {"phone": "1"})
    assert status == 403 and body["status"] == 403
    status, _ = api.patch(f"/api/parties/{world['e2'].pk}", {"phone": "1"})
    assert status == 404
    status, _ = api.post(f"/api/parties/{world['e1'].pk}/contacts", {"name": "x"})
    assert status == 403
    status, _ = api.post("/api/parties/enterprises", {"name": "x", "uscc": generated_uscc(9)})
    assert status == 403
    assert not JournalEntry.objects.exists()


def test_applicant_may_change_own_phone_but_not_the_name(api, make_user):
    applicant = make_user("applicant")
    api.login(applicant)
    status, body = api.post("/api/parties/individuals", {"name": "周一", "id_number": RIC})
    assert status == 201
    pk = body["id"]
    status, body = api.patch(f"/api/parties/{pk}", {"phone": "13900001111"})
    assert status == 200 and body["phone"] == "13900001111"
    status, body = api.patch(f"/api/parties/{pk}", {"name": "周二"})
    assert status == 403
    assert Party.objects.get(pk=pk).name == "周一"


# --- masking ----------------------------------------------------------------------------------


def _id_number_seen(api, user, party) -> tuple[str, bool]:
    api.login(user)
    status, body = api.get(f"/api/parties/{party.pk}")
    assert status == 200
    status, listing = api.get("/api/parties?kind=individual&limit=100")
    listed = next(i for i in listing["items"] if i["id"] == party.pk)
    assert listed["id_number"] == body["id_number"]
    api.client.logout()
    return body["id_number"], body["id_number_masked"]


def test_grid_worker_and_command_centre_see_masked_numbers(api, world, make_user):
    assert _id_number_seen(api, world["w1"], world["p1"]) == (MASKED, True)
    centre = make_user("command_centre", staff=True)
    assert _id_number_seen(api, centre, world["p1"]) == (MASKED, True)


def test_window_clerk_and_the_person_themselves_see_the_whole_number(api, world, make_user):
    assert _id_number_seen(api, make_user("window_clerk", staff=True), world["p1"]) == (
        RIC,
        False,
    )
    me = make_user("applicant")
    services.link_account(me.pk, world["p1"].pk, "owner")
    assert _id_number_seen(api, me, world["p1"]) == (RIC, False)


def test_credit_codes_are_not_masked(api, world, make_user):
    api.login(make_user("command_centre", staff=True))
    status, body = api.get(f"/api/parties/{world['e1'].pk}")
    assert body["uscc"] == world["e1"].uscc and body["id_number"] is None


def test_the_whole_number_is_nowhere_in_a_masked_response(client, world):
    client.force_login(world["w1"])
    for path in ("/api/parties", f"/api/parties/{world['p1'].pk}"):
        assert RIC not in client.get(path).content.decode()


def test_search_by_id_number_only_for_those_who_may_see_it(api, world, make_user):
    api.login(world["w1"])
    status, body = api.get(f"/api/parties?q={RIC}")
    assert body["count"] == 0
    api.client.logout()
    api.login(make_user("window_clerk", staff=True))
    status, body = api.get(f"/api/parties?q={RIC}")
    assert _ids(body) == {world["p1"].pk}


# --- registration and changes -----------------------------------------------------------------


def test_register_enterprise_through_the_api(api, make_user, world):
    api.login(make_user("window_clerk", staff=True))
    status, body = api.post(
        "/api/parties/enterprises",
        {
            "name": "葛店新材料有限公司",
            "uscc": "91420700ma4f12340q",
            "grid_id": world["g1"].pk,
            "contacts": [{"name": "经办人甲", "phone": "13800000001"}],
            "addresses": [{"text": "葛店开发区高新大道8号", "kind": "registered"}],
        },
    )
    assert status == 201, body
    assert body["uscc"] == "91420700MA4F12340Q" and body["grid_name"] == world["g1"].name
    assert body["contacts"][0]["name"] == "经办人甲"
    assert body["addresses"][0]["kind"] == "registered"
    entry = JournalEntry.objects.get(action="parties.party.created")
    assert entry.source == "api" and entry.object_id == str(body["id"])
    assert JournalEntry.objects.filter(source="api", action="parties.contact.created").exists()


@pytest.mark.parametrize(
    "path, field, value, expected",
    [
        ("/api/parties/enterprises", "uscc", "115113016823646796", "应为 5"),
        ("/api/parties/individuals", "id_number", "420704199006120310", "应为 4"),
    ],
)
def test_wrong_check_character_is_refused_by_the_api(api, make_user, path, field, value, expected):
    api.login(make_user("window_clerk", staff=True))
    status, body = api.post(path, {"name": "某某", field: value})
    assert status == 400
    assert body["status"] == 400 and "errors" in body
    assert "校验位错误" in body["errors"][field][0] and expected in body["errors"][field][0]
    assert field in body["detail"]
    assert not Party.objects.exists() and not JournalEntry.objects.exists()


def test_duplicate_registration_is_409(api, make_user, world):
    api.login(make_user("window_clerk", staff=True))
    status, body = api.post("/api/parties/individuals", {"name": "重复", "id_number": RIC})
    assert status == 409 and "id_number" in body["errors"]
    assert RIC not in str(body)


def test_missing_fields_are_422(api, make_user):
    api.login(make_user("window_clerk", staff=True))
    status, body = api.post("/api/parties/enterprises", {"name": "缺代码"})
    assert status == 422 and body["errors"]


def test_patch_party_is_journalled_with_source_api(api, make_user, world):
    api.login(make_user("window_clerk", staff=True))
    status, body = api.patch(
        f"/api/parties/{world['e1'].pk}", {"industry": "制造业", "grid_id": world["g2"].pk}
    )
    assert status == 200 and body["industry"] == "制造业" and body["grid_id"] == world["g2"].pk
    entry = JournalEntry.objects.get(action="parties.party.updated")
    assert entry.source == "api" and entry.after == {
        "industry": "制造业",
        "grid_id": world["g2"].pk,
    }
    status, body = api.patch(f"/api/parties/{world['e1'].pk}", {"uscc": "115113016823646796"})
    assert status == 400 and "uscc" in body["errors"]


def test_contacts_and_addresses_sub_resources(api, make_user, world):
    api.login(make_user("window_clerk", staff=True))
    pk = world["e1"].pk
    status, contact = api.post(f"/api/parties/{pk}/contacts", {"name": "联系人甲", "phone": "1"})
    assert status == 201
    status, body = api.patch(f"/api/parties/{pk}/contacts/{contact['id']}", {"phone": "2"})
    assert status == 200 and body["phone"] == "2"
    status, body = api.get(f"/api/parties/{pk}/contacts")
    assert [c["phone"] for c in body] == ["2"]
    # a contact is reached only through its own party
    status, _ = api.patch(f"/api/parties/{world['e2'].pk}/contacts/{contact['id']}", {"phone": "3"})
    assert status == 404
    status, _ = api.delete(f"/api/parties/{pk}/contacts/{contact['id']}")
    assert status == 204
    assert not Contact.objects.exists()

    status, address = api.post(
        f"/api/parties/{pk}/addresses", {"text": "葛店1号", "grid_id": world["g1"].pk}
    )
    assert status == 201 and address["kind"] == "business"
    status, body = api.patch(f"/api/parties/{pk}/addresses/{address['id']}", {"kind": "mailing"})
    assert status == 200 and body["kind"] == "mailing"
    status, body = api.get(f"/api/parties/{pk}/addresses")
    assert [a["kind"] for a in body] == ["mailing"]
    status, _ = api.delete(f"/api/parties/{pk}/addresses/{address['id']}")
    assert status == 204
    sources = set(
        JournalEntry.objects.filter(action__startswith="parties.").values_list("source", flat=True)
    )
    assert sources == {"api"}


def test_list_filters(api, make_user, world):
    api.login(make_user("window_clerk", staff=True))
    services.set_credit_tier(world["e2"].pk, "D", reason="测试")
    status, body = api.get("/api/parties?kind=enterprise")
    assert _ids(body) == {world["e1"].pk, world["e2"].pk}
    status, body = api.get(f"/api/parties?grid_id={world['g2'].pk}")
    assert _ids(body) == {world["e2"].pk, world["p2"].pk}
    status, body = api.get("/api/parties?credit_tier=D")
    assert _ids(body) == {world["e2"].pk}
    status, body = api.get("/api/parties?q=甲")
    assert _ids(body) == {world["e1"].pk, world["p1"].pk}
    status, body = api.get(f"/api/parties?q={world['e2'].uscc.lower()[:10]}")
    assert world["e2"].pk in _ids(body)
    status, body = api.get("/api/parties?credit_tier=Z")
    assert status == 422


# --- query counts -----------------------------------------------------------------------------


def _populate(n: int, grid) -> None:
    for i in range(n):
        party = EnterpriseFactory(grid=grid)
        ContactFactory(party=party)
        AddressFactory(party=party, grid=grid)
        IndividualFactory(grid=grid)


@pytest.mark.parametrize("role", ["window_clerk", "grid_worker", "applicant"])
def test_party_list_query_count_does_not_grow(api, make_user, django_assert_max_num_queries, role):
    user = make_user(role, staff=role != "applicant")
    grid = GridFactory(worker=user.staff if role == "grid_worker" else None)
    _populate(2, grid)
    if role == "applicant":
        for party in Party.objects.all():
            services.link_account(user.pk, party.pk, "agent")
    api.login(user)
    api.get("/api/parties")
    _populate(15, grid)
    if role == "applicant":
        for party in Party.objects.filter(accounts__isnull=True):
            services.link_account(user.pk, party.pk, "agent")
    with django_assert_max_num_queries(11):
        status, body = api.get("/api/parties?limit=100")
    assert status == 200 and body["count"] == 34


def test_sub_resource_lists_query_count(api, make_user, django_assert_max_num_queries):
    api.login(make_user("window_clerk", staff=True))
    party = EnterpriseFactory()
    for _ in range(10):
        ContactFactory(party=party)
        AddressFactory(party=party)
    for path in ("contacts", "addresses"):
        with django_assert_max_num_queries(12):
            status, body = api.get(f"/api/parties/{party.pk}/{path}")
        assert status == 200 and len(body) == 10
    with django_assert_max_num_queries(12):
        status, body = api.get(f"/api/parties/{party.pk}")
    assert len(body["contacts"]) == 10 and len(body["addresses"]) == 10
