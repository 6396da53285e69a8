"""Benchmark: a roster of sandbox athletes synced by ``python -m whoop worker`` processes on
PostgreSQL, on a compressed sandbox clock.

Each run starts a fresh sandbox (``--athletes`` athletes x ``--days`` days, seed 1; WHOOP's rate
windows compressed to ``--rate-window-s`` seconds for the minute and 1440 of them for the day,
the workers' budget likewise through ``WHOOP_RATE_WINDOW_S``), connects every athlete into a
fresh PostgreSQL schema, then times ``worker --once`` processes backfilling the whole roster:
once with 1 worker, once with 2. Printed, all from one run:

* requests made / the minimum needed (target 1.00): the minimum is, per athlete, the profile
  and the body measurement plus ``max(1, ceil(records / 25))`` pages per collection;
* 429s received (target 0);
* wall time of 2 workers / 1 worker, and the budget's floor (minimum requests spaced
  ``rate window / 95`` apart): a ratio near 1 with the wall time near the floor means the shared
  budget, not the workers, sets the pace (always true on WHOOP's real 60 s windows);
* requests per incremental sync (a day later, sandbox clock): the ``REQUESTS_PER_SYNC`` of
  whoop.worker.poll_interval, and the interval that function gives the roster.

Usage: python -m bench.bench_roster [--athletes 100] [--days 365] [--rate-window-s 1]
       [--sample 10]   (PostgreSQL: $WHOOP_BENCH_PG, default postgresql://postgres@127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from cryptography.fernet import Fernet

from bench.common import Figure, figure
from whoop.config import WhoopSettings
from whoop.oauth import authorization_url
from whoop.sandbox.testing import SandboxHandle, run_sandbox
from whoop.store import Store
from whoop.sync import sync_athlete
from whoop.tokens import TokenStore
from whoop.worker import poll_interval

REPO = Path(__file__).resolve().parents[1]

SERVER = os.environ.get("WHOOP_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CLIENT_ID, SECRET, REDIRECT = "sandbox-client", "sandbox-secret", "http://localhost:8501/"
PAGE = 25


def api_stats(sb: SandboxHandle) -> tuple[int, int]:
    """(API requests the sandbox answered, of which 429) since its last stats reset."""
    stats = httpx.get(sb.base_url + "/_sandbox/stats", timeout=30).json()["requests"]
    api = {k: v for k, v in stats.items() if "/developer/" in k}
    return sum(sum(v.values()) for v in api.values()), sum(v.get("429", 0) for v in api.values())


def minimum_requests(sb: SandboxHandle) -> int:
    """The fewest API requests a first sync of every sandbox athlete needs (module docstring)."""
    with sb.state.lock:
        return sum(2 + sum(max(1, math.ceil(len(ath.sorted_desc[k]) / PAGE))
                           for k in ("cycle", "sleep", "recovery", "workout"))
                   for ath in sb.state.world.athletes)


class Schema:
    """A fresh PostgreSQL schema, dropped on exit."""

    def __enter__(self) -> str:
        self.name = f"whoop_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(SERVER, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {self.name}")
        sep = "&" if "?" in SERVER else "?"
        return f"{SERVER}{sep}options=-csearch_path%3D{self.name}"

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(SERVER, autocommit=True) as con:
            con.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")


def connect_all(store: Store, sb: SandboxHandle) -> list[int]:
    settings = WhoopSettings(CLIENT_ID, SECRET, REDIRECT, sb.base_url)
    ids = []
    for i in range(len(sb.state.world.athletes)):
        loc = httpx.get(authorization_url(store, settings) + f"&sandbox_athlete={i}",
                        timeout=30).headers["location"]
        ids.append(TokenStore(store, settings).finish_connect_url(loc).athlete_id)
    return ids


def run_workers(sb: SandboxHandle, url: str, workers: int, window_s: float) -> float:
    """Start ``workers`` ``worker --once`` processes together; seconds until the last ends."""
    env = {**os.environ, "WHOOP_CLIENT_ID": CLIENT_ID, "WHOOP_CLIENT_SECRET": SECRET,
           "WHOOP_REDIRECT_URI": REDIRECT, "WHOOP_BASE_URL": sb.base_url, "WHOOP_DB": url,
           "WHOOP_RATE_WINDOW_S": str(window_s), "PYTHONPATH": str(REPO),
           "WHOOP_SECRETS_FILE": str(REPO / "no-such-secrets.toml")}
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "whoop", "worker", "--once", "--quiet"], env=env,
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(workers)]
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0 or err.strip():
            print(f"  worker exit {p.returncode}: {err.strip()[:500]}", file=sys.stderr)
    return time.perf_counter() - t0


def one_run(args: argparse.Namespace, workers: int, incremental: bool) -> dict:
    with run_sandbox(days=args.days, athletes=args.athletes, auto_approve=True,
                     rate_window_s=args.rate_window_s) as sb, Schema() as url:
        store = Store(url)
        ids = connect_all(store, sb)
        time.sleep(args.rate_window_s * 1.1)          # the connects' requests leave the minute window
        httpx.post(sb.base_url + "/_sandbox/reset-stats", timeout=30)
        wall = run_workers(sb, url, workers, args.rate_window_s)
        made, limited = api_stats(sb)
        synced = store.query("SELECT count(DISTINCT athlete_id) AS n FROM import_runs "
                             "WHERE kind = 'sync' AND status = 'ok'")["n"].iloc[0]
        out = {"wall": wall, "made": made, "min": minimum_requests(sb), "429": limited,
               "synced": int(synced), "athletes": len(ids)}
        if incremental:                               # a day later: requests per incremental sync
            httpx.post(sb.base_url + "/_sandbox/advance?days=1", timeout=300).raise_for_status()
            httpx.post(sb.base_url + "/_sandbox/reset-stats", timeout=30)
            settings = WhoopSettings(CLIENT_ID, SECRET, REDIRECT, sb.base_url)
            sample = ids[:args.sample]
            for aid in sample:
                with store.unit_of_work():
                    sync_athlete(store, settings, aid, client_kw={"budget_store": store,
                                                                   "minute_s": args.rate_window_s})
            out["per_sync"] = api_stats(sb)[0] / len(sample)
        return out


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rate-window-s", type=float, default=1.0,
                        help="WHOOP's 60 s minute window compressed to this (the day: 1440 of them)")
    parser.add_argument("--sample", type=int, default=10, help="athletes for the incremental-sync count")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace) -> dict[int, dict]:
    """One run with 1 worker and one with 2 (the second also counts incremental syncs)."""
    os.environ.setdefault("WHOOP_TOKEN_KEY", Fernet.generate_key().decode())
    os.environ["WHOOP_RATE_WINDOW_S"] = str(args.rate_window_s)
    return {workers: one_run(args, workers, incremental=workers == 2) for workers in (1, 2)}


def figures(quick: bool = False) -> list[Figure]:
    """Requests / minimum (target 1.00), 429s (target 0), wall time 2 workers / 1 worker (target
    1.1: a second worker must not slow the roster down; the shared budget sets the pace)."""
    args = parse(["--athletes", "4", "--days", "30", "--sample", "2"] if quick else [])
    runs = measure(args)
    made = sum(r["made"] for r in runs.values())
    least = sum(r["min"] for r in runs.values())
    roster = f"{args.athletes} athletes x {args.days} days, PostgreSQL"
    return [
        figure("roster: requests / minimum", made / least, 1.0, "x", roster, f"{made} of {least}"),
        figure("roster: 429 responses", sum(r["429"] for r in runs.values()), 0, "",
               "WHOOP's 100/min limit, compressed clock"),
        figure("roster: wall 2 workers / 1 worker", runs[2]["wall"] / runs[1]["wall"], 1.1, "x",
               "same roster, one run each",
               f"{runs[1]['wall']:.1f} s vs {runs[2]['wall']:.1f} s; budget floor "
               f"{runs[1]['min'] * args.rate_window_s / 95:.1f} s"),
    ]


def main() -> None:
    args = parse()
    print(f"roster: {args.athletes} sandbox athletes x {args.days} days; rate window "
          f"{args.rate_window_s:g} s (day {1440 * args.rate_window_s:g} s); PostgreSQL")
    runs = measure(args)
    for workers, r in runs.items():
        floor = r["min"] * args.rate_window_s / 95
        print(f"{workers} worker{'s' if workers > 1 else ''}: {r['synced']}/{r['athletes']} athletes synced "
              f"in {r['wall']:.1f} s (budget floor {floor:.1f} s); requests {r['made']} / minimum "
              f"{r['min']} = {r['made'] / r['min']:.2f}; 429s {r['429']}")
    print(f"wall time 2 workers / 1 worker: {runs[2]['wall'] / runs[1]['wall']:.2f}")
    per_sync = runs[2]["per_sync"]
    print(f"incremental sync a day later: {per_sync:.2f} requests per athlete "
          f"({min(args.sample, args.athletes)} athletes)")
    interval = poll_interval(args.athletes, requests_per_sync=per_sync)
    print(f"poll_interval({args.athletes} athletes, {per_sync:.2f} requests per sync) on WHOOP's real clock: "
          f"{interval:.0f} s ({interval / 60:.0f} min)")


if __name__ == "__main__":
    main()
