"""Import speed, as ratios measured in one run (no absolute promises).

Writes synthetic exports of 1 and 8 years with the project's generator (whoop.demo), then times:
parsing alone, a first import into a fresh DuckDB file, and a re-import of the same export.
Prints seconds and the ratios that matter: how import time scales with history length
(8 y / 1 y, ideally about 8 or less) and what a re-import costs next to a first import.

    python bench/bench_import.py [--years 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoop.demo import write_demo_export  # noqa: E402
from whoop.export import read_export  # noqa: E402
from whoop.store import Store  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure(tmp: Path, days: int) -> dict[str, float]:
    folder = tmp / f"d{days}"
    folder.mkdir()
    zip_path = write_demo_export(folder, days=days)
    parse_s, data = timed(lambda: read_export([zip_path]))
    store = Store(folder / "w.duckdb")
    store.schema_version()
    first_s, _ = timed(lambda: store.import_records("me", data.frames(), kind="export", source="bench"))
    again_s, _ = timed(lambda: store.import_records("me", data.frames(), kind="export", source="bench"))
    return {"days": days, "rows": sum(len(f) for f in data.frames().values()),
            "parse_s": parse_s, "first_import_s": first_s, "reimport_s": again_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(Path(tmp), 365)
        large = measure(Path(tmp), 365 * args.years)
    for r in (small, large):
        print(f"{r['days']:>5} days, {r['rows']:>6} rows: parse {r['parse_s']:.2f} s, "
              f"first import {r['first_import_s']:.2f} s, re-import {r['reimport_s']:.2f} s")
    print(f"scaling {args.years} y / 1 y: parse x{large['parse_s'] / small['parse_s']:.1f}, "
          f"store x{large['first_import_s'] / small['first_import_s']:.1f} "
          f"(history x{large['days'] / small['days']:.0f})")
    print(f"re-import / first import ({args.years} y): {large['reimport_s'] / large['first_import_s']:.2f}")


if __name__ == "__main__":
    main()
