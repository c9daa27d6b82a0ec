"""Shenguan settings. Every value comes from an environment variable with a local default;
docs/operations.md lists them all. With no variable set the system runs on SQLite under var/."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import dev_secret_key, env_bool, env_int, env_list, env_str, parse_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# SHENGUAN_VAR_DIR: where the SQLite database, uploads, generated files and the dev secret live.
VAR_DIR = Path(env_str("SHENGUAN_VAR_DIR", str(Path.cwd() / "var"))).resolve()

# DEBUG: off unless asked.
DEBUG = env_bool("DEBUG", False)
# SECRET_KEY: required in production; in development a key is generated into var/secret_key.
SECRET_KEY = env_str("SECRET_KEY") or dev_secret_key(VAR_DIR)
# ALLOWED_HOSTS: comma-separated host names this server answers for.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# CSRF_TRUSTED_ORIGINS: comma-separated origins (scheme://host[:port]) behind a proxy.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# SHENGUAN_PUBLIC_URL: the address the public reaches (used in QR codes and e-mails).
PUBLIC_URL = env_str("SHENGUAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# DATABASE_URL: sqlite:///name.sqlite3 (under var/) or postgres://user:pw@host:5432/db
DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", "sqlite:///shenguan.sqlite3"), VAR_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "shenguan.core",
    "shenguan.org",
    "shenguan.catalog",
    "shenguan.parties",
    "shenguan.approvals",
    "shenguan.credit",
    "shenguan.verification",
    "shenguan.enforcement",
    "shenguan.oversight",
    "shenguan.supervision",
    "shenguan.grid",
    "shenguan.command",
    "shenguan.portal",
    "shenguan.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shenguan.core.security.SecurityHeadersMiddleware",
    "shenguan.core.middleware.ActorMiddleware",
    "shenguan.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "shenguan.urls"
WSGI_APPLICATION = "shenguan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shenguan.core.context_processors.shenguan",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # SHENGUAN_PASSWORD_MIN_LENGTH: 12 by default (docs/security.md)
        "OPTIONS": {"min_length": env_int("SHENGUAN_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# API lists: 50 rows unless ?limit= asks for more (at most 1,000), like the pages
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000

# Language: Chinese by default, English available.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# TIME_ZONE: all statutory dates are counted in China Standard Time.
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Project-wide assets (vendored Tabler, htmx, ECharts; our CSS) live outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("SHENGUAN_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
# SHENGUAN_MEDIA_DIR: uploaded evidence and materials (default var/media).
MEDIA_ROOT = Path(env_str("SHENGUAN_MEDIA_DIR", str(VAR_DIR / "media")))
# SHENGUAN_MAX_UPLOAD_MB: the largest accepted upload.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SHENGUAN_MAX_UPLOAD_MB", 20) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sessions and cookies (docs/security.md). SHENGUAN_HTTPS: true when the site is served over
# HTTPS (directly or behind a proxy that sets X-Forwarded-Proto): secure cookies and HSTS.
HTTPS = env_bool("SHENGUAN_HTTPS", False)
# SESSION_COOKIE_AGE: a working day (8 h); the session also ends when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# SESSION_COOKIE_SECURE / CSRF_COOKIE_SECURE: default to SHENGUAN_HTTPS.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
# SECURE_HSTS_SECONDS: one year behind HTTPS, off otherwise.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# SHENGUAN_CSP: the Content-Security-Policy header; empty = the default in core/security.py.
SHENGUAN_CSP = env_str("SHENGUAN_CSP", "")
# Login throttling: SHENGUAN_LOGIN_MAX_FAILURES failed logins of one user name from one address
# within SHENGUAN_LOGIN_LOCK_MINUTES lock that pair for SHENGUAN_LOGIN_LOCK_MINUTES.
SHENGUAN_LOGIN_MAX_FAILURES = env_int("SHENGUAN_LOGIN_MAX_FAILURES", 5)
SHENGUAN_LOGIN_LOCK_MINUTES = env_int("SHENGUAN_LOGIN_LOCK_MINUTES", 15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Resident ID numbers are masked in every record (core/security.py).
    "filters": {"mask_personal_ids": {"()": "shenguan.core.security.MaskPersonalIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_ids"],
        }
    },
    # LOG_LEVEL: INFO by default.
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# SHENGUAN_DATA_DIR: the shared public data (power lists, holidays) used by the demo seeder.
DATA_DIR = Path(
    env_str("SHENGUAN_DATA_DIR", str(PACKAGE_DIR.parent.parent.parent / "shared" / "data"))
)

# Outbox delivery (docs/decisions/0003-outbox.md).
# SHENGUAN_OUTBOX_MAX_ATTEMPTS: attempts before an event is marked failed (resend in admin).
SHENGUAN_OUTBOX_MAX_ATTEMPTS = env_int("SHENGUAN_OUTBOX_MAX_ATTEMPTS", 15)
# SHENGUAN_OUTBOX_BACKOFF_SECONDS: the first retry delay; each further one doubles (capped 1 h).
SHENGUAN_OUTBOX_BACKOFF_SECONDS = float(env_str("SHENGUAN_OUTBOX_BACKOFF_SECONDS", "2"))
# SHENGUAN_EXTRA_CONSUMERS: comma-separated modules with more consumers (tests, plug-ins).
SHENGUAN_EXTRA_CONSUMERS = env_list("SHENGUAN_EXTRA_CONSUMERS", "")
