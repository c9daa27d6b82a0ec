"""The demo seeder: a Gedian-like zone built through the services, idempotent."""

from __future__ import annotations

import pytest
from stdnum.cn import ric, uscc

from shenguan.catalog.choices import ApprovalClass
from shenguan.catalog.models import Power
from shenguan.core import journal
from shenguan.core.models import JournalEntry
from shenguan.demo.rules import approval_class_for, generated_content
from shenguan.demo.seed import APPROVAL_BUREAU, seed, seed_extras
from shenguan.org.models import Grid, Post
from shenguan.parties.models import Party


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for the module (the catalogue import is the slow part) inside an outer
    transaction that is rolled back afterwards — the ``setUpTestData`` pattern — so that no
    flush wipes the data other apps seed in their migrations."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            result = seed(enterprises=12, individuals=6)
            first_journal = JournalEntry.objects.count()
            seed(enterprises=12, individuals=6)
            second_journal = JournalEntry.objects.count()
            yield result, first_journal, second_journal
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_catalogue_is_the_guangan_list_with_generated_fields(demo):
    approval = Power.objects.filter(department__name=APPROVAL_BUREAU)
    assert approval.count() == 344
    for power in approval.prefetch_related("versions__materials")[:60]:
        current = power.current
        assert current.approval_class in ApprovalClass.values
        assert current.promised_limit_days <= current.statutory_limit_days == 20
        assert {"approval_class", "materials"} <= set(current.generated_fields)
        materials = list(current.materials.all())
        assert any(m.essential for m in materials) and any(m.deferrable for m in materials)
        assert not any(m.essential and m.deferrable for m in materials)
        assert power.responsibility.post.acting_staff() is not None
    assert Power.objects.filter(code__startswith="GDEE-", kind="penalty").count() == 281


@pytest.mark.django_db
def test_organisation_grids_and_ab_posts(demo):
    result, *_ = demo
    assert Grid.objects.count() >= 6
    assert all(g.worker_id and g.boundary and g.squad_id for g in Grid.objects.all())
    posts = Post.objects.filter(holder__isnull=False, backup__isnull=False)
    assert posts.count() >= 10
    roles = {role for _, _, role in result.logins}
    assert len(roles) == 10  # every role has a demo login


@pytest.mark.django_db
def test_parties_have_valid_identifiers_and_grids(demo):
    ents = Party.objects.filter(kind="enterprise", is_generated=True)
    inds = Party.objects.filter(kind="individual", is_generated=True)
    assert ents.count() == 12 and inds.count() == 6
    assert all(uscc.is_valid(p.uscc) and p.grid_id for p in ents)
    assert all(ric.is_valid(p.id_number) and p.grid_id for p in inds)


@pytest.mark.django_db
def test_seeding_again_changes_nothing_and_the_chain_holds(demo):
    _, first, second = demo
    assert second == first
    assert journal.verify().ok


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("危险化学品经营许可", ApprovalClass.CONTROLLED),
        ("食品生产许可", ApprovalClass.CONTROLLED),
        ("企业名称变更登记", ApprovalClass.ENCOURAGED),
        ("公共场所卫生许可", ApprovalClass.CAUTIOUS),
    ],
)
def test_class_rule(name, expected):
    assert approval_class_for(name) == expected
    changes, materials, generated = generated_content(name)
    assert changes["approval_class"] == expected
    assert "approval_class" in generated and "materials" in generated


@pytest.mark.django_db
def test_issue_six_apps_seed_their_demo_records_once(demo):
    from shenguan.grid.models import GridEvent
    from shenguan.oversight.models import Alert
    from shenguan.supervision.models import Objection, SupervisedPower

    first = seed_extras()
    assert first["grid"]["grid events"] > 0 or GridEvent.objects.exists()
    assert GridEvent.objects.count() >= 10
    assert SupervisedPower.objects.exists()
    assert first["oversight"]["clocks"] > 0
    counts = (
        GridEvent.objects.count(),
        Objection.objects.count(),
        Alert.objects.count(),
        JournalEntry.objects.count(),
    )
    second = seed_extras()
    assert second["supervision"]["supervised_powers"] == 0
    assert counts[:3] == (
        GridEvent.objects.count(),
        Objection.objects.count(),
        Alert.objects.count(),
    )
    assert journal.verify().ok
