"""When a token is refreshed (a margin proportional to its lifetime, and on 401), what an
unreadable refresh reply does (the old pair kept, one retry, an exact message), and that a
requester killed while WHOOP's answer is on its way loses nothing. All against the sandbox over
HTTP on 127.0.0.1, on a DuckDB file and on PostgreSQL (the pending file of a rotated pair on
DuckDB; PostgreSQL's pending row: tests/sync/test_token_postgres.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    FAST,
    NOW,
    REDIRECT,
    REPO,
    connect,
    faults,
    issued_tokens,
    stats,
)
from whoop.client import WhoopClient
from whoop.config import WhoopSettings
from whoop.errors import AuthError, ReconnectNeeded
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store
from whoop.sync import sync_athlete
from whoop.tokens import REFRESH_MARGIN_S, TokenStore, refresh_margin_s


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


@pytest.fixture
def short_lived():
    """A sandbox whose access tokens live 10 s."""
    with run_sandbox(now=NOW, days=10, auto_approve=True, rate_window_s=1, token_ttl_s=10) as sb:
        yield sb


def _settings(sb) -> WhoopSettings:
    return WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)


def _works(sb, token: str) -> bool:
    """WHOOP (the sandbox) accepts ``token`` right now."""
    r = httpx.get(sb.base_url + "/developer/v2/user/profile/basic",
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return r.status_code == 200


def _status(store, athlete) -> tuple[str, str | None]:
    c = TokenStore(store, _settings_of(store)).connection(athlete)
    return c.status, c.status_detail


def _settings_of(store) -> WhoopSettings:        # connection() reads no settings
    return WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, "http://127.0.0.1:9")


# -- the margin -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lifetime, margin", [(3600, 300), (86400, 300), (1500, 300), (600, 120),
                                              (10, 2), (2, 0.4), (None, 300), (0, 300)])
def test_the_margin_is_300_s_or_a_fifth_of_the_lifetime_whichever_is_less(lifetime, margin):
    assert refresh_margin_s(lifetime) == pytest.approx(margin)
    assert refresh_margin_s(lifetime) <= REFRESH_MARGIN_S


def test_short_lived_tokens_are_used_for_most_of_their_life(store, short_lived):
    settings = _settings(short_lived)
    athlete = connect(store, settings)
    first = TokenStore(store, settings).access_token(athlete)
    for _ in range(5):            # fresh stores: no in-process cache, the database decides
        assert TokenStore(store, settings).access_token(athlete) == first
    assert stats(short_lived)["refreshes"] == 0     # a 300 s margin refreshed a 10 s token every time
    with store.transaction() as con:                # 1.5 s left of 10 s: inside the 2 s margin
        con.execute("UPDATE whoop_connections SET expires_at = now() + INTERVAL '1500 milliseconds' "
                    "WHERE athlete_id = ?", [athlete])
    second = TokenStore(store, settings).access_token(athlete)
    assert second != first and stats(short_lived)["refreshes"] == 1
    assert TokenStore(store, settings).access_token(athlete) == second


def test_a_whole_sync_with_short_lived_tokens_refreshes_once_per_lifetime_at_most(store, short_lived):
    settings = _settings(short_lived)
    athlete = connect(store, settings)
    t0 = time.monotonic()
    result = sync_athlete(store, settings, athlete, client_kw=FAST)
    spent = time.monotonic() - t0
    # at most one refresh per 80 % of a 10 s lifetime (+1 for a token already old at the start)
    assert stats(short_lived)["refreshes"] <= spent / 8 + 1, (stats(short_lived)["refreshes"], spent)
    assert result.requests > 5


# -- 401 --------------------------------------------------------------------------------------------
def test_a_401_on_a_token_thought_fresh_refreshes_once_and_retries(store, settings, sandbox, athlete):
    ts = TokenStore(store, settings)
    def token(force: bool = False, stale: str | None = None) -> str:
        return ts.access_token(athlete, force=force, stale=stale)

    with WhoopClient(settings.base_url, token) as cl:
        faults(sandbox, "expire")           # WHOOP ends the token's life early: the client cannot know
        assert cl.profile()["user_id"]
        assert stats(sandbox)["refreshes"] == 1
        faults(sandbox, "expire:2")         # the refreshed token is refused too: reconnect
        with pytest.raises(ReconnectNeeded, match="401 after a refresh"):
            cl.profile()
    assert stats(sandbox)["refreshes"] == 2


# -- unreadable refresh replies -------------------------------------------------------------------
def _due_now(store, athlete) -> None:
    with store.transaction() as con:
        con.execute("UPDATE whoop_connections SET expires_at = now() WHERE athlete_id = ?", [athlete])


@pytest.mark.parametrize("fault, how", [("cut@token", "connection lost before the whole reply arrived"),
                                        ("malformed@token", "cut off or malformed")])
def test_a_refresh_reply_cut_off_mid_body_is_named_and_marks_reconnect(store, settings, sandbox, athlete,
                                                                       fault, how):
    _due_now(store, athlete)
    faults(sandbox, fault)                  # WHOOP rotates the pair, the reply arrives cut in half
    with pytest.raises(ReconnectNeeded) as err:
        TokenStore(store, settings).access_token(athlete)
    msg = str(err.value)
    assert "unreadable" in msg and how in msg and "invalid_grant" in msg, msg
    assert "missing_token" not in msg
    s = stats(sandbox)
    assert s["refreshes"] == 1 and s["token_errors"] == {"invalid_grant": 1}   # exactly one retry
    status, detail = _status(store, athlete)
    assert status == "reconnect_needed" and "unreadable" in detail
    for tok in issued_tokens(sandbox):
        assert tok not in msg and tok not in detail


def test_a_dropped_refresh_that_never_reached_whoop_is_retried_with_the_old_pair(store, settings, sandbox,
                                                                                 athlete):
    _due_now(store, athlete)
    faults(sandbox, "drop@token")           # closed before WHOOP processed it: the old token lives
    token = TokenStore(store, settings).access_token(athlete)
    s = stats(sandbox)
    assert s["refreshes"] == 1 and not s["token_errors"]
    assert _status(store, athlete) == ("connected", None)
    assert _works(sandbox, token)
    assert sync_athlete(store, settings, athlete, client_kw=FAST).requests > 0


def test_two_unreadable_replies_keep_the_pair_and_say_so(store, settings, sandbox, athlete):
    _due_now(store, athlete)
    faults(sandbox, "drop@token:2")
    with pytest.raises(AuthError) as err:
        TokenStore(store, settings).access_token(athlete)
    assert not isinstance(err.value, ReconnectNeeded) and not err.value.reconnect
    assert "unreadable" in str(err.value) and "kept" in str(err.value)
    assert _status(store, athlete)[0] == "connected"
    TokenStore(store, settings).access_token(athlete)       # the kept pair still works
    assert stats(sandbox)["refreshes"] == 1 and not stats(sandbox)["token_errors"]


# -- a requester killed while WHOOP's answer is on its way ------------------------------------------
_REQUESTER = """
import sys
from whoop.config import WhoopSettings
from whoop.store import Store
from whoop.tokens import TokenStore
base, db, aid = sys.argv[1:4]
TokenStore(Store(db), WhoopSettings("sandbox-client", "sandbox-secret", "http://localhost:8501/", base)
           ).access_token(int(aid))
"""


@pytest.mark.parametrize("backend", ["duckdb"])       # the pending file: DuckDB
def test_a_requester_killed_after_whoop_rotated_the_pair_loses_nothing(store, tmp_path):
    with run_sandbox(now=NOW, days=5, auto_approve=True, token_hold_s=1.5) as sb:
        settings = _settings(sb)
        athlete = connect(store, settings)
        _due_now(store, athlete)
        proc = subprocess.Popen([sys.executable, "-c", _REQUESTER, sb.base_url, str(store.path),
                                 str(athlete)],
                                cwd=REPO)
        deadline = time.monotonic() + 30
        while stats(sb)["refreshes"] == 0:      # WHOOP has rotated; its answer is held 1.5 s
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        token = TokenStore(store, settings).access_token(athlete)   # waits for the in-flight refresh
        s = stats(sb)
        assert s["refreshes"] == 1 and not s["token_errors"], s
        assert _status(store, athlete) == ("connected", None)
        assert _works(sb, token)
        assert not TokenStore(store, settings).sidecar_path(athlete).exists()   # committed
