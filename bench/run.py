"""Every benchmark of the project, one line per figure: name, value, target, pass or miss.

    python bench/run.py [--quick] [--only cli,import,...] [--json FILE] [--strict]

Each benchmark module (``bench/bench_*.py``) has ``figures(quick: bool) -> list[Figure]``
(:mod:`bench.common`); this script runs each in its own Python process from the repository root
(so one benchmark's imports, caches and memory never flatter the next), collects the rows and
prints them. Every value is a ratio or time measured in one run against its baseline; the
targets are the ones BENCHMARKS.md records, where the figures of a full run are kept with the
date, machine and method.

``--quick`` runs each benchmark small (short histories, few repetitions): it proves that the
benchmarks still run (CI runs it through tests/test_bench_run.py), not the figures. The exit
status is 1 when a benchmark fails to run, and with ``--strict`` also when a figure misses its
target; otherwise 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHES = {            # short name -> module under bench/, in the order they run
    "cli": "bench_cli",
    "import": "bench_import",
    "memory": "bench_import_memory",
    "pages": "bench_pages",
    "sync": "bench_sync",
    "roster": "bench_roster",
    "webhooks": "bench_webhooks",
    "team": "bench_team",
}
MARK = "\x1ebench-figures:"
CHILD = (
    "import json, sys\n"
    "from importlib import import_module\n"
    "rows = import_module('bench.' + sys.argv[1]).figures(sys.argv[2] == 'quick')\n"
    f"print({MARK!r} + json.dumps(rows), flush=True)\n"
)


def run_bench(module: str, quick: bool) -> tuple[list[dict], str | None, float]:
    """Run one benchmark module's ``figures`` in a child process.

    Returns (figure rows, error text or None, seconds). The child's own output (progress, the
    script's printout) goes to this process's stderr as it comes."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, module, "quick" if quick else "full"],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rows: list[dict] = []
    tail: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARK):
            rows = json.loads(line[len(MARK):])
            continue
        tail = (tail + [line.rstrip()])[-20:]
        print(f"  [{module}] {line.rstrip()}", file=sys.stderr, flush=True)
    code = proc.wait()
    seconds = time.perf_counter() - start
    if code != 0 or not rows:
        why = f"exit {code}" if code else "no figures"
        return rows, f"{why}: " + " | ".join(tail[-5:]), seconds
    return rows, None, seconds


def verdict(row: dict) -> str:
    """``pass`` when the value is at most the target, else ``MISS``."""
    return "pass" if row["value"] <= row["target"] else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs: prove the benchmarks run")
    parser.add_argument("--only", help="comma-separated names: " + ",".join(BENCHES))
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(BENCHES)})")
    results, broken = [], []
    for name in names:
        print(f"running {name} ({BENCHES[name]}{', quick' if args.quick else ''}) ...",
              file=sys.stderr, flush=True)
        rows, error, seconds = run_bench(BENCHES[name], args.quick)
        if error:
            broken.append(f"{name}: {error}")
        for row in rows:
            row = {**row, "value": float(row["value"]), "target": float(row["target"])}
            results.append({**row, "bench": name, "verdict": verdict(row)})
        print(f"  {name} done in {seconds:.0f} s", file=sys.stderr, flush=True)
    width = max([len(r["name"]) for r in results] + [10])
    print(f"{'figure':{width}}  {'value':>10}  {'target':>11}  result  baseline")
    for r in results:
        value, target = f"{r['value']:.3g} {r['unit']}", f"<= {r['target']:.3g} {r['unit']}"
        print(f"{r['name']:{width}}  {value:>10}  {target:>11}  {r['verdict']:6}  "
              f"{r.get('baseline', '')}" + (f"; {r['note']}" if r.get("note") else ""))
    for line in broken:
        print(f"BROKEN {line}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    missed = sum(r["verdict"] != "pass" for r in results)
    print(f"{len(results)} figures, {len(results) - missed} pass, {missed} miss; "
          f"{len(broken)} benchmark(s) failed to run")
    return 1 if broken or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
