"""Benchmark: the Team page's build for a big roster against a small one.

One DuckDB store holds ``--athletes`` generated athletes (the project's generator, one seed
each, ``--days`` days of history, written as WHOOP exports by :mod:`whoop.demo` and imported
through the importer). The build the page does on a cache miss is timed for every athlete and
for the first ``--small`` of them: the roster reads (``Store.roster_days``,
``Store.roster_freshness``: one query per table), the team frame and the 28-day recovery series
(:mod:`whoop.metrics.team`), the small multiples (:mod:`whoop.charts.team`) serialised as the
page sends them. Printed: both medians (interleaved runs) and their ratio, target <= 2 (the
build must not grow with the roster like a loop over athletes would: 20x the athletes).

Usage: python -m bench.bench_team [--athletes 100] [--small 5] [--days 365] [--runs 7]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import Figure, figure, interleaved_medians
from whoop.charts.team import recovery_multiples
from whoop.demo import write_demo_export
from whoop.importer import import_paths
from whoop.metrics import team as mt
from whoop.store import Store


def make_store(folder: Path, athletes: int, days: int) -> tuple[Store, list[int]]:
    """A DuckDB store of ``athletes`` generated athletes (seeds 101, 102, ...)."""
    store = Store(folder / "team.duckdb")
    for i in range(athletes):
        seed = 101 + i
        export = write_demo_export(folder / f"x{seed}", seed=seed, days=days)
        import_paths(store, [export], athlete=f"Athlete {i + 1:03d}")
    return store, [int(a) for a in store.athletes()["athlete_id"]]


def build(store: Store, ids: list[int]) -> str:
    """What the Team page computes on a cache miss; returns the figure's JSON."""
    days = store.roster_days(ids, columns=mt.ROSTER_COLUMNS)
    fresh = store.roster_freshness(ids)
    day = days["date"].max().date()
    team = mt.sort_team(mt.team_frame(days, fresh, day), next(iter(mt.SORTS)))
    series = mt.recovery_series(days, fresh, day)
    assert len(team) == len(ids)
    return recovery_multiples(series).to_json()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--small", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    return parser.parse_args(argv)


def measure(args: argparse.Namespace) -> dict[str, float]:
    """Median seconds of the build for the whole roster (``big``) and the small one."""
    with tempfile.TemporaryDirectory(prefix="whoop-bench-team-") as tmp:
        store, ids = make_store(Path(tmp), args.athletes, args.days)
        with store.unit_of_work():
            return interleaved_medians({"big": lambda: build(store, ids),
                                        "small": lambda: build(store, ids[:args.small])},
                                       runs=args.runs)


def figures(quick: bool = False) -> list[Figure]:
    """Team page build, big roster / small roster (target 2)."""
    args = parse(["--athletes", "8", "--small", "2", "--days", "60", "--runs", "2"] if quick else [])
    t = measure(args)
    return [figure(f"team page: {args.athletes} / {args.small} athletes", t["big"] / t["small"],
                   2.0, "x", f"{args.small} athletes x {args.days} days, DuckDB",
                   f"{t['small']:.3f} s vs {t['big']:.3f} s (roster reads + team frame + figure)")]


def main() -> None:
    args = parse()
    print(f"team: {args.athletes} generated athletes x {args.days} days (DuckDB); "
          f"build of all vs the first {args.small}, {args.runs} interleaved runs")
    t = measure(args)
    print(f"{args.small} athletes: {t['small']:.3f} s; {args.athletes} athletes: {t['big']:.3f} s; "
          f"ratio {t['big'] / t['small']:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
