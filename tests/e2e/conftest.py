"""Browser journeys: pytest-playwright driving the system's Chromium, headless, against live_server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (Debian's `chromium`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

# Playwright's sync API runs an event loop in the test's thread; the test still talks to the
# database directly (to create members, read the outbox), which Django allows only with this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("TOWNHALL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or os.environ.get("CI"):
        return  # in CI a missing browser is a failure, not a skip
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium package")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _form_guard_on(_form_guard, settings):
    """The forms' spam guard is on, as in production: the browser sends the honeypot and the stamp the
    pages render. Playwright types faster than a person, so there is no minimum time."""
    settings.FORM_GUARD = True
    settings.FORM_MIN_SECONDS = 0


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture
def browser(browser_type_launch_args) -> Iterator[Browser]:
    """Chromium for one test (pytest-playwright's is shared by the whole session).

    While Playwright's event loop runs, Django keeps database connections per asyncio context
    instead of per thread, so the test's own queries get a connection of their own. Stopping
    Playwright after each journey, and closing those connections first, keeps them from
    outliving the test (and from blocking the test database's teardown on PostgreSQL).
    """
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**browser_type_launch_args)
        try:
            yield launched
        finally:
            connections.close_all()
            launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A page in a browser context of its own (its own cookies: one person), closed after the test.

    Closing matters: the live server outlives the test, and an open page that is still loading or
    polling would hold a database connection while the test database is dropped.
    """
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context()
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
