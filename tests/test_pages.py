"""Every page of the Streamlit app through ``streamlit.testing.v1.AppTest`` (the real app.py,
real DuckDB files in tmp_path): on an empty database, on demo data, and the write actions
(load demo, upload, bad upload, delete)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.apptest_helpers import assert_clean, open_page
from tests.hostile_data import shown  # messages are escaped Markdown (whoop.escape)
from whoop.store import Store

PAGES = ["overview", "recovery", "hrv", "sleep", "strain", "data"]
DEMO_LABELS = {
    "overview": ["Recovery", "HRV (RMSSD)", "Resting HR", "Sleep (asleep)", "Sleep performance",
                 "Day strain"],
    "recovery": ["Mean recovery", "Green days", "Yellow days", "Red days"],
    "hrv": ["Latest HRV", "Mean HRV in range", "Latest resting HR", "Mean resting HR in range"],
    "sleep": ["Mean asleep", "Mean sleep need", "Mean performance", "Mean efficiency"],
    "strain": ["Mean day strain", "Workouts", "Workout time (h:mm)", "Mean daily energy"],
    "data": [],
}


def metric_labels(at) -> list[str]:
    return [m.label.split(" · ")[0] for m in at.metric]


@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_database_offers_the_two_ways_in(app_test, db, page):
    at = open_page(app_test(db), page)
    assert_clean(at)
    assert "Load demo data" in [b.label for b in at.button]
    if page == "data":
        assert len(at.get("file_uploader")) == 1
        assert at.button(key="upload_go").disabled
        assert at.text_input(key="upload_athlete").value == "me"
    else:
        assert [s.value for s in at.subheader] == ["No WHOOP data yet"]
        assert not at.metric


@pytest.mark.parametrize("page", PAGES)
def test_page_on_demo_data_shows_the_demo_athlete(app_test, demo_db, page):
    at = open_page(app_test(demo_db), page)
    assert_clean(at)
    assert at.title[0].value == {"hrv": "HRV"}.get(page, page.capitalize())
    labels = metric_labels(at)
    for label in DEMO_LABELS[page]:
        assert label in labels
    assert all(m.value not in ("", None) for m in at.metric)
    assert "No WHOOP data yet" not in [s.value for s in at.subheader]
    # the shared sidebar: date range presets and the "data through" note, no picker for one athlete
    assert at.sidebar.get("button_group")
    assert "data through" in at.sidebar.caption[0].value
    assert not at.sidebar.selectbox
    if page == "overview":
        last = Store(demo_db).status()["athletes"][0]["last_day"]
        assert at.subheader[0].value == f"{last:%A, %d %B %Y}"
    if page == "data":
        coverage, history = at.dataframe[0].value, at.dataframe[1].value
        assert coverage["athlete"].tolist() == ["demo"]
        assert history["kind"].tolist() == ["demo"]


def test_load_demo_button_on_empty_database(app_test, db):
    at = app_test(db).run()
    at.button(key="demo_overview").click().run()
    assert_clean(at)
    assert "Demo data loaded" in at.success[0].value
    assert "Recovery" in metric_labels(at)
    assert [a["athlete"] for a in Store(db).status()["athletes"]] == ["demo"]


def test_date_range_preset_changes_the_range(app_test, demo_db):
    at = app_test(demo_db).run()
    assert "(90 days)" in at.sidebar.caption[0].value
    at.sidebar.get("button_group")[0].set_value("30 d").run()
    assert_clean(at)
    assert "(30 days)" in at.sidebar.caption[0].value
    at.switch_page("pages/recovery.py").run()  # the range is shared by the pages
    assert "(30 days)" in at.sidebar.caption[0].value
    days = sum(int(m.value) for m in at.metric if m.label.endswith("days"))
    assert days <= 30


def test_upload_second_athlete_adds_the_picker(app_test, demo_db, tmp_path):
    from whoop.demo import write_demo_export

    export = write_demo_export(tmp_path / "export", seed=11, days=45, end=date(2026, 6, 30))
    at = open_page(app_test(demo_db), "data")
    at.file_uploader[0].set_value(
        (export.name, export.read_bytes(), "application/zip"))
    at.text_input(key="upload_athlete").set_value("alice")
    at.run()
    at.button(key="upload_go").click().run()
    assert_clean(at)
    assert "Imported" in at.success[0].value and "athlete 'alice'" in shown(at.success[0].value)
    picker = at.sidebar.selectbox(key="athlete_pick")
    assert picker.options == ["alice", "demo"] and picker.value == "alice"
    at.switch_page("pages/overview.py").run()
    assert at.subheader[0].value == "Tuesday, 30 June 2026"
    picker = at.sidebar.selectbox(key="athlete_pick")
    picker.set_value("demo").run()
    assert at.subheader[0].value == "Sunday, 01 November 2026"


def test_bad_upload_shows_the_error_and_leaves_the_database_unchanged(app_test, demo_db):
    store = Store(demo_db)
    before = (store.status()["athletes"], len(store.runs()))
    at = open_page(app_test(demo_db), "data")
    at.file_uploader[0].set_value(
        ("sleeps.csv", b"Name,Colour\nalpha,blue\n", "text/csv"))
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "sleeps.csv" in shown(at.error[0].value)
    assert "Traceback" not in at.error[0].value
    runs = store.runs()   # nothing written but the rejection, in the import history
    assert (store.status()["athletes"], len(runs) - 1) == before
    assert runs["status"].iloc[0] == "failed" and runs["source"].iloc[0] == "sleeps.csv"


def test_delete_athlete_needs_confirmation(app_test, demo_db):
    at = open_page(app_test(demo_db), "data")
    assert at.button(key="delete_go").disabled
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_go").click().run()
    assert_clean(at)
    assert "Deleted all data of athlete 'demo'" in shown(at.success[0].value)
    assert Store(demo_db).status()["athletes"] == []
    at.switch_page("pages/overview.py").run()
    assert [s.value for s in at.subheader] == ["No WHOOP data yet"]


def test_unreadable_database_is_one_clear_error(app_test, tmp_path: Path):
    db = tmp_path / "not-a-database.duckdb"
    db.write_bytes(b"this is not a DuckDB file" * 100)
    at = app_test(db).run()
    assert not at.exception
    assert at.error and "cannot open the database" in shown(at.error[0].value)


def test_custom_range_is_shared_by_the_pages(app_test, demo_db):
    at = app_test(demo_db).run()
    at.sidebar.get("button_group")[0].set_value("Custom").run()
    picker = at.sidebar.date_input(key="range_custom")
    picker.set_value((date(2026, 3, 1), date(2026, 3, 31))).run()
    assert_clean(at)
    assert "01 Mar 2026 – 31 Mar 2026 (31 days)" in at.sidebar.caption[0].value
    assert at.subheader[0].value == "Tuesday, 31 March 2026"
    at.switch_page("pages/strain.py").run()
    assert_clean(at)
    assert "(31 days)" in at.sidebar.caption[0].value
