"""Enforcement pages: who may open them, what they show, the public procedure catalogue and
publicity page (names masked), the field app's PWA pieces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from shenguan.core.worker import Worker
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.inspections import services as inspections

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_procedure_catalogue_is_public(bureau):
    Worker().deliver_pending()  # the procedure map follows the catalogue
    response = Client().get("/enforcement/procedures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "行政处罚程序" in html and "行政处罚法第五十一条、第五十二条" in html
    assert bureau.penalty_power.code in html
    assert 'data-procedure="penalty"' in html and 'data-count="1"' in html


def test_case_pages_are_scoped(flow):
    b = flow.b
    case = flow.to(S.PROPOSED)
    response = login(b.officer1).get(f"/enforcement/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "§8.35" in html and "20000" in html  # the discretion calculation is shown
    assert login(b.other_officer).get(f"/enforcement/cases/{case.pk}/").status_code == 404
    assert Client().get(f"/enforcement/cases/{case.pk}/").status_code == 302  # to the login
    doc = case.documents.first()
    pdf = login(b.officer1).get(f"/enforcement/documents/{doc.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_legal_pages_need_the_legal_section(flow):
    b = flow.b
    case = flow.to(S.LEGAL_REVIEW, major=True)
    assert login(b.officer1).get("/enforcement/legal/").status_code == 403
    response = login(b.legal).get("/enforcement/legal/")
    assert response.status_code == 200 and case.number in response.content.decode()
    response = login(b.legal).get(f"/enforcement/legal/cases/{case.pk}/")
    assert response.status_code == 200 and 'name="opinion"' in response.content.decode()
    # the command centre watches: it sees the case but is offered no opinion form
    response = login(b.command).get(f"/enforcement/legal/cases/{case.pk}/")
    assert response.status_code == 200 and 'name="opinion"' not in response.content.decode()
    response = login(b.legal).post(
        f"/enforcement/legal/cases/{case.pk}/", {"opinion": "reject", "text": ""}
    )
    assert response.status_code == 302
    assert flow.refresh().status == S.LEGAL_REVIEW  # refused: a rejection states its reasons
    live = login(b.legal).get("/enforcement/legal/live/", headers={"HX-Request": "true"})
    assert live.status_code == 200 and 'hx-trigger="every 30s"' in live.content.decode()
    assert login(b.legal).get("/enforcement/legal/alerts/").status_code == 200
    assert login(b.legal).get("/enforcement/legal/guidance/").status_code == 200


def test_field_pages_are_installable_and_use_the_camera(bureau, travel):
    from .conftest import START

    travel(START)
    b = bureau
    task = inspections.create_inspection(
        source="draw",
        subject="双随机抽查",
        party_id=b.company.pk,
        officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        user=b.head,
    )
    client = login(b.officer1)
    html = client.get("/enforcement/field/").content.decode()
    assert task.number in html and 'rel="manifest"' in html and "field.js" in html
    inspections.start_inspection(task.pk, user=b.officer1)
    html = client.get(f"/enforcement/field/inspections/{task.pk}/").content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert (
        login(b.other_officer).get(f"/enforcement/field/inspections/{task.pk}/").status_code == 404
    )
    assert login(b.legal).get("/enforcement/field/").status_code == 403
    sw = client.get("/enforcement/field/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/enforcement/field/"
    manifest_path = Path(finders.find("enforcement/field/manifest.webmanifest"))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["start_url"] == "/enforcement/field/" and manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(f"enforcement/field/{icon['src']}")


def test_publicity_page_masks_individuals(flow):
    b = flow.b
    cases.decide_on_the_spot(
        party_id=b.person.pk,
        power_id=b.penalty_power.pk,
        facts="占道经营",
        violated_provision="条例第十七条",
        penalty_basis="条例第三十六条",
        sanction="warning",
        place="葛店大道",
        officer_ids=flow.pair,
        user=b.officer1,
    )
    Worker().deliver_pending()
    html = Client().get("/publicity/").content.decode()
    assert "张**" in html and b.person.name not in html and b.person.id_number not in html


def test_commands(bureau):
    from io import StringIO

    from django.core.management import call_command

    from shenguan.core.models import JournalEntry
    from shenguan.enforcement.procedures.models import GroupMember

    GroupMember.objects.all().delete()
    out = StringIO()
    call_command("enforcement", "sync-procedures", stdout=out)
    assert "2 added" in out.getvalue()
    assert JournalEntry.objects.filter(
        action="enforcement.procedures.synced", source="command"
    ).exists()
    out = StringIO()
    call_command("enforcement", "sweep", stdout=out)
    assert "alerts: 0 raised" in out.getvalue()
