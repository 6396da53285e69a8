"""CLI start-up time: ``python -m whoop --help`` and ``import --help`` against a bare interpreter.

Times each command and a bare ``python -c pass`` (the interpreter's own start-up), each the
median of ``--runs`` subprocess runs interleaved in one loop, and prints seconds and the ratio to
the bare interpreter. ``--help`` should cost little more than the interpreter: a command imports
pandas, DuckDB and the WHOOP client only when it runs (tests/test_cli_startup.py keeps it so).

    python -m bench.bench_cli [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

from bench.common import Figure, figure, interleaved_medians

REPO = Path(__file__).resolve().parents[1]
BARE = "python -c pass"
COMMANDS = {
    BARE: ["-c", "pass"],
    "python -m whoop --help": ["-m", "whoop", "--help"],
    "python -m whoop import --help": ["-m", "whoop", "import", "--help"],
}
TARGET_S = 0.5          # the speed issue's target for an answer "at once"


def run_once(args: list[str]) -> None:
    """One ``python ARGS`` subprocess from the repository root; raises if it fails."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(runs: int) -> dict[str, float]:
    """Median seconds (wall clock) of every command in :data:`COMMANDS`."""
    return interleaved_medians({name: partial(run_once, argv) for name, argv in COMMANDS.items()}, runs)


def figures(quick: bool = False) -> list[Figure]:
    """One row per CLI command: median seconds, target :data:`TARGET_S`."""
    times = measure(3 if quick else 7)
    base = times[BARE]
    return [figure(f"cli: {name.removeprefix('python -m ')}", seconds, TARGET_S, "s",
                   "wall clock, from a new process",
                   f"x{seconds / base:.1f} of a bare interpreter ({base:.3f} s)")
            for name, seconds in times.items() if name != BARE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median taken)")
    args = parser.parse_args()
    times = measure(args.runs)
    base = times[BARE]
    print(f"median of {args.runs} runs each")
    for name, med in times.items():
        print(f"{name:32s} {med:6.3f} s   x{med / base:5.1f} of {BARE}")


if __name__ == "__main__":
    main()
