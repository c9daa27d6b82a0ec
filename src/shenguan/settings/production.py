"""Production: everything from base, but refuse to start without a real secret and with DEBUG."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production")
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
