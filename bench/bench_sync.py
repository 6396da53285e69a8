"""Benchmark: a backfill from the local sandbox (whoop/sandbox, over HTTP), then a sync with
nothing new, against the floor WHOOP's rate limit sets.

WHOOP allows 100 requests a minute per app (docs/WHOOP.md#rate-limits), so N requests need at
least ``window * (ceil(N / 100) - 1)`` seconds: the floor (3 years = 165 requests: 60 s). A
backfill is at the floor when processing the pages hides behind the waits; the target is at most
1.2 x the floor with no 429. The sync with nothing new makes 4 requests; what it spends beyond
them (HTTP time measured at the transport) is processing, target at most 2 s.

Full run (default): 3 years of history at WHOOP's real limit (a 60 s window, the client's own
budget of 95 a minute), about 70 s. Quick run (``--quick``, :func:`figures` with ``quick``):
1 year with the limit lifted (a 1 ms window and a huge client budget), a few seconds; it reports
the processing per page instead, against what the full run allows: at the floor the pages past
the first minute's budget (165 - 95 = 70) are processed after the window reopens, so each may
take at most 0.2 x 60 s / 70 = 171 ms.

Usage: python -m bench.bench_sync [--quick] [DAYS]
Prints each figure and its target; ``figures(quick)`` returns them as rows for bench/run.py.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from whoop.config import WhoopSettings
from whoop.oauth import authorization_url
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store
from whoop.sync import sync_athlete
from whoop.tokens import TokenStore

WHOOP_PER_WINDOW = 100          # WHOOP's requests per minute window
CLIENT_PER_WINDOW = 95          # the client's own budget (whoop.client.WhoopClient minute_budget)
PAGES_AT_FULL = 165             # requests of the 3-year backfill
PER_PAGE_TARGET_MS = 0.2 * 60_000 / (PAGES_AT_FULL - CLIENT_PER_WINDOW)


class TimedTransport(httpx.HTTPTransport):
    """An httpx transport that adds up the seconds spent in requests and counts 429 answers."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds, self.too_many = 0.0, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        t0 = time.perf_counter()
        resp = super().handle_request(request)
        resp.read()
        self.seconds += time.perf_counter() - t0
        self.too_many += resp.status_code == 429
        return resp


def floor_s(requests: int, window_s: float) -> float:
    """The least seconds ``requests`` requests take under WHOOP's limit of 100 per window."""
    return window_s * max(0, math.ceil(requests / WHOOP_PER_WINDOW) - 1)


def measure(days: int, *, lifted: bool) -> dict:
    """One backfill of ``days`` days then one sync with nothing new, on a fresh DuckDB file.
    Returns seconds, requests, 429s, HTTP seconds and database opens of each."""
    window = 0.001 if lifted else 60.0
    with tempfile.TemporaryDirectory() as tmp, \
            run_sandbox(days=days, auto_approve=True, rate_window_s=window) as sb:
        s = WhoopSettings("sandbox-client", "sandbox-secret", "http://localhost:8501/", sb.base_url)
        store = Store(Path(tmp) / "bench.duckdb")
        loc = httpx.get(authorization_url(store, s)).headers["location"]
        aid = TokenStore(store, s).finish_connect_url(loc).athlete_id
        out: dict[str, Any] = {"window_s": window}
        for name in ("backfill", "nothing_new"):
            transport = TimedTransport()
            kw = {"transport": transport, "minute_s": window}
            if lifted:
                kw["minute_budget"] = 10**6
            opens = store.opens
            t0 = time.perf_counter()
            result = sync_athlete(store, s, aid, client_kw=kw)
            out[name] = {"s": time.perf_counter() - t0, "requests": result.requests,
                         "too_many": transport.too_many, "http_s": transport.seconds,
                         "opens": store.opens - opens,
                         "records": sum(c["inserted"] for c in result.counts.values())}
        return out


def figures(quick: bool) -> list[dict]:
    """Rows ``{"name", "value", "target", "unit"}`` for bench/run.py (see the module docstring):
    quick = 1 year with the limit lifted (seconds), else 3 years at WHOOP's limit (~70 s)."""
    days = 365 if quick else 1095
    m = measure(days, lifted=quick)
    full, noop = m["backfill"], m["nothing_new"]
    rows = []
    if quick:
        rows.append({"name": f"sync backfill {days} d, limit lifted: processing per page",
                     "value": round(1000 * full["s"] / full["requests"], 1),
                     "target": round(PER_PAGE_TARGET_MS), "unit": "ms"})
    else:
        floor = floor_s(full["requests"], m["window_s"])
        rows.append({"name": f"sync backfill {days} d at WHOOP's limit vs its request floor "
                             f"({full['requests']} requests, floor {floor:.0f} s)",
                     "value": round(full["s"] / floor, 3) if floor else None, "target": 1.2, "unit": "x"})
    rows.append({"name": "sync backfill: 429 answers", "value": full["too_many"], "target": 0,
                 "unit": "count"})
    rows.append({"name": f"sync with nothing new ({noop['requests']} requests): time beyond the requests",
                 "value": round(noop["s"] - noop["http_s"], 3), "target": 2.0, "unit": "s"})
    return rows


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    rest = [a for a in argv if a != "--quick"]
    days = int(rest[0]) if rest else (365 if quick else 1095)
    m = measure(days, lifted=quick)
    full, noop = m["backfill"], m["nothing_new"]
    limit = "limit lifted" if quick else f"WHOOP's limit ({WHOOP_PER_WINDOW} per {m['window_s']:.0f} s)"
    floor = floor_s(full["requests"], m["window_s"])
    print(f"backfill of {days} days, {limit}: {full['requests']} requests, {full['records']} records, "
          f"{full['too_many']} x 429, {full['s']:.2f} s ({full['http_s']:.2f} s in HTTP), "
          f"{full['opens']} database opens")
    if floor:
        print(f"  request floor {floor:.0f} s; backfill / floor = {full['s'] / floor:.3f} (target <= 1.2)")
    else:
        print(f"  processing per page {1000 * full['s'] / full['requests']:.0f} ms "
              f"(at the floor the pages past the first window may take {PER_PAGE_TARGET_MS:.0f} ms)")
    print(f"sync with nothing new: {noop['requests']} requests, {noop['s']:.3f} s, "
          f"{noop['http_s']:.3f} s in HTTP, beyond the requests {noop['s'] - noop['http_s']:.3f} s "
          f"(target <= 2 s), {noop['opens']} database opens")


if __name__ == "__main__":
    main(sys.argv[1:])
