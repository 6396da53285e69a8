"""whoop.charts (analytics and basic): what the fixed figures show, on tiny invented frames."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop import schema
from whoop.charts import analytics as ac
from whoop.charts import basic as cb
from whoop.charts import history
from whoop.metrics import load, quality, sleep

NAN = float("nan")


def test_coverage_rows_run_monday_to_sunday_per_year_each_with_its_label():
    # 2023-01-02 (Mon) .. 2024-02-05: longer than SHORT_RANGE_WEEKS, a block per year
    days = make_days(dates("2023-01-02", 400), source="export")
    fig = history.coverage_figure(quality.coverage(days))
    week = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    rows = [f"2023 {d}" for d in week] + [f"2024 {d}" for d in week]
    y = fig.layout.yaxis
    assert list(y.categoryarray) == rows and y.categoryorder == "array"
    assert list(y.tickvals) == rows and list(y.ticktext) == rows
    assert tuple(y.range) == (len(rows) - 0.5, -0.5)         # Monday of the first year on top
    assert fig.layout.height >= history.COVERAGE_ROW_PX * len(rows)
    trace = fig.data[0]
    # each day sits on its own weekday row: 2024-01-01 is a Monday
    jan1 = list(trace.text).index("2024-01-01")
    assert trace.y[jan1] == "2024 Mon"
    assert trace.y[list(trace.text).index("2023-12-31")] == "2023 Sun"


def test_coverage_of_nothing_is_an_empty_figure():
    fig = history.coverage_figure(quality.coverage(schema.empty_frame("days")))
    assert isinstance(fig, go.Figure) and not fig.data


def _impact(metric: str, rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame({"question": [r[0] for r in rows], "metric": metric,
                         "n_yes": 9, "n_no": 9, "mean_yes": NAN, "mean_no": NAN,
                         "difference": [r[1] for r in rows], "ci_low": [r[2] for r in rows],
                         "ci_high": [r[3] for r in rows], "sufficient": True})


def test_forest_green_means_better_on_yes_days_for_each_metric():
    rows = [("Alcohol?", 4.0, 2.0, 6.0), ("Meditated?", -3.0, -5.0, -1.0),
            ("Coffee?", 0.5, -1.0, 2.0)]
    rec = ac.journal_forest_figure(_impact("recovery_score", rows), "recovery_score")
    rhr = ac.journal_forest_figure(_impact("resting_heart_rate_bpm", rows),
                                   "resting_heart_rate_bpm", label="Resting HR (bpm)")
    # points are sorted by difference: Meditated (-3), Coffee (+0.5), Alcohol (+4)
    assert list(rec.data[0].y) == ["Meditated?", "Coffee?", "Alcohol?"]
    assert list(rec.data[0].marker.color) == [cb.RED, cb.GREY, cb.GREEN]
    # resting HR: higher on yes days is worse (red), lower is better (green)
    assert list(rhr.data[0].marker.color) == [cb.GREEN, cb.GREY, cb.RED]
    assert "lower is better" in rhr.layout.xaxis.title.text
    with pytest.raises(KeyError):
        ac.journal_forest_figure(_impact("nonsense", rows), "nonsense")


def test_activity_time_figure_stacks_the_top_activities_and_other():
    by = pd.DataFrame({
        "period_start": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08",
                                        "2024-01-08"]).astype("datetime64[s]"),
        "sport_name": ["Running", "Yoga", "Running", "Cycling"],
        "workout_count": [3, 1, 2, 2]})
    fig = ac.activity_time_figure(by, "workout_count", "workouts", top=2)
    assert fig.layout.barmode == "stack"
    names = [t.name for t in fig.data]
    assert names == ["Running", "Cycling", "Other"]         # Running 5, Cycling 2, Yoga 1
    other = fig.data[2]
    assert list(other.y) == [1] and other.marker.color == cb.GREY
    assert fig.layout.yaxis.title.text == "workouts"


def test_ledger_figure_bars_red_when_short_green_when_above_need():
    days = make_days(dates("2024-01-01", 3), sleep_need_min=[480.0] * 3,
                     sleep_debt_min=[0.0, 30.0, 0.0], asleep_min=[420.0, 540.0, 480.0])
    fig = ac.debt_ledger_figure(sleep.sleep_debt_ledger(days, nights=2))
    bars = fig.data[0]
    assert list(bars.y) == [-1.0, 1.5, 0.0]                  # hours: 420-480, 540-450, 0
    assert list(bars.marker.color) == [cb.RED, cb.GREEN, cb.GREEN]
    assert [t.name for t in fig.data[1:]] == ["Sleep debt (14 nights)", "WHOOP sleep debt"]
    assert list(fig.data[1].y) == [1.0, 0.0, 0.0]


def _workouts() -> pd.DataFrame:
    frame = pd.DataFrame({
        "start_utc": pd.to_datetime(["2024-01-01 10:00", "2024-01-03 10:00",
                                     "2024-01-09 10:00"], utc=True),
        "tz_offset_min": 0, "score_state": "SCORED", "sport_name": ["Running", "Running", "Yoga"],
        "activity_strain": [10.0, 12.0, 4.0], "duration_min": [30.0, 45.0, 60.0],
        "energy_kj": [1000.0, 1500.0, 300.0], "hr_zone_1_min": [5.0, 10.0, 20.0],
        "hr_zone_2_min": [25.0, NAN, 0.0]})
    frame["end_utc"] = frame["start_utc"] + pd.Timedelta(minutes=30)
    return schema.conform(frame, "workouts")


def test_basic_workout_figures_take_the_load_frames():
    w = _workouts()
    zones = cb.hr_zones_figure(load.weekly_zone_minutes(w))
    assert [t.name for t in zones.data] == ["Zone 1", "Zone 2"]   # zones 0, 3-5: no values
    z1 = zones.data[0]
    assert list(pd.to_datetime(z1.x).strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-08"]
    assert list(z1.y) == [15.0, 20.0]
    acts = cb.activity_figure(load.workouts_by_activity(w, freq=None))
    assert list(acts.data[0].y) == ["Yoga", "Running"]       # most frequent at the top
    assert list(acts.data[0].x) == [1, 2]
    assert not math.isnan(acts.data[0].customdata[1][0])
