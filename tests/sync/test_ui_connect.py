"""The WHOOP card and the OAuth return handler under streamlit's AppTest (real DuckDB, real sandbox)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from tests.sync.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT, redirect_of
from whoop.oauth import authorization_url


def _card():
    from whoop.ui.connect import handle_oauth_return, render_whoop_card
    from whoop.ui.guard import show_flashes
    handle_oauth_return()
    show_flashes()
    render_whoop_card()


@pytest.fixture
def env(monkeypatch, tmp_path):
    for k in ("WHOOP_CLIENT_ID", "WHOOP_CLIENT_SECRET", "WHOOP_BASE_URL", "WHOOP_TOKEN_KEY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("WHOOP_DB", str(tmp_path / "ui.duckdb"))
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "none.toml"))
    return monkeypatch


def test_unconfigured_card_says_what_to_set(env):
    at = AppTest.from_function(_card).run(timeout=30)
    text = " ".join(i.value for i in at.info)
    assert "WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET" in text and "developer-dashboard.whoop.com" in text
    assert not at.exception


def test_oauth_return_connects_and_sync_now_fills_the_store(env, sandbox, store):
    env.setenv("WHOOP_CLIENT_ID", CLIENT_ID)
    env.setenv("WHOOP_CLIENT_SECRET", CLIENT_SECRET)
    env.setenv("WHOOP_BASE_URL", sandbox.base_url)
    env.setenv("WHOOP_REDIRECT_URI", REDIRECT)
    env.setenv("WHOOP_SYNC_MAX_AGE_MIN", "100000")
    from whoop.config import whoop_settings
    from whoop.store import Store
    db = Store()
    back = redirect_of(authorization_url(db, whoop_settings()))
    q = {k: v[0] for k, v in parse_qs(urlparse(back).query).items()}
    at = AppTest.from_function(_card)
    for k, v in q.items():
        at.query_params[k] = v
    at.run(timeout=30)
    assert not at.exception
    assert any("Connected WHOOP account" in s.value for s in at.success), [e.value for e in at.error]
    assert "code" not in at.query_params
    assert db.query("SELECT status FROM whoop_connections")["status"].tolist() == ["connected"]
    # the app's background scheduler syncs a connected athlete never synced yet
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and db.runs(1)["status"].tolist() != ["ok"]:
        time.sleep(0.2)
    assert db.runs(1)["status"].tolist() == ["ok"] and len(db.days(1)) >= 39
    at.run(timeout=30)
    # Sync now only records a request: the app's scheduler thread runs the sync, the card
    # follows its progress from the store and shows the summary once it ended
    at.button(key="sync_1").click().run(timeout=30)
    assert not at.exception
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and db.runs(1)["status"].tolist() != ["ok", "ok"]:
        time.sleep(0.2)
    assert db.runs(1)["status"].tolist() == ["ok", "ok"], [e.value for e in at.error]
    at.run(timeout=30)
    assert any("Synced" in s.value and "requests in" in s.value for s in at.success), \
        [e.value for e in at.error]
    html = str(at)   # nothing token-like rendered
    assert "gAAAA" not in html
