"""The athletes the sidebar and the Data page show are read in one snapshot: a CLI-like process
importing new athletes while the app's loader runs again and again never makes the loader see
an athlete in one read and miss it in the next (it used to raise KeyError in about a quarter of
the page loads)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests import export_fixtures as fx
from whoop.store import Store

REPO = Path(__file__).resolve().parents[1]
LOADS = 40

WRITER = textwrap.dedent("""
    import sys, time
    from whoop.importer import import_paths
    from whoop.store import Store
    store, export = Store(sys.argv[1]), sys.argv[2]
    i = 0
    while True:
        import_paths(store, [export], athlete=f"r{i:03d}")   # a new athlete each time
        print(i, flush=True)
        i += 1
        time.sleep(0.01)
""")


def test_athletes_of_a_page_load_are_one_snapshot_while_another_process_imports(tmp_path):
    from whoop.ui import data

    db = tmp_path / "race.duckdb"
    export = fx.write_zip(tmp_path / "my_whoop_data_2026_01_10.zip", fx.export_csvs("current"))
    Store(db).schema_version()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(export)], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    seen: list[int] = []
    try:
        writer.stdout.readline()                     # the first import committed
        for load in range(LOADS):
            try:
                # a page load's read of the athletes (unique version: never served from cache)
                found = data._athletes(str(db), f"race-{load}", None)
            except KeyError as exc:
                errors.append(repr(exc))
                continue
            seen.append(len(found))
            assert all(a.days > 0 and a.first_day and a.last_day for a in found)
            time.sleep(0.02)
    finally:
        writer.kill()
        _, err = writer.communicate(timeout=30)
    assert not errors, f"{len(errors)} of {LOADS} loads failed: {errors[:3]}"
    assert "Traceback" not in err, err
    # the loads really raced the writer: the number of athletes grew while they ran
    assert len(seen) == LOADS and seen[-1] - seen[0] >= 5, seen
