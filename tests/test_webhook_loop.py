"""The webhook loop over HTTP on 127.0.0.1, on DuckDB and PostgreSQL: the sandbox sends signed
WHOOP v2 webhooks of its changes to the worker's receiver (whoop.webhook_server), the worker
wakes and fetches the named records by id (whoop.sync.targeted). After processing, the stored
sleeps, recoveries and workouts are the sandbox's, with few API requests and the days table
equal to a whole rebuild; duplicates and out-of-order deliveries change nothing; badly signed
deliveries are refused and the reconciliation poll catches up; a deleted record disappears, a
rescored one updates; a record WHOOP answers 404 for is deleted; an unknown WHOOP user is
acknowledged and ignored; a delivery for an athlete whose access ended fails without a secret in
its outcome and marks the connection for reconnecting."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    NOW,
    REDIRECT,
    TABLE_OF,
    assert_matches_sandbox,
    db_records,
    redirect_of,
    sandbox_records,
)
from whoop.config import WhoopSettings
from whoop.oauth import authorization_url
from whoop.sandbox.testing import SandboxHandle, run_sandbox
from whoop.serving import serve
from whoop.store import Store
from whoop.sync import sync_athlete
from whoop.tokens import TokenStore
from whoop.webhook_server import PATH, webhook_app
from whoop.webhooks import SIGNATURE, TIMESTAMP, sign
from whoop.worker import Worker, WorkerOptions

PUSHED = ("sleep", "recovery", "workout")        # the kinds WHOOP sends webhooks for
BY_ID = {"GET /developer/v2/activity/sleep/{sleepId}", "GET /developer/v2/activity/workout/{workoutId}",
         "GET /developer/v2/cycle/{cycleId}/recovery", "GET /developer/v2/cycle/{cycleId}"}


@dataclass
class Loop:
    sb: SandboxHandle
    store: Store
    worker: Worker
    athlete_id: int
    lines: list[str]
    settings: WhoopSettings
    receiver: str = ""

    def post(self, path: str) -> dict:
        r = httpx.post(self.sb.base_url + path, timeout=60)
        r.raise_for_status()
        return r.json()

    def api_requests(self) -> dict[str, int]:
        stats = httpx.get(self.sb.base_url + "/_sandbox/stats", timeout=10).json()["requests"]
        return {k: sum(v.values()) for k, v in stats.items() if "/developer/" in k}

    def delivered(self, timeout_s: float = 30.0) -> dict:
        """Wait until the sandbox sent everything and the worker processed it; the sender's
        status (``sent``: answer status -> count) and the seconds it took."""
        start = time.monotonic()
        while True:
            status = httpx.get(self.sb.base_url + "/_sandbox/webhooks", timeout=10).json()
            if status["pending"] == 0 and not self.store.queued_webhooks(self.athlete_id):
                return {**status, "seconds": time.monotonic() - start}
            assert time.monotonic() - start < timeout_s, status
            time.sleep(0.05)


@pytest.fixture
def loop(db):
    """Two sandbox athletes (14 days); athlete 0 connected and synced, athlete 1 not (an unknown
    WHOOP user); a worker with its receiver in this process, the sandbox's webhooks aimed at it.
    The reconciliation poll is an hour away unless a test shortens it."""
    with run_sandbox(now=NOW, days=14, athletes=2, auto_approve=True, rate_window_s=1) as sb:
        store, settings, aid = connected_and_synced(sb, db)
        lines: list[str] = []
        worker = Worker(store, settings, WorkerOptions(poll_s=600, request_poll_s=0.1, rate_window_s=1,
                                                       reconcile_s=3600),
                        say=lines.append, warn=lines.append)
        with serve(webhook_app(store, CLIENT_SECRET, on_queued=worker.wake), "127.0.0.1", 0) as (port, _):
            runner = threading.Thread(target=worker.run, daemon=True)
            runner.start()
            loop = Loop(sb, store, worker, aid, lines, settings, f"http://127.0.0.1:{port}{PATH}")
            loop.post(f"/_sandbox/webhooks?url={loop.receiver}")
            loop.delivered()                              # the worker's first pass is over
            httpx.post(sb.base_url + "/_sandbox/reset-stats", timeout=10).raise_for_status()
            try:
                yield loop
            finally:
                worker.stop()
                runner.join(30)


def connected_and_synced(sb: SandboxHandle, db: str | Path) -> tuple[Store, WhoopSettings, int]:
    """The sandbox's first athlete connected to ``db`` and synced once: (store, the app's
    settings, its athlete id)."""
    store = Store(db)
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
    url = authorization_url(store, settings) + "&sandbox_athlete=0"
    aid = TokenStore(store, settings).finish_connect_url(redirect_of(url)).athlete_id
    sync_athlete(store, settings, aid)
    return store, settings, aid


def assert_pushed_kinds_match(loop: Loop) -> dict[str, int]:
    """Stored sleeps, recoveries and workouts are exactly the sandbox's (whole raw rows, once
    each; their WHOOP ids too). Returns the counts."""
    want, got = sandbox_records(loop.sb), db_records(loop.store, loop.athlete_id)
    for kind in PUSHED:
        assert len(got[kind]) == len(set(got[kind])), f"{kind}: duplicate rows"
        missing, extra = want[kind] - set(got[kind]), set(got[kind]) - want[kind]
        assert not missing and not extra, f"{kind}: {len(missing)} missing, {len(extra)} extra"
    with loop.sb.state.lock:
        world = loop.sb.state.world.athletes[0]
        served = {k: {str(x.rec["id"]) for x in world.sorted_desc[k]} for k in ("sleep", "workout")}
    for kind in ("sleep", "workout"):
        stored = loop.store.query(f"SELECT whoop_id FROM {TABLE_OF[kind]} WHERE athlete_id = ?",
                                  [loop.athlete_id])["whoop_id"]
        assert set(stored) == served[kind]
    return {k: len(want[k]) for k in PUSHED}


def assert_days_as_whole_rebuild(loop: Loop) -> None:
    """The days the partial rebuilds left equal a whole rebuild from the records."""
    partial = loop.store.days(loop.athlete_id)
    with loop.store.transaction() as con:
        Store.rebuild_days(con, loop.athlete_id)
    whole = loop.store.days(loop.athlete_id)
    pd.testing.assert_frame_equal(partial.reset_index(drop=True), whole.reset_index(drop=True))


def outcomes(loop: Loop) -> pd.DataFrame:
    return loop.store.webhook_events()


def test_a_day_of_webhooks_brings_the_athlete_up_to_date_with_few_requests(loop):
    changes = loop.post("/_sandbox/advance?days=1")
    mine = changes["athletes"][0]
    assert changes["webhooks"] > 0 and mine["created"]
    done = loop.delivered()
    assert set(done["sent"]) == {"204"}, done
    assert done["seconds"] < 20, done                  # woken by the deliveries, not the 10-min poll
    counts = assert_pushed_kinds_match(loop)
    assert counts["sleep"] >= 14 and counts["recovery"] >= 13
    assert_days_as_whole_rebuild(loop)

    requests = loop.api_requests()
    assert set(requests) <= BY_ID, requests            # fetches by id only, no collection page
    events = outcomes(loop)
    mine_events = events[events["athlete_id"] == loop.athlete_id]
    assert set(mine_events["outcome"]) <= {"applied", "deleted", "not_found"}
    assert sum(requests.values()) <= 2 * len(mine_events) + 1, (requests, len(mine_events))
    others = events[events["athlete_id"].isna()]       # athlete 1: a WHOOP user nobody connected
    assert len(others) > 0 and set(others["outcome"]) == {"unknown user"}
    assert any("webhooks" in line for line in loop.lines)


def test_duplicates_and_out_of_order_deliveries_change_nothing(loop):
    httpx.post(loop.sb.base_url + "/_sandbox/faults", json={"spec": "duplicate:3,reorder:4"},
               timeout=10).raise_for_status()
    changes = loop.post("/_sandbox/advance?days=1")
    done = loop.delivered()
    assert done["sent"] == {"204": changes["webhooks"]}     # each duplicate answered 2xx too
    events = outcomes(loop)
    assert len(events) == changes["webhooks"] - 3 and events["trace_id"].is_unique
    assert set(events["outcome"]) <= {"applied", "deleted", "not_found", "unknown user"}
    assert_pushed_kinds_match(loop)
    assert_days_as_whole_rebuild(loop)


def test_badly_signed_webhooks_are_refused_and_the_reconciliation_poll_catches_up(loop):
    httpx.post(loop.sb.base_url + "/_sandbox/faults", json={"spec": "badsig:500"},
               timeout=10).raise_for_status()
    changes = loop.post("/_sandbox/advance?days=1")
    done = loop.delivered()
    assert done["sent"] == {"401": changes["webhooks"]}
    assert outcomes(loop).empty                        # nothing was queued
    assert loop.api_requests() == {}
    with pytest.raises(AssertionError, match="missing"):
        assert_pushed_kinds_match(loop)

    runs = len(loop.store.runs(loop.athlete_id))
    loop.worker.options.reconcile_s = 0.5               # the reconciliation poll comes due
    loop.worker.options.min_interval_s = 0.5
    loop.worker.wake()
    deadline = time.monotonic() + 60
    while len(loop.store.runs(loop.athlete_id)) == runs or \
            loop.store.runs(loop.athlete_id)["status"].iloc[0] == "running":
        assert time.monotonic() < deadline, loop.lines
        time.sleep(0.1)
        loop.worker.wake()          # a pass already under way when the options changed
    loop.worker.options.reconcile_s = loop.worker.options.min_interval_s = 3600
    assert_matches_sandbox(loop.store, loop.sb, loop.athlete_id)   # cycles too
    assert_days_as_whole_rebuild(loop)


def test_a_deleted_workout_disappears_and_a_rescored_sleep_updates(loop):
    with loop.sb.state.lock:
        main = next(x.rec["id"] for x in loop.sb.state.world.athletes[0].sorted_desc["sleep"]
                    if not x.rec["nap"] and x.rec["score_state"] == "SCORED")
    rescored = loop.post(f"/_sandbox/rescore?kind=sleep&id={main}")["changed"]
    deleted = loop.post("/_sandbox/delete?kind=workout")["changed"]
    assert [k for k, _ in rescored] == ["sleep", "recovery"] and deleted[0][0] == "workout"
    loop.delivered()
    assert_pushed_kinds_match(loop)
    assert_days_as_whole_rebuild(loop)
    gone = loop.store.query("SELECT count(*) AS n FROM workouts WHERE whoop_id = ?", [deleted[0][1]])
    assert gone["n"].iloc[0] == 0
    sleep = loop.store.query("SELECT source_ref FROM sleeps WHERE whoop_id = ?", [rescored[0][1]])
    assert sleep["source_ref"].iloc[0].startswith("webhook ")
    # sleep.updated + recovery.updated: the sleep and its cycle's recovery, once each when both
    # deliveries are in one batch, twice when the worker took the first before the second came;
    # the deletion asks nothing
    requests = loop.api_requests()
    assert set(requests) == {"GET /developer/v2/activity/sleep/{sleepId}",
                             "GET /developer/v2/cycle/{cycleId}/recovery"}
    assert set(requests.values()) <= {1, 2}, requests
    events = outcomes(loop).sort_values(["signed_at", "received_at"])
    assert events["event_type"].tolist() == ["sleep.updated", "recovery.updated", "workout.deleted"]
    assert events["outcome"].tolist() == ["applied", "applied", "deleted"]


def test_a_webhook_after_the_athlete_revoked_access_fails_and_asks_to_reconnect(loop):
    tokens = TokenStore(loop.store, loop.settings)
    token = tokens.access_token(loop.athlete_id)
    httpx.delete(loop.sb.base_url + "/developer/v2/user/access", headers={"Authorization": f"Bearer {token}"},
                 timeout=10).raise_for_status()
    assert loop.post("/_sandbox/rescore?kind=workout")["webhooks"] == 1
    loop.delivered()
    [outcome] = outcomes(loop)["outcome"].tolist()
    assert outcome.startswith("failed: ") and token not in outcome, outcome
    connection = tokens.connection(loop.athlete_id)
    assert connection.status == "reconnect_needed"
    assert all(token not in line for line in loop.lines)


def test_a_record_whoop_answers_404_for_is_deleted(loop):
    """WHOOP deleted a workout but its ``workout.deleted`` was missed; a later
    ``workout.updated`` for it (say a retry) gets 404, and the stored workout goes."""
    loop.post("/_sandbox/webhooks")                                   # the deletion sends nothing
    [[_, wid]] = loop.post("/_sandbox/delete?kind=workout")["changed"]
    stored = "SELECT count(*) AS n FROM workouts WHERE whoop_id = ?"
    assert loop.store.query(stored, [wid])["n"].iloc[0] == 1
    body = json.dumps({"user_id": loop.sb.state.world.athletes[0].user_id, "id": wid,
                       "type": "workout.updated", "trace_id": str(uuid.uuid4())}).encode()
    stamp = str(int(time.time() * 1000))
    reply = httpx.post(loop.receiver, content=body, timeout=10,
                       headers={SIGNATURE: sign(CLIENT_SECRET, stamp, body), TIMESTAMP: stamp})
    assert reply.status_code == 204
    loop.delivered()
    assert outcomes(loop)["outcome"].tolist() == ["not_found"]
    assert loop.store.query(stored, [wid])["n"].iloc[0] == 0
    assert_pushed_kinds_match(loop)
    assert_days_as_whole_rebuild(loop)
    assert loop.api_requests() == {"GET /developer/v2/activity/workout/{workoutId}": 1}


def test_the_worker_command_applies_the_sandboxs_webhooks(db):
    """``python -m whoop worker`` as a subprocess: its start line names the reconciliation
    interval; the sandbox's webhooks of a day reach its receiver and are applied within
    seconds, though its next scheduled pass is 10 minutes away."""
    import signal
    import subprocess
    import sys

    from tests.sync.conftest import REPO
    from tests.test_worker import worker_env

    with run_sandbox(now=NOW, days=14, athletes=1, auto_approve=True, rate_window_s=1) as sb:
        store, settings, aid = connected_and_synced(sb, db)
        proc = subprocess.Popen([sys.executable, "-m", "whoop", "worker", "--poll", "600", "--port", "0",
                                 "--reconcile-min", "120"], env=worker_env(sb, db), cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        guard = threading.Timer(120, proc.kill)          # never hang the suite
        guard.start()
        try:
            start = proc.stdout.readline()
            assert "each synced every 120 min and on its webhooks" in start, start
            receiver = proc.stdout.readline().split()[-1]
            httpx.post(sb.base_url + "/_sandbox/webhooks", params={"url": receiver},
                       timeout=10).raise_for_status()
            sent = httpx.post(sb.base_url + "/_sandbox/advance?days=1", timeout=60).json()["webhooks"]
            line = proc.stdout.readline()              # the batch's line
            while "webhooks" in line and sum(store.webhook_events()["outcome"].notna()) < sent:
                line = proc.stdout.readline()
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=60)
        finally:
            guard.cancel()
        assert "webhooks" in line and "applied" in line, line + err
        assert proc.returncode == 0 and err == "", err
        events = store.webhook_events()
        assert len(events) == sent and set(events["outcome"]) <= {"applied", "deleted", "not_found"}
        loop = Loop(sb, store, None, aid, [], settings)
        assert_pushed_kinds_match(loop)
