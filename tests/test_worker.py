"""``python -m whoop worker`` as a subprocess against the sandbox over HTTP on 127.0.0.1, on DuckDB
and PostgreSQL: one pass syncs the due athletes and leaves fresh ones alone, skips an athlete
another process is syncing, reports a failed sync in one line and goes on, stops between
athletes on SIGTERM; and the interval arithmetic that keeps a roster within WHOOP's daily
budget."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    NOW,
    REDIRECT,
    REPO,
    assert_matches_sandbox,
    cli_env,
    redirect_of,
)
from whoop.config import WhoopSettings
from whoop.errors import ConfigError
from whoop.oauth import authorization_url
from whoop.sandbox.testing import SandboxHandle, run_sandbox
from whoop.store import Store
from whoop.sync import sync_athlete
from whoop.sync.engine import athlete_lock
from whoop.sync.requests import request_sync
from whoop.tokens import TokenStore
from whoop.worker import poll_interval

SUMMARY = "athlete '"          # what a sync's summary line holds (SyncResult.summary)


# -- the interval ------------------------------------------------------------------------------
def test_the_interval_keeps_any_roster_within_the_planned_daily_budget():
    assert poll_interval(1) == poll_interval(91) == 3600.0              # the 1-hour minimum
    assert round(poll_interval(100)) == 3927                            # 86,400 * 400 / 8,800
    assert round(poll_interval(500)) == 21_600
    for athletes in (1, 10, 92, 100, 250, 1000, 4000):
        interval = poll_interval(athletes)
        per_day = athletes * (4 * 86_400 / interval + 2)
        assert per_day <= 9_000 + 1e-6                                  # 90 % of WHOOP's 10,000
    assert poll_interval(100, day_s=1440.0, minimum_s=0) == pytest.approx(3927.27 / 60, rel=1e-3)
    with pytest.raises(ConfigError, match="4500 connected athletes need more than"):
        poll_interval(4500)


# -- the worker process ------------------------------------------------------------------------
@pytest.fixture
def sandbox():
    """Three sandbox athletes, 40 days each; a 1-second rate window (WHOOP_RATE_WINDOW_S=1 too)."""
    with run_sandbox(now=NOW, days=40, athletes=3, auto_approve=True, rate_window_s=1) as sb:
        yield sb


def connect_all(store: Store, sb: SandboxHandle, count: int) -> dict[int, int]:
    """Connect sandbox athletes 0..count-1; ``{sandbox index: athlete_id}``."""
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
    ids = {}
    for i in range(count):
        url = authorization_url(store, settings) + f"&sandbox_athlete={i}"
        ids[i] = TokenStore(store, settings).finish_connect_url(redirect_of(url)).athlete_id
    return ids


def worker_env(sb: SandboxHandle, db) -> dict[str, str]:
    """The CLI's environment for the sandbox and ``db`` (a file or a PostgreSQL URL), with the
    token key of the PostgreSQL tests and the sandbox's 1-second rate window."""
    env = cli_env(sb, db if not isinstance(db, str) else REPO / "no-such.duckdb")
    env.update(WHOOP_DB=str(db), WHOOP_RATE_WINDOW_S="1")
    if os.environ.get("WHOOP_TOKEN_KEY"):
        env["WHOOP_TOKEN_KEY"] = os.environ["WHOOP_TOKEN_KEY"]
    return env


def run_worker(sb: SandboxHandle, db, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whoop", "worker", *args], env=worker_env(sb, db), cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def sync_runs(store: Store, athlete_id: int) -> list[str]:
    """Statuses of the athlete's sync runs, oldest first."""
    return store.query("SELECT status FROM import_runs WHERE athlete_id = ? AND kind = 'sync' "
                       "ORDER BY run_id",
                       [athlete_id])["status"].tolist()


def test_one_pass_syncs_the_due_athletes_and_leaves_a_fresh_one(db, sandbox):
    store = Store(db)
    ids = connect_all(store, sandbox, 3)
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sandbox.base_url)
    sync_athlete(store, settings, ids[1])                     # synced a moment ago: not due
    r = run_worker(sandbox, db, "--once")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("worker ") and "3 connected athletes, each synced every 60 min" in lines[0]
    synced = [x for x in lines[1:] if SUMMARY in x]
    assert len(synced) == 2 and len(lines) == 3, r.stdout
    assert {x.split("'")[1] for x in synced} == {store.athlete_name(ids[0]), store.athlete_name(ids[2])}
    assert r.stderr == ""
    for index, aid in ids.items():
        assert sync_runs(store, aid) == ["ok"]
        assert_matches_sandbox(store, sandbox, aid, index)

    again = run_worker(sandbox, db, "--once", "--quiet")      # nothing is due any more
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert [len(sync_runs(store, aid)) for aid in ids.values()] == [1, 1, 1]


def test_an_athlete_another_process_is_syncing_is_skipped(db, sandbox):
    store = Store(db)
    ids = connect_all(store, sandbox, 3)
    lock = athlete_lock(store, ids[0])                        # "another process" syncs athlete 0
    lock.acquire(timeout=5)
    try:
        r = run_worker(sandbox, db, "--once")
    finally:
        lock.release()
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and sum(SUMMARY in x for x in r.stdout.splitlines()) == 2
    assert sync_runs(store, ids[0]) == []                     # skipped: no run, no failure
    assert sync_runs(store, ids[1]) == sync_runs(store, ids[2]) == ["ok"]


def test_a_failed_sync_is_one_line_and_the_pass_goes_on(db, sandbox):
    store = Store(db)
    ids = connect_all(store, sandbox, 3)
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sandbox.base_url)
    token = TokenStore(store, settings).access_token(ids[2])
    httpx.delete(sandbox.base_url + "/developer/v2/user/access",           # athlete 2 revokes access
                 headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    r = run_worker(sandbox, db, "--once")
    assert r.returncode == 1
    name = store.athlete_name(ids[2])
    assert r.stderr.startswith(f"error: athlete '{name}': ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert sum(SUMMARY in x for x in r.stdout.splitlines()) == 2
    assert sync_runs(store, ids[2]) == ["failed"]
    assert_matches_sandbox(store, sandbox, ids[0], 0)


def test_without_whoop_settings_the_worker_says_what_to_set(db, sandbox):
    env = {k: v for k, v in worker_env(sandbox, db).items() if k != "WHOOP_CLIENT_SECRET"}
    r = subprocess.run([sys.executable, "-m", "whoop", "worker", "--once"], env=env, cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("error: WHOOP is not configured: set WHOOP_CLIENT_SECRET") and \
        r.stderr.count("\n") == 1, r.stderr


def test_sigterm_stops_the_worker_between_athletes(db):
    """Every API reply 0.15 s late, so each sync takes a while: SIGTERM during the first sync
    lets it finish and stops before the next; no run is left running or interrupted."""
    with run_sandbox(now=NOW, days=40, athletes=3, auto_approve=True, rate_window_s=1, latency_s=0.15) as sb:
        store = Store(db)
        ids = connect_all(store, sb, 3)
        proc = subprocess.Popen([sys.executable, "-m", "whoop", "worker", "--poll", "0.2", "--no-webhooks"],
                                env=worker_env(sb, db),
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            start = proc.stdout.readline()
            assert start.startswith("worker "), start + proc.stderr.read()
            deadline = time.monotonic() + 60
            while not any(r == ["running"] for r in (sync_runs(store, aid) for aid in ids.values())):
                assert time.monotonic() < deadline and proc.poll() is None, "no sync started"
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert err == "" and out.rstrip().endswith("worker stopped")
    runs = [sync_runs(store, aid) for aid in ids.values()]
    assert sorted(runs) == [[], [], ["ok"]], runs          # the running sync ended; no other began
    assert sum(SUMMARY in x for x in out.splitlines()) == 1


def test_a_sync_now_request_is_synced_at_once(db, sandbox):
    """Both athletes were just synced (not due); a Sync now request for one of them (the app's
    button on PostgreSQL) is synced within seconds by a worker whose next pass is 10 min away."""
    store = Store(db)
    ids = connect_all(store, sandbox, 2)
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sandbox.base_url)
    for aid in ids.values():
        sync_athlete(store, settings, aid)
    proc = subprocess.Popen([sys.executable, "-m", "whoop", "worker", "--poll", "600", "--port", "0"],
                            env=worker_env(sandbox, db), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True)
    guard = threading.Timer(60, proc.kill)              # never hang the suite
    guard.start()
    try:
        assert proc.stdout.readline().startswith("worker ")
        receiver = proc.stdout.readline()
        assert re.fullmatch(r"receiving WHOOP webhooks on http://127\.0\.0\.1:\d+/webhooks/whoop\n", receiver)
        health = httpx.get(receiver.split()[-1].replace("/webhooks/whoop", "/healthz"), timeout=10)
        assert health.text == "ok"
        asked = time.monotonic()
        request_sync(store, ids[1])
        line = proc.stdout.readline()
        waited = time.monotonic() - asked
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        guard.cancel()
    assert line.split(" ", 1)[1].startswith(f"athlete '{store.athlete_name(ids[1])}': "), line + err
    assert waited < 20, f"the request waited {waited:.0f} s"
    assert proc.returncode == 0 and err == "" and out.strip() == "worker stopped"
    assert sync_runs(store, ids[0]) == ["ok"] and sync_runs(store, ids[1]) == ["ok", "ok"]


def test_a_taken_webhook_port_is_one_clear_line(db, sandbox):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "whoop", "worker", "--port", str(port)],
                           env=worker_env(sandbox, db),
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: cannot receive webhooks on 127.0.0.1:{port} (")
    assert "start this one with --no-webhooks" in r.stderr and "Traceback" not in r.stderr
