"""``python -m whoop import`` says what a re-import changed: rows whose values stay the same are
"unchanged", not "updated" (CLI as a subprocess, a real DuckDB file in tmp_path)."""

from __future__ import annotations

import re

from tests import export_fixtures as fx
from tests.test_cli import run_cli
from whoop.demo import write_demo_export
from whoop.store import Store


def _counts(stdout: str) -> dict[str, str]:
    """``imported into X: athlete 'a': cycles 61 (61 unchanged), ...`` -> {"cycles": "61 unchanged"}."""
    return dict(re.findall(r"(\w+) \d+ \(([^)]*)\)", stdout))


def test_reimporting_the_same_generated_export_says_unchanged(tmp_path, db):
    zip_path = write_demo_export(tmp_path, days=60)
    first = run_cli("import", str(zip_path), db=db)
    assert first.returncode == 0, first.stderr
    cycles = len(Store(db).records("cycles", 1))
    assert _counts(first.stdout)["cycles"] == f"{cycles} new"

    again = run_cli("import", str(zip_path), db=db)
    assert again.returncode == 0, again.stderr
    counts = _counts(again.stdout)
    assert counts["cycles"] == f"{cycles} unchanged", again.stdout
    assert set(counts) >= {"cycles", "recoveries", "sleeps", "workouts"}
    assert all(re.fullmatch(r"\d+ unchanged", v) for v in counts.values()), again.stdout
    assert "updated" not in again.stdout and " new" not in again.stdout


def test_a_newer_export_counts_new_updated_and_unchanged(tmp_path, db):
    old = fx.export_csvs("current")
    rows = fx.cycles_rows()[1:]                 # the newest cycle is not in the older export
    assert run_cli("import", str(fx.write_zip(tmp_path / "old.zip", {
        **old, fx.FILE_NAMES["cycles"]: fx.csv_text(fx.HEADERS["current"]["cycles"], rows)})),
        db=db).returncode == 0
    rows = fx.cycles_rows()
    rows[2]["Day Strain"] = "10.4"              # WHOOP rescored one day
    newer = fx.write_zip(tmp_path / "new.zip", {
        **old, fx.FILE_NAMES["cycles"]: fx.csv_text(fx.HEADERS["current"]["cycles"], rows)})
    r = run_cli("import", str(newer), db=db)
    assert r.returncode == 0, r.stderr
    assert _counts(r.stdout)["cycles"] == f"1 new, 1 updated, {len(rows) - 2} unchanged", r.stdout
