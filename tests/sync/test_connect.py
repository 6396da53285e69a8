"""Connect, on a DuckDB file and on PostgreSQL: allow, deny, replayed / expired / unknown state, pasted
URL, headless CLI (DuckDB), linking."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest

from tests.sync.conftest import REDIRECT, cli_env, connect, consent, issued_tokens, redirect_of, stats
from whoop.config import WhoopSettings
from whoop.errors import AuthError, ConfigError
from whoop.oauth import SCOPES, authorization_url, parse_redirect
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store
from whoop.tokens import TokenStore


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


def _counts(store) -> tuple[int, int]:
    with store.connect() as con:
        return (con.execute("SELECT count(*) FROM athletes").fetchone()[0],
                con.execute("SELECT count(*) FROM whoop_connections").fetchone()[0])


def test_authorization_url_has_scopes_and_a_long_random_state(store, settings):
    url = authorization_url(store, settings)
    q = httpx.URL(url).params
    assert q["scope"].split() == SCOPES
    assert len(q["state"]) >= 16 and q["redirect_uri"] == REDIRECT and q["response_type"] == "code"
    assert q["state"] != httpx.URL(authorization_url(store, settings)).params["state"]
    # only a hash of the state is kept server-side
    assert store.query("SELECT * FROM oauth_states")["state_hash"].str.len().eq(64).all()
    assert q["state"] not in store.query("SELECT * FROM oauth_states").to_csv()
    if store.path is not None:                  # nor anywhere in the file's bytes
        assert q["state"].encode() not in store.path.read_bytes()


def test_allow_on_the_consent_page_connects_and_stores_encrypted_tokens(store, settings):
    with run_sandbox(days=5, rate_window_s=1) as sb:
        s = WhoopSettings(settings.client_id, settings.client_secret, REDIRECT, sb.base_url)
        result = TokenStore(store, s).finish_connect_url(consent(authorization_url(store, s), "allow"))
        tokens = issued_tokens(sb)
    ath = store.athletes()
    assert ath[["name", "whoop_user_id"]].values.tolist() == [[result.athlete, result.whoop_user_id]]
    row = store.query("SELECT status, token_enc FROM whoop_connections")
    assert row["status"].tolist() == ["connected"] and row["token_enc"].str.startswith("gAAAA").all()
    assert tokens and not any(t in row["token_enc"].iloc[0] for t in tokens)


def test_deny_stores_nothing(store, settings):
    with run_sandbox(days=5, rate_window_s=1) as sb:
        s = WhoopSettings(settings.client_id, settings.client_secret, REDIRECT, sb.base_url)
        back = consent(authorization_url(store, s), "deny")
        assert parse_redirect(back).error == "access_denied"
        with pytest.raises(AuthError, match="not granted"):
            TokenStore(store, s).finish_connect_url(back)
        assert stats(sb)["code_exchanges"] == 0
    assert _counts(store) == (0, 0)


def test_replayed_state_is_refused_and_stores_nothing_more(store, settings, sandbox):
    back = redirect_of(authorization_url(store, settings))
    TokenStore(store, settings).finish_connect_url(back)
    before = store.query("SELECT token_enc FROM whoop_connections")
    with pytest.raises(AuthError, match="already used"):
        TokenStore(store, settings).finish_connect_url(back)
    assert stats(sandbox)["code_exchanges"] == 1
    assert store.query("SELECT token_enc FROM whoop_connections").equals(before)


def test_expired_state_is_refused(store, settings, sandbox):
    back = redirect_of(authorization_url(store, settings))
    with store.transaction() as con:
        con.execute("UPDATE oauth_states SET created_at = created_at - INTERVAL '11 minutes'")
    with pytest.raises(AuthError, match="expired"):
        TokenStore(store, settings).finish_connect_url(back)
    assert _counts(store) == (0, 0) and stats(sandbox)["code_exchanges"] == 0


def test_unknown_state_and_url_without_code_are_refused(store, settings, sandbox):
    back = redirect_of(authorization_url(store, settings))
    forged = back.replace("state=", "state=x")
    with pytest.raises(AuthError, match="unknown"):
        TokenStore(store, settings).finish_connect_url(forged)
    with pytest.raises(AuthError, match="no 'code'"):
        TokenStore(store, settings).finish_connect_url(REDIRECT)
    assert _counts(store) == (0, 0)


def test_connect_again_updates_the_same_athlete(store, settings, sandbox):
    first = connect(store, settings)
    assert connect(store, settings) == first
    assert _counts(store) == (1, 1)


def test_link_to_an_existing_athlete(store, settings, sandbox):
    with store.transaction() as con:
        me = store.ensure_athlete(con, "me")
    assert connect(store, settings, link="me") == me
    assert store.athletes()["name"].tolist() == ["me"]


def test_missing_configuration_says_what_to_set():
    with pytest.raises(ConfigError, match="WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET.*developer-dashboard"):
        WhoopSettings(None, None, REDIRECT, "https://api.prod.whoop.com").require()


def test_headless_cli_connect(tmp_path, sandbox):
    db = tmp_path / "cli.duckdb"
    proc = subprocess.Popen([sys.executable, "-m", "whoop", "connect", "--headless"],
                            env=cli_env(sandbox, db),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("http"):
            url = line.strip()
    assert url, "the CLI printed no authorization URL"
    out, err = proc.communicate(redirect_of(url) + "\n", timeout=60)
    assert proc.returncode == 0, err
    assert "connected WHOOP user" in out


def test_state_row_is_single_use(store, settings, sandbox):
    back = redirect_of(authorization_url(store, settings))
    TokenStore(store, settings).finish_connect_url(back)
    used = store.query("SELECT used_at FROM oauth_states")["used_at"]
    assert used.notna().all() and (used.max() - used.min()) < timedelta(minutes=1)
