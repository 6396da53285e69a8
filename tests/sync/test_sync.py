"""Sync against the sandbox, on a DuckDB file and on PostgreSQL: full history record for record,
no-op cost, rescores and deletions, resumption, API + export merge."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.sync.conftest import (
    FAST,
    TABLE_OF,
    advance,
    api_requests,
    assert_matches_sandbox,
    connect,
    faults,
    sandbox_records,
)
from whoop.errors import ApiError
from whoop.store import Store
from whoop.sync import SyncOptions, mapping, sync_athlete, sync_status


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


def test_full_sync_equals_the_sandbox_record_for_record(store, settings, sandbox, athlete):
    result = sync_athlete(store, settings, athlete, client_kw=FAST)
    counts = assert_matches_sandbox(store, sandbox, athlete)
    assert {k: result.counts[k]["inserted"] for k in TABLE_OF} == counts
    days = store.days(athlete)
    assert len(days) >= 39 and days["date"].is_unique
    run = store.runs(athlete).iloc[0]
    assert (run["kind"], run["status"], run["requests"]) == ("sync", "ok", result.requests)
    assert json.loads(run["counts_json"])["cycle"]["inserted"] == counts["cycle"]
    assert sync_status(store, athlete).state == "Connected"


def days_written(store: Store, athlete: int) -> pd.DataFrame:
    """The athlete's stored days with when each row was written."""
    return store.query("SELECT date, cycle_start_utc, ingested_at FROM days WHERE athlete_id = ? "
                       "ORDER BY date", [athlete])


def assert_days_as_a_whole_rebuild(store: Store, athlete: int) -> None:
    """The days the syncs left are exactly those a rebuild of the whole table gives."""
    def days() -> pd.DataFrame:
        return store.query("SELECT * FROM days WHERE athlete_id = ? ORDER BY date",
                           [athlete]).drop(columns=["ingested_at"])
    left = days()
    with store.transaction() as con:
        Store.rebuild_days(con, athlete)
    pd.testing.assert_frame_equal(left, days())


def test_sync_with_nothing_new_makes_one_request_per_collection(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    before, written, opens = api_requests(sandbox), days_written(store, athlete), store.opens
    result = sync_athlete(store, settings, athlete, client_kw=FAST)
    opens = store.opens - opens
    after = api_requests(sandbox)
    delta = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert result.requests == 4 and sorted(delta.values()) == [1, 1, 1, 1], delta
    assert all(c["inserted"] == 0 and c["deleted"] == 0 for c in result.counts.values())
    assert_matches_sandbox(store, sandbox, athlete)
    # one connection for the run (plus PostgreSQL's advisory lock's own; on DuckDB it is closed
    # during each request, so other processes can use the file, and the token is read while
    # the first one waits); the records fetched again by the overlap window are unchanged, so
    # no day is written again
    assert opens <= (2 + result.requests if store.dialect == "duckdb" else 2)
    pd.testing.assert_frame_equal(days_written(store, athlete), written)


def test_rescores_and_deletions_are_picked_up_after_the_clock_advances(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    import httpx
    changes = advance(sandbox, 3)["athletes"][0]
    assert changes["created"] and changes["updated"]
    for kind in ("cycle", "sleep", "workout"):
        httpx.post(sandbox.base_url + f"/_sandbox/rescore?kind={kind}", timeout=10).raise_for_status()
    wid = store.query("SELECT whoop_id FROM workouts ORDER BY start_utc DESC LIMIT 1")["whoop_id"].iloc[0]
    gone = httpx.post(sandbox.base_url + f"/_sandbox/delete?kind=workout&id={wid}",
                      timeout=10).json()["changed"]
    written = days_written(store, athlete)
    result = sync_athlete(store, settings, athlete, client_kw=FAST)
    assert_matches_sandbox(store, sandbox, athlete)
    assert result.counts["workout"]["deleted"] >= 1 and gone
    assert len(store.days(athlete)) >= 42
    # only the days the changes touched were written again, and they are what a whole rebuild gives
    again = days_written(store, athlete).merge(written, on=["date", "cycle_start_utc"], how="left")
    assert 0 < (again["ingested_at_x"] != again["ingested_at_y"]).sum() < len(again) - 20
    assert_days_as_a_whole_rebuild(store, athlete)


def test_pending_scores_outside_the_overlap_are_checked_again(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    with store.transaction() as con:   # pretend a 20-day-old sleep was still pending when synced
        oldest = con.execute("SELECT min(start_utc) FROM sleeps WHERE start_utc > "
                             "(SELECT max(start_utc) FROM sleeps) - INTERVAL '20 days'").fetchone()[0]
        con.execute("UPDATE sleeps SET score_state = 'PENDING_SCORE', sleep_performance_pct = NULL "
                    "WHERE start_utc = ?", [oldest])
    sync_athlete(store, settings, athlete, client_kw=FAST)
    row = store.query("SELECT score_state, sleep_performance_pct FROM sleeps WHERE start_utc = ?", [oldest])
    assert row["score_state"].iloc[0] != "PENDING_SCORE"
    assert_matches_sandbox(store, sandbox, athlete)


def test_since_limits_the_first_sync(store, settings, sandbox, athlete):
    since = pd.Timestamp("2026-02-20", tz="UTC").to_pydatetime()
    sync_athlete(store, settings, athlete, SyncOptions(since=since, types=("cycle",)), client_kw=FAST)
    starts = store.query("SELECT min(end_utc) AS e, count(*) AS n FROM cycles")
    assert starts["e"].iloc[0] >= since and starts["n"].iloc[0] < len(sandbox_records(sandbox)["cycle"])


def test_a_failed_run_is_recorded_and_the_rerun_completes_exactly(store, settings, sandbox, athlete):
    faults(sandbox, "503:30")
    with pytest.raises(ApiError, match="retry"):
        sync_athlete(store, settings, athlete, client_kw={**FAST, "max_attempts": 3})
    run = store.runs(athlete).iloc[0]
    assert run["status"] == "failed" and "503" in run["error"]
    assert sync_status(store, athlete).state == "Error"
    faults(sandbox, "")
    httpx_clear(sandbox)
    sync_athlete(store, settings, athlete, client_kw=FAST)
    assert_matches_sandbox(store, sandbox, athlete)


def httpx_clear(sb) -> None:
    import httpx
    httpx.post(sb.base_url + "/_sandbox/faults", json={"clear": True}, timeout=10).raise_for_status()


def test_resume_after_an_interruption_mid_collection(store, settings, sandbox, athlete):
    """A page that fails after two committed pages: the rerun continues below the cursor."""
    faults(sandbox, "")
    # profile, body and cycle page 1 succeed, then cycle page 2 keeps failing
    httpx_clear(sandbox)
    import httpx
    state = {"n": 0}

    def on_request(method, path, status):
        state["n"] += 1
        if state["n"] == 3:
            httpx.post(sandbox.base_url + "/_sandbox/faults", json={"spec": "500:20"}, timeout=10)

    with pytest.raises(ApiError):
        sync_athlete(store, settings, athlete,
                     client_kw={**FAST, "max_attempts": 2, "on_request": on_request})
    partial = store.query("SELECT count(*) AS n FROM cycles")["n"].iloc[0]
    assert 0 < partial < len(sandbox_records(sandbox)["cycle"])
    httpx_clear(sandbox)
    before = api_requests(sandbox).get("GET /developer/v2/cycle", 0)
    sync_athlete(store, settings, athlete, client_kw=FAST)
    assert_matches_sandbox(store, sandbox, athlete)
    # the rerun did not start the cycle collection over: it fetched only the pages below the cursor
    assert api_requests(sandbox)["GET /developer/v2/cycle"] - before <= 1


def test_api_and_export_data_for_the_same_days_merge_into_one_row(store, settings, sandbox):
    """An export of the same person (made here from the sandbox's own records, with a journal
    entry) imported as 'me', then the WHOOP account linked to 'me' and synced."""
    recs = {k: [json.loads(r) for r in v] for k, v in sandbox_records(sandbox).items()}
    cycles = mapping.cycles(recs["cycle"], "export.zip:cycles.csv")
    starts = dict(zip(cycles["whoop_id"].astype(int), cycles["start_utc"], strict=False))
    frames = {"cycles": cycles, "sleeps": mapping.sleeps(recs["sleep"], starts, "export.zip:sleeps.csv"),
              "recoveries": mapping.recoveries(recs["recovery"], starts,
                                               "export.zip:physiological_cycles.csv")[0]}
    for f in frames.values():
        f["source"], f["raw_json"] = "export", None
    frames["recoveries"]["hrv_rmssd_ms"] = 1.0          # a value the API must override
    frames["recoveries"]["user_calibrating"] = pd.NA
    c0 = cycles["start_utc"].iloc[5]
    frames["journal"] = pd.DataFrame({"entry_key": [f"{c0.isoformat()}|Alcohol"], "cycle_start_utc": [c0],
                                      "question": ["Alcohol"], "answered_yes": [True], "source": ["export"]})
    me = store.import_records("me", frames, kind="export", source="export.zip").athlete_id
    days_export = len(store.days(me))
    assert connect(store, settings, link="me") == me
    sync_athlete(store, settings, me, client_kw=FAST)
    assert_matches_sandbox(store, sandbox, me)
    assert len(store.days(me)) == days_export and store.days(me)["date"].is_unique
    src = store.query("SELECT source, count(*) AS n FROM recoveries GROUP BY source")
    assert src.set_index("source")["n"].to_dict() == {"api+export": len(frames["recoveries"])}
    assert (store.query("SELECT hrv_rmssd_ms FROM recoveries")["hrv_rmssd_ms"] != 1.0).all()
    assert store.query("SELECT count(*) AS n FROM journal")["n"].iloc[0] == 1
    assert len(store.athletes()) == 1


def test_merged_rows_that_whoop_deletes_go_back_to_export(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    w = store.query("SELECT start_utc FROM workouts ORDER BY start_utc DESC LIMIT 2")["start_utc"]
    with store.transaction() as con:
        con.execute("UPDATE workouts SET source = 'api+export' WHERE start_utc = ?", [w.iloc[1]])
    import httpx
    for start in w:
        wid = store.query("SELECT whoop_id FROM workouts WHERE start_utc = ?", [start])["whoop_id"].iloc[0]
        httpx.post(sandbox.base_url + f"/_sandbox/delete?kind=workout&id={wid}",
                   timeout=10).raise_for_status()
    sync_athlete(store, settings, athlete, client_kw=FAST)
    left = store.query("SELECT start_utc, source, raw_json FROM workouts WHERE start_utc IN (?, ?)",
                       [w.iloc[0], w.iloc[1]])
    assert left[["source"]].values.tolist() == [["export"]] and left["raw_json"].isna().all()
