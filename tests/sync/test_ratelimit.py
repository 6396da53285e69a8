"""The request budget: waits never outlast the retry budget, and every client of one WHOOP app in
this process shares one budget (real sandbox over HTTP; a real DuckDB file and a real PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    FAST,
    NOW,
    REDIRECT,
    api_requests,
    connect,
    faults,
    stats,
)
from whoop.client import WhoopClient
from whoop.config import WhoopSettings
from whoop.errors import RateLimitError
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store
from whoop.sync import sync_athlete, sync_status
from whoop.tokens import TokenStore


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


@pytest.fixture
def real_minute_sandbox():
    """WHOOP's real 60-second minute window: an injected 429 says "reset in ~60 s"."""
    with run_sandbox(now=NOW, days=10, auto_approve=True, rate_window_s=60) as sb:
        yield sb


@pytest.mark.timeout(45)
def test_a_429_whose_reset_lies_beyond_the_retry_budget_fails_at_once(store, real_minute_sandbox):
    sb = real_minute_sandbox
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
    aid = connect(store, settings)
    faults(sb, "429:3")
    with pytest.raises(RateLimitError) as err:
        sync_athlete(store, settings, aid, client_kw={**FAST, "max_retry_s": 2})
    # the minute window's reset (about 60 s), not slept through: one request, no retry
    assert 30 < err.value.retry_after_s <= 61
    assert "retry after" in str(err.value) and "UTC" in str(err.value)
    assert stats(sb)["faults_injected"] == {"429": 1}
    run = store.runs(aid).iloc[0]
    assert run["status"] == "failed" and "retry after" in run["error"]
    # the pause WHOOP asked for holds for the next client of the app too: a sync started right
    # away sends nothing and says when to retry instead of sleeping through the reset
    before = api_requests(sb)
    with pytest.raises(RateLimitError, match="retry after") as again:
        sync_athlete(store, settings, aid, client_kw={**FAST, "max_retry_s": 2})
    assert again.value.retry_after_s > 2
    assert api_requests(sb) == before
    # the background retry waits for the reset WHOOP gave (state.due_athletes)
    status = sync_status(store, aid)
    assert status.state == "Error"
    finished = store.runs(aid).iloc[0]["finished_at"]
    assert (status.next_sync_at - finished).total_seconds() >= again.value.retry_after_s - 1


def test_clients_of_one_app_share_one_request_budget(store, settings, sandbox, athlete):
    token = TokenStore(store, settings).access_token(athlete)
    kw = {**FAST, "client_id": settings.client_id, "minute_budget": 5, "minute_s": 600.0, "max_retry_s": 1.0}
    before = sum(api_requests(sandbox).values())
    sent, refused = 0, None
    with WhoopClient(settings.base_url, lambda force=False, stale=None: token, **kw) as a, \
            WhoopClient(settings.base_url, lambda force=False, stale=None: token, **kw) as b:
        for i in range(10):        # two athletes' clients taking turns, as `sync --all` or two threads do
            try:
                (a, b)[i % 2].profile()
                sent += 1
            except RateLimitError as exc:
                refused = exc
                break
        # the connect of the fixture sent the app's first request (its profile); 4 more fit in 5
        assert sent == 4 and a.requests + b.requests == 4
    assert refused is not None and refused.retry_after_s > 500
    assert sum(api_requests(sandbox).values()) - before == 4
