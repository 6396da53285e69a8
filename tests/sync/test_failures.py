"""What a failed sync leaves behind and what happens next: days agree with the committed records,
the background scheduler retries an athlete in Error, a 401 after a refresh asks to reconnect,
an unreadable record is a clear ApiError, and the run history shows each run's requests. On a
DuckDB file and on PostgreSQL (the app's scheduler, which runs on DuckDB only, on DuckDB)."""

from __future__ import annotations

import httpx
import pytest

from tests.sync.conftest import FAST, api_requests, faults, run_cli, stats
from whoop.errors import ApiError, ReconnectNeeded
from whoop.store import Store
from whoop.sync import sync_athlete, sync_status
from whoop.tokens import TokenStore


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


def _clear(sb) -> None:
    httpx.post(sb.base_url + "/_sandbox/faults", json={"clear": True}, timeout=10).raise_for_status()


def _days(store: Store, athlete: int):
    return store.days(athlete).drop(columns=["ingested_at"], errors="ignore").reset_index(drop=True)


def test_a_sync_failing_mid_way_leaves_days_that_agree_with_its_records(store, settings, sandbox, athlete):
    seen = {"sleep": False}

    def on_request(method, path, status):          # cycles and one sleep page go through, then failures
        if path == "/activity/sleep" and not seen["sleep"]:
            seen["sleep"] = True
            faults(sandbox, "500:20")

    with pytest.raises(ApiError):
        sync_athlete(store, settings, athlete,
                     client_kw={**FAST, "max_attempts": 2, "on_request": on_request})
    assert store.query("SELECT count(*) AS n FROM cycles")["n"].iloc[0] > 0
    assert store.query("SELECT count(*) AS n FROM recoveries")["n"].iloc[0] == 0     # never reached
    left = _days(store, athlete)
    assert len(left) >= 39                          # the pages show the cycles synced so far
    with store.transaction() as con:                # and they are exactly what the records give
        Store.rebuild_days(con, athlete)
    assert left.equals(_days(store, athlete))


@pytest.mark.parametrize("backend", ["duckdb"])       # the app's scheduler: DuckDB only
def test_the_scheduler_retries_an_athlete_in_error_once_its_retry_time_came(store, settings, sandbox,
                                                                            athlete):
    from whoop.ui.connect import _Scheduler

    faults(sandbox, "503:30")
    with pytest.raises(ApiError) as err:
        sync_athlete(store, settings, athlete, client_kw={**FAST, "max_attempts": 3})
    _clear(sandbox)
    status = sync_status(store, athlete)
    finished = store.runs(athlete).iloc[0]["finished_at"]
    assert status.state == "Error"
    assert (status.next_sync_at - finished).total_seconds() >= err.value.retry_after_s
    scheduler = _Scheduler(str(store.location), start=False)
    assert scheduler.run_once(settings) == []       # the retry time has not come yet
    with store.transaction() as con:                # ... now it has (moved back, not waited for)
        con.execute("UPDATE import_runs SET finished_at = finished_at - INTERVAL '2 hours' WHERE athlete_id "
                    "= ?",
                    [athlete])
    assert scheduler.run_once(settings) == [athlete]
    assert store.runs(athlete)["status"].tolist()[:2] == ["ok", "failed"]
    assert sync_status(store, athlete).state == "Connected"
    # Reconnect needed is never retried in the background
    TokenStore(store, settings).set_status(athlete, "reconnect_needed", "test")
    with store.transaction() as con:
        con.execute("UPDATE import_runs SET finished_at = finished_at - INTERVAL '30 days' WHERE athlete_id "
                    "= ?",
                    [athlete])
    assert scheduler.run_once(settings) == []


def test_a_401_after_a_refresh_marks_the_connection_reconnect_needed(store, settings, sandbox, athlete):
    faults(sandbox, "expire:2")                     # the refreshed token is refused too
    with pytest.raises(ReconnectNeeded, match="401 after a refresh"):
        sync_athlete(store, settings, athlete, client_kw=FAST)
    assert store.query("SELECT status FROM whoop_connections")["status"].tolist() == ["reconnect_needed"]
    assert sync_status(store, athlete).state == "Reconnect needed"
    refreshes, before = stats(sandbox)["refreshes"], api_requests(sandbox)
    r = run_cli(sandbox, store.location, "sync")        # cron stops calling WHOOP for this athlete
    assert r.returncode == 1 and "connect again" in r.stderr
    assert stats(sandbox)["refreshes"] == refreshes and api_requests(sandbox) == before


def test_an_unreadable_record_is_an_api_error_naming_it(store, settings, sandbox, athlete):
    with sandbox.state.lock:
        rec = sandbox.state.world.athletes[0].sorted_desc["cycle"][0].rec
        rec["timezone_offset"] = "+ab:cd"
        rid = rec["id"]
    with pytest.raises(ApiError, match=rf"WHOOP sent a cycle record we cannot read \(id {rid}\)"):
        sync_athlete(store, settings, athlete, client_kw=FAST)
    assert store.runs(athlete).iloc[0]["status"] == "failed"
    r = run_cli(sandbox, store.location, "sync")
    assert r.returncode == 1
    assert f"error: WHOOP sent a cycle record we cannot read (id {rid}): ValueError" in r.stderr, r.stderr


def test_the_run_history_shows_each_runs_requests(store, settings, sandbox, athlete, monkeypatch):
    monkeypatch.setenv("WHOOP_DB", str(store.location))
    from whoop.ui import data
    first = sync_athlete(store, settings, athlete, client_kw=FAST)
    second = sync_athlete(store, settings, athlete, client_kw=FAST)
    table = data.runs_table()
    assert table["kind"].tolist() == ["sync", "sync"]
    assert table["requests"].tolist() == [second.requests, first.requests] and second.requests == 4
