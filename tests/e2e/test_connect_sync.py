"""The WHOOP connection in a real browser, against the local WHOOP sandbox:

* Allow: open the app -> Data -> Connect WHOOP (one click, same tab: the sandbox's
  consent page) -> pick the second athlete -> Allow -> back on the app, connected as that athlete,
  no ``code``/``state`` left in the URL -> Data -> Sync now -> the progress box completes -> the
  Recovery page shows exactly the days the database holds, and the database holds exactly the
  sandbox's records.
* Deny: the same up to the consent page -> Deny -> back on the app with a clear message; no
  athlete, connection or token stored.

Every page visited is checked for a traceback and for any token the sandbox issued (the sandbox
runs in this process, so its state lists them). The sandbox's redirect URI must be the app's
exact address, so the app's port is chosen first (see :func:`whoop_app`).

``WHOOP_SCREENSHOTS=1`` also writes docs/screenshots/connect.png (the consent page) and
docs/screenshots/sync.png (the Data page after the sync); plain runs never write into the repo.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e import appserver
from tests.e2e.appserver import REPO, wait_for_run
from tests.sync.conftest import assert_matches_sandbox, issued_tokens
from whoop.sandbox.options import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from whoop.sandbox.testing import SandboxHandle, run_sandbox
from whoop.store import Store

pytestmark = pytest.mark.e2e

DAYS = 30            # sandbox history: small, the journey stays well under a minute
PICK = 1             # consent page: sign in as the second of two athletes
SHOTS = REPO / "docs" / "screenshots"
DENIED = "WHOOP access was not granted (you chose Deny); nothing was stored"


@dataclass
class WhoopApp:
    """The app served on ``url`` (no trailing slash) over ``db``, connected to ``sandbox``."""

    url: str
    db: Path
    sandbox: SandboxHandle

    def store(self) -> Store:
        return Store(self.db, busy_timeout_s=60)

    def profile(self, index: int = PICK) -> dict:
        with self.sandbox.state.lock:
            return dict(self.sandbox.state.world.athletes[index].profile)


@pytest.fixture
def whoop_app(app_server, tmp_path, monkeypatch) -> Iterator[WhoopApp]:
    """A sandbox (2 athletes, ``DAYS`` days, consent page) whose one redirect URI is the app's
    address, and the app pointed at it. ``running_app`` picks its port itself, so the port is
    chosen here first and handed to it through ``appserver.free_port``."""
    port = appserver.free_port()
    url = f"http://127.0.0.1:{port}"
    with run_sandbox(days=DAYS, athletes=2, redirect_uris=[url + "/"]) as sb:
        monkeypatch.setattr(appserver, "free_port", lambda: port)
        db = tmp_path / "connect.duckdb"
        env = {"WHOOP_CLIENT_ID": DEFAULT_CLIENT_ID, "WHOOP_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
               "WHOOP_BASE_URL": sb.base_url, "WHOOP_REDIRECT_URI": url + "/",
               "WHOOP_SECRETS_FILE": str(tmp_path / "no-secrets.toml")}
        assert app_server(db, env=env) == url
        yield WhoopApp(url, db, sb)


# -- helpers ---------------------------------------------------------------------------------
def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_run(page)
    assert page.get_by_test_id("stMain").locator("h1").first.inner_text().strip() == title


def assert_safe(page, app: WhoopApp) -> None:
    """No traceback on the page; no issued token (nor a Fernet blob) in its HTML or URL."""
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    html, href = page.content(), page.evaluate("location.href")
    tokens = issued_tokens(app.sandbox)
    assert not [t for t in tokens if t in html or t in href], "a WHOOP token reached the page"
    # a Fernet token starts with gAAAA; so can base64 inside a chart's PNG data URI: skip those
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", html)
    assert "gAAAA" not in text and DEFAULT_CLIENT_SECRET not in html


def assert_clean_url(page, url: str) -> None:
    """Back on the app with no OAuth reply left in the address bar."""
    href = page.evaluate("location.href")
    assert href.startswith(url + "/"), href
    oauth = {"code", "state", "error", "error_description", "scope"}
    left = oauth & set(parse_qs(urlsplit(href).query))
    assert not left, href


def whoop_card(page):
    """The Data page's WHOOP account card (the innermost block holding its heading)."""
    heading = page.get_by_role("heading", name="WHOOP account")
    return page.get_by_test_id("stVerticalBlock").filter(has=heading).last


def card_state(page, name: str) -> str:
    """The state line under the athlete's name on the WHOOP card (``Connected``, ``Syncing``...)."""
    strong = page.locator("strong", has_text=re.compile(rf"^{re.escape(name)}$"))
    row = whoop_card(page).get_by_test_id("stMarkdownContainer").filter(has=strong)
    lines = row.inner_text().strip().splitlines()
    assert lines[0].strip() == name, lines
    return lines[1].strip()


def start_connect(page, app: WhoopApp):
    """Open the app, go to Data and follow the Connect WHOOP link (one click, same tab);
    returns the page, now showing the sandbox's consent page."""
    page.goto(app.url)
    wait_for_run(page)
    page.get_by_text("No WHOOP data yet").wait_for()
    open_page(page, "Data")
    page.get_by_role("heading", name="WHOOP account").wait_for()
    link = whoop_card(page).get_by_role("link", name="Connect WHOOP")
    href = link.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert href.startswith(app.sandbox.base_url + "/oauth/oauth2/auth?"), href
    assert query["redirect_uri"] == [app.url + "/"] and query["client_id"] == [DEFAULT_CLIENT_ID]
    assert len(query["state"][0]) >= 8 and DEFAULT_CLIENT_SECRET not in href
    link.click()
    page.wait_for_url(app.sandbox.base_url + "/oauth/oauth2/auth?**")
    assert len(page.context.pages) == 1             # the same tab, no second one
    assert page.get_by_role("heading", name="WHOOP sandbox: authorize").is_visible()
    return page


def wait_idle(store: Store, athlete_id: int, timeout_s: float = 60.0) -> list[str]:
    """Wait until the athlete has a sync run and none of its runs is still running; returns the
    runs' statuses, newest first. Right after a connect the app always starts the first sync in
    the background (``handle_oauth_return`` wakes the scheduler), and with the default
    ``WHOOP_SYNC_MAX_AGE_MIN`` (60) the scheduler starts no other one during the test, so this
    is exactly "the first sync has ended"."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = store.runs(athlete_id)["status"].tolist()
        if status and "running" not in status:
            return status
        time.sleep(0.2)
    pytest.fail(f"no finished sync of athlete {athlete_id} after {timeout_s:.0f} s")


def sync_now(page, store: Store, athlete_id: int, name: str) -> str:
    """Press Sync now and wait for the outcome: after a good sync the app reruns and shows the
    summary as a success message; a failed one leaves its progress box. Returns the summary. A
    press that met a sync already running (the background scheduler) is retried once it ended."""
    card = whoop_card(page)
    # flashes are escaped Markdown: an invisible word joiner (U+2060) follows each ":"
    done = page.get_by_test_id("stAlertContentSuccess").filter(
        has_text=re.compile(rf"Synced:\u2060? athlete '{re.escape(name)}':\u2060? cycles"))
    failed = card.get_by_test_id("stExpander").filter(has_text=f"Sync of {name} failed")
    for attempt in range(2):
        card.get_by_role("button", name="Sync now").click()
        done.or_(failed).first.wait_for(timeout=60_000)
        wait_for_run(page, 60_000)
        if done.count():
            return done.first.inner_text()
        error = card.get_by_test_id("stAlertContentError").all_inner_texts()
        assert attempt == 0 and any("already running" in e for e in error), error
        wait_idle(store, athlete_id)
        open_page(page, "Data")
    raise AssertionError("unreachable")


def shot(page, name: str) -> None:
    if os.environ.get("WHOOP_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name))


# -- the journeys ----------------------------------------------------------------------------
def test_connect_allow_sync_shows_recovery(whoop_app, page):
    app, person = whoop_app, whoop_app.profile()
    name = f"{person['first_name']} {person['last_name']}"
    consent = start_connect(page, app)
    consent.get_by_role("radio", name=f"{name} ({person['email']})", exact=True).check()
    shot(consent, "connect.png")
    consent.get_by_role("button", name="Allow").click()

    welcome = consent.get_by_test_id("stAlertContentSuccess").filter(
        has_text="Connected WHOOP account")
    welcome.wait_for()
    wait_for_run(consent)
    assert f"as athlete '{name}'" in welcome.inner_text()
    assert_clean_url(consent, app.url)
    assert_safe(consent, app)
    store = app.store()
    athletes = store.athletes()
    assert athletes["name"].tolist() == [name]
    athlete_id = int(athletes["athlete_id"].iloc[0])
    conns = store.query("SELECT athlete_id, status FROM whoop_connections")
    assert conns.values.tolist() == [[athlete_id, "connected"]]

    open_page(consent, "Data")
    assert card_state(consent, name) in ("Connected", "Syncing")
    assert wait_idle(store, athlete_id) == ["ok"]   # the first sync, started by the connect
    open_page(consent, "Data")   # rerun: the card now shows the finished background sync
    assert card_state(consent, name) == "Connected"
    label = sync_now(consent, store, athlete_id, name)
    assert "requests in" in label
    runs = store.runs(athlete_id)
    assert runs["kind"].tolist()[0] == "sync" and set(runs["status"]) == {"ok"}, runs
    assert_safe(consent, app)
    consent.get_by_role("heading", name="WHOOP account").evaluate(
        "el => el.scrollIntoView({block: 'start'})")
    shot(consent, "sync.png")

    counts = assert_matches_sandbox(store, app.sandbox, athlete_id, index=PICK)
    assert counts["cycle"] >= DAYS
    days = store.days(athlete_id)
    first, last = days["date"].min().date(), days["date"].max().date()
    assert len(days) == (last - first).days + 1 >= DAYS   # the default 90-day range holds them all

    open_page(consent, "Recovery")
    main = consent.get_by_test_id("stMain")
    captions = main.get_by_test_id("stCaptionContainer").all_inner_texts()
    assert f"{name} · {first:%d %b %Y} – {last:%d %b %Y}" in captions
    side = consent.get_by_test_id("stSidebar").inner_text()
    assert f"data through {last:%a %d %b %Y}" in side and f"({len(days)} days)" in side, side
    metrics = dict(zip(main.get_by_test_id("stMetricLabel").all_inner_texts(),
                       main.get_by_test_id("stMetricValue").all_inner_texts(), strict=False))
    # docs/ARCHITECTURE.md "The day model": only SCORED recoveries count, never calibrating days
    # (nor placeholder cycles)
    counts_in_stats = (days["recovery_score_state"].eq("SCORED").fillna(False)
                       & ~days["user_calibrating"].fillna(False).astype(bool)
                       & days["has_main_sleep"].fillna(False).astype(bool))
    scored = days.loc[counts_in_stats, "recovery_score"].dropna()
    assert metrics["Mean recovery"] == f"{scored.mean():.0f}%"
    assert sum(int(metrics[f"{z} days"]) for z in ("Green", "Yellow", "Red")) == len(scored) > 0
    main.locator(".js-plotly-plot").first.wait_for()
    assert_safe(consent, app)


def test_deny_stores_nothing(whoop_app, page):
    app = whoop_app
    consent = start_connect(page, app)
    consent.get_by_role("button", name="Deny").click()

    message = consent.get_by_test_id("stAlertContentError").filter(has_text="not granted")
    message.wait_for()
    wait_for_run(consent)
    assert DENIED in message.inner_text()
    assert_clean_url(consent, app.url)
    assert_safe(consent, app)
    assert not issued_tokens(app.sandbox)
    store = app.store()
    assert store.athletes().empty
    assert store.query("SELECT count(*) AS n FROM whoop_connections")["n"].tolist() == [0]
    open_page(consent, "Data")   # the card offers Connect again, no athlete row
    card = whoop_card(consent)
    card.get_by_role("link", name="Connect WHOOP").wait_for()
    assert card.get_by_role("button", name="Sync now").count() == 0
    assert_safe(consent, app)
