"""Sleep disturbances (added through the metric catalogue): the API's count reaches the days
table, the Sleep page, the report and explain a day; export data leaves it empty; an older
database gets it filled from the sleeps it already stores (migration 0008); counts are integers
in the sleeps table too (migration 0011)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from tests.apptest_helpers import assert_clean, open_page
from whoop.days import build_days
from whoop.metrics.explain import explain_day
from whoop.report import write_report
from whoop.store import Store
from whoop.sync import mapping
from whoop.synth import generate_athlete, history_start

END = datetime(2025, 6, 1, 16, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """120 days of the synthetic API athlete as canonical frames."""
    a = generate_athlete(3, start=history_start(END, 120), end=END)
    cycles = mapping.cycles(a.cycles, "sync run 1")
    starts = dict(zip(cycles["whoop_id"].astype(int), cycles["start_utc"], strict=False))
    return {"cycles": cycles, "sleeps": mapping.sleeps(a.sleeps, starts, "sync run 1"),
            "recoveries": mapping.recoveries(a.recoveries, starts, "sync run 1")[0],
            "workouts": mapping.workouts(a.workouts, "sync run 1")}


def test_the_day_carries_its_main_sleeps_count_as_an_integer(frames):
    days = build_days(frames["cycles"], frames["recoveries"], frames["sleeps"],
                      frames["workouts"])
    assert str(days["disturbance_count"].dtype) == "Int64"
    main = frames["sleeps"][~frames["sleeps"]["nap"].astype(bool)]
    by_onset = main.set_index("start_utc")["disturbance_count"]
    have = days.dropna(subset=["sleep_onset_utc"])
    assert str(by_onset.dtype) == "Int64"         # a count in the sleeps frame too
    assert have["disturbance_count"].tolist() == by_onset.reindex(have["sleep_onset_utc"]).tolist()
    assert have["disturbance_count"].notna().mean() > 0.9
    assert 0 <= have["disturbance_count"].min() and have["disturbance_count"].max() < 60


def test_report_and_explain_show_it(frames, tmp_path):
    days = build_days(frames["cycles"], frames["recoveries"], frames["sleeps"],
                      frames["workouts"])
    write_report(days, frames["sleeps"], frames["workouts"], None, tmp_path, athlete="s")
    base = pd.read_csv(tmp_path / "baselines.csv")
    assert base["disturbances_baseline_count"].notna().sum() > 30
    assert base["disturbances_z"].notna().sum() > 30
    dev = explain_day(days, None, days["date"].iloc[-2]).deviations.set_index("input")
    assert pd.notna(dev.loc["disturbance_count", "z"])


def test_sleep_page_shows_the_mean_and_migration_0008_fills_an_older_store(
        frames, db, app_test):
    store = Store(db)
    aid = store.import_records("synth", {**frames}, kind="export", source="synth").athlete_id
    stored = store.days(aid)["disturbance_count"]
    assert stored.notna().sum() > 90
    sleeps = store.records("sleeps", aid)
    assert str(sleeps["disturbance_count"].dtype) == "Int64"
    with store.connect() as con:  # the database as it was before 0008 (and the later ones)
        con.execute("DROP TABLE alerts_sent")                            # 0010
        con.execute("DROP TABLE alert_settings")
        con.execute("ALTER TABLE oauth_states DROP COLUMN account_id")   # 0009
        con.execute("ALTER TABLE days DROP COLUMN disturbance_count")
        for col in ("sleep_cycle_count", "disturbance_count"):
            con.execute(f"ALTER TABLE sleeps ALTER COLUMN {col} TYPE DOUBLE PRECISION")
        con.execute("DELETE FROM schema_version WHERE version >= 8")
    again = Store(db).days(aid)["disturbance_count"]
    pd.testing.assert_series_equal(again, stored)
    pd.testing.assert_frame_equal(Store(db).records("sleeps", aid), sleeps)   # 0011: counts BIGINT again

    at = open_page(app_test(db), "sleep")
    assert_clean(at)
    card = next(m for m in at.metric if m.label == "Mean disturbances")
    assert card.value.isdigit()  # a count: no decimals


def test_export_data_has_none(demo_db, app_test):
    days = Store(demo_db).days(1)
    assert days["disturbance_count"].isna().all()
    at = open_page(app_test(demo_db), "sleep")
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert "Mean disturbances" not in labels            # no night has one: no empty card
    assert {"Mean asleep", "Mean efficiency"} <= set(labels)
