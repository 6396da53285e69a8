"""The store on a real DuckDB file and on PostgreSQL: migrations, upserts, the merge rule, atomicity,
athletes (tests taking ``db`` run on both backends; the file tests on DuckDB only)."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from whoop.errors import DatabaseBusyError, InputError, StoreError
from whoop.store import Store, migrations


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def frames(source: str = "export", strain: float = 10.0, energy: float | None = 8000.0) -> dict:
    cycles = pd.DataFrame({
        "start_utc": [utc("2024-03-01 22:00:05"), utc("2024-03-02 23:00:00")],
        "end_utc": [utc("2024-03-02 23:00:00"), pd.NaT],
        "tz_offset_min": [60, 60], "day_strain": [strain, None], "energy_kj": [energy, None],
        "source": source, "source_ref": f"{source}-ref"})
    sleeps = pd.DataFrame({
        "start_utc": [utc("2024-03-01 22:00:05"), utc("2024-03-02 23:00:00")],
        "end_utc": [utc("2024-03-02 06:00:00"), utc("2024-03-03 07:00:00")],
        "tz_offset_min": [60, 60], "nap": [False, False], "asleep_min": [400.0, 420.0],
        "cycle_start_utc": [utc("2024-03-01 22:00:05"), utc("2024-03-02 23:00:00")],
        "source": source, "source_ref": f"{source}-ref"})
    return {"cycles": cycles, "sleeps": sleeps}


def table(store: Store, name: str) -> pd.DataFrame:
    frame = store.query(f"SELECT * FROM {name} ORDER BY 1, 2")
    return frame.drop(columns=["ingested_at"], errors="ignore")


def test_new_file_is_created_and_migrated_to_the_latest_version(tmp_path):
    store = Store(tmp_path / "sub" / "w.duckdb")
    assert store.schema_version() == max(v for v, _, _ in migrations())
    assert (tmp_path / "sub" / "w.duckdb").exists()


def test_reimport_is_idempotent(db):
    store = Store(db)
    first = store.import_records("me", frames(), kind="export", source="a.zip")
    snapshot = {t: table(store, t).drop(columns=["run_id"], errors="ignore")
                for t in ("cycles", "sleeps", "days")}
    second = store.import_records("me", frames(), kind="export", source="a.zip")
    assert first.counts["cycles"] == {"inserted": 2, "updated": 0, "unchanged": 0}
    assert second.counts["cycles"] == {"inserted": 0, "updated": 0, "unchanged": 2}
    for t, before in snapshot.items():
        pd.testing.assert_frame_equal(table(store, t).drop(columns=["run_id"], errors="ignore"), before)
    assert len(store.runs()) == 2


def test_newer_export_values_win(db):
    store = Store(db)
    store.import_records("me", frames(strain=10.0), kind="export", source="old.zip")
    store.import_records("me", frames(strain=12.5), kind="export", source="new.zip")
    assert table(store, "cycles")["day_strain"].tolist()[0] == 12.5
    assert store.days(1)["day_strain"].tolist()[0] == 12.5


def test_api_wins_where_both_have_a_value_and_export_fills_the_rest(db):
    store = Store(db)
    store.import_records("me", frames(strain=10.0, energy=8000.0), kind="export", source="a.zip")
    api = frames(source="api", strain=11.0, energy=None)["cycles"].iloc[[0]]
    api["start_utc"] = utc("2024-03-01 22:00:05.774")  # API instants carry milliseconds
    with store.transaction() as con:
        assert Store.upsert(con, "cycles", 1, api, None) == {"inserted": 0, "updated": 1, "unchanged": 0}
    row = table(store, "cycles").iloc[0]
    assert (row["day_strain"], row["energy_kj"], row["source"], row["source_ref"]) == (
        11.0, 8000.0, "api+export", "api-ref")
    # A later export does not overwrite the API's value, and the row stays merged.
    store.import_records("me", frames(strain=9.0, energy=7000.0), kind="export", source="b.zip")
    row = table(store, "cycles").iloc[0]
    assert (row["day_strain"], row["energy_kj"], row["source"]) == (11.0, 8000.0, "api+export")
    assert len(table(store, "cycles")) == 2


def test_two_athletes_are_kept_apart(db):
    store = Store(db)
    store.import_records("alice", frames(strain=5.0), kind="export", source="a.zip")
    store.import_records("bob", frames(strain=15.0), kind="export", source="b.zip")
    alice, bob = store.athlete_id("alice"), store.athlete_id("bob")
    assert alice != bob
    assert store.days(alice)["day_strain"].tolist()[0] == 5.0
    assert store.days(bob)["day_strain"].tolist()[0] == 15.0
    store.delete_athlete_data(alice)
    assert store.days(alice).empty and len(store.days(bob)) == 2


def test_a_failing_import_leaves_the_database_as_it_was(db):
    store = Store(db)
    store.import_records("me", frames(), kind="export", source="a.zip")
    before = {t: table(store, t) for t in ("athletes", "cycles", "sleeps", "days", "import_runs")}
    bad = frames(strain=3.0)
    bad["sleeps"].loc[1, "start_utc"] = pd.NaT  # a record without its key fails in the 2nd table
    with pytest.raises(InputError, match="sleeps"):
        store.import_records("someone-new", bad, kind="export", source="bad.zip")
    for t, frame in before.items():
        pd.testing.assert_frame_equal(table(store, t), frame)


def test_duplicate_keys_in_one_batch_keep_the_last(db):
    store = Store(db)
    f = frames()
    f["cycles"] = pd.concat([f["cycles"], f["cycles"].iloc[[0]].assign(day_strain=17.0)])
    store.import_records("me", f, kind="export", source="a.zip")
    assert table(store, "cycles")["day_strain"].tolist()[0] == 17.0


def test_settings_round_trip(db):
    store = Store(db)
    assert store.get_setting("units", {"energy": "kJ"}) == {"energy": "kJ"}
    store.set_setting("units", {"energy": "kcal"}, athlete_id=3)
    assert store.get_setting("units", athlete_id=3) == {"energy": "kcal"}
    assert store.get_setting("units") is None


def test_another_process_holding_the_file_makes_the_store_say_busy(tmp_path):
    path = tmp_path / "w.duckdb"
    Store(path).schema_version()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(30)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseBusyError, match="busy"):
            Store(path, busy_timeout_s=0.5).athletes()
    finally:
        holder.kill()
        holder.wait()
    assert Store(path).athletes().empty


def test_data_version_changes_with_an_import(db):
    store = Store(db)
    v0 = store.data_version()
    store.import_records("me", frames(), kind="export", source="a.zip")
    assert store.data_version() != v0


def test_old_file_is_upgraded_on_open(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at "
                "TIMESTAMPTZ)")
    con.close()
    store = Store(path)
    assert store.schema_version() == max(v for v, _, _ in migrations())
    assert store.athletes().empty


def test_database_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "w.duckdb"
    Store(path).import_records("me", frames(), kind="export", source="a.zip")
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_folder_that_cannot_be_created_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        Store(blocker / "w.duckdb").athletes()
