"""The PDFs: the licence certificate shows its Chinese text (font embedded, so a machine without
a CJK font renders it), and its QR code decodes to the public verification URL. Rendered with
poppler (pdftotext, pdftoppm, pdffonts) and decoded with zbarimg."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from shenguan.approvals import documents, factories, services

pytestmark = pytest.mark.django_db

ARTIFACTS = (
    Path(settings.BASE_DIR if hasattr(settings, "BASE_DIR") else Path.cwd()) / "test-artifacts"
)


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is required in CI (install poppler-utils / zbar-tools)")
        pytest.skip(
            f"{binary} is not installed (poppler-utils / zbar-tools); set CI to make this fail"
        )
    return path


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def licence(flow, item, travel, settings):
    settings.PUBLIC_URL = "https://shenguan.example.gov.cn"
    travel(dt.date(2026, 2, 10))
    flow.create(route="commitment")
    flow.provide()
    services.sign_commitment(flow.app.pk, signer_name="王五", user=flow.user)
    flow.submit()
    flow.accept()
    services.approve(
        flow.app.pk, user=item.holder_user, conditions="经营项目：预包装食品（含冷藏冷冻食品）销售"
    )
    return flow.app.licences.get()


def test_licence_pdf_shows_chinese_text_and_a_qr_code_to_the_verification_page(
    licence, item, tmp_path
):
    need("pdftotext")
    need("pdftoppm")
    need("zbarimg")
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(documents.licence_pdf(licence))
    assert pdf.read_bytes().startswith(b"%PDF")

    text = run("pdftotext", "-layout", str(pdf), "-")
    assert item.version.name in text
    assert licence.holder_name in text
    assert licence.number in text
    assert "预包装食品" in text
    assert "葛店开发区行政审批局" in text

    if shutil.which("pdffonts"):
        fonts = run("pdffonts", str(pdf))
        line = next(x for x in fonts.splitlines() if "WenQuanYi" in x)
        assert " yes " in line  # embedded (subset)

    run("pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "licence"))
    png = tmp_path / "licence.png"
    assert png.stat().st_size > 20_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "approvals-licence.png")

    decoded = run("zbarimg", "--quiet", "--raw", str(png)).strip()
    expected = f"https://shenguan.example.gov.cn/verify/{licence.verification_number}"
    assert decoded == expected


def test_font_ships_with_the_code():
    assert documents.FONT_PATH.exists()
    assert (documents.FONT_PATH.parent / "LICENSE-Apache-2.0.txt").exists()
    assert documents.register_font() == documents.FONT_NAME


def test_receipt_and_notice_pdfs(flow, item, travel, tmp_path):
    need("pdftotext")
    travel(dt.date(2026, 2, 10))
    flow.create()
    flow.provide(item.essential)
    flow.submit()
    notice = services.notify_deficiency(flow.app.pk, user=flow.clerk)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(documents.notice_pdf(notice))
    text = run("pdftotext", str(pdf), "-")
    assert "一次性告知书" in text
    assert "非要件材料1" in text and "非要件材料2" in text
    assert "第三十二条" in text

    factories.provide_all(flow.app, item.optional, flow.user)
    services.resubmit(flow.app.pk, user=flow.user)
    app = services.accept(flow.app.pk, user=flow.clerk)
    receipt = app.receipts.get()
    pdf.write_bytes(documents.receipt_pdf(receipt))
    text = run("pdftotext", str(pdf), "-")
    assert "受理通知书" in text
    assert receipt.number in text
    assert "2026年03月16日" in text  # the statutory due date printed on the receipt


def test_commitment_pdf(flow, item, travel, tmp_path):
    need("pdftotext")
    travel(dt.date(2026, 2, 10))
    app = flow.create(route="commitment")
    pdf = tmp_path / "commitment.pdf"
    pdf.write_bytes(documents.commitment_pdf(app.commitments.get()))
    text = run("pdftotext", str(pdf), "-")
    assert "告知承诺书" in text
    assert "不实承诺的法律责任" in text
