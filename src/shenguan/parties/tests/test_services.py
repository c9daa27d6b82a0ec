"""Party services: registration, identifier checks, duplicates, scope, masking in the journal."""

from __future__ import annotations

import json

import pytest

from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.org.factories import GridFactory, StaffFactory
from shenguan.parties import services
from shenguan.parties.factories import (
    ContactFactory,
    EnterpriseFactory,
    IndividualFactory,
    generated_ric,
    generated_uscc,
)
from shenguan.parties.models import Address, Contact, Party, PartyAccount

pytestmark = pytest.mark.django_db

REAL_USCC = "115113016823646795"  # 广安区行政审批局, from the published item codes
RIC = "420704199006120314"  # synthetic, from identifier_examples.csv


@pytest.fixture
def clerk(make_user):
    return make_user("window_clerk", staff=True)


# --- registration -----------------------------------------------------------------------------


def test_register_enterprise_with_contacts_and_addresses(clerk):
    grid = GridFactory()
    party = services.register_enterprise(
        name=" 广安区行政审批局 ",
        uscc="1151 1301 6823 6467 95",
        legal_representative="张局长",
        grid_id=grid.pk,
        industry="公共管理",
        contacts=[{"name": "李经办", "phone": "13800000000", "role": "经办人"}],
        addresses=[{"text": "广安区金安大道1号", "kind": "registered", "grid_id": grid.pk}],
        user=clerk,
    )
    party.refresh_from_db()
    assert party.uscc == REAL_USCC and party.name == "广安区行政审批局"
    assert party.kind == "enterprise" and party.id_number is None and party.grid == grid
    assert list(party.contacts.values_list("name", flat=True)) == ["李经办"]
    assert list(party.addresses.values_list("kind", flat=True)) == ["registered"]
    actions = list(JournalEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "parties.party.created",
        "parties.contact.created",
        "parties.address.created",
    ]
    assert OutboxEvent.objects.get(type="parties.party.created").payload["id"] == party.pk


def test_wrong_check_character_is_refused_and_nothing_is_created(clerk):
    with pytest.raises(DomainError) as exc:
        services.register_enterprise(
            name="错码企业", uscc="115113016823646796", contacts=[{"name": "某人"}], user=clerk
        )
    assert exc.value.status == 400
    assert "校验位" in exc.value.field_errors["uscc"][0]
    assert "应为 5" in exc.value.field_errors["uscc"][0]
    with pytest.raises(DomainError) as exc:
        services.register_individual(name="错号居民", id_number="420704199006120310", user=clerk)
    assert "应为 4" in exc.value.field_errors["id_number"][0]
    assert not Party.objects.exists() and not Contact.objects.exists()
    assert not JournalEntry.objects.exists()


def test_duplicates_are_a_conflict_whatever_the_spelling(clerk):
    services.register_enterprise(name="甲公司", uscc="91420700MA4F12340Q", user=clerk)
    with pytest.raises(Conflict) as exc:
        services.register_enterprise(name="乙公司", uscc="91420700 ma4f12340q", user=clerk)
    assert exc.value.status == 409 and "uscc" in exc.value.field_errors
    services.register_individual(name="王五", id_number=RIC, user=clerk)
    with pytest.raises(Conflict) as exc:
        services.register_individual(name="王五", id_number=" 420704 199006120314", user=clerk)
    assert "id_number" in exc.value.field_errors
    assert RIC not in exc.value.message
    assert Party.objects.count() == 2


def test_only_registration_staff_and_applicants_register(make_user):
    worker = make_user("grid_worker", staff=True)
    with pytest.raises(Forbidden):
        services.register_enterprise(name="某公司", uscc=generated_uscc(1), user=worker)
    assert not Party.objects.exists()


def test_the_system_registers_generated_demo_parties():
    party = services.register_enterprise(name="演示企业", uscc=generated_uscc(7), is_generated=True)
    assert party.is_generated


def test_unknown_child_fields_are_refused(clerk):
    with pytest.raises(DomainError):
        services.register_enterprise(
            name="某公司", uscc=generated_uscc(2), contacts=[{"name": "x", "age": 3}], user=clerk
        )
    assert not Party.objects.exists()


# --- applicants -------------------------------------------------------------------------------


def test_applicant_registering_themselves_is_linked_once(make_user):
    applicant = make_user("applicant")
    me = services.register_individual(name="赵六", id_number=RIC, user=applicant)
    account = PartyAccount.objects.get(user=applicant)
    assert account.party == me and account.role == "owner"
    with pytest.raises(Conflict):
        services.register_individual(name="别人", id_number=generated_ric(5), user=applicant)
    firm = services.register_enterprise(name="赵六商店", uscc=generated_uscc(3), user=applicant)
    assert PartyAccount.objects.get(user=applicant, party=firm).role == "agent"
    assert JournalEntry.objects.filter(action="parties.account.linked").count() == 2


def test_applicant_changes_only_contact_data_of_own_party(make_user):
    applicant = make_user("applicant")
    mine = services.register_individual(name="赵六", id_number=RIC, user=applicant)
    services.update_party(mine.pk, {"phone": "13911112222"}, user=applicant)
    assert Party.objects.get(pk=mine.pk).phone == "13911112222"
    with pytest.raises(Forbidden):
        services.update_party(mine.pk, {"name": "赵七"}, user=applicant)
    other = EnterpriseFactory()
    with pytest.raises(NotFound):
        services.update_party(other.pk, {"phone": "1"}, user=applicant)
    contact = services.add_contact(mine.pk, name="家属", user=applicant)
    assert contact.party == mine
    with pytest.raises(NotFound):
        services.add_contact(other.pk, name="x", user=applicant)


# --- changes ----------------------------------------------------------------------------------


def test_update_party_checks_identifiers_and_duplicates(clerk):
    a = EnterpriseFactory()
    b = EnterpriseFactory()
    with pytest.raises(DomainError) as exc:
        services.update_party(
            a.pk, {"uscc": a.uscc[:-1] + ("0" if a.uscc[-1] != "0" else "1")}, user=clerk
        )
    assert "uscc" in exc.value.field_errors
    with pytest.raises(Conflict):
        services.update_party(a.pk, {"uscc": b.uscc.lower()}, user=clerk)
    with pytest.raises(DomainError):
        services.update_party(a.pk, {"kind": "individual"}, user=clerk)
    with pytest.raises(Forbidden):
        services.update_party(a.pk, {"credit_tier": "A"}, user=clerk)
    with pytest.raises(Forbidden):
        services.update_party(a.pk, {"is_generated": False}, user=clerk)
    services.update_party(a.pk, {"uscc": REAL_USCC, "industry": "制造业"}, user=clerk)
    a.refresh_from_db()
    assert a.uscc == REAL_USCC and a.industry == "制造业"
    entry = JournalEntry.objects.get(action="parties.party.updated")
    assert set(entry.after) == {"uscc", "industry"} and entry.after["uscc"] == REAL_USCC


def test_the_system_sets_tier_and_demo_label_through_update_party():
    party = services.register_enterprise(name="演示", uscc=generated_uscc(11))
    services.update_party(party.pk, {"credit_tier": "A", "is_generated": True})
    party.refresh_from_db()
    assert party.credit_tier == "A" and party.is_generated
    assert JournalEntry.objects.filter(action="parties.party.credit_tier_set").exists()
    assert JournalEntry.objects.get(action="parties.party.updated").after == {"is_generated": True}


def test_unchanged_update_records_nothing(clerk):
    party = EnterpriseFactory()
    services.update_party(party.pk, {"name": party.name}, user=clerk)
    assert not JournalEntry.objects.exists()


def test_grid_worker_sees_own_grid_but_may_not_change(make_user):
    worker_user = make_user("grid_worker", staff=True)
    grid = GridFactory(worker=worker_user.staff)
    mine = EnterpriseFactory(grid=grid)
    other = EnterpriseFactory(grid=GridFactory())
    with pytest.raises(Forbidden):
        services.update_party(mine.pk, {"phone": "1"}, user=worker_user)
    with pytest.raises(NotFound):
        services.update_party(other.pk, {"phone": "1"}, user=worker_user)
    with pytest.raises(Forbidden):
        services.add_contact(mine.pk, name="x", user=worker_user)


def test_contacts_and_addresses_update_and_remove(clerk):
    party = EnterpriseFactory()
    contact = services.add_contact(party.pk, name="甲", phone="1", user=clerk)
    services.update_contact(contact.pk, {"phone": "2"}, user=clerk)
    assert Contact.objects.get(pk=contact.pk).phone == "2"
    with pytest.raises(DomainError):
        services.update_contact(contact.pk, {"party_id": EnterpriseFactory().pk}, user=clerk)
    with pytest.raises(NotFound):
        services.update_contact(contact.pk, {"phone": "3"}, user=clerk, party_id=party.pk + 999)
    address = services.add_address(party.pk, text="葛店开发区1号", user=clerk)
    services.update_address(address.pk, {"kind": "mailing"}, user=clerk)
    with pytest.raises(DomainError):
        services.update_address(address.pk, {"kind": "castle"}, user=clerk)
    services.remove_address(address.pk, user=clerk)
    services.remove_contact(contact.pk, user=clerk)
    assert not Address.objects.exists() and not Contact.objects.exists()
    actions = set(JournalEntry.objects.values_list("action", flat=True))
    assert {
        "parties.contact.created",
        "parties.contact.updated",
        "parties.contact.deleted",
        "parties.address.created",
        "parties.address.updated",
        "parties.address.deleted",
    } <= actions


def test_contact_of_invisible_party_is_not_found(make_user):
    applicant = make_user("applicant")
    contact = ContactFactory()
    with pytest.raises(NotFound):
        services.remove_contact(contact.pk, user=applicant)
    assert Contact.objects.filter(pk=contact.pk).exists()


# --- accounts, credit tier, deletion ----------------------------------------------------------


def test_link_account(clerk, make_user):
    person = make_user("applicant")
    party = IndividualFactory()
    services.link_account(person.pk, party.pk, "owner", user=clerk)
    services.link_account(person.pk, party.pk, "owner", user=clerk)  # again: nothing changes
    assert JournalEntry.objects.filter(action__startswith="parties.account").count() == 1
    services.link_account(person.pk, party.pk, "agent", user=clerk)
    assert PartyAccount.objects.get(user=person).role == "agent"
    assert JournalEntry.objects.filter(action="parties.account.role_changed").exists()
    with pytest.raises(DomainError):
        services.link_account(person.pk, party.pk, "emperor", user=clerk)
    worker = make_user("grid_worker", staff=True)
    with pytest.raises(Forbidden):
        services.link_account(person.pk, party.pk, "owner", user=worker)
    with pytest.raises(NotFound):
        services.link_account(999999, party.pk, "owner", user=clerk)
    services.unlink_account(person.pk, party.pk, user=clerk)
    assert not PartyAccount.objects.exists()


def test_credit_tier_is_set_by_administrators_only(clerk, admin_user):
    party = EnterpriseFactory()
    with pytest.raises(Forbidden):
        services.set_credit_tier(party.pk, "D", reason="测试", user=clerk)
    services.set_credit_tier(party.pk, "D", reason="虚假承诺", user=admin_user)
    assert Party.objects.get(pk=party.pk).credit_tier == "D"
    entry = JournalEntry.objects.get(action="parties.party.credit_tier_set")
    assert entry.before == {"credit_tier": "B"} and entry.after["reason"] == "虚假承诺"
    with pytest.raises(DomainError):
        services.set_credit_tier(party.pk, "Z", user=admin_user)


def test_delete_party_is_for_administrators(clerk, admin_user):
    party = IndividualFactory(id_number=RIC)
    with pytest.raises(Forbidden):
        services.delete_party(party.pk, user=clerk)
    services.delete_party(party.pk, user=admin_user)
    entry = JournalEntry.objects.get(action="parties.party.deleted")
    assert entry.before["id_number"] == "420***********0314"


# --- the whole ID number never leaves the party row -------------------------------------------


def test_journal_and_events_carry_the_masked_number_only(clerk):
    party = services.register_individual(
        name="钱七", id_number=RIC, contacts=[{"name": "钱八"}], user=clerk
    )
    other = generated_ric(42)
    services.update_party(party.pk, {"id_number": other}, user=clerk)
    entries = list(JournalEntry.objects.values("before", "after", "object_repr"))
    events = list(OutboxEvent.objects.values("payload"))
    dumped = json.dumps([entries, events], ensure_ascii=False)
    assert RIC not in dumped and other not in dumped
    created = JournalEntry.objects.get(action="parties.party.created")
    assert created.after["id_number"] == "420***********0314"
    updated = JournalEntry.objects.get(action="parties.party.updated")
    assert set(updated.after) == {"id_number"}  # the change is recorded, masked
    assert Party.objects.get(pk=party.pk).id_number == other  # stored whole


def test_repr_and_str_never_show_the_whole_number():
    party = IndividualFactory(id_number=RIC, name="孙九")
    assert RIC not in repr(party) and RIC not in str(party)
    assert "420***********0314" in repr(party)


def test_worker_grid_scope_uses_staff(make_user):
    # the grid worker of a grid is a Staff; Scope.of reads Grid.worker
    worker_user = make_user("grid_worker", staff=True)
    grid = GridFactory(worker=StaffFactory())
    party = EnterpriseFactory(grid=grid)
    with pytest.raises(NotFound):
        services.update_party(party.pk, {"phone": "1"}, user=worker_user)
