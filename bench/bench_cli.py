"""CLI start-up time, as ratios measured in one run (no absolute promises).

Times ``python -m whoop --help`` and ``python -m whoop import --help`` against a bare
``python -c pass`` (the interpreter's own start-up), each the median of ``--runs`` subprocess runs
interleaved in one loop, and prints seconds and the ratio to the bare interpreter. ``--help``
should cost little more than the interpreter: a command imports pandas, DuckDB and the WHOOP
client only when it runs.

    python bench/bench_cli.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "python -m whoop --help": ["-m", "whoop", "--help"],
    "python -m whoop import --help": ["-m", "whoop", "import", "--help"],
}


def run_once(args: list[str]) -> float:
    """Seconds (wall clock) of one ``python ARGS`` subprocess; raises if it fails."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median taken)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for name, argv in COMMANDS.items():     # warm the file cache and bytecode once
        run_once(argv)
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            times[name].append(run_once(argv))
    base = statistics.median(times["python -c pass"])
    print(f"median of {args.runs} runs each")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:32s} {med:6.3f} s   x{med / base:5.1f} of python -c pass")


if __name__ == "__main__":
    main()
