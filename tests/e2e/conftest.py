"""Browser-test fixtures: a real Streamlit server per test and Debian's Chromium.

Fixtures:
    ``app_server(db) -> url``  start ``app.py`` on a free port with ``WHOOP_DB=db`` (stopped
                               at the end of the test); the server log goes to ``tmp_path``.
    ``browser``                one headless Chromium per session.
    ``page``                   a fresh 1400x900 page per test.
    ``wait_for_run(page)``     plain function (import from ``tests.e2e.appserver``): wait until
                               Streamlit finished the current run.
    ``outside_requests``       autouse: every request and websocket of every browser context
                               (``browser.new_context``/``new_page``) to a host other than
                               127.0.0.1/localhost (the app servers and the sandbox) fails the
                               test; ``.allow(host)`` for a test's own extra name,
                               ``.watch(context)`` for a context of a browser the test launched.

Without ``/usr/bin/chromium`` the tests skip locally but fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.appserver import CHROMIUM, launch_chromium, running_app

#: where the app servers and the sandbox listen (tests/e2e/appserver.py, whoop.sandbox.testing)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


class OutsideRequests:
    """Records the URLs a browser asks for on any host outside :attr:`allowed`."""

    def __init__(self) -> None:
        self.allowed: set[str] = set(LOCAL_HOSTS)
        self.seen: list[str] = []

    def allow(self, host: str) -> None:
        """Accept ``host`` too for this test (e.g. a name mapped to 127.0.0.1)."""
        self.allowed.add(host.lower())

    def record(self, url: str) -> None:
        """Note ``url`` when it is http(s)/ws(s) to a host not allowed (data:, blob: are local)."""
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and (
                (parts.hostname or "").lower() not in self.allowed):
            self.seen.append(url)

    def watch(self, context) -> None:
        """Record every request and websocket of ``context`` (a Playwright BrowserContext)."""
        context.on("request", lambda request: self.record(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: self.record(ws.url)))


_current: list[OutsideRequests] = []


def _watched(browser) -> object:
    """Make every new context and page of ``browser`` report to the running test's recorder."""
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        if _current:
            _current[-1].watch(context)
        return context

    def watched_page(*args, **kwargs):
        return watched_context(*args, **kwargs).new_page()

    browser.new_context = watched_context
    browser.new_page = watched_page
    return browser


@pytest.fixture(autouse=True)
def outside_requests() -> Iterator[OutsideRequests]:
    """Fail the test when its browser asked any host other than the app's own (health data
    never leaves the machine; a hostile name must not make the browser fetch anything)."""
    recorder = OutsideRequests()
    _current.append(recorder)
    try:
        yield recorder
    finally:
        _current.remove(recorder)
    if recorder.seen:
        pytest.fail(f"the browser asked {len(recorder.seen)} outside URL(s): "
                    f"{sorted(set(recorder.seen))[:10]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (never ``playwright install``)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; browser tests must run under CI")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _watched(launch_chromium(p))
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
            log = tmp_path / f"streamlit-{db.stem}-{len(stack._exit_callbacks)}.log"
            return stack.enter_context(running_app(db, log=log, **kwargs))
        yield start
