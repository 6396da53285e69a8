"""Import speed against its floor, as ratios measured in one run (no absolute promises).

Writes synthetic exports with the project's generator (whoop.demo): a long one (10 years, about
28,000 CSV lines) and a short one (45 days, about 380 lines: what is left is the fixed cost).
Then times, each from a new process and as the median of ``--runs`` interleaved repetitions:

* ``python -m whoop import ZIP --db NEW`` (the real command: start-up, parse, apply, days);
* the floor: a script that only reads the same CSVs from the ZIP with ``pandas.read_csv`` and
  writes each to a DuckDB table (start-up, pandas, DuckDB and nothing of ours).

Prints seconds and the ratios that matter: import / floor for the long export (the speed
issue's target: at most 1.5), the same for the short one, and the short export's share of the
long one's time (the fixed cost; 76 % when the issue was filed).

    python -m bench.bench_import [--runs 5] [--years 10] [--code DIR]

``--code DIR`` also times the import of another checkout (e.g. the commit before a change) in
the same interleaved loop, for a before/after measured under the same load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, figure, interleaved_medians

REPO = Path(__file__).resolve().parents[1]
RATIO_TARGET = 1.5        # the speed issue: an import within 1.5 x its pandas-to-DuckDB floor
SMALL_TARGET_S = 2.5      # the speed issue: a 343-line export took 2.5 s (a ceiling, not a goal)
SMALL_DAYS = 45

#: The floor: read every CSV of the ZIP with pandas, write each to a DuckDB table, nothing else.
FLOOR = """
import sys, zipfile
import duckdb, pandas as pd
con = duckdb.connect(sys.argv[2])
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.endswith(".csv"):
            with z.open(name) as f:
                frame = pd.read_csv(f)
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name.rsplit('/', 1)[-1][:-4]} AS SELECT * FROM frame")
            con.unregister("frame")
con.close()
"""


def _python(args: list[str], code: Path = REPO) -> None:
    """One ``python ARGS`` subprocess from checkout ``code``; raises if it fails."""
    subprocess.run([sys.executable, *args], cwd=code, env={**os.environ, "PYTHONPATH": str(code)},
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _cases(tmp: Path, exports: dict[str, Path], other: Path | None) -> dict:
    """name -> a call that runs it once into a database file of its own (removed first)."""
    cases = {}
    importer = ["-m", "whoop", "import", "--athlete", "me", "--db"]
    for label, zip_path in exports.items():
        kinds = [("floor", ["-c", FLOOR, str(zip_path)], REPO),
                 ("import", [*importer[:3], str(zip_path), *importer[3:]], REPO)]
        if other is not None:
            kinds.append(("other", [*importer[:3], str(zip_path), *importer[3:]], other))
        for kind, argv, code in kinds:
            db = tmp / f"{label}-{kind}.duckdb"

            def run(argv: list[str] = argv, db: Path = db, code: Path = code) -> None:
                for leftover in (db, db.with_name(db.name + ".wal")):
                    leftover.unlink(missing_ok=True)
                _python([*argv, str(db)], code)
            cases[f"{label} {kind}"] = run
    return cases


def measure(runs: int, years: int, other: Path | None = None) -> dict[str, float]:
    """Median wall-clock seconds of ``{long,short} {floor,import}`` and the export sizes."""
    from whoop.demo import write_demo_export

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        exports = {}
        for label, days in (("long", 365 * years), ("short", SMALL_DAYS)):
            (root / label).mkdir()
            exports[label] = write_demo_export(root / label, days=days)
        times = interleaved_medians(_cases(root, exports, other), runs)
        times.update({f"{label} lines": float(_lines(path)) for label, path in exports.items()})
    return times


def _lines(zip_path: Path) -> int:
    import zipfile
    with zipfile.ZipFile(zip_path) as z:
        return sum(z.read(n).count(b"\n") for n in z.namelist() if n.endswith(".csv"))


def figures(quick: bool = False) -> list[Figure]:
    """Rows for bench/run.py: long import / floor (target 1.5), short import / floor (1.5),
    the short import in seconds (the fixed cost; the issue measured 2.5 s)."""
    t = measure(2 if quick else 5, 2 if quick else 10)
    long_ratio = t["long import"] / t["long floor"]
    short_ratio = t["short import"] / t["short floor"]
    share = t["short import"] / t["long import"]
    return [
        figure("import: long export / floor", long_ratio, RATIO_TARGET, "x",
               "pandas read_csv + DuckDB CREATE TABLE of the same ZIP, new process each",
               f"{int(t['long lines'])} lines: {t['long import']:.2f} s vs {t['long floor']:.2f} s"),
        figure("import: short export / floor", short_ratio, RATIO_TARGET, "x",
               "the same floor on the short export",
               f"{int(t['short lines'])} lines: {t['short import']:.2f} s vs "
               f"{t['short floor']:.2f} s"),
        figure("import: short export (fixed cost)", t["short import"], SMALL_TARGET_S, "s",
               "wall clock, new process", f"{share:.0%} of the long import's time"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case (median taken)")
    parser.add_argument("--years", type=int, default=10, help="history of the long export")
    parser.add_argument("--code", type=Path, help="another checkout whose import is timed too")
    args = parser.parse_args()
    t = measure(args.runs, args.years, args.code)
    print(f"median of {args.runs} interleaved runs, each a new process")
    for label in ("long", "short"):
        ratio = t[f"{label} import"] / t[f"{label} floor"]
        print(f"{label:5} export ({int(t[f'{label} lines']):>6} lines): import "
              f"{t[f'{label} import']:.2f} s, floor {t[f'{label} floor']:.2f} s, "
              f"import / floor x{ratio:.2f} (target <= {RATIO_TARGET})")
        if args.code:
            print(f"      {args.code}: import {t[f'{label} other']:.2f} s, x"
                  f"{t[f'{label} other'] / t[f'{label} floor']:.2f} of the floor")
    print(f"fixed cost: the short import is {t['short import']:.2f} s, "
          f"{t['short import'] / t['long import']:.0%} of the long one")


if __name__ == "__main__":
    main()
