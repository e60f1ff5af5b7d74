"""Townhall settings: everything comes from the environment, with embedded defaults.

Embedded default: SQLite, Huey on SQLite, local-memory cache, files under TOWNHALL_DATA_DIR.
Scale-out: DATABASE_URL (PostgreSQL), REDIS_URL (cache and job queue), SMTP email.
Misconfiguration is reported by the system checks in townhall.core.checks.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Numbers in the environment that could not be read: the default is used and townhall.E007 says which.
UNREADABLE_NUMBERS: list[str] = []


def env_int(name: str, default: int) -> int:
    """A whole number ≥ 0 from the environment, or `default` (reported by townhall.E007) if it is not one."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        UNREADABLE_NUMBERS.append(name)
        return default
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TOWNHALL_DATA_DIR", "townhall-data")).resolve()
# Under pytest the suite runs jobs inline and uses fast hashing; nothing else changes.
TESTING = env_bool("TOWNHALL_TESTING") or "pytest" in sys.modules


def _secret_key() -> str:
    """The secret key: from the environment, or generated once and kept in the data directory."""
    if os.environ.get("TOWNHALL_SECRET_KEY"):
        return os.environ["TOWNHALL_SECRET_KEY"]
    if TESTING:
        return "townhall-tests-only-" + "x" * 40
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except OSError:
        pass  # not there yet (or not readable: then creating it fails too)
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
    except OSError:
        # An unusable data directory: townhall.E002 says so; Django refuses to sign with an empty key.
        return ""


SECRET_KEY = _secret_key()
DEBUG = env_bool("TOWNHALL_DEBUG")
ALLOWED_HOSTS = env_list("TOWNHALL_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("TOWNHALL_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("TOWNHALL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("TOWNHALL_SITE_NAME", "Townhall")

# Behind HTTPS (a TLS-terminating proxy): secure cookies, HSTS and redirects.
HTTPS = env_bool("TOWNHALL_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not TESTING
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis, or files in the data directory) and written through to the
# database: a signed-in page does not query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    # Townhall's apps come before allauth so their templates override allauth's.
    "townhall.core",
    "townhall.accounts",
    "allauth",
    "allauth.account",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "townhall.spaces",
    "townhall.content",
    "townhall.support",
    "townhall.activity",
    "townhall.notifications",
    "townhall.search",
    "townhall.reputation",
    "townhall.moderation",
    "townhall.imports",
    "townhall.api",
    "townhall.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside the security, session and frame-options middleware, so cached pages get their headers.
    "townhall.core.pagecache.AnonymousPageCacheMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "townhall.urls"
WSGI_APPLICATION = "townhall.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "townhall.core.context_processors.townhall",
            ],
        },
    }
]

# Database: SQLite in the data directory unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError:
        # An unusable URL: townhall.E001 says why, before anything touches a database.
        DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "townhall.sqlite3"),
            # Kept open per thread: opening the file and setting its pragmas on every request cost more
            # than many pages' queries.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets readers and the writer work at once; IMMEDIATE avoids lock upgrades.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and job queue: Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and TESTING and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test workers each get their own Redis database: clearing the cache in one
    # worker's test must not wipe another's.
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    _db = int(_parts.path.strip("/") or 0) + int(os.environ["PYTEST_XDIST_WORKER"][2:])
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{_db}"))
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "townhall"}}
else:
    # Files in the data directory, not per-process memory: `townhall serve` runs several processes,
    # and the page cache's invalidation and the rate limits must be seen by all of them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }


def _usable_data_dir() -> Path:
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return DATA_DIR


HUEY_IMMEDIATE = env_bool("TOWNHALL_JOBS_IMMEDIATE", default=TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("TOWNHALL_QUEUE_NAME", "townhall"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        # An unusable data directory must not crash start-up: townhall.E002 reports it and stops the
        # commands that would use the queue (serve, worker).
        "huey_class": "huey.SqliteHuey" if os.access(_usable_data_dir(), os.W_OK) else "huey.MemoryHuey",
        "name": "townhall",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("TOWNHALL_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_ADAPTER = "townhall.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "townhall.accounts.forms.SignupForm"}

# Email: written to files in the data directory unless SMTP is configured.
EMAIL_HOST = os.environ.get("TOWNHALL_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    _email_port = os.environ.get("TOWNHALL_EMAIL_PORT", "587").strip()
    EMAIL_PORT = int(_email_port) if _email_port.isdigit() else 0  # 0: townhall.E004 reports it
    EMAIL_HOST_USER = os.environ.get("TOWNHALL_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TOWNHALL_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("TOWNHALL_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("TOWNHALL_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = DATA_DIR / "emails"
DEFAULT_FROM_EMAIL = os.environ.get("TOWNHALL_FROM_EMAIL", "Townhall <townhall@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The company's helpdesk: escalated questions are POSTed here, signed with HMAC-SHA256.
HELPDESK_WEBHOOK_URL = os.environ.get("TOWNHALL_HELPDESK_WEBHOOK_URL", "")
HELPDESK_WEBHOOK_SECRET = os.environ.get("TOWNHALL_HELPDESK_WEBHOOK_SECRET", "")

# Posting limits for new accounts (younger than NEW_ACCOUNT_HOURS).
NEW_ACCOUNT_HOURS = env_int("TOWNHALL_NEW_ACCOUNT_HOURS", 24)
NEW_ACCOUNT_POSTS_PER_HOUR = env_int("TOWNHALL_NEW_ACCOUNT_POSTS_PER_HOUR", 10)

# Anonymous visitors' pages are cached whole; any recorded event invalidates them at once.
PAGE_CACHE_SECONDS = env_int("TOWNHALL_PAGE_CACHE_SECONDS", 300)
# Spam defence: what new accounts may put in one post, and link domains no one may post.
NEW_ACCOUNT_LINKS = env_int("TOWNHALL_NEW_ACCOUNT_LINKS", 2)
NEW_ACCOUNT_MENTIONS = env_int("TOWNHALL_NEW_ACCOUNT_MENTIONS", 5)
BLOCKED_LINK_DOMAINS = [d.lower().removeprefix("www.") for d in env_list("TOWNHALL_BLOCKED_LINK_DOMAINS")]
# Forms people write in (sign-up, ask, answer, comment) carry a honeypot and a signed stamp of when they were
# shown (core.formguard): one sent sooner than this many seconds after is refused as a robot's.
FORM_MIN_SECONDS = env_int("TOWNHALL_FORM_MIN_SECONDS", 3)
FORM_GUARD = True  # the test suite turns it off except in the tests about it (tests/conftest.py)
# Flags: how much one member's flag weighs, by role, and the weight that hides an item until reviewed.
FLAG_WEIGHTS = {
    "member": env_int("TOWNHALL_FLAG_WEIGHT_MEMBER", 1),
    "agent": env_int("TOWNHALL_FLAG_WEIGHT_AGENT", 2),
    "moderator": env_int("TOWNHALL_FLAG_WEIGHT_MODERATOR", 3),
}
FLAG_HIDE_WEIGHT = max(1, env_int("TOWNHALL_FLAG_HIDE_WEIGHT", 3))
# A member's flag weighs one more from this trust level up, and one more (or one less) once this many of
# their flags were decided and most were upheld (or dismissed): past accuracy counts.
FLAG_TRUSTED_LEVEL = env_int("TOWNHALL_FLAG_TRUSTED_LEVEL", 2)
FLAG_ACCURACY_MIN_FLAGS = max(1, env_int("TOWNHALL_FLAG_ACCURACY_MIN_FLAGS", 5))
# Page views are added up in memory and written every this many seconds (core.viewcounts).
VIEW_COUNT_FLUSH_SECONDS = env_int("TOWNHALL_VIEW_COUNT_FLUSH_SECONDS", 0 if TESTING else 10)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Tests serve static files from the apps (finders); production from collectstatic's output.
STATIC_ROOT = None if TESTING else DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 4096

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TOWNHALL_LOG_LEVEL", "WARNING")},
    # The job consumer (`townhall worker`) reports each job once, on the console.
    "loggers": {
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A refused request (403/404) is the product working, not an error: no traceback in the log.
        "django.request": {"level": "ERROR"},
    },
}
