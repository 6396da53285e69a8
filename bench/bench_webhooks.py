"""Benchmark: WHOOP requests a day for a roster with webhooks vs polling only, from request
counts measured against the sandbox.

Measured (one sandbox athlete, a DuckDB file, the sandbox's request stats):

* ``poll``: the requests of one incremental sync that finds nothing new (the 4 collections, one
  page each): what every scheduled sync of an athlete costs;
* ``hook``: the requests of one sandbox day's webhooks (its new, rescored and deleted sleeps,
  recoveries and workouts: the sandbox sends them signed to the worker's receiver,
  ``whoop.webhook_server``), applied one delivery at a time (``whoop.sync.targeted``: WHOOP
  spreads a day's events over the day, so no two share a batch), averaged over ``days`` days;
  the same deliveries applied as one batch are printed too.

Scaled to a roster of ``athletes`` (WHOOP's real clock, the worker's rules,
:func:`whoop.worker.poll_interval`): polling only, every athlete is synced every
``poll_interval(athletes)`` seconds and its profile read once a day; with webhooks, the
scheduled syncs become the reconciliation poll, every ``max(poll_interval(athletes),
reconcile)`` seconds (``--reconcile-min``, 180 min by default), plus each athlete's webhook
fetches of a day::

    polling  = athletes * (poll * 86,400 / interval + 2)
    webhooks = athletes * (poll * 86,400 / max(interval, reconcile) + 2 + hook)

Usage: python -m bench.bench_webhooks [--athletes 100] [--days 7] [--reconcile-min 180]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common import Figure, figure
from whoop.config import WhoopSettings
from whoop.oauth import authorization_url
from whoop.sandbox.testing import SandboxHandle, run_sandbox
from whoop.serving import serve
from whoop.store import Store, utcnow
from whoop.sync import sync_athlete
from whoop.sync.targeted import apply_webhooks
from whoop.tokens import TokenStore
from whoop.webhook_server import PATH, webhook_app
from whoop.worker import REQUESTS_PER_DAY, poll_interval

CLIENT_ID, SECRET, REDIRECT = "sandbox-client", "sandbox-secret", "http://localhost:8501/"


def api_requests(sb: SandboxHandle) -> int:
    """API requests the sandbox answered since its last stats reset."""
    stats = httpx.get(sb.base_url + "/_sandbox/stats", timeout=30).json()["requests"]
    return sum(sum(v.values()) for k, v in stats.items() if "/developer/" in k)


def reset(sb: SandboxHandle) -> None:
    httpx.post(sb.base_url + "/_sandbox/reset-stats", timeout=30).raise_for_status()


def delivered(sb: SandboxHandle, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while httpx.get(sb.base_url + "/_sandbox/webhooks", timeout=30).json()["pending"]:
        if time.monotonic() > deadline:
            raise RuntimeError("the sandbox's webhooks were not delivered in time")
        time.sleep(0.05)


def measure(days: int, history_days: int) -> dict[str, float]:
    """``poll`` (requests of a nothing-new sync), ``hook`` and ``batched`` (webhook requests per
    sandbox day, one delivery at a time / as one batch), ``deliveries`` per day."""
    with tempfile.TemporaryDirectory() as tmp, \
            run_sandbox(days=history_days, athletes=1, auto_approve=True, rate_window_s=1) as sb:
        store = Store(Path(tmp) / "bench.duckdb")
        settings = WhoopSettings(CLIENT_ID, SECRET, REDIRECT, sb.base_url)
        url = authorization_url(store, settings) + "&sandbox_athlete=0"
        location = httpx.get(url, timeout=30).headers["location"]
        aid = TokenStore(store, settings).finish_connect_url(location).athlete_id
        sync_athlete(store, settings, aid)
        reset(sb)
        sync_athlete(store, settings, aid)                  # nothing new: the poll's cost
        poll = api_requests(sb)
        one, batched, deliveries = 0, 0, 0
        with serve(webhook_app(store, SECRET), "127.0.0.1", 0) as (port, _):
            httpx.post(sb.base_url + f"/_sandbox/webhooks?url=http://127.0.0.1:{port}{PATH}",
                       timeout=30).raise_for_status()
            for _ in range(days):
                httpx.post(sb.base_url + "/_sandbox/advance?days=1", timeout=120).raise_for_status()
                delivered(sb)
                queued = store.queued_webhooks(aid)
                deliveries += len(queued)
                reset(sb)
                apply_webhooks(store, settings, aid, client_kw={"minute_s": 1})
                batched += api_requests(sb)
                reset(sb)
                for event in queued:                          # the same events, one at a time
                    store.queue_webhook(f"bench-{uuid.uuid4()}", event.whoop_user_id, event.event_type,
                                        event.record_id, utcnow(), utcnow())
                    apply_webhooks(store, settings, aid, client_kw={"minute_s": 1})
                one += api_requests(sb)
        return {"poll": poll, "hook": one / days, "batched": batched / days, "deliveries": deliveries / days}


def per_day(m: dict[str, float], athletes: int, reconcile_s: float) -> tuple[float, float, float, float]:
    """(requests a day polling only, with webhooks, polling interval s, reconciliation interval s)."""
    interval = poll_interval(athletes, requests_per_sync=m["poll"])
    reconcile = max(interval, reconcile_s)
    polling = athletes * (m["poll"] * 86_400 / interval + REQUESTS_PER_DAY)
    hooks = athletes * (m["poll"] * 86_400 / reconcile + REQUESTS_PER_DAY + m["hook"])
    return polling, hooks, interval, reconcile


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--athletes", type=int, default=100)
    p.add_argument("--days", type=int, default=7, help="sandbox days of webhooks measured")
    p.add_argument("--history-days", type=int, default=60)
    p.add_argument("--reconcile-min", type=float, default=180.0)
    return p.parse_args(argv)


def report(args: argparse.Namespace, m: dict[str, float]) -> tuple[float, float]:
    polling, hooks, interval, reconcile = per_day(m, args.athletes, args.reconcile_min * 60)
    print(f"measured: nothing-new sync {m['poll']:.0f} requests; a day's webhooks {m['deliveries']:.1f} "
          f"deliveries, {m['hook']:.2f} requests one at a time ({m['batched']:.2f} as one batch); "
          f"{args.days} sandbox days")
    print(f"{args.athletes} athletes, polling only: synced every {interval:.0f} s -> "
          f"{polling:,.0f} requests a day")
    print(f"{args.athletes} athletes, webhooks: reconciliation every {reconcile:.0f} s + webhook fetches -> "
          f"{hooks:,.0f} requests a day")
    print(f"webhooks / polling only: {hooks / polling:.2f}")
    return polling, hooks


def figures(quick: bool = False) -> list[Figure]:
    """Requests a day with webhooks / polling only for 100 athletes (target 0.6), and the
    requests of a day's webhooks per athlete (target 10)."""
    args = parse(["--days", "1", "--history-days", "14"] if quick else [])
    m = measure(args.days, args.history_days)
    polling, hooks = report(args, m)
    basis = f"{args.athletes} athletes, measured on the sandbox ({args.days} days)"
    return [
        figure("webhooks: requests a day, webhooks / polling only", hooks / polling, 0.6, "x", basis,
               f"{hooks:,.0f} vs {polling:,.0f} requests a day; reconciliation every "
               f"{args.reconcile_min:g} min"),
        figure("webhooks: requests of a day's webhooks per athlete", m["hook"], 10, "",
               "one delivery at a time", f"{m['deliveries']:.1f} deliveries a day; "
               f"{m['batched']:.2f} requests as one batch"),
    ]


def main() -> None:
    args = parse()
    report(args, measure(args.days, args.history_days))


if __name__ == "__main__":
    main()
