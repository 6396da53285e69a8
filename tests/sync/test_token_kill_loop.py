"""THE KILL LOOP: ``python -m whoop sync`` killed with SIGKILL again and again while its access
tokens live 3 s (so it refreshes every 2.4 s), half of the kills aimed between
WHOOP's refresh answer and the database commit. After every kill the athlete must still be
connected: the next sync succeeds, WHOOP never sees a spent refresh token (``invalid_grant``).

Bounded: ``KILLS`` kills (default 20, ``WHOOP_KILL_LOOP_KILLS``), each run killed within a few
seconds; seeded (``WHOOP_KILL_SEED``; the seed is printed and named in every failure)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta

import httpx
from filelock import FileLock

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    FAST,
    NOW,
    REDIRECT,
    REPO,
    assert_matches_sandbox,
    cli_env,
    connect,
    run_cli,
)
from whoop.config import WhoopSettings
from whoop.sandbox.testing import run_sandbox
from whoop.sync import SyncOptions, sync_athlete
from whoop.token_sidecar import inflight_lock_path
from whoop.tokens import TokenStore

KILLS = int(os.environ.get("WHOOP_KILL_LOOP_KILLS", "20"))
TTL_S, HOLD_S, LATENCY_S = 3, 0.25, 0.08
CHECK = SyncOptions(since=NOW - timedelta(days=1), types=("cycle",))   # a small next sync


def _refreshes(sb) -> int:
    with sb.state.lock:
        return sb.state.stats.refreshes


def _invalid_grants(sb) -> int:
    with sb.state.lock:
        return sb.state.stats.token_errors.get("invalid_grant", 0)


def _kill_after_refresh(proc, sb, before: int, rng: random.Random, limit_s: float) -> bool:
    """Wait until WHOOP has issued a refreshed pair (its answer is then held ``HOLD_S``), then kill
    at a random point of the answer's way to the database. True when a refresh was seen."""
    deadline = time.monotonic() + limit_s
    while _refreshes(sb) == before and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    seen = _refreshes(sb) > before
    if seen:
        time.sleep(rng.uniform(0, HOLD_S + 0.15))
    return seen


def test_sync_killed_20_times_with_short_lived_tokens_stays_connected(store, tmp_path, capsys):
    seed = int(os.environ.get("WHOOP_KILL_SEED") or random.SystemRandom().randrange(1_000_000))
    rng = random.Random(seed)
    with capsys.disabled():
        print(f"\nkill loop: seed {seed} (rerun with WHOOP_KILL_SEED={seed}), {KILLS} kills")
    with run_sandbox(now=NOW, days=30, auto_approve=True, rate_window_s=1, token_ttl_s=TTL_S,
                     token_hold_s=HOLD_S, latency_s=LATENCY_S) as sb:
        settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
        athlete = connect(store, settings)
        env = cli_env(sb, store.path)
        cmd = [sys.executable, "-m", "whoop", "sync", "--athlete", str(athlete), "--full", "--quiet"]
        kills = pending_after_kill = aimed = 0
        t0 = time.monotonic()
        for i in range(KILLS):
            where = f"seed {seed}, kill {i + 1}"
            before = _refreshes(sb)
            proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if i % 2 == 0:            # aimed: between WHOOP's refresh answer and the commit
                aimed += _kill_after_refresh(proc, sb, before, rng, limit_s=8)
            else:                     # anywhere
                time.sleep(rng.uniform(0.1, 2.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
            assert "reconnect" not in err.lower() and "invalid_grant" not in err, f"{where}: {err[-500:]}"
            # where did it land? once no refresh is in flight, a pending pair means: after WHOOP's
            # answer, before the commit
            with FileLock(str(inflight_lock_path(store.path))).acquire(timeout=60):
                pending_after_kill += TokenStore(store, settings).sidecar_path(athlete).exists()
            # the athlete is still connected: the next sync succeeds, no spent token was sent
            sync_athlete(store, settings, athlete, CHECK, client_kw=FAST)
            conn = TokenStore(store, settings).connection(athlete)
            assert conn.status == "connected", f"{where}: {conn.status} ({conn.status_detail})"
            assert _invalid_grants(sb) == 0, f"{where}: WHOOP saw a spent refresh token"
        spent = time.monotonic() - t0
        with capsys.disabled():
            print(f"kill loop: {kills} kills ({aimed} aimed after a refresh answer, {pending_after_kill} "
                  f"left a pending pair to commit), {_refreshes(sb)} refreshes, 0 lost, {spent:.0f} s")
        assert kills >= KILLS * 0.8, f"seed {seed}: only {kills} of {KILLS} runs were still running to kill"
        assert pending_after_kill >= 3, f"seed {seed}: only {pending_after_kill} kills landed before a commit"
        # a last, complete sync from the CLI (full: the small checks moved the watermark): exact data
        done = run_cli(sb, store.path, "sync", "--athlete", str(athlete), "--full", "--quiet", timeout=120)
        assert done.returncode == 0, f"seed {seed}: {done.stderr[-500:]}"
        assert_matches_sandbox(store, sb, athlete)
        assert _invalid_grants(sb) == 0
        r = httpx.get(sb.base_url + "/_sandbox/stats", timeout=10).json()
        assert not r["token_errors"], r["token_errors"]
