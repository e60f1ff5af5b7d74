"""Configuration mistakes are reported by `townhall check` with a stable id that names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]


def townhall_ids() -> set[str]:
    return {message.id for message in run_checks() if message.id and message.id.startswith("townhall.")}


@pytest.fixture
def sound(settings, tmp_path):
    """A configuration with nothing to report, on the embedded default."""
    settings.DATABASE_URL = ""
    settings.REDIS_URL = ""
    settings.DATA_DIR = tmp_path / "data"
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
    settings.HTTPS = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.EMAIL_HOST = ""
    settings.HELPDESK_WEBHOOK_URL = ""
    settings.HELPDESK_WEBHOOK_SECRET = ""
    return settings


def test_a_sound_configuration_reports_nothing(sound):
    assert townhall_ids() == set()


@pytest.mark.parametrize("url", ["mysql://user@db/townhall", "nonsense", "postgres://user@host:port/db"])
def test_a_database_url_that_is_not_postgres_or_sqlite_is_an_error(sound, url):
    sound.DATABASE_URL = url
    assert "townhall.E001" in townhall_ids()


@pytest.mark.parametrize("url", ["postgres://postgres@127.0.0.1:5432/townhall", "sqlite:////tmp/townhall.db"])
def test_postgres_and_sqlite_database_urls_are_accepted(sound, url):
    sound.DATABASE_URL = url
    assert "townhall.E001" not in townhall_ids()


def test_a_data_dir_that_cannot_be_created_is_an_error(sound, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    sound.DATA_DIR = blocker / "data"
    assert "townhall.E002" in townhall_ids()


def test_the_data_dir_does_not_matter_when_postgres_and_redis_hold_everything(sound, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    sound.DATA_DIR = blocker / "data"
    sound.DATABASE_URL = "postgres://postgres@127.0.0.1:5432/townhall"
    sound.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert "townhall.E002" not in townhall_ids()


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "127.0.0.1:6379", "memcached://cache:11211"])
def test_a_redis_url_that_is_not_redis_is_an_error(sound, url):
    sound.REDIS_URL = url
    assert "townhall.E003" in townhall_ids()


def test_redis_urls_are_accepted(sound):
    sound.REDIS_URL = "rediss://:secret@cache.internal:6380/2"
    assert "townhall.E003" not in townhall_ids()


def test_debug_on_is_a_warning(sound):
    sound.DEBUG = True
    assert "townhall.W001" in townhall_ids()


def test_a_wildcard_allowed_host_is_a_warning(sound):
    sound.ALLOWED_HOSTS = ["*"]
    assert "townhall.W002" in townhall_ids()


def test_a_public_host_without_https_warns_that_cookies_are_not_secure(sound):
    sound.ALLOWED_HOSTS = ["community.example.com"]
    sound.SITE_URL = "http://community.example.com"
    assert "townhall.W003" in townhall_ids()
    sound.HTTPS = True
    assert "townhall.W003" not in townhall_ids()


def test_an_smtp_host_without_a_valid_port_is_an_error(sound):
    sound.EMAIL_HOST = "smtp.example.com"
    sound.EMAIL_PORT = 0
    assert "townhall.E004" in townhall_ids()
    sound.EMAIL_PORT = 587
    assert "townhall.E004" not in townhall_ids()


def test_an_unsigned_helpdesk_webhook_is_a_warning(sound):
    sound.HELPDESK_WEBHOOK_URL = "https://helpdesk.example.com/hooks/townhall"
    assert "townhall.W004" in townhall_ids()
    sound.HELPDESK_WEBHOOK_SECRET = "a-long-random-secret"
    assert townhall_ids() == set()


def test_a_helpdesk_webhook_that_is_not_http_is_an_error(sound):
    sound.HELPDESK_WEBHOOK_URL = "ftp://helpdesk.example.com/in"
    sound.HELPDESK_WEBHOOK_SECRET = "a-long-random-secret"
    assert "townhall.E005" in townhall_ids()


def test_a_site_url_that_is_not_absolute_is_an_error(sound):
    sound.SITE_URL = "community.example.com"
    assert "townhall.E006" in townhall_ids()


def run_townhall(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TOWNHALL_", "DATABASE_URL", "REDIS_URL"))}
    environ.update(TOWNHALL_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-m", "townhall.cli", *args], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_townhall_check_passes_on_the_embedded_default(tmp_path):
    result = run_townhall(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_townhall_check_reports_a_broken_database_url_instead_of_crashing(tmp_path):
    result = run_townhall(tmp_path, "check", DATABASE_URL="mysql//oops")
    assert result.returncode == 1
    assert "townhall.E001" in result.stderr
    assert "Traceback" not in result.stderr


def test_townhall_check_reports_a_bad_smtp_port_instead_of_crashing(tmp_path):
    result = run_townhall(tmp_path, "check", TOWNHALL_EMAIL_HOST="smtp.example.com", TOWNHALL_EMAIL_PORT="smtp")
    assert result.returncode == 1
    assert "townhall.E004" in result.stderr
    assert "Traceback" not in result.stderr


def test_townhall_check_reports_a_number_that_is_not_one_instead_of_crashing(tmp_path):
    result = run_townhall(tmp_path, "check", TOWNHALL_PAGE_CACHE_SECONDS="five minutes",
                          TOWNHALL_VIEW_COUNT_FLUSH_SECONDS="-3")
    assert result.returncode == 1
    assert "townhall.E007" in result.stderr
    assert "TOWNHALL_PAGE_CACHE_SECONDS" in result.stderr and "TOWNHALL_VIEW_COUNT_FLUSH_SECONDS" in result.stderr
    assert "Traceback" not in result.stderr
