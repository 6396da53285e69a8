"""Sync now under AppTest against the local WHOOP sandbox: the page only records a request and
returns; on DuckDB the app's scheduler thread runs the sync, on PostgreSQL the app starts no
scheduler and a worker's sync answers the request; the card follows the run from the store.
And a sync of one athlete leaves another athlete's cached frames in place."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import TEST_TOKEN_KEY
from tests.sync.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT, connect
from whoop.store import Store
from whoop.sync import sync_athlete
from whoop.sync.engine import athlete_lock
from whoop.sync.requests import pending_request, requested_athletes


def _card():
    from whoop.ui.connect import handle_oauth_return, render_whoop_card
    from whoop.ui.guard import show_flashes
    handle_oauth_return()
    show_flashes()
    render_whoop_card()


@pytest.fixture
def app_env(monkeypatch, tmp_path, sandbox):
    """The app configured for the sandbox; WHOOP_DB is set by each test."""
    monkeypatch.setenv("WHOOP_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("WHOOP_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("WHOOP_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("WHOOP_REDIRECT_URI", REDIRECT)
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("WHOOP_SYNC_MAX_AGE_MIN", "100000")     # no background sync falls due
    return monkeypatch


def _statuses(at) -> list[str]:
    """Labels of the st.status boxes drawn."""
    return [block.label for block in at.main.get("status")]


def _wait_for_run_after(store: Store, athlete_id: int, after: int, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = store.sync_run_after(athlete_id, after)
        if run is not None and run.status != "running":
            return run
        time.sleep(0.2)
    pytest.fail(f"no finished sync of athlete {athlete_id} after run {after} in {timeout_s:.0f} s")


def _scheduler_threads() -> int:
    return sum(t.name == "whoop-sync-scheduler" for t in threading.enumerate())


def test_sync_now_returns_at_once_and_the_scheduler_syncs(app_env, store, settings, athlete):
    app_env.setenv("WHOOP_DB", str(store.path))
    sync_athlete(store, settings, athlete)        # the first sync: the athlete is not due again
    after = store.last_run_id(athlete)
    lock = athlete_lock(store, athlete)
    lock.acquire()                                # a sync "running elsewhere": held by the test
    try:
        at = AppTest.from_function(_card).run(timeout=30)
        assert not at.exception
        at.button(key=f"sync_{athlete}").click().run(timeout=30)
        # the page's run ended while the athlete's sync lock was held: it ran no sync itself
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert store.sync_run_after(athlete, after) is None
        assert pending_request(store, athlete) == after
        assert any(label.startswith("Sync of") and label.endswith("requested")
                   for label in _statuses(at)), _statuses(at)
        assert at.button(key=f"sync_{athlete}").disabled       # one request at a time
        assert _scheduler_threads() >= 1
    finally:
        lock.release()
    run = _wait_for_run_after(store, athlete, after)   # the scheduler retries within seconds
    assert run.status == "ok", run.error
    assert pending_request(store, athlete) is None
    at.run(timeout=30)
    assert not at.exception
    assert any("Synced" in s.value and "requests in" in s.value for s in at.success), \
        [s.value for s in at.success]
    assert not at.button(key=f"sync_{athlete}").disabled
    assert "gAAAA" not in str(at)


def test_on_postgresql_sync_now_is_a_request_for_the_worker(app_env, pg_schemas, settings, sandbox):
    app_env.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    url = pg_schemas.new()
    app_env.setenv("WHOOP_DB", url)
    store = Store(url, busy_timeout_s=60)
    aid = connect(store, settings)
    sync_athlete(store, settings, aid)
    threads = _scheduler_threads()
    at = AppTest.from_function(_card).run(timeout=30)
    assert not at.exception
    at.button(key=f"sync_{aid}").click().run(timeout=30)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _scheduler_threads() == threads           # the app started no scheduler thread
    assert requested_athletes(store) == [aid]
    assert any(label.endswith("requested") for label in _statuses(at)), _statuses(at)
    assert "python -m whoop worker" in " ".join(m.value for m in at.markdown)
    time.sleep(1.0)
    assert requested_athletes(store) == [aid]       # nobody in the app picked it up
    sync_athlete(store, settings, aid)               # what a worker does with the request
    assert requested_athletes(store) == []
    at.run(timeout=30)
    assert any("Synced" in s.value for s in at.success), [s.value for s in at.success]


def test_a_sync_of_one_athlete_keeps_the_other_athletes_cached_frames(app_test, store, settings,
                                                                      athlete, monkeypatch, tmp_path):
    from tests.apptest_helpers import assert_clean
    from whoop.importer import load_demo

    for key in ("WHOOP_CLIENT_ID", "WHOOP_CLIENT_SECRET", "WHOOP_BASE_URL"):
        monkeypatch.delenv(key, raising=False)      # the app itself runs no sync here
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "none.toml"))
    load_demo(store)
    sync_athlete(store, settings, athlete)
    demo = store.athlete_id("demo")
    at = app_test(store.path)
    at.run()
    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    assert_clean(at)
    calls: list[int] = []
    real = Store.days

    def days(self, athlete_id, *args, **kwargs):   # the read behind every cached frame
        calls.append(athlete_id)
        return real(self, athlete_id, *args, **kwargs)

    monkeypatch.setattr(Store, "days", days)
    sync_athlete(store, settings, athlete)          # the other athlete syncs
    at.run()
    assert_clean(at)
    assert demo not in calls, calls
    at.sidebar.selectbox(key="athlete_pick").set_value(store.athlete_name(athlete)).run()
    assert athlete in calls                         # the synced athlete's frames are read anew
