"""Benchmark: full sync of N days from the local sandbox, then a no-op sync.

Prints requests, records and seconds of each, and the ratio no-op/full (requests and time).
Usage: python bench/bench_sync.py [DAYS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoop.config import WhoopSettings  # noqa: E402
from whoop.oauth import authorization_url  # noqa: E402
from whoop.sandbox.testing import run_sandbox  # noqa: E402
from whoop.store import Store  # noqa: E402
from whoop.sync import sync_athlete  # noqa: E402
from whoop.tokens import TokenStore  # noqa: E402


def main(days: int = 365) -> None:
    with tempfile.TemporaryDirectory() as tmp, run_sandbox(days=days, auto_approve=True) as sb:
        s = WhoopSettings("sandbox-client", "sandbox-secret", "http://localhost:8501/", sb.base_url)
        store = Store(Path(tmp) / "bench.duckdb")
        loc = httpx.get(authorization_url(store, s)).headers["location"]
        aid = TokenStore(store, s).finish_connect_url(loc).athlete_id
        t0 = time.perf_counter()
        full = sync_athlete(store, s, aid)
        t1 = time.perf_counter()
        noop = sync_athlete(store, s, aid)
        t2 = time.perf_counter()
        recs = sum(c["inserted"] for c in full.counts.values())
        print(f"full sync of {days} days: {full.requests} requests, {recs} records, {t1 - t0:.2f} s")
        print(f"no-op sync: {noop.requests} requests, {t2 - t1:.2f} s")
        print(f"ratio no-op/full: requests {noop.requests / full.requests:.3f}, time {(t2 - t1) / (t1 - t0):.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 365)
