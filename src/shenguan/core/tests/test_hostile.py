"""Hostile input: uploads checked by their bytes and size, not their name; any Unicode in names,
addresses and free text stored and rendered safely (escaped in pages, never read as markup in
PDFs); malformed imports rejected with a report and nothing imported."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shenguan.approvals import factories as approval_factories
from shenguan.approvals import services as approval_services
from shenguan.approvals.models import Licence, MaterialSubmission
from shenguan.catalog.models import Power, PowerVersion
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.parties.factories import generated_uscc
from shenguan.parties.models import Party

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
RTL = "\u202eexe.txt"
EMOJI = "🏭👩‍🔧🇨🇳"
HOSTILE_NAME = f"恶意企业{SCRIPT}{RTL}{EMOJI}<b>粗</b>&amp;"


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 2, 10, 1, 0, tzinfo=dt.UTC), tick=False)


# --- uploads --------------------------------------------------------------------------------


@pytest.fixture
def draft(today):
    item = approval_factories.approval_item()
    user, party = approval_factories.applicant_user()
    app = approval_services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    return item, app, user


def _upload(client, url, name, data, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields})


def test_material_upload_checks_bytes_not_name_and_size(client, draft, settings):
    item, app, user = draft
    client.force_login(user)
    material = item.materials[0]
    url = f"/api/approvals/applications/{app.pk}/materials/{material.pk}/file"

    # an executable (or HTML) named .pdf is refused by its content
    for data in (b"MZ\x90\x00\x03" + b"\x00" * 100, b"<html><script>alert(1)</script></html>"):
        response = _upload(client, url, "合同.pdf", data)
        assert response.status_code == 400, response.content
        assert response.json()["type"].endswith("#file_type")
    # over the limit
    settings.SHENGUAN_MATERIAL_MAX_MB = 1
    response = _upload(client, url, "大文件.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    assert response.status_code == 400 and response.json()["type"].endswith("#file_too_large")
    # empty
    response = _upload(client, url, "空.pdf", b"")
    assert response.status_code in (400, 422)
    sub = MaterialSubmission.objects.filter(application=app, material=material).first()
    assert sub is None or sub.file_id is None
    assert _media_files(settings) == []  # nothing left on disk

    # a real PDF under the limit is accepted (so the refusals above are not blanket ones)
    response = _upload(client, url, "合同.pdf", approval_factories.PDF_BYTES)
    assert response.status_code == 200, response.content
    assert len(_media_files(settings)) == 1


@pytest.fixture
def inspection(time_machine):
    from shenguan.enforcement.factories import bureau
    from shenguan.enforcement.inspections import services as inspections

    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), tick=False)
    b = bureau()
    insp = inspections.create_inspection(
        source="verification",
        source_type="verification.task",
        source_id=99,
        subject="检查",
        party_id=b.company.pk,
        power_id=b.inspection_power.pk,
        officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        due_on=dt.date(2026, 3, 12),
        user=b.head,
    )
    inspections.start_inspection(insp.pk, user=b.officer1)
    return b, insp


def test_evidence_upload_checks_bytes_and_size(client, inspection, settings):
    b, insp = inspection
    client.force_login(b.officer1)
    url = f"/api/enforcement/inspections/{insp.pk}/evidence"
    response = _upload(client, url, "现场.pdf", b"#!/bin/sh\nrm -rf /\n", place="现场")
    assert response.status_code == 400 and response.json()["type"].endswith("#file_type")
    settings.SHENGUAN_EVIDENCE_MAX_MB = 1
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024)
    response = _upload(client, url, "现场.png", big, place="现场")
    assert response.status_code == 400 and response.json()["type"].endswith("#file_too_large")
    assert insp.evidence.count() == 0
    assert _media_files(settings) == []


def test_case_evidence_with_non_numeric_officer_ids_is_a_400_not_a_500(client, make_user):
    """Found by schemathesis: ``officer_ids=abc`` crashed the case evidence endpoint."""
    client.force_login(make_user("enforcement_officer", staff=True))
    response = _upload(
        client,
        "/api/enforcement/cases/1/evidence",
        "a.png",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        place="现场",
        officer_ids="签收状态,1",
    )
    assert response.status_code == 400, response.content
    assert "officer_ids" in response.json()["errors"]


# --- Unicode and markup in names, addresses, free text ---------------------------------------


@pytest.fixture
def clerk(client, make_user):
    user = make_user("window_clerk", staff=True)
    client.force_login(user)
    return user


def test_hostile_unicode_is_stored_whole_and_escaped_in_pages(client, clerk):
    from shenguan.core.testing import ApiClientHelper

    api = ApiClientHelper(client)
    long_text = "长" * 10_000
    status, body = api.post(
        "/api/parties/enterprises",
        {
            "name": HOSTILE_NAME,
            "uscc": generated_uscc(501),
            "legal_representative": f"{RTL}张三{EMOJI}",
            "industry": SCRIPT,
            "addresses": [{"kind": "registered", "text": f"{SCRIPT}创业路8号{RTL}"}],
        },
    )
    assert status == 201, body
    party = Party.objects.get(pk=body["id"])
    assert party.name == HOSTILE_NAME  # stored exactly, nothing stripped or mangled
    assert party.addresses.get().text == f"{SCRIPT}创业路8号{RTL}"

    page = client.get(f"/parties/{party.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert" not in html and "<b>粗</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "\u202e" in html and EMOJI in html  # shown, not dropped
    listing = client.get("/parties/", {"q": "恶意企业"})
    assert listing.status_code == 200 and "<script>alert" not in listing.content.decode()

    # too long and NUL bytes are refused with a 4xx on every database (PostgreSQL cannot
    # store NUL in text, SQLite would silently keep it)
    for name in (long_text, "企业\x00名称"):
        status, body = api.post(
            "/api/parties/enterprises", {"name": name, "uscc": generated_uscc(502)}
        )
        assert 400 <= status < 500, (status, body)
    assert not Party.objects.filter(uscc=generated_uscc(502)).exists()
    status, body = api.get("/api/parties?q=%00abc")
    assert 400 <= status < 500, (status, body)


def test_markup_in_names_is_never_read_as_pdf_markup(client, today, monkeypatch):
    """reportlab paragraphs read a mini-HTML; every user text must reach them escaped, or a
    name could restyle, hide or break the certificate."""
    from reportlab import platypus

    from shenguan.approvals import documents

    seen: list[str] = []
    real = platypus.Paragraph.__init__

    def spy(self, text, *args, **kwargs):
        seen.append(text)
        real(self, text, *args, **kwargs)

    monkeypatch.setattr(platypus.Paragraph, "__init__", spy)

    item = approval_factories.approval_item(name=f"许可{SCRIPT}")
    user, party = approval_factories.applicant_user(name=HOSTILE_NAME)
    clerk = approval_factories.clerk_user()
    app = approval_services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    approval_factories.provide_all(app, item.materials, user)
    approval_services.submit(app.pk, user=user)
    approval_services.accept(app.pk, user=clerk)
    approval_services.approve(
        app.pk, user=item.holder_user, opinion=f"同意{SCRIPT}", issue_now=True
    )
    licence = Licence.objects.get(application=app)
    client.force_login(item.holder_user)
    response = client.get(f"/api/approvals/licences/{licence.pk}/pdf")
    assert response.status_code == 200, response.content
    assert response.content.startswith(b"%PDF")
    joined = "\n".join(seen)
    assert "恶意企业" in joined  # the name did reach the document …
    assert "<script" not in joined and "<b>粗</b>" not in joined  # … as text, not markup
    assert "&lt;script&gt;" in joined

    # enforcement documents go through the same text renderer
    seen.clear()
    pdf = documents.text_pdf(
        f"决定书{SCRIPT}",
        "鄂葛执罚〔2026〕1号",
        [HOSTILE_NAME, "<font size=80>巨</font>", "a < b && c > d", "\x00控制字符"],
        issuer="执法局<i>",
        date=dt.date(2026, 2, 10),
    )
    assert pdf.startswith(b"%PDF")
    joined = "\n".join(seen)
    assert "<script" not in joined and "<font" not in joined and "<i>" not in joined


# --- malformed imports ---------------------------------------------------------------------

CATALOG_HEADER = (
    "code,kind,department,name,approval_class,statutory_limit_days,promised_limit_days,"
    "effective_from"
)


def _catalog_counts():
    return Power.objects.count(), PowerVersion.objects.count(), JournalEntry.objects.count()


def _rejected(path: Path) -> str:
    before = _catalog_counts(), OutboxEvent.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(path))
    assert (_catalog_counts(), OutboxEvent.objects.count()) == before  # nothing imported
    return str(exc.value)


def test_catalog_import_in_gbk_labelled_utf8_is_rejected(tmp_path):
    path = tmp_path / "powers.csv"
    text = CATALOG_HEADER + "\nGBK-1,licensing,行政审批局,食品经营许可,,20,10,\n"
    path.write_bytes(text.encode("gbk"))
    report = _rejected(path)
    assert "UTF-8" in report or "utf-8" in report.lower() or "编码" in report


def test_catalog_import_with_missing_columns_names_them(tmp_path):
    path = tmp_path / "powers.csv"
    path.write_text("code,title\nX-1,无名称列\n", encoding="utf-8")
    report = _rejected(path)
    assert report.strip()


def test_catalog_import_of_100000_bad_rows_is_rejected_whole(tmp_path):
    path = tmp_path / "powers.csv"
    good = "OK-1,licensing,行政审批局,正常事项,,20,10,"
    bad = "BAD-{n},not-a-kind,,,,-5,abc,2026-13-45"
    lines = [CATALOG_HEADER, good] + [bad.format(n=n) for n in range(100_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _rejected(path)
    assert "第 3 行" in report  # the faults are named by their row …
    assert len(report) < 200_000  # … in a report a person can read, not a 40 MB dump
    assert "另有" in report  # with the count of the faults not listed


def test_catalog_import_of_a_broken_or_wrong_xlsx_is_rejected(tmp_path):
    from openpyxl import Workbook

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    assert "XLSX" in _rejected(broken)

    wrong = tmp_path / "wrong.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "备注"])
    for n in range(200):
        sheet.append([f"W-{n}", "<script>alert(1)</script>"])
    book.save(wrong)
    assert _rejected(wrong).strip()


def test_numbers_beyond_64_bits_are_a_400_not_a_500(client, clerk):
    """Found by schemathesis on PostgreSQL: ``?offset=4625170662818818324848181248`` overflowed
    the SQL OFFSET (``bigint out of range``, a 500)."""
    from shenguan.core.testing import ApiClientHelper

    api = ApiClientHelper(client)
    huge = "4625170662818818324848181248"
    for path in (
        f"/api/org/departments?offset={huge}",
        f"/api/parties?limit=5&offset={huge}",
        f"/api/org/sections?department_id={huge}",
    ):
        status, body = api.get(path)
        assert status == 400, (path, status, body)
        assert body["type"].endswith("#out_of_range")
    status, body = api.post(
        "/api/parties/enterprises",
        {"name": "大数企业", "uscc": generated_uscc(503), "grid_id": int(huge)},
    )
    assert status == 400, body  # (ninja reports a refused JSON body as unparseable)
    status, body = api.get("/api/org/departments?offset=9223372036854775807&limit=5")
    assert status in (200, 400), body  # the largest 64-bit offset is not an overflow either
