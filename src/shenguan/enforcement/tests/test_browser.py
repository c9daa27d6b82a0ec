"""The field app and the legal section in real Chromium (Debian's, through Playwright) at a
phone's 390×844 viewport, against the live test server, on 2 March 2026:

1. officer 何振华 logs in on his phone, opens his task, starts the inspection, answers the
   checklist, photographs evidence through the file input (a generated PNG), records the
   result and signs; the page then waits for the second officer; the service worker of the
   installable field app is registered;
2. officer 高洁 logs in on hers, sees the task waiting for her signature and signs: the
   inspection is complete and the evidence's SHA-256 is the photo's;
3. legal reviewer 谢文 opens the review queue, reads the case with its discretion
   calculation and approves it.

Nothing is fetched from outside the server. Screenshots: test-artifacts/screenshots/
enforcement-*.png."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
import time_machine

from shenguan.enforcement.factories import bureau as make_bureau
from shenguan.enforcement.inspections import services as inspections
from shenguan.enforcement.inspections.models import Inspection, InspectionStatus

from .flows import png_bytes

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
PHONE = {"width": 390, "height": 844}


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


@pytest.fixture
def on_march_2():
    traveller = time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA), tick=True)
    traveller.start()
    yield
    traveller.stop()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"enforcement-{name}.png"), full_page=True)


def phone(browser, live_server, username: str):
    """A phone-sized browser context logged in as ``username``; returns (context, page,
    requests that left our server)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(live_server.url) or r.url.startswith("data:")
            else outside.append(r.url)
        ),
    )
    page.goto(live_server.url + "/enforcement/field/")
    assert "/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/enforcement/field/")
    return context, page, outside


def test_officers_complete_an_inspection_with_evidence_and_two_signatures(
    browser, live_server, transactional_db, on_march_2
):
    b = make_bureau()
    task = inspections.create_inspection(
        source="verification",
        source_type="verification.task",
        source_id="demo-1",
        subject="食品经营许可告知承诺核查",
        party_id=b.company.pk,
        power_id=b.inspection_power.pk,
        officer_ids=[b.staff(b.officer1).pk, b.staff(b.officer2).pk],
        due_on=dt.date(2026, 3, 16),
        place="葛店社区创业路8号",
        user=b.head,
    )
    photo = png_bytes((30, 120, 200))

    # --- first officer ---------------------------------------------------------------------
    ctx1, page, outside1 = phone(browser, live_server, b.officer1.username)
    assert page.locator('link[rel="manifest"]').count() == 1
    page.wait_for_function("() => document.documentElement.dataset.sw === 'registered'")
    card = page.locator(f'[data-inspection="{task.number}"]')
    assert card.is_visible()
    shot(page, "field-tasks")
    card.click()
    page.get_by_role("button", name="出示证件，开始检查").click()
    page.wait_for_selector("#answers")
    for seq in range(1, 6):
        page.locator(f'label[for="a{seq}-ok"]').click()
    page.get_by_role("button", name="保存检查单").click()
    page.wait_for_selector(".alert-success")
    shot(page, "field-checklist")
    file_input = page.locator("#photo")
    assert file_input.get_attribute("accept") == "image/*"
    assert file_input.get_attribute("capture") == "environment"
    file_input.set_input_files({"name": "门头照片.png", "mimeType": "image/png", "buffer": photo})
    page.locator('input[name="description"]').fill("许可证公示情况")
    page.get_by_role("button", name="上传证据").click()
    page.wait_for_selector("[data-evidence]")
    assert "门头照片.png" in page.locator("[data-evidence]").first.inner_text()
    page.select_option('select[name="result"]', "compliant")
    page.locator('textarea[name="findings"]').fill("许可证已公示，经营范围与许可一致。")
    page.get_by_role("button", name="记录结果").click()
    page.wait_for_selector(".alert-success")
    shot(page, "field-evidence")
    page.get_by_role("button", name="签名确认").click()
    page.wait_for_selector('[data-signed="何振华"]')
    assert page.get_by_text("您已签名，等待另一名检查人员签名。").is_visible()
    shot(page, "field-first-signature")
    ctx1.close()
    assert Inspection.objects.get(pk=task.pk).status == InspectionStatus.SIGNING

    # --- second officer --------------------------------------------------------------------
    ctx2, page, outside2 = phone(browser, live_server, b.officer2.username)
    card = page.locator(f'[data-inspection="{task.number}"]')
    assert "待您签名" in card.inner_text()
    card.click()
    shot(page, "field-second-officer")
    page.get_by_role("button", name="第二人签名确认").click()
    page.wait_for_selector("[data-complete]")
    assert page.locator('[data-signed="高洁"]').is_visible()
    shot(page, "field-completed")
    ctx2.close()

    insp = Inspection.objects.get(pk=task.pk)
    assert insp.status == InspectionStatus.COMPLETED
    assert insp.officers.filter(signed_at__isnull=False).count() == 2
    evidence = insp.evidence.get()
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    assert evidence.content_type == "image/png" and evidence.captured_by == b.staff(b.officer1)
    assert outside1 == [] and outside2 == []


def _case_in_review(b):
    """A case of §8.35 (a large fine: legal review required) waiting in the queue."""
    from shenguan.enforcement.cases import services as cases
    from shenguan.enforcement.discretion.models import Benchmark
    from shenguan.enforcement.discretion.services import import_files
    from shenguan.enforcement.discretion.testing import data_path, load_entries

    path = SHOTS.parent / "enforcement-bench.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([e for e in load_entries() if e["code"] == "§8.35"], ensure_ascii=False)
    )
    import_files([path], table_name="测试基准", effective_from=dt.date(2022, 1, 1))
    path.unlink()
    del data_path
    pair = [b.staff(b.officer1).pk, b.staff(b.officer2).pk]
    lead = cases.receive_lead(
        "complaint", description="群众投诉", party_id=b.company.pk, user=b.officer1
    )
    case = cases.open_case(
        lead.pk,
        power_id=b.penalty_power.pk,
        title="未按规定报告污染物排放异常",
        officer_ids=pair,
        user=b.officer1,
    )
    cases.start_investigation(case.pk, officer_ids=pair, user=b.officer1)
    cases.add_evidence(
        case.pk,
        content=png_bytes(),
        filename="监测数据.png",
        place="厂区",
        officer_ids=pair,
        user=b.officer1,
    )
    cases.propose(
        case.pk,
        facts="自动监测设备传输数据异常未报告",
        violated_provision="《排污许可管理条例》第二十条",
        penalty_basis="《排污许可管理条例》第三十六条第八项",
        sanctions=["fine"],
        fine_amount="130000",
        benchmark_id=Benchmark.objects.get(code="§8.35").pk,
        discretion_inputs={"positions": [5]},
        reasons="环境敏感区，B类污染物，配合调查",
        user=b.officer1,
    )
    cases.notify(case.pk, officer_ids=pair, user=b.officer1)
    cases.waive_rights(case.pk, note="当事人书面声明放弃陈述申辩和听证", user=b.officer1)
    cases.submit_for_review(case.pk, note="较大数额罚款，请审核", user=b.officer1)
    return case


def test_legal_reviewer_approves_a_case(browser, live_server, transactional_db, on_march_2):
    b = make_bureau()
    case = _case_in_review(b)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/enforcement/legal/")
    page.fill("#id_username", b.legal.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/enforcement/legal/")
    entry = page.get_by_text(case.number)
    assert entry.is_visible()
    shot(page, "legal-queue")
    entry.click()
    page.wait_for_selector("#opinion")
    calc = page.locator("#discretion").inner_text()
    assert "§8.35" in calc and "120000" in calc and "150000" in calc
    assert "较大数额罚款" in page.locator('[data-field="review_grounds"]').inner_text()
    shot(page, "legal-review")
    page.get_by_text("同意", exact=True).click()
    page.fill("#opinion-text", "事实清楚，证据充分，裁量适当。")
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url("**/enforcement/legal/")
    assert page.locator(".alert-success").is_visible()
    assert page.get_by_text("没有待审核的案件。").is_visible()
    shot(page, "legal-approved")
    context.close()
    case.refresh_from_db()
    assert case.status == "reviewed" and case.review_approved_on == dt.date(2026, 3, 2)
