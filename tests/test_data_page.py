"""The Data page and the athlete picker under AppTest (the real app.py, real DuckDB files):
imports while the picker exists, sync runs in the import history, the upload's athlete and
overlapping exports, rejected uploads in the history; and the store methods behind them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from tests.apptest_helpers import assert_clean, open_page
from whoop.store import Store, migrations

DATA_SECTIONS = ["Upload WHOOP export", "Demo data", "Coverage per athlete", "Import history",
                 "Data quality"]


def export_zip(tmp_path: Path, name: str, *, seed: int, days: int, end: date) -> Path:
    """A demo-writer export (real export format) in its own folder."""
    from whoop.demo import write_demo_export

    return write_demo_export(tmp_path / name, seed=seed, days=days, end=end)


def upload(at, path: Path, athlete: str | None = None):
    """Choose ``path`` in the uploader (and the athlete name, when given) and press Import."""
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/zip"))
    if athlete is not None:
        at.text_input(key="upload_athlete").set_value(athlete)
    at.run()
    at.button(key="upload_go").click().run()
    return at


def succeeded(at, text: str) -> bool:
    """A success message holds ``text`` (shown as is or escaped for Markdown)."""
    from whoop import escape

    return any(text in s.value or escape.markdown(text) in s.value for s in at.success)


def assert_whole_data_page(at) -> None:
    subheaders = [s.value for s in at.subheader]
    for section in DATA_SECTIONS:
        assert section in subheaders, subheaders
    assert "Records left out of the statistics" in [m.value.strip("*") for m in at.markdown]
    assert at.button(key="delete_go") is not None


# -- defect: a third athlete's import crashed the page (widget key set after the picker) ---------
def test_third_athlete_import_keeps_the_page_whole(app_test, db, tmp_path):
    at = open_page(app_test(db), "data")
    at.button(key="demo_data").click().run()
    assert_clean(at)
    b = export_zip(tmp_path, "b", seed=11, days=40, end=date(2026, 5, 31))
    c = export_zip(tmp_path, "c", seed=12, days=30, end=date(2026, 4, 30))
    upload(at, b, "b")
    assert_clean(at)
    assert at.sidebar.selectbox(key="athlete_pick").value == "b"
    upload(at, c, "c")                     # the picker exists now: this run used to crash
    assert_clean(at)
    assert succeeded(at, "athlete 'c'"), [s.value for s in at.success]
    picker = at.sidebar.selectbox(key="athlete_pick")
    assert picker.options == ["b", "c", "demo"] and picker.value == "c"
    assert_whole_data_page(at)
    at.button(key="demo_data").click().run()   # loading the demo again picks the demo
    assert_clean(at)
    assert at.sidebar.selectbox(key="athlete_pick").value == "demo"


def test_a_successful_import_empties_the_uploader(app_test, demo_db, tmp_path):
    at = open_page(app_test(demo_db), "data")
    upload(at, export_zip(tmp_path, "b", seed=11, days=40, end=date(2026, 5, 31)), "b")
    assert succeeded(at, "athlete 'b'")
    assert not at.file_uploader[0].value       # the next export is not sent with this one
    upload(at, export_zip(tmp_path, "c", seed=12, days=30, end=date(2026, 4, 30)), "c")
    assert_clean(at)
    assert succeeded(at, "athlete 'c'"), [e.value for e in at.error]


def test_deleting_the_picked_athlete_picks_another(app_test, demo_db, tmp_path):
    at = open_page(app_test(demo_db), "data")
    upload(at, export_zip(tmp_path, "b", seed=11, days=40, end=date(2026, 5, 31)), "b")
    upload(at, export_zip(tmp_path, "c", seed=12, days=30, end=date(2026, 4, 30)), "c")
    assert at.sidebar.selectbox(key="athlete_pick").value == "c"
    at.selectbox(key="delete_pick").set_value("c").run()
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_go").click().run()
    assert_clean(at)
    picker = at.sidebar.selectbox(key="athlete_pick")
    assert picker.options == ["b", "demo"] and picker.value in ("b", "demo")
    assert_whole_data_page(at)


# -- defect: a sync run's NULL warnings broke the import history --------------------------------
def add_old_sync_run(db: str | Path, athlete_id: int = 1) -> None:
    """A sync run as the sync writer stored it before schema 3: warnings_json NULL."""
    with Store(db).transaction() as con:
        con.execute("INSERT INTO import_runs (athlete_id, kind, source, started_at, finished_at, "
                    "status, counts_json, warnings_json, requests) VALUES (?, 'sync', "
                    "'http://127.0.0.1:1', now(), now(), 'ok', '{}', NULL, 4)", [athlete_id])


def test_sync_run_without_warnings_shows_in_the_history(app_test, demo_db):
    Store(demo_db).schema_version()     # migrated: the NULL below is written after schema 3
    add_old_sync_run(demo_db)
    at = open_page(app_test(demo_db), "data")
    assert_clean(at)
    assert_whole_data_page(at)
    history = at.dataframe[1].value
    assert history["kind"].tolist() == ["sync", "demo"]
    assert history["warnings"].tolist() == [0, 0] and history["requests"].tolist()[0] == 4


def test_schema_3_gives_old_sync_runs_an_empty_warning_list(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:      # a file at schema 2, as the previous release left it
        con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, "
                    "applied_at TIMESTAMPTZ)")
        for version, name, sql in migrations()[:2]:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
        con.execute("INSERT INTO athletes (name) VALUES ('x')")
        con.execute("INSERT INTO import_runs (athlete_id, kind, source, started_at, status) "
                    "VALUES (1, 'sync', 'api', now(), 'ok')")
    store = Store(db)
    assert store.schema_version() >= 3
    assert store.runs()["warnings_json"].tolist() == ["[]"]


def test_the_sync_writer_now_stores_an_empty_warning_list(tmp_path):
    from whoop.sync.state import start_run

    store = Store(tmp_path / "w.duckdb")
    with store.transaction() as con:
        aid = Store.ensure_athlete(con, "x")
    run_id = start_run(store, aid, "http://127.0.0.1:1")
    runs = store.runs()
    assert runs["run_id"].tolist() == [run_id] and runs["warnings_json"].tolist() == ["[]"]


# -- defect: the upload's athlete was always "me" (silent duplicate athletes) -------------------
def test_upload_defaults_to_the_picked_athlete(app_test, demo_db, tmp_path):
    first = export_zip(tmp_path, "old", seed=11, days=40, end=date(2026, 5, 31))
    newer = export_zip(tmp_path, "new", seed=11, days=50, end=date(2026, 6, 10))
    other = export_zip(tmp_path, "c", seed=12, days=30, end=date(2026, 4, 30))
    at = open_page(app_test(demo_db), "data")
    assert at.text_input(key="upload_athlete").value == "me"    # the demo is picked: not "demo"
    upload(at, first, "b")
    upload(at, other, "c")
    at.sidebar.selectbox(key="athlete_pick").set_value("b").run()
    assert at.text_input(key="upload_athlete").value == "b"
    upload(at, newer)                       # the newer export of b, athlete name untouched
    assert_clean(at)
    assert succeeded(at, "athlete 'b'"), [s.value for s in at.success]
    names = Store(demo_db).athletes()["name"].tolist()
    assert names == ["b", "c", "demo"]
    assert Store(demo_db).runs()["athlete"].tolist()[0] == "b"


def test_export_of_another_athlete_warns_and_offers_that_athlete(app_test, demo_db, tmp_path):
    store = Store(demo_db)
    first = export_zip(tmp_path, "old", seed=11, days=40, end=date(2026, 5, 31))
    newer = export_zip(tmp_path, "new", seed=11, days=50, end=date(2026, 6, 10))
    at = open_page(app_test(demo_db), "data")
    upload(at, first, "b")
    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    before = store.data_version()
    upload(at, newer, "me")                 # b's newer export under a new name: asked first
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    stored = len(store.records("cycles", store.athlete_id("b")))     # all of them are in `newer`
    assert f"{stored} of this export" in warning and "**b**" in warning, warning
    assert store.data_version() == before and "me" not in store.athletes()["name"].tolist()
    at.button(key="upload_into_other").click().run()
    assert_clean(at)
    assert succeeded(at, "athlete 'b'"), [s.value for s in at.success]
    assert store.athletes()["name"].tolist() == ["b", "demo"]
    assert at.sidebar.selectbox(key="athlete_pick").value == "b"
    assert len(store.days(store.athlete_id("b"))) >= 50


def test_keeping_a_separate_copy_is_a_choice(app_test, demo_db, tmp_path):
    first = export_zip(tmp_path, "old", seed=11, days=40, end=date(2026, 5, 31))
    at = open_page(app_test(demo_db), "data")
    upload(at, first, "b")
    upload(at, first, "b2")
    assert at.warning and at.button(key="upload_anyway").label.startswith("Import into b2")
    at.button(key="upload_anyway").click().run()
    assert_clean(at)
    assert Store(demo_db).athletes()["name"].tolist() == ["b", "b2", "demo"]


# -- defect: rejected uploads were missing from the import history -------------------------------
def test_rejected_upload_is_in_the_import_history(app_test, demo_db):
    store = Store(demo_db)
    days_before = len(store.days(1))
    at = open_page(app_test(demo_db), "data")
    at.file_uploader[0].set_value(
        ("sleeps.csv", b"Name,Colour\nalpha,blue\n", "text/csv"))
    at.text_input(key="upload_athlete").set_value("newbie")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception and len(at.error) == 1
    at.run()                                 # the page drawn again reads the history
    history = at.dataframe[1].value
    failed = history[history["status"] == "failed"]
    assert len(failed) == 1 and failed["source"].tolist() == ["sleeps.csv"]
    assert "not a WHOOP Data Export file" in failed["error"].iloc[0]
    assert "newbie" not in store.athletes()["name"].tolist()     # no athlete made for it
    assert len(store.days(1)) == days_before


def test_someone_elses_export_for_the_picked_athlete_is_questioned(app_test, demo_db, tmp_path):
    store = Store(demo_db)
    mine = export_zip(tmp_path, "b", seed=11, days=40, end=date(2026, 5, 31))
    theirs = export_zip(tmp_path, "x", seed=12, days=20, end=date(2026, 5, 20))
    at = open_page(app_test(demo_db), "data")
    upload(at, mine, "b")
    before = store.data_version()
    upload(at, theirs)                      # the field says "b": b holds records, none of these
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "none of this export" in warning and "someone else" in warning, warning
    assert store.data_version() == before
    assert at.button(key="upload_anyway") is not None
    assert "upload_into_other" not in [b.key for b in at.button]
    at.text_input(key="upload_athlete").set_value("x").run()       # another person: a new name
    assert not at.warning
    at.button(key="upload_go").click().run()
    assert_clean(at)
    assert store.athletes()["name"].tolist() == ["b", "demo", "x"]


# -- rough edge: an identical re-import read "nothing new"; the Records column was too wide -------
def test_import_history_says_what_a_run_changed(app_test, demo_db):
    at = open_page(app_test(demo_db), "data")
    at.button(key="demo_data").click().run()          # the same demo again: nothing changes
    assert_clean(at)
    records = at.dataframe[1].value["records"].tolist()
    assert records[0].startswith("nothing changed (") and records[0].endswith(" records)")
    assert re.fullmatch(r"[\d,]+ new", records[1]), records[1]   # the first import
