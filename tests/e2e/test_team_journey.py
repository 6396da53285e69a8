"""The team deployment end to end, in two browser contexts on PostgreSQL.

A coach (made with ``python -m whoop user add``) signs in and creates an invite on the Team page;
the athlete opens the link in another browser context, creates their account, connects their
WHOOP through the sandbox's consent page, comes back signed in as themselves, waits for the
worker's backfill and sees only their own data (another athlete, ``bram``, is on the roster).
The sandbox then advances a day and sends its signed webhooks to the worker's receiver (a real
``python -m whoop worker`` process): the coach's open Team page shows the athlete's new day
within 10 s, with no sync pressed and no click.

``WHOOP_SCREENSHOTS=1`` also writes docs/screenshots/invite.png (the invite card) and
docs/screenshots/team.png (the Team page); plain runs never write into the repo.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime

import httpx
import pytest

from tests.conftest import TEST_TOKEN_KEY
from tests.e2e import appserver
from tests.e2e.appserver import REPO, running_app, wait_for_run
from tests.test_worker import worker_env
from whoop.sandbox.options import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)      # the sandbox's clock at start
SHOTS = REPO / "docs" / "screenshots"


def shot(page, name: str) -> None:
    if os.environ.get("WHOOP_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def shot_of(locator, name: str) -> None:
    """A screenshot of one element (Streamlit scrolls inside its main block, so a page
    screenshot shows only the window's part)."""
    if os.environ.get("WHOOP_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(SHOTS / name))


def nav(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_run(page)


def body(page) -> str:
    return page.locator("body").inner_text()


def assert_no_traceback(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in body(page)


@pytest.fixture
def team_db(pg_schemas, monkeypatch, tmp_path) -> str:
    """A PostgreSQL schema with one athlete already on the roster (``bram``, a synthetic export
    that ends before the sandbox's days) and the coach's account, made by the CLI."""
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths

    monkeypatch.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    db = pg_schemas.new()
    export = write_demo_export(tmp_path / "export", seed=3, days=40, end=date(2026, 11, 1))
    import_paths(Store(db), [export], athlete="bram")
    env = {**os.environ, "WHOOP_DB": db, "WHOOP_SECRETS_FILE": str(tmp_path / "absent.toml")}
    made = subprocess.run([sys.executable, "-m", "whoop", "user", "add", "coach", "--role", "coach",
                           "--password-stdin"], input="coach-password-1\n", env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    return db


def test_coach_invites_athlete_connects_and_webhooks_reach_the_team_page(browser, team_db,
                                                                          tmp_path, monkeypatch):
    port = appserver.free_port()
    url = f"http://127.0.0.1:{port}"
    with run_sandbox(now=NOW, days=30, athletes=2, redirect_uris=[url + "/"]) as sb:
        worker = subprocess.Popen(
            [sys.executable, "-m", "whoop", "worker", "--poll", "1", "--port", "0",
             "--reconcile-min", "120"], env=worker_env(sb, team_db), cwd=REPO,
            stdout=subprocess.PIPE, stderr=(tmp_path / "worker.err").open("w"), text=True)
        guard = threading.Timer(300, worker.kill)                  # never hang the suite
        guard.start()
        try:
            worker.stdout.readline()                               # the start line
            receiver = worker.stdout.readline().split()[-1]        # "... webhooks on <url>"
            threading.Thread(target=worker.stdout.read, daemon=True).start()   # keep it drained
            httpx.post(sb.base_url + "/_sandbox/webhooks", params={"url": receiver},
                       timeout=10).raise_for_status()
            monkeypatch.setattr(appserver, "free_port", lambda: port)
            env = {"WHOOP_CLIENT_ID": DEFAULT_CLIENT_ID, "WHOOP_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
                   "WHOOP_BASE_URL": sb.base_url, "WHOOP_REDIRECT_URI": url + "/",
                   "WHOOP_SECRETS_FILE": str(tmp_path / "absent.toml"),
                   "WHOOP_TOKEN_KEY": TEST_TOKEN_KEY}
            with running_app(team_db, env=env, log=tmp_path / "app.log") as served:
                assert served == url
                _journey(browser, sb, team_db, url)
        finally:
            guard.cancel()
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def _journey(browser, sb, db: str, url: str) -> None:
    coach = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    athlete = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    for page in (coach, athlete):
        page.context.set_default_timeout(60_000)

    # a deep link before signing in lands on the sign-in page; the coach signs in, invites
    coach.goto(url + "/trends")
    coach.get_by_text("sign in to see it").wait_for()
    wait_for_run(coach)
    assert "bram" not in body(coach) and coach.get_by_test_id("stMetric").count() == 0
    coach.goto(url)
    coach.get_by_text("sign in to see it").wait_for()
    wait_for_run(coach)
    assert "bram" not in body(coach)
    coach.get_by_label("User name").fill("coach")
    coach.get_by_role("textbox", name="Password", exact=True).fill("coach-password-1")
    coach.get_by_role("button", name="Sign in").click()
    wait_for_run(coach)
    nav(coach, "Team")
    coach.get_by_label("Athlete name (shown to them, optional)").fill("Ann")
    coach.get_by_role("button", name="Create invite link").click()
    wait_for_run(coach)
    link = coach.get_by_test_id("stCode").inner_text().strip()
    assert link.startswith(url + "/?invite="), link
    shot_of(coach.get_by_test_id("stVerticalBlock").filter(
        has=coach.get_by_role("heading", name="Invite an athlete")).last, "invite.png")

    # the athlete opens it in their own browser, signs up and connects WHOOP
    athlete.goto(link)
    athlete.get_by_text("You are invited").wait_for()
    wait_for_run(athlete)
    assert "invite=" not in athlete.evaluate("location.href")
    assert "You are invited to join this team as Ann" in body(athlete)
    athlete.get_by_label("User name (or your e-mail address)").fill("ann")
    athlete.get_by_role("textbox", name="Password (at least 8 characters)").fill("ann-password-1")
    athlete.get_by_role("textbox", name="Password again").fill("ann-password-1")
    athlete.get_by_role("button", name="Create account").click()
    wait_for_run(athlete)
    athlete.get_by_text("No WHOOP data yet").wait_for()
    nav(athlete, "Data")
    athlete.get_by_role("link", name="Connect WHOOP", exact=True).click()
    athlete.wait_for_url(sb.base_url + "/oauth/oauth2/auth?**")
    athlete.locator("input[name=athlete][value='1']").check()
    athlete.get_by_role("button", name="Allow").click()
    athlete.wait_for_url(url + "/**")
    athlete.get_by_text("Connected WHOOP account as athlete 'Ann'").wait_for()
    # back from WHOOP, signed in as themselves; the worker backfills, the Overview fills in
    athlete.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    wait_for_run(athlete)
    assert_no_traceback(athlete)
    assert "Signed in as ann (athlete)" in body(athlete)
    for title in ("Overview", "Recovery", "Trends", "Data"):
        nav(athlete, title)
        assert_no_traceback(athlete)
        assert "bram" not in body(athlete), title
    assert athlete.get_by_test_id("stSidebarNav").get_by_role("link", name="Team").count() == 0

    # the coach's Team page shows Ann; a day passes at WHOOP, its webhooks reach the worker
    store = Store(db)
    aid = store.athlete_id("Ann")
    nav(coach, "Team")
    coach.get_by_text(re.compile(r"2 athletes of 2")).first.wait_for()
    before = store.days(aid)["date"].max()
    sent = httpx.post(sb.base_url + "/_sandbox/advance?days=1", timeout=60).json()["webhooks"]
    advanced = time.monotonic()
    assert sent > 0
    deadline = advanced + 10.0
    after = before
    while time.monotonic() < deadline and after <= before:
        time.sleep(0.2)
        after = store.days(aid)["date"].max()
    assert after > before, "no new day was stored within 10 s of the webhooks"
    new_day = f"{after:%A, %d %B %Y}"
    coach.get_by_text(new_day).first.wait_for(timeout=max(0.5, deadline - time.monotonic()) * 1000)
    seen = time.monotonic() - advanced
    print(f"team page showed the new day {seen:.1f} s after the sandbox advanced ({sent} webhooks)")
    assert seen <= 10.0, f"the Team page showed the new day after {seen:.1f} s"
    assert_no_traceback(coach)
    coach.get_by_test_id("stMain").locator("h1").first.scroll_into_view_if_needed()
    shot(coach, "team.png")
    events = store.webhook_events()
    assert len(events) >= sent and "failed" not in " ".join(events["outcome"].dropna())
