"""Pages with Django's test client: status, content, permissions, masking, query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shenguan.catalog.models import Duty, Material
from shenguan.core import journal
from shenguan.core.context import acting_as
from shenguan.parties.models import PartyAccount
from shenguan.parties.validators import mask_ric

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["portal:org", "portal:parties", "portal:journal"]


def text(response) -> str:
    return response.content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- home -------------------------------------------------------------------------------


def test_home_for_anonymous_introduces_the_system(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    body = text(response)
    assert "审管" in body
    assert reverse("portal:catalog") in body
    assert reverse("login") in body
    # counts of the published list: 3 powers in force, 1 of them enforcement
    assert re.search(r'data-stat="powers">\s*3<', body)
    assert re.search(r'data-stat="enforcement">\s*1<', body)
    # no staff navigation for the public
    assert reverse("portal:org") not in body
    assert reverse("portal:journal") not in body


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        ("window_clerk", ["portal:parties", "portal:org"], ["portal:journal"]),
        ("bureau_head", ["portal:journal", "portal:org", "portal:parties"], []),
        ("command_centre", ["portal:journal", "portal:parties"], []),
        ("grid_worker", ["portal:parties", "portal:org"], ["portal:journal"]),
        ("enforcement_officer", ["portal:parties"], ["portal:journal"]),
        ("applicant", ["portal:catalog"], ["portal:parties", "portal:org", "portal:journal"]),
    ],
)
def test_dashboard_offers_the_screens_of_each_role(client, make_user, org, role, expected, absent):
    user = make_user(role, username=f"u_{role}")
    client.force_login(user)
    body = text(client.get("/"))
    assert f'data-role="{role}"' in body
    for name in expected:
        assert reverse(name) in body, name
    for name in absent:
        assert reverse(name) not in body, name
    assert "later release" not in body and "敬请期待" not in body


def test_dashboard_has_a_card_per_role_and_admin_link_for_administrators(client, make_user, org):
    user = make_user("administrator", "command_centre", username="boss", is_staff=True)
    client.force_login(user)
    body = text(client.get("/"))
    assert 'data-role="administrator"' in body and 'data-role="command_centre"' in body
    assert reverse("admin:index") in body
    assert reverse("api:openapi-view") in body


def test_applicant_dashboard_lists_own_parties_with_full_identifier(client, make_user, parties):
    user = make_user("applicant", username="applicant1")
    own = parties["in_grid"]
    PartyAccount.objects.create(user=user, party=own)
    client.force_login(user)
    body = text(client.get("/"))
    assert own.name in body
    assert own.id_number in body  # their own number, unmasked
    assert parties["other_grid"].name not in body


# --- login ------------------------------------------------------------------------------


def test_login_page_renders_a_tabler_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = text(response)
    assert 'name="username"' in body and 'class="form-control' in body
    assert "csrfmiddlewaretoken" in body


def test_login_errors_are_shown_next_to_the_fields(client, make_user):
    make_user("window_clerk", username="clerk")
    response = client.post(reverse("login"), {"username": "clerk", "password": ""})
    body = text(response)
    assert response.status_code == 200
    assert 'id="id_password_error"' in body and "is-invalid" in body
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong-password"})
    assert "alert-danger" in text(response)


def test_login_then_logout_by_post(client, make_user):
    make_user("window_clerk", username="clerk")
    response = client.post(
        reverse("login"), {"username": "clerk", "password": "Shenguan-demo-2026"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert client.get(reverse("logout")).status_code == 405  # logging out needs a POST
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


# --- power list ---------------------------------------------------------------------------


def test_power_list_is_public_and_shows_current_versions(client, catalog):
    response = client.get(reverse("portal:catalog"))
    assert response.status_code == 200
    body = text(response)
    assert "食品经营许可" in body
    assert "旧版1" not in body  # only the version in force is listed
    assert 'data-value="controlled"' in body and "bg-red-lt" in body
    assert "个体工商户登记" in body and "对未取得食品经营许可" in body


@pytest.mark.parametrize(
    ("query", "present", "missing"),
    [
        ({"kind": "penalty"}, ["对未取得食品经营许可"], ["个体工商户登记"]),
        ({"approval_class": "encouraged"}, ["个体工商户登记"], ["食品经营许可申请书", "处罚"]),
        ({"q": "个体"}, ["个体工商户登记"], ["对未取得"]),
        ({"q": "ZF-CF"}, ["对未取得食品经营许可"], ["个体工商户登记"]),
    ],
)
def test_power_list_filters(client, catalog, query, present, missing):
    body = text(client.get(reverse("portal:catalog"), query))
    results = body[body.index('id="results"') :]
    for word in present:
        assert word in results
    for word in missing:
        assert word not in results


def test_power_list_filters_by_department(client, catalog, org):
    body = text(client.get(reverse("portal:catalog"), {"department": org["enforcement"].pk}))
    results = body[body.index('id="results"') :]
    assert "对未取得食品经营许可" in results and "个体工商户登记" not in results


def test_power_list_shows_an_invalid_filter_next_to_the_field(client, catalog):
    response = client.get(reverse("portal:catalog"), {"kind": "nonsense"})
    assert response.status_code == 200
    body = text(response)
    assert 'id="id_kind_error"' in body
    assert "个体工商户登记" in body  # the bad filter is ignored, the list still shows


def test_power_list_paginates(client, org):
    from .conftest import make_power

    for n in range(60):
        make_power(f"PAGE-{n:03d}", f"分页事项{n:03d}", "other", org["approval"])
    first = text(client.get(reverse("portal:catalog")))
    assert "分页事项000" in first and "分页事项055" not in first
    assert "page=2" in first
    second = text(client.get(reverse("portal:catalog"), {"page": 2}))
    assert "分页事项055" in second and "分页事项000" not in second


def test_htmx_request_gets_only_the_results(client, catalog):
    response = client.get(
        reverse("portal:catalog"), {"kind": "penalty"}, headers={"HX-Request": "true"}
    )
    body = text(response)
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


# --- power detail -------------------------------------------------------------------------


def test_power_detail_shows_version_materials_duties_and_responsibility(client, catalog, org):
    power = catalog["licence"]
    response = client.get(reverse("portal:power", args=[power.code]))
    assert response.status_code == 200
    body = text(response)
    assert "食品经营许可申请书" in body and "场所平面图" in body
    assert 'data-value="essential"' in body and 'data-value="deferrable"' in body
    assert "依法受理申请材料" in body and "作出准予或不予许可决定" in body
    assert 'data-post="holder">张审批<' in body and 'data-post="backup">李备岗<' in body
    assert "市场准入科" in body
    assert "食品安全法" in body
    # history lists both versions; the current one is marked
    assert "?version=1" in body and "?version=2" in body


def test_power_detail_shows_an_older_version_on_request(client, catalog):
    power = catalog["licence"]
    body = text(client.get(reverse("portal:power", args=[power.code]), {"version": 1}))
    assert "旧版1" in body
    assert "alert-warning" in body  # says this is not the version in force


def test_power_detail_shows_the_backup_acting_when_the_holder_is_absent(client, catalog, org):
    holder = org["holder"]
    holder.is_absent = True
    holder.save()
    body = text(client.get(reverse("portal:power", args=[catalog["licence"].code])))
    assert "现由 李备岗 接替" in body


def test_power_detail_names_generated_fields_by_their_labels(client, catalog):
    version = catalog["licence"].versions.get(version=2)
    version.generated_fields = ["approval_class", "materials"]
    version.save()
    body = text(client.get(reverse("portal:power", args=[catalog["licence"].code])))
    note = body[body.index("并非官方公布") :]
    note = note[: note.index("</div>")]
    assert "审批分类、申请材料" in note
    assert "approval_class" not in note


def test_power_detail_unknown_code_or_version_is_404(client, catalog):
    assert client.get(reverse("portal:power", args=["NO-SUCH"])).status_code == 404
    url = reverse("portal:power", args=[catalog["licence"].code])
    assert client.get(url, {"version": 9}).status_code == 404


def test_power_detail_query_count_is_constant(client, catalog, django_assert_max_num_queries):
    power = catalog["licence"]
    version = power.versions.get(version=2)
    url = reverse("portal:power", args=[power.code])
    before = count_queries(client, url)
    for n in range(3, 20):
        Material.objects.create(version=version, seq=n, name=f"材料{n}", essential=False)
        Duty.objects.create(version=version, seq=n, stage="review", text=f"审查{n}")
    assert count_queries(client, url) == before
    with django_assert_max_num_queries(6):
        client.get(url)


# --- staff pages: who may open them --------------------------------------------------------


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_refuse_applicants(client, make_user, name):
    client.force_login(make_user("applicant", username="applicant2"))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "无权访问" in text(response)


def test_party_detail_refuses_applicants_and_hides_parties_outside_scope(
    client, make_user, parties, grid_worker
):
    client.force_login(make_user("applicant", username="applicant3"))
    assert client.get(reverse("portal:party", args=[parties["in_grid"].pk])).status_code == 403
    client.force_login(grid_worker)
    assert client.get(reverse("portal:party", args=[parties["in_grid"].pk])).status_code == 200
    assert client.get(reverse("portal:party", args=[parties["other_grid"].pk])).status_code == 404


# --- organisation directory ---------------------------------------------------------------


def test_org_directory_lists_departments_posts_and_grids(client, make_user, org):
    client.force_login(make_user("window_clerk", username="clerk2"))
    body = text(client.get(reverse("portal:org")))
    for word in ["行政审批局", "综合执法局", "市场准入科", "食品经营许可审查", "张审批", "李备岗"]:
        assert word in body
    assert f'data-acting="{org["post"].code}">张审批<' in body
    assert "葛店社区" in body and "王网格" in body and "13900000001" in body


def test_org_directory_lists_departments_without_sections_compactly(client, make_user, org):
    from shenguan.org.factories import DepartmentFactory

    DepartmentFactory(code="ZZ-1", name="区财政局")
    client.force_login(make_user("window_clerk", username="clerk7"))
    body = text(client.get(reverse("portal:org")))
    other = body[body.index('id="other-departments"') :]
    assert "区财政局" in other and "行政审批局" not in other


def test_org_directory_shows_backup_acting(client, make_user, org):
    org["holder"].is_absent = True
    org["holder"].save()
    client.force_login(make_user("bureau_head", username="head"))
    body = text(client.get(reverse("portal:org")))
    assert f'data-acting="{org["post"].code}">李备岗<' in body


# --- parties ----------------------------------------------------------------------------


def test_grid_worker_sees_own_grid_with_masked_ids(client, parties, grid_worker):
    client.force_login(grid_worker)
    response = client.get(reverse("portal:parties"))
    assert response.status_code == 200
    body = text(response)
    person = parties["in_grid"]
    assert person.name in body
    assert mask_ric(person.id_number) in body
    assert person.id_number not in body
    assert parties["enterprise"].uscc in body  # credit codes are public
    assert parties["other_grid"].name not in body  # another grid's party is out of scope


def test_grid_worker_cannot_search_by_resident_id(client, parties, grid_worker):
    client.force_login(grid_worker)
    person = parties["in_grid"]
    body = text(client.get(reverse("portal:parties"), {"q": person.id_number[-6:]}))
    results = body[body.index('id="results"') :]
    assert person.name not in results


def test_window_clerk_sees_every_party_with_full_ids(client, make_user, parties):
    client.force_login(make_user("window_clerk", username="clerk3"))
    body = text(client.get(reverse("portal:parties")))
    for party in parties.values():
        assert party.name in body
    assert parties["in_grid"].id_number in body
    # and may search by the number
    body = text(client.get(reverse("portal:parties"), {"q": parties["other_grid"].id_number}))
    results = body[body.index('id="results"') :]
    assert parties["other_grid"].name in results and parties["in_grid"].name not in results


def test_command_centre_sees_masked_ids(client, make_user, parties):
    client.force_login(make_user("command_centre", username="cc"))
    body = text(client.get(reverse("portal:parties")))
    assert parties["other_grid"].name in body  # zone-wide
    assert parties["other_grid"].id_number not in body
    assert mask_ric(parties["other_grid"].id_number) in body


def test_party_filters(client, make_user, parties, org):
    client.force_login(make_user("window_clerk", username="clerk4"))
    body = text(client.get(reverse("portal:parties"), {"kind": "enterprise"}))
    results = body[body.index('id="results"') :]
    assert parties["enterprise"].name in results and parties["in_grid"].name not in results
    body = text(client.get(reverse("portal:parties"), {"grid": org["grid_b"].pk}))
    results = body[body.index('id="results"') :]
    assert parties["other_grid"].name in results and parties["in_grid"].name not in results


def test_party_detail_masks_for_grid_worker(client, parties, grid_worker):
    client.force_login(grid_worker)
    person = parties["in_grid"]
    body = text(client.get(reverse("portal:party", args=[person.pk])))
    assert mask_ric(person.id_number) in body and person.id_number not in body


# --- journal ----------------------------------------------------------------------------


def _journal_entries(parties):
    with acting_as(None, source="command", name="command:test"), transaction.atomic():
        journal.record("parties.party.created", parties["in_grid"], after={"name": "刘居民"})
        journal.record("org.grid.updated", parties["in_grid"].grid, after={"name": "葛店社区"})


@pytest.mark.parametrize("role", ["command_centre", "bureau_head", "administrator"])
def test_journal_is_open_to_command_centre_heads_and_admins(client, make_user, parties, role):
    _journal_entries(parties)
    client.force_login(make_user(role, username=f"j_{role}"))
    response = client.get(reverse("portal:journal"))
    assert response.status_code == 200
    body = text(response)
    assert "parties.party.created" in body and "org.grid.updated" in body
    assert "command:test" in body


@pytest.mark.parametrize("role", ["window_clerk", "grid_worker", "legal_reviewer"])
def test_journal_is_closed_to_other_staff(client, make_user, role):
    client.force_login(make_user(role, username=f"nj_{role}"))
    assert client.get(reverse("portal:journal")).status_code == 403


def test_journal_filters(client, make_user, parties):
    _journal_entries(parties)
    client.force_login(make_user("command_centre", username="cc2"))
    url = reverse("portal:journal")
    results = lambda r: text(r)[text(r).index('id="results"') :]  # noqa: E731
    body = results(client.get(url, {"action": "parties."}))
    assert "parties.party.created" in body and "org.grid.updated" not in body
    body = results(client.get(url, {"object_type": "org.grid"}))
    assert "org.grid.updated" in body and "parties.party.created" not in body
    body = results(client.get(url, {"source": "api"}))
    assert "parties.party.created" not in body
    response = client.get(url, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert 'id="id_date_to_error"' in text(response)


# --- language ---------------------------------------------------------------------------


def test_english_after_switching_language(client, catalog):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/catalog/"})
    assert response.status_code == 302
    body = text(client.get(reverse("portal:catalog")))
    assert '<html lang="en">' in body
    assert "Power list" in body
    assert "Controlled" in body  # the approval class badge, translated
    body = text(client.get("/"))
    assert "Staff login" in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "权力清单" in text(client.get(reverse("portal:catalog")))


def test_pages_work_without_javascript_markup(client, catalog):
    """Every link and form is plain HTML: the menu is reachable with JavaScript off and the
    filter form submits with GET."""
    body = text(client.get(reverse("portal:catalog")))
    assert 'method="get"' in body
    assert "noscript.css" in body
    assert 'href="/static/vendor/tabler/tabler.min.css"' in body
    assert "cdn" not in body.lower()


# --- query counts: a page costs the same whatever its length -------------------------------


def _grow(org, parties, n):
    from shenguan.org.factories import PostFactory, SectionFactory
    from shenguan.parties.factories import IndividualFactory

    from .conftest import make_power

    IndividualFactory.create_batch(n, grid=org["grid_a"])
    with acting_as(None, source="command", name="command:test"), transaction.atomic():
        for i in range(n):
            journal.record("test.thing.touched", parties["in_grid"], after={"i": i})
    for i in range(n):
        make_power(
            f"QC-{n}-{i:03d}", f"事项{i}", "licensing", org["approval"], section=org["market"]
        )
        section = SectionFactory(department=org["approval"], code=f"X{n}-{i}", name=f"科{n}-{i}")
        PostFactory(section=section, code=f"XP{n}-{i}")


@pytest.mark.parametrize(
    ("name", "cap"),
    [
        ("home", 12),
        ("portal:catalog", 9),
        ("portal:org", 11),
        ("portal:parties", 9),
        ("portal:journal", 8),
    ],
)
def test_list_pages_use_a_constant_number_of_queries(
    client, make_user, org, parties, catalog, name, cap
):
    client.force_login(make_user("bureau_head", "administrator", username="counter"))
    url = reverse(name)
    _grow(org, parties, 2)
    small = count_queries(client, url)
    _grow(org, parties, 30)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with few rows, {large} with many"
    assert large <= cap


def test_public_power_list_query_count(
    client, org, parties, catalog, django_assert_max_num_queries
):
    _grow(org, parties, 30)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("portal:catalog")).status_code == 200
