"""The CLI as a subprocess, and imports as transactions on a real DuckDB file."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests import export_fixtures as fx
from whoop import schema
from whoop.errors import ExportFormatError
from whoop.importer import import_paths
from whoop.store import Store

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, db: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "whoop", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                          input=stdin)


def dump(db: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of the file, to compare before and after (ingest stamps dropped)."""
    store = Store(db)
    tables = store.query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                         "current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")["table_name"]
    out = {}
    for t in tables:
        frame = store.query(f"SELECT * FROM {t}").drop(columns=["ingested_at"], errors="ignore")
        out[t] = frame.sort_values(list(frame.columns)[:3], ignore_index=True) if len(frame) else frame
    return out


@pytest.fixture
def good_zip(tmp_path) -> Path:
    return fx.write_zip(tmp_path / "my_whoop_data_2026_01_10.zip", fx.export_csvs("current"))


def test_import_status_export_round_trip(tmp_path, good_zip, db):
    result = run_cli("import", str(good_zip), "--athlete", "alice", db=db)
    assert result.returncode == 0, result.stderr
    assert "athlete 'alice'" in result.stdout and "cycles" in result.stdout and "new" in result.stdout

    status = run_cli("status", db=db)
    assert status.returncode == 0 and "athlete 'alice'" in status.stdout and "days:" in status.stdout

    out = tmp_path / "out"
    exported = run_cli("export", "--out", str(out), db=db)
    assert exported.returncode == 0, exported.stderr
    daily = pd.read_csv(out / "daily.csv")
    assert list(daily.columns) == schema.DAILY_EXPORT_COLUMNS
    store = Store(db)
    assert len(daily) == len(store.days(store.athlete_id("alice")))
    assert not daily.duplicated(["athlete", "date"]).any()
    for table in ("cycles", "recoveries", "sleeps", "workouts", "journal"):
        frame = pd.read_csv(out / f"{table}.csv")
        assert len(frame) == len(store.records(table, store.athlete_id("alice"))), table


def test_export_parquet_and_single_athlete(tmp_path, good_zip, db):
    assert run_cli("import", str(good_zip), "--athlete", "alice", db=db).returncode == 0
    assert run_cli("import", str(good_zip), "--athlete", "bob", db=db).returncode == 0
    out = tmp_path / "pq"
    assert run_cli("export", "--out", str(out), "--format", "parquet", "--athlete", "bob",
                   db=db).returncode == 0
    daily = pd.read_parquet(out / "daily.parquet")
    assert set(daily["athlete"]) == {"bob"} and list(daily.columns) == schema.DAILY_EXPORT_COLUMNS


def test_reimport_via_cli_is_idempotent(tmp_path, good_zip, db):
    assert run_cli("import", str(good_zip), db=db).returncode == 0
    before = {t: f.drop(columns=["run_id"], errors="ignore")
              for t, f in dump(db).items() if t != "import_runs"}
    again = run_cli("import", str(good_zip), db=db)
    assert again.returncode == 0 and "(5 unchanged)" in again.stdout and " new" not in again.stdout
    after = {t: f.drop(columns=["run_id"], errors="ignore")
             for t, f in dump(db).items() if t != "import_runs"}
    for t in before:
        pd.testing.assert_frame_equal(after[t], before[t], obj=t)


def test_help_on_every_command():
    for command in ("import", "status", "export", "report"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout and "--db" in result.stdout


def _cycles(edit=None, header=None) -> str:
    """The invented cycles file with row 2 (line 3) edited by ``edit(row)``."""
    rows = fx.cycles_rows()
    if edit:
        edit(rows[1])
    return fx.csv_text(header or fx.HEADERS["current"]["cycles"], rows)


def _malformed(tmp_path: Path) -> dict[str, tuple[list[Path], list[str]]]:
    """name -> (paths to import, texts the error message must contain)."""
    good = fx.export_csvs("current")
    cyc = "physiological_cycles.csv"
    no_tz = [c for c in fx.HEADERS["current"]["cycles"] if c != "Cycle timezone"]
    cases: dict[str, tuple[dict[str, str], list[str]]] = {
        "semicolons": ({cyc: good[cyc].replace(",", ";")}, [cyc, "';'"]),
        "slash dates": ({cyc: _cycles(lambda r: r.update({"Cycle start time": "3/11/2024 23:40"}))},
                        [cyc, "line 3", "Cycle start time"]),
        "decimal comma": ({cyc: _cycles(lambda r: r.update({"Day Strain": "14,3"}))},
                          [cyc, "line 3", "Day Strain"]),
        "not a number": ({cyc: _cycles(lambda r: r.update({"Max HR (bpm)": "high"}))},
                         [cyc, "line 3", "Max HR (bpm)"]),
        "bad timezone": ({cyc: _cycles(lambda r: r.update({"Cycle timezone": "Europe/Paris"}))},
                         [cyc, "line 3", "Cycle timezone"]),
        "missing column": ({cyc: _cycles(header=no_tz)}, [cyc, "Cycle timezone"]),
        "gdpr": ({"sleeps.csv": '"id","created_at","updated_at","during","user_id"\n'
                                '"1","2022-12-09T10:36:32.344+0000","x","[a,b)","2"\n'}, ["sleeps.csv"]),
        "not whoop": ({cyc: "name,age\nann,3\n"}, [cyc]),
        "empty": ({cyc: ""}, [cyc]),
        "unterminated quote": ({cyc: good[cyc], "journal_entries.csv":
                                good["journal_entries.csv"] + '2024-03-01 00:00:00,,UTCZ,"Q?,true,\n'},
                               ["journal_entries.csv"]),
        "journal only": ({"journal_entries.csv": good["journal_entries.csv"]}, ["journal"]),
    }
    out: dict[str, tuple[list[Path], list[str]]] = {}
    for i, (name, (files, needles)) in enumerate(cases.items()):
        out[name] = ([fx.write_folder(tmp_path / f"bad{i}", files)], needles)
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(fx.zip_bytes(good)[:200])
    out["corrupt zip"] = ([corrupt], ["corrupt.zip"])
    return out


def test_malformed_inputs_give_a_clear_error_and_leave_the_database_unchanged(tmp_path, good_zip, db):
    store = Store(db)
    import_paths(store, [good_zip], athlete="me")
    before = dump(db)
    cases = _malformed(tmp_path)
    assert len(cases) >= 10
    for name, (paths, needles) in cases.items():
        with pytest.raises(ExportFormatError) as err:
            import_paths(store, paths, athlete="someone-else")
        for needle in needles:
            assert needle in str(err.value), (name, str(err.value))
        after = dump(db)
        assert after.keys() == before.keys()
        for table, frame in before.items():
            pd.testing.assert_frame_equal(after[table], frame, obj=f"{name}: {table}")


def test_cli_error_is_one_line_on_stderr_without_traceback(tmp_path, db):
    bad = fx.write_folder(tmp_path / "bad", {"physiological_cycles.csv": "name,age\nann,3\n"})
    for args in (["import", str(bad)], ["import", str(tmp_path / "missing.zip")],
                 ["export", "--out", str(tmp_path / "o"), "--athlete", "nobody"]):
        result = run_cli(*args, db=db)
        assert result.returncode == 1, (args, result.stdout)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr


REAL = REPO.parent / "shared" / "whoop" / "exports"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines(keepends=True)))


def _local_date(stamp: str) -> str:
    return stamp[:10]


@pytest.mark.real_export
@pytest.mark.parametrize("name", ["my_whoop_data_2025_02_16.zip", "my_whoop_data_2025_11_21"])
def test_real_export_days_match_the_csv_text(tmp_path, name, db):
    """Several specific days of each real export: daily.csv values equal the CSV text's."""
    path = REAL / name
    if not path.exists():
        pytest.skip("the real exports in ../shared are absent")
    if path.suffix == ".zip":
        import zipfile
        with zipfile.ZipFile(path) as z:
            text = z.read("physiological_cycles.csv").decode("utf-8")
    else:
        text = (path / "physiological_cycles.csv").read_text(encoding="utf-8")
    rows = _rows(text)
    assert run_cli("import", str(path), db=db).returncode == 0
    out = tmp_path / "out"
    assert run_cli("export", "--out", str(out), db=db).returncode == 0
    daily = pd.read_csv(out / "daily.csv").set_index("date")
    assert len(daily) == len(rows)  # one day per cycle in these exports
    # A few closed cycles with a recovery and a main sleep, spread over the history.
    picked = [r for r in rows[1:] if r["Recovery score %"] and r["Wake onset"] and r["Day Strain"]]
    for row in picked[:: max(1, len(picked) // 6)]:
        day = daily.loc[_local_date(row["Wake onset"])]
        assert day["recovery_score"] == float(row["Recovery score %"])
        assert day["hrv_rmssd_ms"] == float(row["Heart rate variability (ms)"])
        assert day["resting_heart_rate_bpm"] == float(row["Resting heart rate (bpm)"])
        assert day["day_strain"] == float(row["Day Strain"])
        assert day["energy_kj"] == pytest.approx(float(row["Energy burned (cal)"]) * 4.184, rel=1e-6)
        assert day["asleep_min"] == float(row["Asleep duration (min)"])
        assert day["sleep_need_min"] == float(row["Sleep need (min)"])
    # The open cycle is the newest day and has no strain yet.
    newest = daily.index.max()
    assert pd.isna(daily.loc[newest, "day_strain"])


def test_report_writes_the_analytics_csvs(tmp_path, db):
    from whoop.demo import write_demo_export

    export = write_demo_export(tmp_path, days=120)
    assert run_cli("import", str(export), "--athlete", "demo", db=db).returncode == 0
    out = tmp_path / "report"
    result = run_cli("report", "--out", str(out), "--athlete", "demo", db=db)
    assert result.returncode == 0, result.stderr
    impact = pd.read_csv(out / "journal_impact.csv")
    assert list(impact.columns) == ["question", "metric", "n_yes", "n_no", "mean_yes", "mean_no",
                                    "difference", "ci_low", "ci_high"]
    assert {"recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm",
            "sleep_performance_pct"} <= set(impact["metric"])
    enough = impact.dropna(subset=["difference"])
    assert len(enough) and (enough["ci_low"] <= enough["difference"]).all()
    assert (enough["difference"] <= enough["ci_high"]).all()
    days = len(Store(db).days(Store(db).athlete_id("demo")))
    for name in ("baselines.csv", "training_load.csv", "sleep_debt.csv"):
        frame = pd.read_csv(out / name)
        assert len(frame) >= days and "date" in frame.columns, name
    load = pd.read_csv(out / "training_load.csv")
    assert {"acwr_strain", "acwr_provisional"} <= set(load.columns)


def test_report_folder_names_cannot_escape_the_output_folder(tmp_path, good_zip, db):
    assert run_cli("import", str(good_zip), "--athlete", "../../escaped", db=db).returncode == 0
    out = tmp_path / "a" / "b" / "report"
    result = run_cli("report", "--out", str(out), db=db)
    assert result.returncode == 0, result.stderr
    assert (out / "escaped" / "journal_impact.csv").is_file()
    assert not (tmp_path / "a" / "escaped").exists() and not (tmp_path / "escaped").exists()


def test_unwritable_paths_are_one_line_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for args in (["status", "--db", str(blocker / "w.duckdb")],
                 ["export", "--out", str(blocker / "out"), "--db", str(tmp_path / "w.duckdb")]):
        if args[0] == "export":
            assert run_cli("import", str(fx.write_zip(tmp_path / "e.zip", fx.export_csvs())),
                           db=tmp_path / "w.duckdb").returncode == 0
        result = run_cli(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.real_export
@pytest.mark.parametrize("name", ["my_whoop_data_2025_02_16.zip", "my_whoop_data_2025_11_21"])
def test_real_export_report_is_sensible(tmp_path, name, db):
    """The analytics on a real history: plausible ranges, every day covered, journal questions
    with enough answers get a confidence interval around their difference."""
    path = REAL / name
    if not path.exists():
        pytest.skip("the real exports in ../shared are absent")
    assert run_cli("import", str(path), db=db).returncode == 0
    out = tmp_path / "report"
    assert run_cli("report", "--out", str(out), "--athlete", "me", db=db).returncode == 0
    store = Store(db)
    n_days = len(store.days(store.athlete_id("me")))
    base = pd.read_csv(out / "baselines.csv")
    assert len(base) >= n_days
    low, high = base["hrv_normal_low"].dropna(), base["hrv_normal_high"].dropna()
    assert len(low) > n_days // 2 and (low < high).all()
    assert base["hrv_cv_7d_pct"].dropna().between(0, 100).all()
    load = pd.read_csv(out / "training_load.csv")
    ratio = load["acwr_strain"].dropna()
    assert len(ratio) > n_days // 2 and ratio.between(0.2, 5).all()
    impact = pd.read_csv(out / "journal_impact.csv").dropna(subset=["difference"])
    assert len(impact) >= 4 * 5  # several questions, four metrics each
    assert ((impact["ci_low"] <= impact["difference"]) & (impact["difference"] <= impact["ci_high"])).all()
    assert (impact[["n_yes", "n_no"]] >= 5).all(axis=None)
    debt = pd.read_csv(out / "sleep_debt.csv")
    assert len(debt) >= n_days
