"""Accounts and security settings (issue 8 item 3): login throttling, the password policy,
session and cookie settings, security headers, machine-client tokens (hashed, revocable) and
resident ID numbers masked in logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from shenguan.core import accounts
from shenguan.core.api_clients import issue_token, revoke_token
from shenguan.core.models import ApiClient, JournalEntry, LoginThrottle
from shenguan.core.security import MaskPersonalIdFilter, mask_ric_numbers
from shenguan.demo.seed import PASSWORD as DEMO_PASSWORD

CHINA = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)
RIGHT = "Shenguan-demo-2026"


def _login(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _errors(response) -> str:
    form = response.context["form"]
    return " ".join(form.non_field_errors())


# --- login throttling ---------------------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_name_from_that_address_with_a_clear_message(client, make_user):
    make_user("window_clerk", username="clerk9")
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            response = _login(client, "clerk9", "wrong-password-1")
            assert response.status_code == 200 and "锁定" not in _errors(response)
        response = _login(client, "clerk9", "wrong-password-1")
        assert "锁定" in _errors(response) and "15分钟" in _errors(response)
        # locked: even the right password is refused, and says so
        response = _login(client, "clerk9", RIGHT)
        assert response.status_code == 200 and "锁定" in _errors(response)
        assert "_auth_user_id" not in client.session
        # another address is not locked (per name and address)
        assert _login(client, "clerk9", RIGHT, ip="10.0.0.8").status_code == 302
    entry = JournalEntry.objects.get(action="core.login.locked")
    assert entry.after["username"] == "clerk9" and entry.after["ip"] == "10.0.0.7"


@pytest.mark.django_db
def test_the_lock_ends_after_the_lock_period(client, make_user):
    make_user("window_clerk", username="clerk9")
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            _login(client, "clerk9", "wrong-password-1")
    with time_machine.travel(T0 + dt.timedelta(minutes=14), tick=False):
        assert "锁定" in _errors(_login(client, "clerk9", RIGHT))
    with time_machine.travel(T0 + dt.timedelta(minutes=16), tick=False):
        assert _login(client, "clerk9", RIGHT).status_code == 302


@pytest.mark.django_db
def test_failures_spread_over_more_than_the_window_do_not_lock(client, make_user):
    make_user("window_clerk", username="clerk9")
    for minute in (0, 5, 10, 20, 25):  # the window restarts after 15 minutes
        with time_machine.travel(T0 + dt.timedelta(minutes=minute), tick=False):
            _login(client, "clerk9", "wrong-password-1")
    with time_machine.travel(T0 + dt.timedelta(minutes=26), tick=False):
        assert _login(client, "clerk9", RIGHT).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_the_count_but_an_empty_password_does_not(client, make_user):
    make_user("window_clerk", username="clerk9")
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            _login(client, "clerk9", "wrong-password-1")
        _login(client, "clerk9", "")  # an incomplete form is no success
        assert LoginThrottle.objects.get(username="clerk9").failures == 4
        assert _login(client, "clerk9", RIGHT).status_code == 302
        assert not LoginThrottle.objects.filter(username="clerk9").exists()


@pytest.mark.django_db
def test_user_names_are_counted_case_insensitively(client, make_user):
    make_user("window_clerk", username="clerk9")
    with time_machine.travel(T0, tick=False):
        for name in ("clerk9", "CLERK9", "Clerk9", "clerk9 ", "cLeRk9"):
            _login(client, name, "wrong-password-1")
        assert "锁定" in _errors(_login(client, "clerk9", RIGHT))


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client, make_user):
    make_user("administrator", username="root9", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            client.post(url, {"username": "root9", "password": "nope-nope-nope"})
        response = client.post(url, {"username": "root9", "password": RIGHT})
    assert response.status_code == 200
    assert "锁定" in " ".join(response.context["form"].non_field_errors())


@pytest.mark.django_db
def test_unknown_user_names_are_throttled_like_known_ones(client):
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            _login(client, "nobody", "wrong-password-1")
        assert accounts.locked_until("nobody", "10.0.0.7") is not None


# --- password policy ----------------------------------------------------------------------


def test_password_policy_needs_twelve_characters_and_refuses_common_or_numeric():
    from django.contrib.auth.models import User

    user = User(username="zhangsan", first_name="张三", email="zhangsan@example.cn")
    for bad in ("Short-1", "123456789012", "password1234", "zhangsan2026"):
        with pytest.raises(ValidationError):
            validate_password(bad, user)
    validate_password("Gedian-Food-2026!", user)


def test_the_demo_password_still_passes_the_policy():
    from django.contrib.auth.models import User

    for username in ("clerk1", "admin", "applicant1"):
        validate_password(DEMO_PASSWORD, User(username=username, first_name="李晓雯"))


# --- sessions, cookies and headers --------------------------------------------------------


def test_session_and_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_https_switch_turns_on_secure_cookies_and_hsts(monkeypatch):
    import importlib

    import shenguan.settings.base as base

    monkeypatch.setenv("SHENGUAN_HTTPS", "true")
    try:
        on = importlib.reload(base)
        assert on.SESSION_COOKIE_SECURE and on.CSRF_COOKIE_SECURE
        assert on.SECURE_HSTS_SECONDS >= 31536000
        assert on.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        monkeypatch.setenv("SHENGUAN_HTTPS", "false")
        off = importlib.reload(base)
        assert not off.SESSION_COOKIE_SECURE and off.SECURE_HSTS_SECONDS == 0
    finally:
        monkeypatch.delenv("SHENGUAN_HTTPS", raising=False)
        importlib.reload(base)


@pytest.mark.django_db
def test_pages_and_api_answers_carry_the_security_headers(client, make_user):
    for url in (reverse("login"), "/api/catalog/powers", reverse("portal:catalog")):
        response = client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    client.force_login(make_user("window_clerk", staff=True))
    assert client.get(reverse("home"))["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_session_cookie_is_http_only_and_lax(client, make_user):
    make_user("window_clerk", username="clerk9")
    response = _login(client, "clerk9", RIGHT)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["expires"]  # ends with the browser


# --- machine-client tokens ----------------------------------------------------------------


@pytest.mark.django_db
def test_tokens_are_stored_hashed_shown_once_and_revocable(api, make_user):
    service = make_user("department_supervisor", staff=True, username="svc9")
    client, token = issue_token("住建局系统", service)
    stored = ApiClient.objects.get(pk=client.pk)
    assert token not in (stored.token_hash, stored.token_prefix) and len(stored.token_hash) == 64
    assert stored.token_prefix == token[:10]
    assert not ApiClient.objects.filter(token_hash=token).exists()
    status, body = api.token(token).get("/api/core/me")
    assert status == 200 and body["username"] == "svc9"
    revoke_token(client.pk)
    status, body = api.get("/api/core/me")
    assert status == 401 and body["status"] == 401
    assert JournalEntry.objects.filter(action="core.api_client.revoked").exists()


@pytest.mark.django_db
def test_a_token_of_a_deactivated_service_user_or_a_wrong_token_is_refused(api, make_user):
    service = make_user("department_supervisor", staff=True, username="svc9")
    _client, token = issue_token("市监局系统", service)
    assert api.token(token[:-1] + ("A" if token[-1] != "A" else "B")).get("/api/core/me")[0] == 401
    service.is_active = False
    service.save(update_fields=["is_active"])
    assert api.token(token).get("/api/core/me")[0] == 401


@pytest.mark.django_db
def test_a_token_does_not_open_the_pages(client, make_user):
    _c, token = issue_token("系统", make_user("department_supervisor", staff=True))
    response = client.get(reverse("portal:org"), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- resident ID numbers in logs ----------------------------------------------------------

RIC = "420703199001010005"


def test_mask_ric_numbers_masks_ids_but_not_other_numbers():
    assert mask_ric_numbers(f"id {RIC} ok") == "id 420***********0005 ok"
    assert mask_ric_numbers("42070319900101000X,") == "420***********000X,"
    assert mask_ric_numbers("order 1234567890123456789012") == "order 1234567890123456789012"
    assert mask_ric_numbers("uscc 91420700MA4F0ABC12") == "uscc 91420700MA4F0ABC12"


def test_log_records_have_resident_ids_masked(caplog):
    logger = logging.getLogger("shenguan.test.masking")
    logger.addFilter(MaskPersonalIdFilter())
    try:
        with caplog.at_level(logging.INFO, logger="shenguan.test.masking"):
            logger.info("registered %s for %s", RIC, "张三")
            try:
                raise ValueError(f"duplicate {RIC}")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert RIC not in text
    assert "420***********0005" in text and "张三" in text


def test_the_console_handler_of_the_settings_masks(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert "mask_personal_ids" in handler["filters"]
    assert settings.LOGGING["filters"]["mask_personal_ids"]["()"].endswith("MaskPersonalIdFilter")


# --- resident ID numbers in enforcement documents -----------------------------------------


@pytest.mark.django_db
def test_case_documents_mask_the_id_number_for_roles_that_may_not_see_it(monkeypatch):
    from shenguan.enforcement.cases import services as cases
    from shenguan.enforcement.common import documents
    from shenguan.enforcement.common.models import Document
    from shenguan.enforcement.factories import bureau
    from shenguan.org.models import Staff

    b = bureau("SEC")
    officers = [Staff.objects.get(user=u).pk for u in (b.officer1, b.officer2)]
    with time_machine.travel(T0, tick=False):
        lead = cases.receive_lead(
            "complaint", description="投诉", party_id=b.person.pk, user=b.officer1
        )
        case = cases.open_case(
            lead.pk,
            power_id=b.penalty_power.pk,
            title="无证经营",
            officer_ids=officers,
            user=b.officer1,
        )
    doc = Document.objects.filter(case=case).first()
    number = b.person.id_number
    assert doc is not None and any(number in p for p in doc.paragraphs)
    seen = {}

    def capture(title, no, paragraphs, **kw):
        seen["text"] = "\n".join(paragraphs)
        return b"%PDF"

    monkeypatch.setattr(documents, "text_pdf", capture)
    documents.render(doc, b.command)  # the command centre watches; it may not see it whole
    assert number not in seen["text"] and number[:3] + "*" * 11 in seen["text"]
    documents.render(doc, b.legal)  # the legal reviewer's work needs it
    assert number in seen["text"]
