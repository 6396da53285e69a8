"""Fixtures for the connect/sync tests: an in-process sandbox on 127.0.0.1, settings pointing at
it, a DuckDB file in tmp_path, a connected athlete, and helpers comparing the database with the
sandbox's records."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from whoop.config import WhoopSettings
from whoop.oauth import authorization_url
from whoop.sandbox.testing import SandboxHandle, run_sandbox
from whoop.store import Store
from whoop.tokens import TokenStore

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLIENT_ID, CLIENT_SECRET, REDIRECT = "sandbox-client", "sandbox-secret", "http://localhost:8501/"
FAST = {"backoff_initial_s": 0.02, "backoff_max_s": 0.2, "timeout_s": 5.0}
TABLE_OF = {"cycle": "cycles", "sleep": "sleeps", "recovery": "recoveries", "workout": "workouts"}


@pytest.fixture
def sandbox():
    """A fresh sandbox: 40 days of one athlete, auto-approve, 1-second rate window."""
    with run_sandbox(now=NOW, days=40, auto_approve=True, rate_window_s=1, slow_s=3) as sb:
        yield sb


@pytest.fixture
def settings(sandbox) -> WhoopSettings:
    return WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sandbox.base_url)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "whoop.duckdb", busy_timeout_s=60)


def redirect_of(url: str) -> str:
    """Follow an authorization URL on an auto-approve sandbox; the Location WHOOP sends back."""
    r = httpx.get(url, timeout=10)
    assert r.status_code in (302, 303, 307), r.text[:200]
    return r.headers["location"]


def consent(url: str, decision: str) -> str:
    """Drive a non-auto-approve consent page: Allow or Deny; returns the redirect Location."""
    page = httpx.get(url, timeout=10)
    rid = re.search(r"name='request' value='([^']+)'", page.text).group(1)
    base = url.split("/oauth/")[0]
    r = httpx.post(base + "/oauth/oauth2/auth", data={"request": rid, "decision": decision, "athlete": "0"},
                   timeout=10)
    return r.headers["location"]


def connect(store: Store, settings: WhoopSettings, link: str | None = None) -> int:
    """Connect the sandbox's athlete 0; returns its athlete_id."""
    url = authorization_url(store, settings, link_athlete=link)
    return TokenStore(store, settings).finish_connect_url(redirect_of(url)).athlete_id


@pytest.fixture
def athlete(store, settings) -> int:
    return connect(store, settings)


def stats(sb: SandboxHandle) -> dict:
    return httpx.get(sb.base_url + "/_sandbox/stats", timeout=10).json()


def api_requests(sb: SandboxHandle) -> dict[str, int]:
    """``{"GET /developer/v2/cycle": n, ...}`` (all statuses)."""
    return {k: sum(v.values()) for k, v in stats(sb)["requests"].items() if "/developer/" in k}


def faults(sb: SandboxHandle, spec: str) -> None:
    httpx.post(sb.base_url + "/_sandbox/faults", json={"spec": spec}, timeout=10).raise_for_status()


def advance(sb: SandboxHandle, days: float) -> dict:
    r = httpx.post(sb.base_url + f"/_sandbox/advance?days={days}", timeout=60)
    r.raise_for_status()
    return r.json()


def sandbox_records(sb: SandboxHandle, index: int = 0) -> dict[str, set[str]]:
    """The records the sandbox serves now, per collection, as canonical JSON strings."""
    with sb.state.lock:
        world = sb.state.world.athletes[index]
        return {k: {json.dumps(x.rec, separators=(",", ":"), sort_keys=True) for x in world.sorted_desc[k]}
                for k in TABLE_OF}


def db_records(store: Store, athlete_id: int) -> dict[str, list[str]]:
    """raw_json of every API-sourced row per collection (a list: duplicates would show)."""
    out = {}
    for k, t in TABLE_OF.items():
        df = store.query(f"SELECT raw_json FROM {t} WHERE athlete_id = ? AND raw_json IS NOT NULL",
                         [athlete_id])
        out[k] = df["raw_json"].tolist()
    return out


def assert_matches_sandbox(store: Store, sb: SandboxHandle, athlete_id: int,
                           index: int = 0) -> dict[str, int]:
    """The database holds exactly the sandbox's records, once each. Returns counts."""
    want, got = sandbox_records(sb, index), db_records(store, athlete_id)
    for k in TABLE_OF:
        assert len(got[k]) == len(set(got[k])), f"{k}: duplicate rows"
        missing, extra = want[k] - set(got[k]), set(got[k]) - want[k]
        assert not missing and not extra, f"{k}: {len(missing)} missing, {len(extra)} extra"
    return {k: len(v) for k, v in want.items()}


def cli_env(sb: SandboxHandle, db: str | Path) -> dict[str, str]:
    """The CLI's environment: the sandbox's app, the database ``db`` (a file or a URL), no
    secrets file, and ``WHOOP_TOKEN_KEY`` when the test set one (PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOOP_") or k == "WHOOP_TOKEN_KEY"}
    env.update(WHOOP_CLIENT_ID=CLIENT_ID, WHOOP_CLIENT_SECRET=CLIENT_SECRET, WHOOP_REDIRECT_URI=REDIRECT,
               WHOOP_BASE_URL=sb.base_url, WHOOP_DB=str(db), PYTHONPATH=str(REPO),
               WHOOP_SECRETS_FILE="/nonexistent/whoop-tests/no-secrets.toml")
    return env


def run_cli(sb: SandboxHandle, db: str | Path, *args: str, timeout: float = 120,
            **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whoop", *args], env=cli_env(sb, db), cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, **kw)


def issued_tokens(sb: SandboxHandle) -> set[str]:
    """Every access and refresh token the sandbox issued (test-only peek at its state)."""
    with sb.state.lock:
        return set(sb.state._access) | set(sb.state._refresh)   # noqa: SLF001
