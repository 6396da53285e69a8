"""Faults, token lifecycle, two processes, kill -9, disconnect, and secrets hygiene, on a DuckDB
file and on PostgreSQL."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.sync.conftest import (
    FAST,
    REPO,
    api_requests,
    assert_matches_sandbox,
    cli_env,
    faults,
    issued_tokens,
    run_cli,
    stats,
)
from whoop.crypto import install_log_redaction
from whoop.errors import ReconnectNeeded
from whoop.store import Store
from whoop.sync import sync_athlete, sync_status
from whoop.tokens import TokenStore


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


def _expire_soon(store, athlete, seconds=60):
    with store.transaction() as con:
        con.execute(f"UPDATE whoop_connections SET expires_at = now() + INTERVAL '{seconds} seconds' "
                    "WHERE athlete_id = ?", [athlete])


def test_429_5xx_timeouts_drops_and_truncated_json_are_survived(store, settings, sandbox, athlete):
    faults(sandbox, "429:2,503:2,500,502,drop:2,malformed,slow")
    result = sync_athlete(store, settings, athlete, client_kw={**FAST, "timeout_s": 1.0, "max_attempts": 12})
    assert_matches_sandbox(store, sandbox, athlete)
    injected = stats(sandbox)["faults_injected"]
    assert sum(injected.values()) == 10, injected
    # every API request the sandbox saw, minus the profile read of the connect fixture
    assert result.requests == sum(api_requests(sandbox).values()) - 1 >= 10 + 10


def test_refresh_shortly_before_expiry_rotates_the_pair(store, settings, sandbox, athlete):
    ts = TokenStore(store, settings)
    old = ts.access_token(athlete)
    _expire_soon(store, athlete)
    sync_athlete(store, settings, athlete, client_kw=FAST)
    assert stats(sandbox)["refreshes"] == 1
    new = TokenStore(store, settings).access_token(athlete)
    assert new != old
    r = httpx.get(sandbox.base_url + "/developer/v2/user/profile/basic",
                  headers={"Authorization": f"Bearer {old}"}, timeout=10)
    assert r.status_code == 401            # rotation: the old access token is dead


def test_a_401_forces_one_refresh(store, settings, sandbox, athlete):
    faults(sandbox, "expire")
    sync_athlete(store, settings, athlete, client_kw=FAST)
    assert stats(sandbox)["refreshes"] == 1 and not stats(sandbox)["token_errors"]
    assert_matches_sandbox(store, sandbox, athlete)


_REFRESH_SCRIPT = """
import sys
from whoop.config import whoop_settings
from whoop.store import Store
from whoop.tokens import TokenStore
from whoop.client import WhoopClient
store = Store(sys.argv[1], busy_timeout_s=60)
ts = TokenStore(store, whoop_settings())
with WhoopClient(whoop_settings().base_url,
                 lambda force=False, stale=None: ts.access_token(1, force=force, stale=stale)) as c:
    print(c.profile()["user_id"])
"""


def test_concurrent_refresh_from_two_processes(store, settings, sandbox, athlete, tmp_path):
    _expire_soon(store, athlete)
    env = cli_env(sandbox, store.location)
    procs = [subprocess.Popen([sys.executable, "-c", _REFRESH_SCRIPT, store.location], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-400:] for o in outs]
    s = stats(sandbox)
    assert s["refreshes"] == 1 and not s["token_errors"]
    assert sync_status(store, athlete).state == "Connected"


def test_invalid_grant_marks_reconnect_needed_without_retrying(store, settings, sandbox, athlete):
    faults(sandbox, "revoke")
    with pytest.raises(ReconnectNeeded):
        sync_athlete(store, settings, athlete, client_kw=FAST)
    assert sync_status(store, athlete).state == "Reconnect needed"
    errors_before, requests_before = stats(sandbox)["token_errors"], api_requests(sandbox)
    assert errors_before.get("invalid_grant") == 1
    with pytest.raises(ReconnectNeeded):
        sync_athlete(store, settings, athlete, client_kw=FAST)
    assert stats(sandbox)["token_errors"] == errors_before and api_requests(sandbox) == requests_before


def test_sync_cli_then_kill_9_then_rerun_gives_exact_data(tmp_path, settings, sandbox, store, athlete):
    httpx.post(sandbox.base_url + "/_sandbox/advance?days=200", timeout=120).raise_for_status()
    faults(sandbox, "slow:1")      # hold one early page so the kill lands mid-sync
    env = cli_env(sandbox, store.location)
    proc = subprocess.Popen([sys.executable, "-m", "whoop", "sync", "--quiet"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(api_requests(sandbox).values()) < 8:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert store.runs(athlete).iloc[0]["status"] == "running"
    done = run_cli(sandbox, store.location, "sync", "--athlete", str(athlete))
    assert done.returncode == 0, done.stderr
    assert "athlete '" in done.stdout and "requests in" in done.stdout
    assert_matches_sandbox(store, sandbox, athlete)
    assert store.runs(athlete)["status"].tolist()[:2] == ["ok", "interrupted"]


def test_a_second_sync_of_the_same_athlete_is_refused_while_one_runs(store, settings, sandbox, athlete):
    from whoop.sync.engine import athlete_lock
    with athlete_lock(store, athlete):
        r = run_cli(sandbox, store.location, "sync")
    assert r.returncode == 1 and "already running" in r.stderr


def test_disconnect_revokes_at_the_sandbox_and_removes_the_tokens(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    token = TokenStore(store, settings).access_token(athlete)
    r = run_cli(sandbox, store.location, "disconnect", "--athlete", str(athlete))
    assert r.returncode == 0, r.stderr
    assert stats(sandbox)["revocations"] == 1
    row = store.query("SELECT status, token_enc FROM whoop_connections")
    assert row["status"].tolist() == ["disconnected"] and row["token_enc"].isna().all()
    assert len(store.records("cycles", athlete)) > 0                     # history kept
    r = httpx.get(sandbox.base_url + "/developer/v2/cycle", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert sync_status(store, athlete).state == "Disconnected"


def test_no_token_text_in_the_database_or_the_logs(store, settings, sandbox, athlete, caplog, capfd):
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    faults(sandbox, "expire,503")
    sync_athlete(store, settings, athlete, client_kw=FAST)
    _expire_soon(store, athlete)
    r = run_cli(sandbox, store.location, "sync")
    TokenStore(store, settings).disconnect(athlete)
    tokens = issued_tokens(sandbox)
    assert len(tokens) >= 4
    if store.path is not None:                 # the file and everything beside it
        blobs = b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.is_file())
    else:                                      # every table of the schema, as text
        tables = store.query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                             "current_schema()")["table_name"]
        blobs = "".join(store.query(f"SELECT * FROM {t}").to_csv() for t in tables).encode()
    text = caplog.text + r.stdout + r.stderr + "".join(capfd.readouterr())
    for t in tokens | {settings.client_secret}:
        assert t.encode() not in blobs
        assert t not in text
