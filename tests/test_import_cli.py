"""``python -m whoop import`` as a subprocess: which athlete an export goes to without
``--athlete`` (the one already holding its records, the only one, else ``me``; said on stdout),
the warning when ``--athlete`` names another athlete than the records', and rejected imports in
the import history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests import export_fixtures as fx
from tests.test_cli import run_cli
from whoop.store import Store


def export(tmp_path: Path, name: str, *, seed: int, days: int, end: date) -> Path:
    """A demo-writer export ZIP (the real export format) in its own folder."""
    from whoop.demo import write_demo_export

    return write_demo_export(tmp_path / name, seed=seed, days=days, end=end)


def names(db: Path) -> list[str]:
    return Store(db).athletes()["name"].tolist()


def assert_holds_exactly(db: Path, athlete: str, path: Path) -> None:
    """``athlete``'s stored records (every table, every column) are the rows of the export at
    ``path`` and its days the daily table built from them."""
    import pandas as pd

    from whoop import schema
    from whoop.days import build_days
    from whoop.export import read_export

    store = Store(db)
    aid = store.athlete_id(athlete)
    with read_export([path]) as data:
        frames = data.frames()
    for table, key in schema.KEYS.items():
        stored = schema.conform(store.records(table, aid), table)
        pd.testing.assert_frame_equal(stored.sort_values(list(key), ignore_index=True),
                                      frames[table].sort_values(list(key), ignore_index=True),
                                      obj=table)
    pd.testing.assert_frame_equal(store.days(aid).reset_index(drop=True),
                                  build_days(frames["cycles"], frames["recoveries"],
                                             frames["sleeps"], frames["workouts"]), obj="days")


def test_without_athlete_a_newer_export_updates_the_athlete_holding_it(tmp_path, db):
    old = export(tmp_path, "old", seed=11, days=40, end=date(2026, 5, 31))
    newer = export(tmp_path, "new", seed=11, days=50, end=date(2026, 6, 10))
    other = export(tmp_path, "c", seed=12, days=30, end=date(2026, 4, 30))
    assert run_cli("import", str(old), "--athlete", "b", db=db).returncode == 0
    assert run_cli("import", str(other), "--athlete", "c", db=db).returncode == 0
    held = len(Store(db).records("cycles", Store(db).athlete_id("b")))
    result = run_cli("import", str(newer), db=db)
    assert result.returncode == 0, result.stderr
    assert (f"no --athlete given: importing into 'b' (athlete 'b' already holds {held} of this "
            f"export's") in result.stdout
    assert "athlete 'b'" in result.stdout.splitlines()[-1]
    assert names(db) == ["b", "c"]
    assert_holds_exactly(db, "b", newer)      # the newer export holds all the older one's days


def test_without_athlete_a_database_without_records_gets_me(tmp_path, db):
    first = export(tmp_path, "a", seed=11, days=20, end=date(2026, 5, 31))
    second = export(tmp_path, "b", seed=12, days=20, end=date(2025, 5, 31))
    assert run_cli("import", str(first), "--athlete", "demo", db=db).returncode == 0
    result = run_cli("import", str(second), db=db)        # the demo athlete does not count
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no --athlete given: importing into 'me' (a new athlete 'me')")
    assert names(db) == ["demo", "me"]


def test_without_athlete_someone_elses_export_is_refused(tmp_path, db):
    """Two people's exports share no cycle start (the two real exports in the shared folder
    neither): without --athlete the second one must not be merged into the first person."""
    a = export(tmp_path, "a", seed=11, days=20, end=date(2026, 5, 31))
    c = export(tmp_path, "c", seed=13, days=20, end=date(2026, 5, 20))
    assert run_cli("import", str(a), db=db).returncode == 0
    before = Store(db).status()["athletes"]
    result = run_cli("import", str(c), db=db)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: no athlete in the database holds these records (at most a chance few cycles "
        "start times shared with me): pass --athlete NAME, a new name if this is another person's export, or "
        "an existing athlete's to add it there"]
    assert Store(db).status()["athletes"][0]["rows"] == before[0]["rows"]
    runs = Store(db).runs()
    assert runs["status"].tolist() == ["failed", "ok"] and runs["source"].tolist()[0] == c.name
    assert run_cli("import", str(c), "--athlete", "cleo", db=db).returncode == 0
    assert names(db) == ["cleo", "me"]


def test_named_athlete_is_obeyed_with_a_warning_about_the_overlap(tmp_path, db):
    old = export(tmp_path, "old", seed=11, days=40, end=date(2026, 5, 31))
    assert run_cli("import", str(old), "--athlete", "b", db=db).returncode == 0
    result = run_cli("import", str(old), "--athlete", "me", db=db)
    assert result.returncode == 0
    assert "warning: " in result.stderr and "already stored for athlete 'b'" in result.stderr
    assert "pass --athlete 'b' to update that athlete instead" in result.stderr
    assert names(db) == ["b", "me"]
    other = export(tmp_path, "c", seed=12, days=20, end=date(2026, 5, 20))
    result = run_cli("import", str(other), "--athlete", "b", db=db)      # asked for: obeyed
    assert result.returncode == 0 and "none of this export's 21 cycles are stored for athlete " \
        "'b', which holds 41 other cycles" in result.stderr


def test_rejected_import_is_in_the_import_history(tmp_path, db):
    good = export(tmp_path, "a", seed=11, days=20, end=date(2026, 5, 31))
    assert run_cli("import", str(good), "--athlete", "ann", db=db).returncode == 0
    before = Store(db).status()["athletes"]
    bad = fx.write_folder(tmp_path / "bad", {"physiological_cycles.csv": "name,age\nann,3\n"})
    for athlete in (["--athlete", "ann"], ["--athlete", "newbie"], []):
        result = run_cli("import", str(bad), *athlete, db=db)
        assert result.returncode == 1 and result.stderr.startswith("error: ")
    runs = Store(db).runs()
    failed = runs[runs["status"] == "failed"]
    assert failed["athlete"].fillna("").tolist() == ["", "", "ann"]   # newest first; none created
    assert set(failed["source"]) == {"bad"} and failed["finished_at"].notna().all()
    assert all("not a WHOOP Data Export file" in e for e in failed["error"])
    assert Store(db).status()["athletes"][0]["rows"] == before[0]["rows"]
    assert names(db) == ["ann"]
    status = run_cli("status", db=db)
    assert "(failed)" in status.stdout
