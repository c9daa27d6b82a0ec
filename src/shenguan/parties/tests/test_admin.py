"""Parties in the admin site: identifier faults next to the field, saves through the services
(journal source "admin"), resident ID numbers masked for staff without the right."""

from __future__ import annotations

import pytest

from shenguan.core.models import JournalEntry
from shenguan.org.factories import GridFactory
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory
from shenguan.parties.models import Contact, Party

pytestmark = pytest.mark.django_db

RIC = "420704199006120314"
MASKED = "420***********0314"


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_superuser=True, is_staff=True)


def _inline(prefix: str, rows: list[dict] | None = None, initial: int = 0) -> dict:
    rows = rows or []
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def _party_form(**fields) -> dict:
    data = {
        "kind": "enterprise",
        "name": "",
        "uscc": "",
        "id_number": "",
        "legal_representative": "",
        "phone": "",
        "email": "",
        "grid": "",
        "industry": "",
        "credit_tier": "B",
        **_inline("contacts"),
        **_inline("addresses"),
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "fields, field, expected",
    [
        ({"kind": "enterprise", "uscc": "115113016823646796"}, "uscc", "应为 5"),
        ({"kind": "individual", "id_number": "420704199006120310"}, "id_number", "应为 4"),
    ],
)
def test_wrong_check_character_is_refused_next_to_the_field(
    client, superuser, fields, field, expected
):
    client.force_login(superuser)
    response = client.post("/admin/parties/party/add/", _party_form(name="某某", **fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "校验位错误" in errors[field][0] and expected in errors[field][0]
    assert "校验位错误" in response.content.decode()
    assert not Party.objects.exists() and not JournalEntry.objects.exists()


def test_enterprise_added_in_the_admin_is_journalled_with_source_admin(client, superuser):
    grid = GridFactory()
    client.force_login(superuser)
    data = _party_form(
        name="葛店光电有限公司",
        uscc="91420700 ma49k7q224",
        grid=str(grid.pk),
        **_inline("contacts", [{"name": "联系人甲", "role": "", "phone": "1", "email": ""}]),
    )
    response = client.post("/admin/parties/party/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    party = Party.objects.get()
    assert party.uscc == "91420700MA49K7Q224" and party.grid == grid
    assert Contact.objects.get().party == party
    entries = JournalEntry.objects.filter(source="admin")
    assert {"parties.party.created", "parties.contact.created"} <= set(
        entries.values_list("action", flat=True)
    )
    assert entries.get(action="parties.party.created").actor_id == superuser.pk


def test_change_in_the_admin_goes_through_update_party(client, superuser):
    party = EnterpriseFactory()
    client.force_login(superuser)
    data = _party_form(
        name=party.name,
        uscc=party.uscc,
        legal_representative=party.legal_representative,
        phone="027-88888888",
        credit_tier="A",
    )
    data.pop("kind")  # read-only once registered
    response = client.post(f"/admin/parties/party/{party.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    party.refresh_from_db()
    assert party.phone == "027-88888888" and party.credit_tier == "A"
    actions = set(JournalEntry.objects.filter(source="admin").values_list("action", flat=True))
    assert actions == {"parties.party.updated", "parties.party.credit_tier_set"}


def test_duplicate_in_the_admin_is_refused(client, superuser):
    existing = EnterpriseFactory()
    client.force_login(superuser)
    response = client.post(
        "/admin/parties/party/add/", _party_form(name="重复", uscc=existing.uscc.lower())
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["uscc"]
    assert Party.objects.count() == 1


@pytest.fixture
def individual():
    return IndividualFactory(id_number=RIC, name="吴十")


def test_staff_without_the_right_see_masked_numbers(client, make_user, individual):
    worker = make_user("grid_worker", staff=True, is_staff=True)
    individual.grid = GridFactory(worker=worker.staff)
    individual.save()
    centre = make_user("command_centre", staff=True, is_staff=True)
    for user in (worker, centre):
        client.force_login(user)
        listing = client.get("/admin/parties/party/")
        detail = client.get(f"/admin/parties/party/{individual.pk}/change/")
        for response in (listing, detail):
            assert response.status_code == 200
            html = response.content.decode()
            assert RIC not in html and MASKED in html
        # searching by a whole number would tell whether it exists: not offered
        found = client.get(f"/admin/parties/party/?q={RIC}")
        assert found.context["cl"].result_count == 0
        client.logout()


def test_window_clerk_sees_the_whole_number(client, make_user, individual):
    clerk = make_user("window_clerk", staff=True, is_staff=True)
    client.force_login(clerk)
    listing = client.get("/admin/parties/party/")
    assert RIC in listing.content.decode()
    found = client.get(f"/admin/parties/party/?q={RIC}")
    assert list(found.context["cl"].result_list) == [individual]


def test_grid_worker_in_the_admin_sees_only_own_grid_and_changes_nothing(
    client, make_user, individual
):
    worker = make_user("grid_worker", staff=True, is_staff=True)
    mine = EnterpriseFactory(grid=GridFactory(worker=worker.staff))
    client.force_login(worker)
    listing = client.get("/admin/parties/party/")
    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(f"/admin/parties/party/{individual.pk}/change/").status_code == 302
    assert client.get("/admin/parties/party/add/").status_code == 403
    response = client.post(
        f"/admin/parties/party/{mine.pk}/change/",
        _party_form(name="改名", uscc=mine.uscc),
    )
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.name != "改名"


def test_admin_pages_render(client, superuser, individual):
    client.force_login(superuser)
    for path in (
        "/admin/parties/party/",
        "/admin/parties/party/add/",
        f"/admin/parties/party/{individual.pk}/change/",
        "/admin/parties/partyaccount/",
        "/admin/parties/partyaccount/add/",
    ):
        assert client.get(path).status_code == 200, path


def test_account_link_and_party_deletion_in_the_admin(client, superuser, make_user, individual):
    person = make_user("applicant")
    client.force_login(superuser)
    response = client.post(
        "/admin/parties/partyaccount/add/",
        {"user": str(person.pk), "party": str(individual.pk), "role": "owner"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    linked = JournalEntry.objects.get(action="parties.account.linked")
    assert linked.source == "admin"
    account = individual.accounts.get()
    response = client.post(f"/admin/parties/partyaccount/{account.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert JournalEntry.objects.get(action="parties.account.unlinked").source == "admin"
    response = client.post(f"/admin/parties/party/{individual.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Party.objects.filter(pk=individual.pk).exists()
    deleted = JournalEntry.objects.get(action="parties.party.deleted")
    assert deleted.source == "admin" and deleted.before["id_number"] == MASKED
