"""whoop.metrics.horizons: zones, calendar heatmap cells, year-over-year, months, periods."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop.metrics.horizons import (
    calendar_heatmap_frame,
    compare_periods,
    month_of_year,
    recovery_zone,
    year_over_year,
)


def test_recovery_zone_boundaries():
    z = recovery_zone(pd.Series([0.0, 33.0, 34.0, 66.0, 67.0, 100.0, float("nan")]))
    assert z.iloc[:6].tolist() == ["red", "red", "yellow", "yellow", "green", "green"]
    assert pd.isna(z.iloc[6])


def test_heatmap_cells_cover_whole_years_with_week_and_weekday():
    days = make_days(["2023-01-01", "2023-01-02", "2024-12-31"], recovery_score=[10.0, 50.0, 90.0],
                     user_calibrating=[False, False, True])
    cells = calendar_heatmap_frame(days)
    assert len(cells) == 365 + 366
    first = cells.set_index("date").loc[pd.Timestamp("2023-01-01")]
    assert (first["week"], first["weekday"], first["zone"]) == (0, 6, "red")   # a Sunday
    second = cells.set_index("date").loc[pd.Timestamp("2023-01-02")]
    assert (second["week"], second["weekday"], second["zone"]) == (1, 0, "yellow")
    last = cells.set_index("date").loc[pd.Timestamp("2024-12-31")]
    assert math.isnan(last["value"])                      # calibrating -> blank, not a colour
    assert cells["value"].notna().sum() == 2


def test_month_of_year_means_and_counts():
    days = make_days(["2024-01-01", "2024-01-02", "2024-02-01"], recovery_score=[40.0, 60.0, 90.0])
    out = month_of_year(days)
    assert out.values.tolist() == [[2024, 1, 50.0, 2], [2024, 2, 90.0, 1]]


def test_year_over_year_keeps_gaps():
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-20"], recovery_score=[40.0, 60.0, 90.0])
    out = year_over_year(days, smooth_days=3)
    assert out["value"].iloc[0] == pytest.approx(50.0)
    assert out["value"].iloc[10] != out["value"].iloc[10]            # NaN in the gap
    assert out["year"].unique().tolist() == [2024]


def test_compare_periods():
    days = make_days(dates("2024-01-01", 4), recovery_score=[40.0, 60.0, 70.0, 90.0],
                     day_strain=[10.0, 10.0, 12.0, 12.0])
    out = compare_periods(days, ("2024-01-01", "2024-01-02"), ("2024-01-03", "2024-01-04"),
                          ["recovery_score", "day_strain", "hrv_rmssd_ms"]).set_index("metric")
    assert out.loc["recovery_score", ["mean_a", "mean_b", "difference"]].tolist() == [50.0, 80.0,
                                                                                      30.0]
    assert out.loc["recovery_score", "pct_change"] == pytest.approx(60.0)
    assert out.loc["day_strain", "pct_change"] == pytest.approx(20.0)
    assert out.loc["hrv_rmssd_ms", "n_a"] == 0 and math.isnan(out.loc["hrv_rmssd_ms", "mean_a"])
