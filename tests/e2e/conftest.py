"""Browser-test fixtures: a real Streamlit server per test and Debian's Chromium.

Fixtures:
    ``app_server(db) -> url``  start ``app.py`` on a free port with ``WHOOP_DB=db`` (stopped
                               at the end of the test); the server log goes to ``tmp_path``.
    ``browser``                one headless Chromium per session.
    ``page``                   a fresh 1400x900 page per test.
    ``wait_for_run(page)``     plain function (import from ``tests.e2e.appserver``): wait until
                               Streamlit finished the current run.

Without ``/usr/bin/chromium`` the tests skip locally but fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.appserver import CHROMIUM, launch_chromium, running_app


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (never ``playwright install``)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; browser tests must run under CI")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A new page (own context, 1400x900) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """Factory: ``app_server(db)`` serves the app on ``db`` and returns its base URL."""
    with ExitStack() as stack:
        def start(db: Path, **kwargs) -> str:
            log = tmp_path / f"streamlit-{db.stem}.log"
            return stack.enter_context(running_app(db, log=log, **kwargs))
        yield start
