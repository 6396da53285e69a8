"""``python bench/run.py --quick`` runs every benchmark of the project end to end.

It proves the benchmarks still work (their figures are measured by a full run on a quiet
machine and kept in BENCHMARKS.md, never asserted here): every benchmark module runs in its own
process, returns rows with a numeric value and target, and the script prints one line per
figure and exits 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.run import BENCHES

REPO = Path(__file__).resolve().parents[1]


def test_every_benchmark_runs_quick_and_reports_its_figures(tmp_path: Path) -> None:
    rows_file = tmp_path / "rows.json"
    proc = subprocess.run([sys.executable, "bench/run.py", "--quick", "--json", str(rows_file)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "BROKEN" not in proc.stdout
    rows = json.loads(rows_file.read_text())
    assert {r["bench"] for r in rows} == set(BENCHES)
    for row in rows:
        assert isinstance(row["value"], float) and isinstance(row["target"], float), row
        assert row["verdict"] in ("pass", "MISS") and row["name"], row
        assert row["name"] in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith(f"{len(rows)} figures, ")


def test_an_unknown_benchmark_is_refused_by_name() -> None:
    proc = subprocess.run([sys.executable, "bench/run.py", "--only", "cli,nope"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "unknown benchmark(s): nope" in proc.stderr
