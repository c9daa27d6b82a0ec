"""Accounts: login throttling (per user name and address, kept in the database so that every
server process sees it) and the login forms that apply it — the staff login page and the
admin's. Password policy, session and cookie settings live in ``settings/base.py``; the
reasoning is in docs/security.md."""

from __future__ import annotations

import datetime as dt
import math

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import journal
from .models import LoginThrottle


def max_failures() -> int:
    return int(getattr(settings, "SHENGUAN_LOGIN_MAX_FAILURES", 5))


def lock_period() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "SHENGUAN_LOGIN_LOCK_MINUTES", 15)))


def client_ip(request) -> str:
    """The address the request came from (REMOTE_ADDR: behind a proxy, the proxy must set it,
    e.g. gunicorn's ``--forwarded-allow-ips`` with the proxy's X-Forwarded-For)."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def _key(username: str, ip: str) -> tuple[str, str]:
    name = (username or "").strip().lower()[:150]
    return f"{name}|{ip}", name


def locked_until(username: str, ip: str) -> dt.datetime | None:
    """When the lock on this user name from this address ends, or None if not locked."""
    key, _name = _key(username, ip)
    row = LoginThrottle.objects.filter(key=key).only("locked_until").first()
    if row is None or row.locked_until is None or row.locked_until <= timezone.now():
        return None
    return row.locked_until


def record_failure(username: str, ip: str) -> LoginThrottle:
    """Count one failed login; the ``max_failures()``-th within the lock period locks the pair
    for the lock period (journalled as ``core.login.locked``)."""
    key, name = _key(username, ip)
    now = timezone.now()
    with transaction.atomic():
        row = LoginThrottle.objects.select_for_update(no_key=True).filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = LoginThrottle.objects.create(key=key, username=name, ip=ip)
            except IntegrityError:  # a concurrent first failure created it
                row = LoginThrottle.objects.select_for_update(no_key=True).get(key=key)
        window_over = row.first_failure_at is None or row.first_failure_at + lock_period() <= now
        lock_over = row.locked_until is not None and row.locked_until <= now
        if window_over or lock_over:
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= max_failures() and row.locked_until is None:
            row.locked_until = now + lock_period()
            journal.record(
                "core.login.locked",
                row,
                after={
                    "username": name,
                    "ip": ip,
                    "failures": row.failures,
                    "locked_until": row.locked_until,
                },
            )
        row.save()
        return row


def clear_failures(username: str, ip: str) -> None:
    """A successful login forgets the failures of that user name from that address."""
    key, _name = _key(username, ip)
    with transaction.atomic():
        LoginThrottle.objects.filter(key=key, locked_until__isnull=True).delete()


def _locked_error(until: dt.datetime) -> forms.ValidationError:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return forms.ValidationError(
        _("登录失败次数过多，该账号在本机已被暂时锁定，请%(minutes)d分钟后再试。")
        % {"minutes": minutes},
        code="locked",
    )


class ThrottledLoginMixin:
    """Refuses a locked (user name, address) pair before checking the password, so that a
    locked pair learns nothing about the password; counts each failure."""

    def clean(self):
        username = self.data.get("username", "")
        ip = client_ip(self.request)
        until = locked_until(username, ip)
        if until is not None:
            raise _locked_error(until)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                row = record_failure(username, ip)
                if row.locked_until is not None:
                    raise _locked_error(row.locked_until) from None
            raise
        if self.get_user() is not None:
            clear_failures(username, ip)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The login page's form."""


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin login's form (the same throttle: one counter per user name and address)."""
