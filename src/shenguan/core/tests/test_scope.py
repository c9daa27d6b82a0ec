"""The permission scope: what it holds, and that a request pays only for the parts of it a
permission asks for (a zone-wide reader's list never reads posts, grids or party accounts)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shenguan.approvals.models import Application
from shenguan.core.factories import make_user
from shenguan.core.permissions import Scope
from shenguan.org.factories import GridFactory, PostFactory, SectionFactory, StaffFactory
from shenguan.org.models import Staff
from shenguan.parties.factories import EnterpriseFactory
from shenguan.parties.models import PartyAccount

pytestmark = pytest.mark.django_db

LAZY_TABLES = ("org_post", "org_grid", "parties_partyaccount")


def _tables(ctx) -> set[str]:
    return {t for t in LAZY_TABLES for q in ctx.captured_queries if f'"{t}"' in q["sql"]}


def test_sections_grids_and_parties_of_a_staff_member():
    home, held, backed, other = (SectionFactory(squad=True) for _ in range(4))
    officer = make_user("enforcement_officer", section=home)
    staff = Staff.objects.get(user=officer)
    PostFactory(section=held, holder=staff, backup=StaffFactory(section=held))
    PostFactory(section=backed, holder=StaffFactory(section=backed), backup=staff)
    PostFactory(section=other)
    worked = GridFactory(worker=staff, squad=other)
    in_squad = GridFactory(squad=held)
    GridFactory(squad=other)
    party = EnterpriseFactory()
    PartyAccount.objects.create(user=officer, party=party)

    scope = Scope.of(officer)
    assert scope.staff_id == staff.pk and scope.department_id == staff.department_id
    assert scope.section_ids == {home.pk, held.pk, backed.pk}
    assert scope.grid_ids == {worked.pk, in_squad.pk}
    assert scope.party_ids == {party.pk}


def test_a_login_without_a_staff_record_has_no_sections_or_grids():
    applicant = make_user("applicant")
    party = EnterpriseFactory()
    PartyAccount.objects.create(user=applicant, party=party)
    scope = Scope.of(applicant)
    assert scope.staff_id is None
    assert scope.section_ids == set() and scope.grid_ids == set()
    assert scope.party_ids == {party.pk}


def test_a_zone_wide_list_reads_no_posts_grids_or_party_accounts():
    head = make_user("bureau_head", section=SectionFactory())
    with CaptureQueriesContext(connection) as ctx:
        list(Application.objects.restrict(head, "view")[:50])
    assert _tables(ctx) == set(), [q["sql"] for q in ctx.captured_queries]


def test_the_sets_are_read_once_and_only_when_asked():
    officer = make_user("enforcement_officer", section=SectionFactory(squad=True))
    with CaptureQueriesContext(connection) as ctx:
        scope = Scope.of(officer)
    assert _tables(ctx) == set()
    with CaptureQueriesContext(connection) as ctx:
        scope.grid_ids, scope.party_ids, scope.section_ids  # noqa: B018
    assert _tables(ctx) == set(LAZY_TABLES)
    with CaptureQueriesContext(connection) as ctx:
        scope.grid_ids, scope.party_ids, scope.section_ids  # noqa: B018
        assert Scope.of(officer) is scope
    assert ctx.captured_queries == []
