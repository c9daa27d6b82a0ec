"""The whole approval in real Chromium (Debian's, through Playwright) against the live test
server, on 10 February 2026:

1. an applicant logs in, applies online for an encouraged item and uploads the essential
   materials (generated PDF and PNG bytes);
2. chooses the notification-commitment route (告知承诺) — the DOMAIN §5 default policy opens
   it to encouraged items for a B-tier applicant and lets every non-essential material be
   deferred — reads the written notice and signs it, deferring the one non-essential
   material to 27 February;
3. the window clerk logs in and accepts: the receipt shows the statutory and promised due
   dates of the 2026 calendar (16 March and 2 March: the Spring Festival 15–23 February is
   off, Saturdays 14 and 28 February are worked);
4. the responsible officer (A role of the item's post) sees it in the queue with those dates
   and approves; on the commitment route the licence is issued on the spot;
5. the applicant downloads the licence PDF (pdftotext finds the item's name);
6. the public verification page of the licence (the QR code's address) shows it valid.

Screenshots of every step: test-artifacts/screenshots/approvals-*.png."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
import time_machine

from shenguan.approvals import factories
from shenguan.approvals.choices import CommitmentStatus, LicenceStatus, Route, Status
from shenguan.approvals.models import Application, Licence
from shenguan.catalog.choices import ApprovalClass
from shenguan.core.factories import make_user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
PASSWORD = "Shenguan-demo-2026"  # the factories' password
CHINA = dt.timezone(dt.timedelta(hours=8))
ITEM_NAME = "食品经营许可（仅销售预包装食品）"
DEFERRED_DUE = "2026-02-27"
PROMISED_DUE = "2026-03-02"  # 10 working days from 10 February
STATUTORY_DUE = "2026-03-16"  # 20 working days


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop running in this thread; nothing async
    touches the ORM here (the live server answers from its own thread)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def png_bytes() -> bytes:
    """A real 8×8 grey PNG (a scanned page stand-in)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_apply_online_under_commitment_accept_approve_download_verify(
    browser, live_server, transactional_db, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    traveller = time_machine.travel(dt.datetime(2026, 2, 10, 9, 0, tzinfo=CHINA), tick=True)
    traveller.start()
    try:
        _run(browser, live_server, tmp_path)
    finally:
        traveller.stop()


def _run(browser, live_server, tmp_path):
    # --- data, through the factories and services ---------------------------------------
    item = factories.approval_item(
        approval_class=ApprovalClass.ENCOURAGED, essential=2, optional=1, name=ITEM_NAME
    )
    applicant, party = factories.applicant_user(name="葛店放心超市有限公司")
    clerk = make_user("window_clerk", staff=True, username="e2e_clerk", first_name="陈窗口")
    officer = item.holder_user
    essential, deferred = item.essential, item.optional[0]

    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(live_server.url) or r.url.startswith("data:")
            else outside.append(r.url)
        ),
    )
    url = live_server.url

    def shot(name: str):
        page.screenshot(path=str(SHOTS / f"approvals-{name}.png"), full_page=True)

    def login(user):
        page.goto(url + "/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").last.click()
        page.wait_for_url(url + "/")

    def logout():
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/login/")

    # --- 1. the applicant applies online ---------------------------------------------------
    login(applicant)
    page.get_by_role("link", name="网上办事").first.click()
    page.wait_for_url(url + "/apply/")
    shot("01-applicant-home")
    page.get_by_test_id("apply-new").click()
    page.fill("#id_q", "预包装")
    page.get_by_role("button", name="筛选").click()
    page.locator(f'[data-power="{item.power.code}"]').get_by_role("link", name="申请").click()
    page.get_by_test_id("create-application").click()
    page.wait_for_url("**/apply/*/")
    app = Application.objects.get(applicant=party)
    assert page.get_by_test_id("item-name").inner_text() == ITEM_NAME
    shot("02-draft")

    for material, (name, data, mime) in zip(
        essential,
        [
            ("营业执照.pdf", factories.PDF_BYTES, "application/pdf"),
            ("场所照片.png", png_bytes(), "image/png"),
        ],
        strict=True,
    ):
        row = page.locator(f'tr[data-material="{material.pk}"]')
        row.locator('input[type="file"]').set_input_files(
            {"name": name, "mimeType": mime, "buffer": data}
        )
        row.get_by_role("button", name="上传").click()
        page.wait_for_load_state()
        assert page.locator(f'tr[data-material="{material.pk}"]').get_attribute("data-state") == (
            "provided"
        )

    # --- 2. the commitment route, deferring the non-essential material ---------------------
    page.locator('[data-route-option="commitment"] input[type="radio"]').check()
    page.get_by_role("button", name="选择此路径").click()
    page.wait_for_load_state()
    notice = page.get_by_test_id("commitment-notice")
    assert "不实承诺的法律责任" in notice.inner_text()
    assert ITEM_NAME in notice.inner_text()
    # the latest cure date offered is the promised due date if accepted today
    assert f"承诺办结期限 {PROMISED_DUE}" in page.get_by_test_id("routes").inner_text()
    deferral = page.locator(f'tr[data-deferral="{deferred.pk}"]')
    deferral.locator('input[type="checkbox"]').check()
    deferral.locator('input[type="date"]').fill(DEFERRED_DUE)
    page.get_by_label("本人已阅读告知书，自愿选择告知承诺方式办理").check()
    page.fill("#id_commitment-signer_name", "王放心")
    shot("03-commitment-notice")
    page.get_by_role("button", name="签署告知承诺书").click()
    page.wait_for_load_state()
    assert "王放心" in page.get_by_test_id("commitment-signed").inner_text()
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("application-status").get_attribute("data-status") == "submitted"
    shot("04-submitted")
    logout()

    # --- 3. the window clerk accepts -------------------------------------------------------
    login(clerk)
    page.get_by_role("link", name="综合窗口").first.click()
    page.wait_for_url(url + "/approvals/window/")
    row = page.locator(f'[data-application="{app.number}"]')
    assert "2026-02-24" in row.inner_text()  # the one-time notice deadline: 5 working days
    shot("05-window-queue")
    row.get_by_role("link", name=app.number).click()
    page.wait_for_load_state()
    assert page.locator(f'tr[data-material="{deferred.pk}"]').get_attribute("data-state") == (
        "deferred"
    )
    shot("06-intake")
    page.get_by_test_id("accept").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("statutory-due").inner_text() == STATUTORY_DUE
    assert page.get_by_test_id("promised-due").inner_text() == PROMISED_DUE
    shot("07-accepted")
    page.get_by_test_id("receipt-page").click()
    page.wait_for_load_state()
    assert "受理通知书" in page.get_by_test_id("document").inner_text()
    assert page.get_by_test_id("document").get_by_test_id("promised-due").inner_text() == (
        PROMISED_DUE
    )
    shot("08-receipt")
    logout()

    # --- 4. the responsible officer approves ----------------------------------------------
    login(officer)
    page.get_by_role("link", name="审查决定").first.click()
    page.wait_for_url(url + "/approvals/review/")
    row = page.locator(f'[data-application="{app.number}"]')
    assert row.get_by_test_id("statutory-due").inner_text() == STATUTORY_DUE
    assert row.get_by_test_id("promised-due").inner_text() == PROMISED_DUE
    assert row.get_by_test_id("days-left").inner_text() == "剩10个工作日"
    shot("09-review-queue")
    row.get_by_role("link", name=app.number).click()
    page.wait_for_load_state()
    assert officer.staff.name in page.get_by_test_id("acting-staff").inner_text()
    assert DEFERRED_DUE in page.get_by_test_id("deferrals").inner_text()
    page.fill("#id_approve-opinion", "材料齐全，申请人已作出告知承诺")
    shot("10-review")
    page.get_by_test_id("approve").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("application-status").get_attribute("data-status") == (
        "licence_issued"
    )
    shot("11-approved")
    logout()

    app.refresh_from_db()
    licence = Licence.objects.get(application=app)
    assert (app.status, app.route) == (Status.LICENCE_ISSUED, Route.COMMITMENT)
    assert licence.status == LicenceStatus.VALID
    assert app.commitments.get().status == CommitmentStatus.SIGNED

    # --- 5. the applicant downloads the licence --------------------------------------------
    login(applicant)
    page.goto(url + f"/apply/{app.pk}/")
    assert page.get_by_test_id("application-status").get_attribute("data-status") == (
        "licence_issued"
    )
    shot("12-applicant-licence")
    with page.expect_download() as download:
        page.get_by_test_id("licence-pdf").click()
    target = tmp_path / "licence.pdf"
    download.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(target), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        assert ITEM_NAME in text.replace(" ", "")
        assert licence.number in text.replace(" ", "")
    logout()

    # --- 6. the public verification page (the QR code's address) ---------------------------
    assert licence.verify_url.endswith(f"/verify/{licence.verification_number}")
    page.goto(url + licence.verify_path)
    status = page.get_by_test_id("licence-status")
    assert status.inner_text() == "有效" and status.get_attribute("data-status") == "valid"
    assert ITEM_NAME in page.get_by_test_id("licence-verification").inner_text()
    shot("13-verify")
    assert outside == []
    context.close()
