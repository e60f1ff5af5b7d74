"""System checks for Townhall's configuration: each problem has a stable id and names the variable.

They run before `townhall serve` and `townhall migrate` start, and on `townhall check [--deploy]`.
Settings never crash on a bad value (they fall back); these checks say what is wrong instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

SUPPORTED_DATABASES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
REDIS_SCHEMES = {"redis", "rediss", "unix"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "testserver"}


@register()
def check_database_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = getattr(settings, "DATABASE_URL", "")
    if not url:
        return []
    try:
        engine = dj_database_url.parse(url)["ENGINE"]
    except ValueError:
        engine = ""
    if engine in SUPPORTED_DATABASES:
        return []
    shown = urlsplit(url).scheme or url.split(":", 1)[0]
    return [Error(
        f"DATABASE_URL is not a PostgreSQL or SQLite URL (it starts with “{shown[:20]}”).",
        hint="Use postgres://USER:PASSWORD@HOST:5432/NAME, or unset it for the embedded SQLite database.",
        id="townhall.E001",
    )]


def _first_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


@register()
def check_data_dir(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # Only the embedded default (SQLite database or SQLite job queue) depends on the data directory.
    if getattr(settings, "DATABASE_URL", "") and getattr(settings, "REDIS_URL", ""):
        return []
    data_dir = Path(settings.DATA_DIR)
    existing = _first_existing(data_dir)
    problem = ""
    if not existing.is_dir():
        problem = f"{existing} is a file, not a directory"
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"{existing} is not writable by this user"
    if not problem:
        return []
    return [Error(
        f"TOWNHALL_DATA_DIR {data_dir} cannot be used: {problem}.",
        hint="Townhall keeps its SQLite database, job queue, uploads and secret key there: "
             "point TOWNHALL_DATA_DIR at a directory this user may write to.",
        id="townhall.E002",
    )]


@register()
def check_redis_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme in REDIS_SCHEMES and (parts.netloc or parts.scheme == "unix"):
        return []
    return [Error(
        "REDIS_URL is not a redis:// URL.",
        hint="Use redis://HOST:6379/0 (or rediss:// for TLS), or unset it for the embedded cache and queue.",
        id="townhall.E003",
    )]


@register()
def check_debug(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    return [Warning(
        "TOWNHALL_DEBUG is on: error pages show code and settings to anyone.",
        hint="Turn it off (unset TOWNHALL_DEBUG) anywhere but on a developer's machine.",
        id="townhall.W001",
    )]


@register()
def check_allowed_hosts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if "*" not in settings.ALLOWED_HOSTS:
        return []
    return [Warning(
        "TOWNHALL_ALLOWED_HOSTS contains '*': any Host header is accepted (password-reset links can be forged).",
        hint="List the host names Townhall is served under, comma-separated.",
        id="townhall.W002",
    )]


def _is_local(host: str) -> bool:
    host = host.strip().lower()
    return host in LOCAL_HOSTS or host.endswith(".localhost") or host == "localhost."


@register()
def check_https(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.HTTPS:
        return []
    hosts = [h for h in settings.ALLOWED_HOSTS if not _is_local(h.lstrip("."))]
    site_host = urlsplit(settings.SITE_URL).hostname or ""
    if site_host and not _is_local(site_host):
        hosts.append(site_host)
    if not hosts:
        return []
    return [Warning(
        f"Townhall serves {hosts[0]} without TOWNHALL_HTTPS: session and CSRF cookies are not marked secure.",
        hint="Serve it behind HTTPS (a TLS-terminating proxy) and set TOWNHALL_HTTPS=1.",
        id="townhall.W003",
    )]


@register()
def check_email(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "EMAIL_HOST", ""):
        return []
    port = getattr(settings, "EMAIL_PORT", None)
    if isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535:
        return []
    return [Error(
        "TOWNHALL_EMAIL_HOST is set but TOWNHALL_EMAIL_PORT is not a port number.",
        hint="Set TOWNHALL_EMAIL_PORT to the SMTP server's port, e.g. 587 (STARTTLS) or 465.",
        id="townhall.E004",
    )]


@register()
def check_helpdesk_webhook(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = getattr(settings, "HELPDESK_WEBHOOK_URL", "")
    if not url:
        return []
    messages: list[CheckMessage] = []
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        messages.append(Error(
            "TOWNHALL_HELPDESK_WEBHOOK_URL is not an http(s) URL: escalations cannot be delivered.",
            hint="Use the helpdesk's https://… endpoint.",
            id="townhall.E005",
        ))
    if not getattr(settings, "HELPDESK_WEBHOOK_SECRET", ""):
        messages.append(Warning(
            "TOWNHALL_HELPDESK_WEBHOOK_URL is set without TOWNHALL_HELPDESK_WEBHOOK_SECRET: "
            "escalations are sent unsigned, so the helpdesk cannot tell them from forgeries.",
            hint="Set a long random TOWNHALL_HELPDESK_WEBHOOK_SECRET and verify the X-Townhall-Signature header.",
            id="townhall.W004",
        ))
    return messages


@register()
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return []
    return [Error(
        "TOWNHALL_SITE_URL is not an absolute http(s) URL: links in emails would be broken.",
        hint="Set it to the address members use, e.g. https://community.example.com",
        id="townhall.E006",
    )]


@register()
def check_numbers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [Error(
        f"{name} is not a whole number: its default is used instead.",
        hint=f"Set {name} to a number such as 10, or leave it unset.",
        id="townhall.E007",
    ) for name in getattr(settings, "UNREADABLE_NUMBERS", [])]
