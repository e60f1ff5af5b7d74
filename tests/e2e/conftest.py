"""Browser journeys: pytest-playwright driving the system's Chromium, headless, against live_server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (Debian's `chromium`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": CHROMIUM_ARGS}
