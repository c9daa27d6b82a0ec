"""The catalogue admin changes state only through the services: editing a version writes the
next version and is journalled as an admin change."""

import datetime as dt

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from shenguan.catalog import services
from shenguan.catalog.factories import make_power
from shenguan.catalog.models import Power, Responsibility
from shenguan.core.models import JournalEntry
from shenguan.org.factories import DepartmentFactory, PostFactory, SectionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def admin_client(client, make_user):
    user = make_user("administrator", is_staff=True, is_superuser=True, username="root")
    client.force_login(user)
    return client


@pytest.fixture
def power():
    return make_power(
        code="ADM-1",
        name="旧名称",
        materials=[{"name": "申请书"}, {"name": "图纸", "essential": False}],
        duties=[{"stage": "intake", "stage_label": "受理", "text": "接收材料"}],
        effective_from=TODAY - dt.timedelta(days=100),
    )


def _value(bound):
    value = bound.value()
    if isinstance(bound.field, forms.BooleanField):
        return "on" if value else None
    if value is None:
        return ""
    return str(value)


def form_data(response) -> dict:
    """The POST data a browser would send back unchanged, from a rendered admin form."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = _value(form[name])
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = _value(sub[name])
                if value is not None:
                    data[sub.add_prefix(name)] = value
    return data


def test_changelists_open(admin_client, power):
    section = SectionFactory()
    services.assign_responsibility(
        power.pk, section_id=section.pk, post_id=PostFactory(section=section).pk
    )
    for name in ("power", "powerversion", "responsibility"):
        response = admin_client.get(reverse(f"admin:catalog_{name}_changelist"))
        assert response.status_code == 200, name
    response = admin_client.get(reverse("admin:catalog_power_changelist") + "?q=旧名称")
    assert "ADM-1" in response.content.decode()


def test_editing_a_version_writes_the_next_version(admin_client, power):
    v1 = power.latest
    url = reverse("admin:catalog_powerversion_change", args=[v1.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    data = form_data(response)
    data["name"] = "新名称"
    data["materials-1-deferrable"] = "on"  # 图纸 becomes deferrable
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    v1.refresh_from_db()
    v2 = power.latest
    assert v2.version == 2 and v2.name == "新名称" and v2.effective_from == TODAY
    assert [(m.name, m.deferrable) for m in v2.materials.order_by("seq")] == [
        ("申请书", False),
        ("图纸", True),
    ]
    assert v2.duties.count() == 1
    # The old version is as it was, and closed yesterday.
    assert v1.name == "旧名称" and v1.effective_to == TODAY - dt.timedelta(days=1)
    assert not v1.materials.filter(deferrable=True).exists()
    assert response.url == reverse("admin:catalog_powerversion_change", args=[v2.pk])
    entry = JournalEntry.objects.get(action="catalog.power.revised")
    assert entry.source == "admin" and entry.actor_name.endswith("(root)")


def test_saving_without_changes_writes_nothing(admin_client, power):
    v1 = power.latest
    url = reverse("admin:catalog_powerversion_change", args=[v1.pk])
    journal = JournalEntry.objects.count()
    response = admin_client.post(url, form_data(admin_client.get(url)))
    assert response.status_code == 302
    assert power.versions.count() == 1 and JournalEntry.objects.count() == journal


def test_a_bad_edit_is_refused_and_nothing_written(admin_client, power):
    v1 = power.latest
    url = reverse("admin:catalog_powerversion_change", args=[v1.pk])
    data = form_data(admin_client.get(url))
    data["materials-0-deferrable"] = "on"  # an essential material may never be deferred
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error
    assert power.versions.count() == 1


def test_older_versions_are_read_only(admin_client, power):
    v1 = power.latest
    services.revise_power(power.pk, changes={"name": "第二版"})
    url = reverse("admin:catalog_powerversion_change", args=[v1.pk])
    response = admin_client.get(url)
    assert response.status_code == 200 and b'name="name"' not in response.content
    response = admin_client.post(url, {"name": "篡改"})
    assert response.status_code == 403
    v1.refresh_from_db()
    assert v1.name == "旧名称"


def test_adding_a_power_creates_version_one(admin_client):
    dep = DepartmentFactory()
    response = admin_client.post(
        reverse("admin:catalog_power_add"),
        {
            "code": "NEW-1",
            "name": "新增事项",
            "kind": "licensing",
            "department": dep.pk,
            "source": "admin",
            "effective_from": TODAY.isoformat(),
            "responsibility-TOTAL_FORMS": "0",
            "responsibility-INITIAL_FORMS": "0",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    power = Power.objects.get(code="NEW-1")
    assert power.latest.name == "新增事项"
    entry = JournalEntry.objects.get(action="catalog.power.created")
    assert entry.source == "admin"


def test_assigning_responsibility_in_the_admin(admin_client, power):
    section = SectionFactory()
    post = PostFactory(section=section)
    response = admin_client.post(
        reverse("admin:catalog_responsibility_add"),
        {"power": power.pk, "section": section.pk, "post": post.pk},
    )
    assert response.status_code == 302
    assert Responsibility.objects.get(power=power).post == post
    assert JournalEntry.objects.get(action="catalog.responsibility.assigned").source == "admin"
    wrong = PostFactory()  # a post of another section
    resp = Responsibility.objects.get(power=power)
    response = admin_client.post(
        reverse("admin:catalog_responsibility_change", args=[resp.pk]),
        {"power": power.pk, "section": section.pk, "post": wrong.pk},
    )
    assert Responsibility.objects.get(power=power).post == post


def test_deleting_a_power_in_the_admin(admin_client, power):
    response = admin_client.post(
        reverse("admin:catalog_power_delete", args=[power.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Power.objects.filter(pk=power.pk).exists()
    assert JournalEntry.objects.get(action="catalog.power.deleted").source == "admin"
