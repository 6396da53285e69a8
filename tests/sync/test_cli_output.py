"""What ``python -m whoop connect`` and ``sync`` print, run as subprocesses against the sandbox over
HTTP on 127.0.0.1: the advice when ``connect --athlete`` names nobody, ``--quiet`` silence, a
warning for an athlete whose access ended, and progress lines when stderr is not a terminal; on a
DuckDB file and on PostgreSQL."""

from __future__ import annotations

import re

import pytest

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    NOW,
    REDIRECT,
    assert_matches_sandbox,
    connect,
    faults,
    redirect_of,
    run_cli,
)
from whoop.config import WhoopSettings
from whoop.oauth import authorization_url
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store
from whoop.tokens import TokenStore


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)

LINE = re.compile(r"^\d\d:\d\d:\d\d Demo Athlete: ", re.M)


def test_connect_to_an_unknown_athlete_says_how_to_make_one(sandbox, store):
    store.import_records("me", {}, kind="export", source="test")
    r = run_cli(sandbox, store.location, "connect", "--athlete", "Sam Smith", "--headless", input="")
    assert r.returncode == 1
    msg = r.stderr
    assert msg.startswith("error: no athlete 'Sam Smith' to link (known: 'me')"), msg
    assert "python -m whoop import PATH --athlete 'Sam Smith'" in msg
    assert "`python -m whoop connect` without --athlete" in msg and "WHOOP profile" in msg
    assert "Traceback" not in msg and r.stdout == ""


def test_sync_quiet_prints_nothing_when_it_succeeds(sandbox, store, athlete):
    r = run_cli(sandbox, store.location, "sync", "--quiet")
    assert r.returncode == 0, r.stderr
    assert (r.stdout, r.stderr) == ("", "")
    assert assert_matches_sandbox(store, sandbox, athlete)["cycle"] > 0


def test_sync_without_quiet_prints_one_summary_per_athlete(sandbox, store, athlete):
    r = run_cli(sandbox, store.location, "sync")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("athlete 'Demo Athlete': cycles ") and r.stdout.count("\n") == 1


def test_sync_off_a_terminal_prints_progress_lines_while_it_waits_out_faults(sandbox, store, athlete):
    faults(sandbox, "429:2,503:1,drop:1,slow:1")
    r = run_cli(sandbox, store.location, "sync")          # capture_output: stderr is a pipe, not a TTY
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert all(LINE.match(x) for x in lines), r.stderr
    assert sum("for WHOOP's rate limit (429)" in x and "waiting" in x for x in lines) == 2, r.stderr
    assert any("WHOOP answered 503: retrying with backoff" in x for x in lines), r.stderr
    assert any("no answer from WHOOP" in x for x in lines), r.stderr
    for coll in ("cycle", "sleep", "recovery", "workout"):
        done = re.compile(rf"Demo Athlete: {coll} done, \d+ records in \d+ pages$")
        assert any(done.search(x) for x in lines), coll
    assert r.stdout.startswith("athlete 'Demo Athlete'")   # the summary stays on stdout
    assert_matches_sandbox(store, sandbox, athlete)


def test_sync_all_quiet_still_warns_about_an_athlete_to_reconnect(tmp_path, store):
    with run_sandbox(now=NOW, days=10, athletes=2, auto_approve=True, rate_window_s=1) as sb:
        settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
        first = connect(store, settings)
        url = authorization_url(store, settings) + "&sandbox_athlete=1"
        second = TokenStore(store, settings).finish_connect_url(redirect_of(url)).athlete_id
        assert first != second
        TokenStore(store, settings).set_status(second, "reconnect_needed", "test")
        lost = store.athlete_name(second)
        r = run_cli(sb, store.location, "sync", "--all", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith(f"warning: WHOOP access of '{lost}' has ended: connect again with "
                               f"`python -m whoop connect --athlete "), r.stderr
    assert r.stderr.count("\n") == 1
