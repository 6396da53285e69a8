"""The WHOOP request budget kept in the database (whoop/store/budget.py) on DuckDB and PostgreSQL:
concurrent takers in threads and in processes never take more than the minute spacing and the
day window allow; WHOOP's pause stops every taker; the client spends every API request from it
on PostgreSQL, against the sandbox over HTTP."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from whoop.client import WhoopClient
from whoop.store import Store

REPO = Path(__file__).resolve().parents[1]
APP = "http://127.0.0.1:1 test-client"


def _take_until(store: Store, stop_at: float, out: list, **budget) -> None:
    """Take requests until ``stop_at`` (monotonic), sleeping as told; append each grant's
    ``day_used`` and each refusal's reason. One connection per thread (a unit of work)."""
    with store.unit_of_work():
        _take_loop(store, stop_at, out, **budget)


def _take_loop(store: Store, stop_at: float, out: list, **budget) -> None:
    while time.monotonic() < stop_at:
        got = store.take_request(APP, **budget)
        if got.granted:
            out.append(got.day_used)
        else:
            out.append(got.reason)
            time.sleep(min(got.wait_s, max(0.0, stop_at - time.monotonic())))


def test_threads_never_take_faster_than_the_minute_spacing(db):
    """8 threads hammer one app's budget of 40 per 2 s (one request every 50 ms) for 1.5 s: the
    grants are at most 1.5 / 0.05 + 1 = 31, and the budget was used (at least a third of that)."""
    store = Store(db)
    store.schema_version()
    budget = {"minute_budget": 40, "minute_s": 2.0, "day_budget": 10_000}
    results: list[list] = [[] for _ in range(8)]
    t0 = time.monotonic()
    threads = [threading.Thread(target=_take_until, args=(store, t0 + 1.5, r),
                                kwargs=budget) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    granted = sum(1 for r in results for x in r if isinstance(x, int))
    assert granted <= elapsed / 0.05 + 1
    assert granted >= 10, f"only {granted} requests granted in {elapsed:.1f} s"
    assert store.request_budget(APP)["taken"] == granted
    refused = {x for r in results for x in r if isinstance(x, str)}
    assert refused == {"minute"}


def test_threads_never_take_more_than_the_day_budget(db):
    """25 requests a day (a day of 1440 windows of 5 ms = 7.2 s), 6 threads taking as fast as
    they can for 1 s: exactly 25 granted, every later take refused with reason ``day`` and a wait
    that ends with the day window; a new day window (a shorter day, another app) grants again."""
    store = Store(db)
    store.schema_version()
    budget = {"minute_budget": 1, "minute_s": 0.005, "day_budget": 25}
    results: list[list] = [[] for _ in range(6)]
    t0 = time.monotonic()
    threads = [threading.Thread(target=_take_until, args=(store, t0 + 1.0, r),
                                kwargs=budget) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grants = sorted(x for r in results for x in r if isinstance(x, int))
    assert grants == list(range(1, 26)), "each day_used value is handed out once"
    refused = store.take_request(APP, **budget)
    assert not refused.granted and refused.reason == "day" and 0 < refused.wait_s <= 7.2
    short = {"minute_budget": 1, "minute_s": 0.0005, "day_budget": 1}     # a day of 0.72 s
    assert store.take_request("short day", **short).granted
    again = store.take_request("short day", **short)
    assert not again.granted and again.reason == "day"
    time.sleep(again.wait_s + 0.05)
    assert store.take_request("short day", **short).granted, "a new day window opens"


TAKER = """
import sys, time
from whoop.store import Store
store = Store(sys.argv[1])
store.schema_version()
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
granted = 0
while time.time() < start + 2.0:
    got = store.take_request("{app}", minute_budget=1000, minute_s=0.5, day_budget=60)
    if got.granted:
        granted += 1
    else:
        time.sleep(min(got.wait_s, 0.05))
print(granted)
"""


def test_processes_share_one_budget_on_postgresql(pg_schemas):
    """Four processes taking from one PostgreSQL budget of 60 a day for 2 s, all starting at
    the same instant: together they get exactly 60 requests. (DuckDB is one process at a time:
    its budget is taken by threads, above.)"""
    db = pg_schemas.new()
    Store(db).schema_version()
    start = time.time() + 3.0
    code = TAKER.replace("{app}", APP)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), str(start)], cwd=REPO, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}) for _ in range(4)]
    counts = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        counts.append(int(out.strip()))
    assert sum(counts) == 60, counts
    assert Store(db).request_budget(APP)["day_used"] == 60


def test_whoop_pause_stops_every_taker(db):
    """``pause_requests`` (WHOOP said Remaining: 0) holds every taker of the app until it ends,
    whatever the minute and day budgets still allow; another app is not held."""
    store = Store(db)
    budget = {"minute_budget": 1000, "minute_s": 60.0, "day_budget": 1000}
    assert store.take_request(APP, **budget).granted
    store.pause_requests(APP, 0.4)
    held = store.take_request(APP, **budget)
    assert not held.granted and held.reason == "whoop" and 0.3 < held.wait_s <= 0.4
    assert store.take_request("another app", **budget).granted
    time.sleep(held.wait_s + 0.02)
    assert store.take_request(APP, **budget).granted


def test_the_client_spends_every_request_from_the_database_budget(db, backend):
    """A WhoopClient given a PostgreSQL store takes each API request from the budget row: the row
    counts what the sandbox served; WHOOP's ``Remaining: 0`` (an injected 429) is written to the
    row, so every process pauses. On DuckDB the client keeps its in-process budget."""
    from whoop.sandbox.testing import run_sandbox

    store = Store(db)
    with run_sandbox(days=30, auto_approve=True, rate_window_s=1) as sb:
        code = httpx.get(f"{sb.base_url}/oauth/oauth2/auth", params={
            "response_type": "code", "client_id": "sandbox-client", "redirect_uri": "http://localhost:8501/",
            "scope": "offline read:cycles read:profile", "state": "state-12345"}).headers["location"]
        code = code.split("code=")[1].split("&")[0]
        token = httpx.post(f"{sb.base_url}/oauth/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:8501/",
            "client_id": "sandbox-client", "client_secret": "sandbox-secret"}).json()["access_token"]
        with WhoopClient(sb.base_url, lambda force=False, stale=None: token, client_id="sandbox-client",
                         budget_store=store, minute_s=1.0, backoff_initial_s=0.02) as client:
            pages = list(client.pages("cycle"))
            client.profile()
            httpx.post(sb.base_url + "/_sandbox/faults", json={"spec": "429:1"}).raise_for_status()
            client.profile()
        served = sum(n for k, v in httpx.get(sb.base_url + "/_sandbox/stats").json()["requests"].items()
                     if "/developer/" in k for n in v.values())
        assert len(pages) == 2 and client.requests == served == len(pages) + 3
        row = store.request_budget(client.app)
        if backend == "postgresql":
            assert client.shared_budget is store
            assert row["taken"] == served
            assert row["not_before"] > row["day_start"], "WHOOP's pause was shared"
        else:
            assert client.shared_budget is None and row is None
