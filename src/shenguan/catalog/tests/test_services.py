import datetime as dt

import pytest
from django.utils import timezone

from shenguan.catalog import services
from shenguan.catalog.choices import ApprovalClass, PowerKind, Stage
from shenguan.catalog.content import content_hash, version_content
from shenguan.catalog.factories import make_power
from shenguan.catalog.models import Duty, Material, Power, PowerVersion, Responsibility
from shenguan.core.context import acting_as
from shenguan.core.errors import Conflict, DomainError, Forbidden
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.org.factories import DepartmentFactory, PostFactory, SectionFactory

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"name": "申请书", "essential": True, "deferrable": False, "copies": 1, "notes": ""},
    {"name": "场所平面图", "essential": False, "deferrable": True, "copies": 2, "notes": "复印件"},
]
DUTIES = [
    {"stage": Stage.INTAKE, "stage_label": "受理阶段责任", "text": "一次性告知补正材料"},
    {"stage": Stage.DECISION, "stage_label": "决定阶段责任", "text": "作出准予许可决定"},
]


def _journal(action):
    return JournalEntry.objects.filter(action=action)


def test_create_power_writes_version_one_with_journal_and_event():
    dep = DepartmentFactory()
    power = services.create_power(
        code="ITEM-1",
        kind=PowerKind.LICENSING,
        department_id=dep.pk,
        version={"name": "食品经营许可", "statutory_limit_days": 20, "promised_limit_days": 5},
        materials=MATERIALS,
        duties=DUTIES,
        effective_from=dt.date(2025, 1, 1),
        generated_fields=["promised_limit_days", "materials"],
    )
    v1 = power.versions.get()
    assert v1.version == 1 and v1.effective_from == dt.date(2025, 1, 1)
    assert v1.effective_to is None
    assert v1.day_counting == "licensing"
    assert v1.generated_fields == ["materials", "promised_limit_days"]
    assert [m.name for m in v1.materials.order_by("seq")] == ["申请书", "场所平面图"]
    assert [d.stage for d in v1.duties.order_by("seq")] == ["intake", "decision"]
    assert v1.content_hash == content_hash(*version_content(v1))
    entry = _journal("catalog.power.created").get()
    assert entry.object_id == str(power.pk)
    assert entry.after["content"]["materials"][1]["name"] == "场所平面图"
    assert OutboxEvent.objects.filter(type="catalog.power.created", subject_id=str(power.pk))


def test_penalty_power_defaults_its_counting_law_and_class():
    power = make_power(kind=PowerKind.PENALTY)
    v1 = power.latest
    assert v1.day_counting == "penalty"
    assert v1.enforcement_class == "penalty"


def test_duplicate_code_is_a_conflict():
    make_power(code="DUP-1")
    with pytest.raises(Conflict):
        make_power(code="DUP-1")
    assert Power.objects.filter(code="DUP-1").count() == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"code": "BAD CODE"}, "code"),
        ({"materials": [{"name": "x", "essential": True, "deferrable": True}]}, "要件不得容缺"),
        ({"duties": [{"stage": "nonsense", "text": "x"}]}, "stage"),
        ({"statutory_limit_days": 5, "promised_limit_days": 9}, "承诺时限"),
        ({"approval_class": "lenient"}, "approval_class"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_content_is_refused_and_nothing_written(kwargs, message):
    before = (Power.objects.count(), JournalEntry.objects.count())
    with pytest.raises(DomainError) as info:
        make_power(**kwargs)
    assert message in info.value.message
    assert (Power.objects.count(), JournalEntry.objects.count()) == before


def test_revise_creates_next_version_and_closes_the_previous():
    power = make_power(
        name="旧名称", materials=MATERIALS, duties=DUTIES, effective_from=dt.date(2024, 1, 1)
    )
    v1 = power.latest
    v2 = services.revise_power(
        power.pk,
        changes={"name": "新名称", "approval_class": ApprovalClass.CAUTIOUS},
        materials=MATERIALS[:1],
        effective_from=dt.date(2025, 6, 1),
    )
    v1.refresh_from_db()
    assert v2.version == 2
    assert v1.effective_to == dt.date(2025, 5, 31)
    # The old version keeps its content (a case that started under it still sees it).
    assert v1.name == "旧名称" and v1.materials.count() == 2 and v1.approval_class == ""
    assert v2.name == "新名称" and v2.materials.count() == 1 and v2.duties.count() == 2
    assert power.version_at(dt.date(2025, 5, 31)) == v1
    assert power.version_at(dt.date(2025, 6, 1)) == v2
    assert power.version_at(dt.date(2023, 12, 31)) is None
    entry = _journal("catalog.power.revised").get()
    assert entry.before["name"] == "旧名称" and entry.after["name"] == "新名称"
    assert entry.before["version"] == 1 and entry.after["version"] == 2
    assert "legal_basis" not in entry.after  # only what changed
    assert OutboxEvent.objects.filter(type="catalog.power.revised").count() == 1


def test_identical_revision_changes_nothing():
    power = make_power(name="同一", materials=MATERIALS, duties=DUTIES)
    v1 = power.latest
    counts = (
        PowerVersion.objects.count(),
        JournalEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    same = services.revise_power(
        power.pk, changes={"name": "同一"}, materials=[dict(m) for m in MATERIALS], duties=DUTIES
    )
    assert same.pk == v1.pk
    assert counts == (
        PowerVersion.objects.count(),
        JournalEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    v1.refresh_from_db()
    assert v1.effective_to is None


def test_content_hash_ignores_dates_but_sees_material_order():
    a = make_power(name="甲", materials=MATERIALS, effective_from=dt.date(2024, 1, 1)).latest
    b = make_power(name="甲", materials=MATERIALS, effective_from=dt.date(2025, 1, 1)).latest
    c = make_power(name="甲", materials=MATERIALS[::-1]).latest
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


def test_revision_on_the_day_the_version_took_effect():
    today = timezone.localdate()
    power = make_power(name="当日", effective_from=today)
    v2 = services.revise_power(power.pk, changes={"name": "当日修订"})
    v1 = power.versions.get(version=1)
    assert v1.effective_to == today  # cannot end before it began; outranked by v2
    assert power.version_at(today) == v2


def test_revision_may_not_take_effect_before_the_current_version():
    power = make_power(effective_from=dt.date(2025, 1, 1))
    with pytest.raises(DomainError, match="早于"):
        services.revise_power(
            power.pk, changes={"name": "倒签"}, effective_from=dt.date(2024, 12, 31)
        )
    assert power.versions.count() == 1


def test_revision_refuses_power_fields_and_unknown_fields():
    power = make_power()
    with pytest.raises(DomainError, match="update_power"):
        services.revise_power(power.pk, changes={"kind": "penalty"})
    with pytest.raises(DomainError, match="colour"):
        services.revise_power(power.pk, changes={"colour": "red"})


def test_future_revision_leaves_today_in_force():
    today = timezone.localdate()
    power = make_power(name="现行", effective_from=today - dt.timedelta(days=10))
    future = today + dt.timedelta(days=30)
    v2 = services.revise_power(power.pk, changes={"name": "将来"}, effective_from=future)
    assert power.current.version == 1
    assert power.version_at(future) == v2
    # A later revision builds on the newest version, not on the one in force today.
    v3 = services.revise_power(power.pk, changes={"main_item": "主项"}, effective_from=future)
    assert v3.name == "将来" and v3.version == 3


def test_update_and_delete_power():
    power = make_power(materials=MATERIALS, duties=DUTIES)
    other = DepartmentFactory()
    services.update_power(power.pk, changes={"department_id": other.pk})
    assert Power.objects.get(pk=power.pk).department == other
    services.revise_power(power.pk, changes={"name": "改"})
    services.delete_power(power.pk)
    assert not Power.objects.filter(pk=power.pk).exists()
    assert not PowerVersion.objects.filter(power_id=power.pk).exists()
    assert not Material.objects.exists() and not Duty.objects.exists()
    assert _journal("catalog.power.deleted").get().before["versions"] == [1, 2]


def test_assign_responsibility():
    power = make_power()
    section = SectionFactory()
    post = PostFactory(section=section)
    resp = services.assign_responsibility(power.pk, section_id=section.pk, post_id=post.pk)
    assert resp.accountable == post.holder and resp.backup == post.backup
    assert _journal("catalog.responsibility.assigned").count() == 1
    # The same assignment again is no change.
    services.assign_responsibility(power.pk, section_id=section.pk, post_id=post.pk)
    assert _journal("catalog.responsibility.assigned").count() == 1
    other = SectionFactory()
    services.assign_responsibility(power.pk, section_id=other.pk)
    resp.refresh_from_db()
    assert resp.section == other and resp.post is None
    assert Responsibility.objects.count() == 1
    assert _journal("catalog.responsibility.assigned").count() == 2


def test_post_must_belong_to_the_section():
    power = make_power()
    post = PostFactory()
    with pytest.raises(DomainError, match="岗位不属于"):
        services.assign_responsibility(power.pk, section_id=SectionFactory().pk, post_id=post.pk)
    assert not Responsibility.objects.exists()


def test_only_administrators_change_the_catalogue(make_user):
    clerk = make_user("window_clerk", staff=True)
    admin = make_user("administrator")
    dep = DepartmentFactory()
    with pytest.raises(Forbidden):
        services.create_power(
            code="P-1", kind="licensing", department_id=dep.pk, version={"name": "x"}, user=clerk
        )
    power = services.create_power(
        code="P-1", kind="licensing", department_id=dep.pk, version={"name": "x"}, user=admin
    )
    with pytest.raises(Forbidden):
        services.revise_power(power.pk, changes={"name": "y"}, user=clerk)
    with acting_as(admin, source="api"):
        assert services.revise_power(power.pk, changes={"name": "y"}, user=admin).version == 2
    entry = _journal("catalog.power.revised").get()
    assert entry.actor_id == admin.pk and entry.source == "api"
