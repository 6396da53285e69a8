"""A rotated token pair survives a database that cannot be written at the moment of the refresh
(whoop.tokens: the encrypted sidecar file), and OAuth switches nothing process-wide (its HTTP goes through
whoop.http)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    FAST,
    REDIRECT,
    REPO,
    connect,
    faults,
    issued_tokens,
    stats,
)
from whoop import oauth
from whoop.config import WhoopSettings
from whoop.errors import ConfigError, NetworkError, ReconnectNeeded
from whoop.store import Store
from whoop.sync import sync_athlete, sync_status
from whoop.tokens import TokenStore

# holds DuckDB's file lock (another process writing) from `go` until `release` appear
_HOLDER = """
import pathlib, sys, time
import duckdb
db, go, held, release = sys.argv[1], *map(pathlib.Path, sys.argv[2:5])
while not go.exists():
    time.sleep(0.005)
con = duckdb.connect(db)
held.touch()
while not release.exists():
    time.sleep(0.01)
con.close()
"""


def _wait_for(cond, what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def _token_request_held(sb) -> bool:
    return any("token" in route and counts.get("slow") for route, counts in stats(sb)["requests"].items())


def test_a_rotated_pair_survives_a_busy_database_at_save_time(store, settings, sandbox, athlete, tmp_path):
    with store.transaction() as con:    # the access token expires within the refresh margin
        con.execute("UPDATE whoop_connections SET expires_at = now() + INTERVAL 60 SECOND WHERE athlete_id = "
                    "?",
                    [athlete])
    go, held, release = (tmp_path / n for n in ("go", "held", "release"))
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(store.path), str(go), str(held),
                               str(release)],
                              cwd=REPO)
    ts = TokenStore(Store(store.path, busy_timeout_s=0.5), settings)
    outcome: dict = {}

    def refresh() -> None:
        try:
            outcome["token"] = ts.access_token(athlete)
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    faults(sandbox, "slow@token")       # WHOOP holds the refresh answer 3 s ...
    worker = threading.Thread(target=refresh)
    worker.start()
    try:
        _wait_for(lambda: _token_request_held(sandbox), "the refresh request")
        go.touch()                      # ... while another process takes the database
        _wait_for(held.exists, "the database holder")
        worker.join(timeout=60)
    finally:
        release.touch()
        holder.wait(timeout=30)
    assert not worker.is_alive()
    assert stats(sandbox)["refreshes"] == 1
    # the refresh at WHOOP succeeded, the database commit did not: the new pair is in the sidecar
    assert "error" not in outcome, outcome.get("error")
    side = ts.sidecar_path(athlete)
    assert side.exists() and stat.S_IMODE(side.stat().st_mode) == 0o600
    assert outcome["token"] not in side.read_text()              # encrypted like the database
    # the next run (database free again) uses the new pair and commits it: no reconnect
    sync_athlete(store, settings, athlete, client_kw=FAST)
    s = stats(sandbox)
    assert s["refreshes"] == 1 and not s["token_errors"]
    assert sync_status(store, athlete).state == "Connected"
    assert not side.exists()
    assert TokenStore(store, settings).access_token(athlete) == outcome["token"]
    assert outcome["token"] in issued_tokens(sandbox)


def test_oauth_switches_nothing_in_the_environment(store, settings, sandbox, monkeypatch):
    for name in ("OAUTHLIB_INSECURE_TRANSPORT", "OAUTHLIB_RELAX_TOKEN_SCOPE"):
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    aid = connect(store, settings)      # authorization URL + code exchange over http://127.0.0.1
    with store.transaction() as con:
        con.execute("UPDATE whoop_connections SET expires_at = now() WHERE athlete_id = ?", [aid])
    TokenStore(store, settings).access_token(aid)                  # a refresh, over http too
    assert stats(sandbox)["refreshes"] == 1
    assert dict(os.environ) == before
    # plain http to a host that is not loopback is refused before anything is sent
    remote = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, "http://whoop.example.invalid")
    with pytest.raises(ConfigError, match="must be https://"):
        oauth.refresh(remote, "not-a-real-token")


def test_oauth_calls_go_through_an_injected_transport():
    """The token endpoint and revocation use the project's one HTTP stack (whoop.http), whose
    transport a caller injects: here a stand-in WHOOP that records what it was sent."""
    sent: list[httpx.Request] = []

    def whoop(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path == oauth.REVOKE_PATH:
            return httpx.Response(204)
        form = dict(parse_qsl(request.content.decode()))
        if form.get("refresh_token") == "spent":
            return httpx.Response(400, json={"error": "invalid_grant"})
        if form.get("refresh_token") == "down":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"access_token": "a2", "refresh_token": "r2", "expires_in": 3600,
                                         "token_type": "bearer", "scope": "offline read:sleep"})

    s = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, "https://api.prod.whoop.com",
                      transport=httpx.MockTransport(whoop))
    token = oauth.refresh(s, "r1")
    assert (token["access_token"], token["refresh_token"]) == ("a2", "r2")
    assert token["expires_at"] > time.time() + 3500
    form = dict(parse_qsl(sent[-1].content.decode()))
    assert form == {"grant_type": "refresh_token", "refresh_token": "r1", "scope": "offline",
                    "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}    # client_secret_post
    assert str(sent[-1].url) == "https://api.prod.whoop.com" + oauth.TOKEN_PATH
    assert "authorization" not in sent[-1].headers
    assert sent[-1].headers["user-agent"].startswith("whoop-dashboard")
    with pytest.raises(ReconnectNeeded, match="invalid_grant"):
        oauth.refresh(s, "spent")
    with pytest.raises(NetworkError,
                       match="could not reach WHOOP to refresh access .ConnectError.; the stored"):
        oauth.refresh(s, "down")
    assert oauth.revoke(s, "a2") is True
    assert sent[-1].method == "DELETE" and sent[-1].headers["authorization"] == "Bearer a2"


@pytest.mark.parametrize("url, ok", [
    ("https://api.prod.whoop.com", True), ("http://127.0.0.1:8765", True), ("http://127.1.2.3", True),
    ("http://localhost:8765", True), ("http://[::1]:8765", True),
    ("http://api.prod.whoop.com", False), ("http://192.168.1.10:8765", False),
    ("http://127.evil.example", False),
])
def test_plain_http_base_url_only_for_loopback(monkeypatch, tmp_path, url, ok):
    from whoop.config import whoop_settings
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("WHOOP_BASE_URL", url)
    if ok:
        assert whoop_settings().base_url == url
    else:
        with pytest.raises(ConfigError, match="use https://"):
            whoop_settings()
