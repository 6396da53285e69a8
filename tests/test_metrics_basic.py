"""whoop.metrics.basic on tiny invented frames with hand-computed answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from whoop.metrics import basic as m
from whoop.metrics.units import format_hmm

NAN = float("nan")


def day_frame(rows: list[dict]) -> pd.DataFrame:
    """Daily rows with scored defaults (override per row)."""
    base = {"recovery_score_state": "SCORED", "sleep_score_state": "SCORED",
            "cycle_score_state": "SCORED", "user_calibrating": False, "has_main_sleep": True,
            "is_open": False}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[s]")
    return frame


def test_zone_boundaries_33_34_66_67():
    scores = pd.Series([0.0, 33.0, 33.9, 34.0, 66.0, 66.9, 67.0, 100.0, NAN])
    assert m.recovery_zone(scores).tolist() == [
        "red", "red", "red", "yellow", "yellow", "yellow", "green", "green", pd.NA]
    assert [m.zone_of(v) for v in (33, 34, 66, 67, None)] == ["red", "yellow", "yellow", "green", None]


def test_trailing_mean_needs_more_than_half_the_window():
    values = pd.Series([1.0, 2.0, NAN, 4.0, NAN, NAN, NAN, 8.0])
    out = m.trailing_mean(values, 4)  # min_periods = 2
    expected = [NAN, 1.5, 1.5, (1 + 2 + 4) / 3, (2 + 4) / 2, NAN, NAN, NAN]
    np.testing.assert_allclose(out.to_numpy(), expected, equal_nan=True)
    assert (m.min_periods(7), m.min_periods(30)) == (4, 15)


def test_daily_view_reindexes_gaps_and_masks_unscored_days():
    days = day_frame([
        {"date": "2024-01-01", "recovery_score": 50.0, "day_strain": 10.0},
        {"date": "2024-01-02", "recovery_score": 70.0, "day_strain": 12.0},
        {"date": "2024-01-03", "recovery_score": 0.0, "user_calibrating": True, "day_strain": 8.0},
        # 2024-01-04 missing
        {"date": "2024-01-05", "recovery_score": 20.0, "recovery_score_state": "UNSCORABLE",
         "day_strain": 5.0, "is_open": True},
    ])
    cal = m.daily_view(days)
    assert cal["date"].dt.strftime("%d").tolist() == ["01", "02", "03", "04", "05"]
    assert cal["has_row"].tolist() == [True, True, True, False, True]
    np.testing.assert_allclose(cal["recovery_score"], [50, 70, NAN, NAN, NAN], equal_nan=True)
    assert cal["recovery_status"].tolist() == ["scored", "scored", "calibrating", "no row",
                                               "unscorable"]
    # the open cycle's partial strain is not a day strain
    np.testing.assert_allclose(cal["day_strain"], [10, 12, 8, NAN, NAN], equal_nan=True)
    # 7-day mean needs 4 values: never reached here
    assert cal["recovery_score_7d"].isna().all()
    assert cal["recovery_zone"].tolist()[:2] == ["yellow", "green"]


def test_latest_kpi_baseline_is_the_30_days_before_excluding_the_day():
    dates = pd.date_range("2024-01-01", periods=40, freq="D")
    values = pd.Series(np.arange(40, dtype="float64"))  # day i has value i
    values[38] = NAN  # the day before the last is missing
    cal = pd.DataFrame({"date": dates, "hrv_rmssd_ms": values})
    kpi = m.latest_kpi(cal, "hrv_rmssd_ms")
    # last valid day: index 39 (value 39); window = days 9..38, valid 9..37 -> 29 values
    assert kpi.day == date(2024, 2, 9) and kpi.value == 39.0
    assert kpi.n == 29
    assert kpi.baseline == pytest.approx(sum(range(9, 38)) / 29)
    assert kpi.delta == pytest.approx(39 - kpi.baseline)
    assert kpi.sd == pytest.approx(np.std(np.arange(9, 38), ddof=1))
    assert kpi.z == pytest.approx(kpi.delta / kpi.sd)
    # as-of an earlier day, and too few days for a baseline
    early = m.latest_kpi(cal, "hrv_rmssd_ms", asof=date(2024, 1, 6))
    assert (early.value, early.n) == (5.0, 5) and np.isnan(early.baseline) and np.isnan(early.delta)


def test_latest_kpi_without_values():
    cal = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "day_strain": [NAN] * 3})
    kpi = m.latest_kpi(cal, "day_strain")
    assert kpi.day is None and kpi.n == 0 and np.isnan(kpi.value)


def test_zone_distribution_counts_and_percent():
    cal = pd.DataFrame({"recovery_score": [10.0, 34.0, 67.0, 90.0, NAN]})
    dist = m.zone_distribution(cal)
    assert dist["zone"].tolist() == ["green", "yellow", "red"]
    assert dist["days"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(dist["pct"], [50.0, 25.0, 25.0])
    empty = m.zone_distribution(pd.DataFrame({"recovery_score": [NAN]}))
    assert empty["days"].tolist() == [0, 0, 0] and empty["pct"].isna().all()


def test_coverage_counts_days_and_gaps():
    days = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-06"])})
    cov = m.coverage(days, date(2024, 1, 1), date(2024, 1, 7))
    assert (cov.range_days, cov.days_with_data, cov.missing_days) == (7, 3, 4)
    assert cov.pct == pytest.approx(300 / 7)
    assert cov.gaps["start"].dt.strftime("%d").tolist() == ["01", "04", "07"]
    assert cov.gaps["days"].tolist() == [1, 2, 1]
    whole = m.coverage(days)
    assert (whole.start, whole.end, whole.missing_days) == (date(2024, 1, 2), date(2024, 1, 6), 2)
    none = m.coverage(days.iloc[:0])
    assert none.range_days == 0 and none.gaps.empty


def test_naps_are_kept_apart_on_their_local_date():
    sleeps = pd.DataFrame({
        "start_utc": pd.to_datetime(["2024-01-01T22:00:00Z", "2024-01-02T23:30:00Z"]),
        "end_utc": pd.to_datetime(["2024-01-02T06:00:00Z", "2024-01-03T00:10:00Z"]),
        "tz_offset_min": [0, 60], "nap": [False, True], "asleep_min": [450.0, 35.0],
        "in_bed_min": [480.0, 40.0], "score_state": ["SCORED", "SCORED"]})
    naps = m.naps(sleeps)
    assert len(naps) == 1
    assert naps["date"].iloc[0] == pd.Timestamp("2024-01-03")  # 00:30 local at UTC+01:00
    assert naps["asleep_min"].tolist() == [35.0]


def test_workouts_local_dates_and_unknown_sport():
    # (workouts by activity and weekly zone minutes: tests/test_metrics_load.py)
    workouts = pd.DataFrame({
        "start_utc": pd.to_datetime(["2024-01-01T10:00:00Z", "2024-01-03T23:30:00Z",
                                     "2024-01-08T10:00:00Z"]),
        "tz_offset_min": [0, 60, 0], "sport_name": ["Running", "Running", None]})
    local = m.workouts_local(workouts)
    assert local["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-04",
                                                              "2024-01-08"]
    assert local["sport_name"].tolist() == ["Running", "Running", "Unknown"]
    assert len(m.workouts_local(workouts, date(2024, 1, 2), date(2024, 1, 7))) == 1
    assert m.workouts_local(workouts, date(2024, 1, 4), date(2024, 1, 4))["date"].tolist() == [
        pd.Timestamp("2024-01-04")]


def test_format_hmm():
    assert [format_hmm(v) for v in (452.4, 59.6, 0, -25, NAN, None)] == [
        "7:32", "1:00", "0:00", "-0:25", "–", "–"]
