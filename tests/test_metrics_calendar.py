"""whoop.metrics.calendar: full calendar, and which days count in statistics.

Also holds ``make_days``, the tiny-frame builder the other tests/test_metrics_*.py files import.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whoop import schema
from whoop.metrics.calendar import cycle_ok, full_calendar, recovery_ok, rolling_count, sleep_ok


def make_days(dates: list[str], **cols) -> pd.DataFrame:
    """A ``schema.DAYS`` frame for ``dates`` ("YYYY-MM-DD"); every record SCORED, not
    calibrating, closed, with a main sleep, offset 0, cycle start at 23:00 UTC the evening before;
    ``cols`` override or add columns (scalars or lists)."""
    d = pd.to_datetime(pd.Series(dates))
    base = {
        "date": d, "cycle_start_utc": (d - pd.Timedelta(hours=1)).dt.tz_localize("UTC"),
        "tz_offset_min": 0, "is_open": False, "has_main_sleep": True,
        "cycle_score_state": "SCORED", "recovery_score_state": "SCORED",
        "sleep_score_state": "SCORED", "user_calibrating": False, "source": "export",
    }
    base.update(cols)
    frame = pd.DataFrame({k: (v if not isinstance(v, list) else pd.Series(v))
                          for k, v in base.items()})
    return schema.conform(frame, "days")


def dates(start: str, n: int) -> list[str]:
    """``n`` consecutive dates from ``start`` as strings."""
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, periods=n)]


def test_full_calendar_adds_absent_days_as_missing_rows():
    days = make_days(["2024-01-01", "2024-01-04"], recovery_score=[50.0, 60.0])
    cal = full_calendar(days)
    assert cal["date"].dt.strftime("%m-%d").tolist() == ["01-01", "01-02", "01-03", "01-04"]
    assert cal["has_row"].tolist() == [True, False, False, True]
    assert cal["recovery_score"].isna().tolist() == [False, True, True, False]
    assert str(cal["date"].dtype) == "datetime64[s]"


def test_full_calendar_of_empty_frame_is_empty():
    assert full_calendar(schema.empty_frame("days")).empty


def test_full_calendar_adds_missing_schema_columns():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]), "recovery_score": [1.0]})
    cal = full_calendar(frame)
    assert set(schema.DAYS) <= set(cal.columns)


def test_full_calendar_of_a_calendar_is_what_the_reindexing_gives():
    """A frame already one row per consecutive day (a calendar, or days without gaps) comes
    back without the reindexing: every value, dtype and column order as the reindexing (forced
    here by explicit bounds) gives, has_row True everywhere; a gap, a duplicate or an unsorted
    day still takes the reindexing."""
    gappy = make_days(["2024-01-03", "2024-01-01", "2024-01-06", "2024-01-06"],
                      recovery_score=[1.0, 2.0, 3.0, 4.0], tz_offset_min=[60, None, 0, 30])
    cal = full_calendar(gappy)
    assert cal["has_row"].tolist() == [True, False, True, False, False, True]
    assert cal["recovery_score"].iloc[-1] == 4.0               # a duplicate keeps the last
    narrow = cal[["recovery_score", "date", "has_row"]].assign(extra=range(6))
    for frame in (cal, narrow, make_days(dates("2024-02-01", 5), recovery_score=[1.0] * 5)):
        first, last = frame["date"].min(), frame["date"].max()
        again = full_calendar(frame)
        pd.testing.assert_frame_equal(again, full_calendar(frame, first, last), check_exact=True)
        assert again["has_row"].all() and list(again.columns)[0] == "date"
        assert set(schema.DAYS) <= set(again.columns)
    assert full_calendar(gappy.iloc[::-1])["has_row"].tolist() == cal["has_row"].tolist()


def test_recovery_counts_only_scored_non_calibrating_main_sleep_days():
    days = make_days(dates("2024-01-01", 5),
                     recovery_score_state=["SCORED", "PENDING_SCORE", "UNSCORABLE", "SCORED",
                                           "SCORED"],
                     user_calibrating=[False, False, False, True, False],
                     has_main_sleep=[True, True, True, True, False])
    assert recovery_ok(days).tolist() == [True, False, False, False, False]


def test_sleep_and_cycle_masks():
    days = make_days(dates("2024-01-01", 3), sleep_score_state=["SCORED", None, "UNSCORABLE"],
                     is_open=[False, False, True], cycle_score_state=["SCORED", "SCORED", "SCORED"])
    assert sleep_ok(days).tolist() == [True, False, False]
    assert cycle_ok(days).tolist() == [True, True, False]


def test_rolling_count_is_the_rolling_count_of_present_values():
    """rolling_count (one cumulative sum) equals pandas' rolling count, 0 for none, for windows
    shorter and longer than the series and with NaN anywhere."""
    rng = np.random.default_rng(7)
    for n in (0, 1, 5, 90):
        values = pd.Series(np.where(rng.random(n) < 0.4, np.nan, rng.random(n)), index=np.arange(n) + 3)
        for window in (1, 7, 30, 200):
            want = values.rolling(window, min_periods=1).count().fillna(0).astype("int64")
            pd.testing.assert_series_equal(rolling_count(values, window), want, check_names=False)
    assert rolling_count(pd.Series([np.nan, 1.0, np.nan, 2.0]), 2).tolist() == [0, 1, 1, 1]
