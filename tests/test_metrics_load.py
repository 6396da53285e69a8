"""whoop.metrics.load: EWMA ACWR, weekly zone minutes, strain vs next recovery, workouts by
activity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop import schema
from whoop.metrics.load import (
    acwr,
    next_recovery_by_strain_band,
    strain_vs_next_recovery,
    training_load,
    weekly_zone_minutes,
    workouts_by_activity,
)

LA, LC = 2 / 8, 2 / 29          # Williams et al. 2017: lambda = 2 / (N + 1), N = 7 and 28


def test_ewma_acwr_by_hand():
    out = acwr(make_days(dates("2024-01-01", 2), day_strain=[10.0, 20.0]))
    acute = LA * 20 + (1 - LA) * 10            # 12.5
    chronic = LC * 20 + (1 - LC) * 10          # 10.6897
    assert out["acute_strain"].tolist() == pytest.approx([10.0, acute])
    assert out["chronic_strain"].tolist() == pytest.approx([10.0, chronic])
    assert out["acwr_strain"].iloc[1] == pytest.approx(acute / chronic)
    assert out["acwr_provisional"].tolist() == [True, True]


def test_a_missing_day_is_a_gap_not_a_rest_day():
    out = acwr(make_days(["2024-01-01", "2024-01-03"], day_strain=[10.0, 20.0]))
    assert len(out) == 3
    assert math.isnan(out["acute_strain"].iloc[1]) and math.isnan(out["acwr_strain"].iloc[1])
    assert out["acute_strain"].iloc[2] == pytest.approx(12.5)     # state carried over the gap
    assert out["load_days"].tolist() == [1, 1, 2]


def test_open_and_unscored_cycles_do_not_count():
    days = make_days(dates("2024-01-01", 3), day_strain=[10.0, 20.0, 5.0],
                     cycle_score_state=["SCORED", "PENDING_SCORE", "SCORED"],
                     is_open=[False, False, True])
    out = acwr(days)
    assert out["acute_strain"].isna().tolist() == [False, True, True]


def test_provisional_until_21_of_28_days_have_data():
    out = acwr(make_days(dates("2024-01-01", 30), day_strain=[10.0] * 30))
    assert out["acwr_provisional"].iloc[19] and not out["acwr_provisional"].iloc[20]
    assert out["acwr_strain"].iloc[-1] == pytest.approx(1.0)
    # drop 8 of the last 28 days -> 20 of 28 -> provisional again
    gappy = make_days([d for i, d in enumerate(dates("2024-01-01", 40)) if not 30 <= i < 38],
                      day_strain=[10.0] * 32)
    assert bool(acwr(gappy)["acwr_provisional"].iloc[-1])


def test_training_load_has_strain_and_energy_columns():
    out = training_load(make_days(dates("2024-01-01", 2), day_strain=[10.0, 20.0],
                                  energy_kj=[8000.0, 8000.0]))
    assert out.columns.tolist() == ["date", "day_strain", "acute_strain", "chronic_strain",
                                    "acwr_strain", "energy_kj", "acute_energy_kj",
                                    "chronic_energy_kj", "acwr_energy", "load_days",
                                    "acwr_provisional"]
    assert out["acwr_energy"].tolist() == pytest.approx([1.0, 1.0])


def test_training_load_on_empty_frame():
    assert training_load(schema.empty_frame("days")).empty


def test_strain_pairs_with_the_next_calendar_days_recovery_only():
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"],
                     day_strain=[12.0, 19.0, 5.0, 8.0], recovery_score=[70.0, 40.0, 90.0, 80.0],
                     user_calibrating=[False, False, False, True])
    pairs = strain_vs_next_recovery(days)
    # 01-01 -> 01-02 (40); 01-02 -> 01-03 missing; 01-04 -> 01-05 calibrating; 01-05 -> none
    assert pairs["date"].dt.strftime("%m-%d").tolist() == ["01-01"]
    assert pairs["next_recovery_score"].tolist() == [40.0]
    assert pairs["strain_band"].tolist() == ["moderate (10-13.9)"]
    summary = next_recovery_by_strain_band(pairs)
    assert summary["n"].tolist() == [0, 1, 0, 0]


def _workouts(rows):
    frame = pd.DataFrame(rows, columns=["start_utc", "tz_offset_min", "score_state", "sport_name",
                                        "hr_zone_1_min", "hr_zone_5_min", "duration_min"])
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    frame["end_utc"] = frame["start_utc"] + pd.Timedelta(minutes=30)
    return schema.conform(frame, "workouts")


def test_weekly_zone_minutes_use_the_local_date():
    w = _workouts([
        ("2024-01-01 10:00", 0, "SCORED", "Running", 10.0, 2.0, 30.0),      # Mon, week 01-01
        ("2024-01-07 23:30", 60, "SCORED", "Running", 5.0, 1.0, 30.0),      # local Mon 01-08
        ("2024-01-03 10:00", 0, "UNSCORABLE", "Running", 99.0, 99.0, 30.0),  # left out
    ])
    out = weekly_zone_minutes(w)
    assert out["week_start"].dt.strftime("%m-%d").tolist() == ["01-01", "01-08"]
    assert out["hr_zone_1_min"].tolist() == [10.0, 5.0]
    assert out["hr_zone_5_min"].tolist() == [2.0, 1.0]
    assert out["workout_count"].tolist() == [1, 1]
    assert out["hr_zone_0_min"].isna().all()       # the export has no zone 0


def test_workouts_by_activity_per_month():
    w = _workouts([("2024-01-01 10:00", 0, "SCORED", "Running", 1.0, 1.0, 30.0),
                   ("2024-01-15 10:00", 0, "SCORED", "Running", 1.0, 1.0, 45.0),
                   ("2024-02-01 10:00", 0, "SCORED", "Cycling", 1.0, 1.0, 60.0)])
    out = workouts_by_activity(w)
    assert out[["sport_name", "workout_count", "duration_min"]].values.tolist() == [
        ["Running", 2, 75.0], ["Cycling", 1, 60.0]]
    assert weekly_zone_minutes(schema.empty_frame("workouts")).empty
    assert workouts_by_activity(schema.empty_frame("workouts")).empty


def _activities(rows):
    """(start UTC, offset min, sport, activity strain, duration min, energy kJ)."""
    frame = pd.DataFrame(rows, columns=["start_utc", "tz_offset_min", "sport_name",
                                        "activity_strain", "duration_min", "energy_kj"])
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    frame["end_utc"] = frame["start_utc"] + pd.Timedelta(minutes=30)
    frame["score_state"] = "SCORED"
    return schema.conform(frame, "workouts")


def test_weekly_zone_minutes_add_up_and_skip_unknown_values():
    w = _workouts([("2024-01-01 10:00", 0, "SCORED", "Running", 5.0, None, 30.0),
                   ("2024-01-03 10:00", 0, "SCORED", "Running", 10.0, 3.0, 45.0)])
    out = weekly_zone_minutes(w)
    assert out["hr_zone_1_min"].tolist() == [15.0]
    assert out["hr_zone_5_min"].tolist() == [3.0]
    assert out["workout_count"].tolist() == [2]


def test_weekly_bins_start_on_monday_and_carry_its_date():
    # Wed 01-03 and Sun 01-07 -> week of Mon 01-01; 23:30 UTC on Sun 01-07 at UTC+01:00 is
    # local Mon 01-08, which opens the next week with Sun 01-14.
    w = _activities([("2024-01-03 10:00", 0, "Running", 10.0, 30.0, 1000.0),
                     ("2024-01-07 10:00", 0, "Running", 12.0, 45.0, 1500.0),
                     ("2024-01-07 23:30", 60, "Running", 8.0, 20.0, 400.0),
                     ("2024-01-14 10:00", 0, "Cycling", 6.0, 60.0, 2000.0)])
    for freq in ("W", "W-MON"):
        out = workouts_by_activity(w, freq=freq)
        assert out["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
            "2024-01-01", "2024-01-08", "2024-01-08"]
        assert out["sport_name"].tolist() == ["Running", "Running", "Cycling"]
        assert out["workout_count"].tolist() == [2, 1, 1]
        assert out["duration_min"].tolist() == [75.0, 20.0, 60.0]
        assert (out["period_start"].dt.day_of_week == 0).all()
    year = workouts_by_activity(w, freq="YS")
    assert year["period_start"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2024-01-01"]
    assert year["workout_count"].tolist() == [3, 1]


def test_workouts_by_activity_over_the_whole_frame():
    w = _activities([("2024-01-01 10:00", 0, "Running", 10.0, 30.0, 1000.0),
                     ("2024-01-03 10:00", 0, "Running", 12.0, 45.0, 1500.0),
                     ("2024-01-05 10:00", 0, "Running", None, 15.0, None),
                     ("2024-01-08 10:00", 0, None, 5.0, 20.0, 400.0)])
    out = workouts_by_activity(w, freq=None)
    assert out["sport_name"].tolist() == ["Running", "Unknown"]
    assert out["workout_count"].tolist() == [3, 1]
    np.testing.assert_allclose(out["activity_strain_sum"], [22.0, 5.0])
    np.testing.assert_allclose(out["activity_strain_mean"], [11.0, 5.0])
    np.testing.assert_allclose(out["duration_min"], [90.0, 20.0])
    np.testing.assert_allclose(out["energy_kj"], [2500.0, 400.0])
    assert out["period_start"].isna().all()


def test_workouts_by_activity_rejects_an_unknown_period():
    with pytest.raises(ValueError, match="freq"):
        workouts_by_activity(schema.empty_frame("workouts"), freq="W-SUN")
