"""whoop.metrics.baselines on tiny hand-computed frames."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop import schema
from whoop.metrics.baselines import (
    baselines,
    flag_lists,
    flag_messages,
    hrv_baseline,
    metric_baselines,
    min_days,
    streak,
)


def test_hrv_7day_mean_and_cv_of_ln_rmssd():
    # ln(RMSSD) = 1, 2, 3: the 7-day mean needs 3 values; mean 2, SD 1 -> CV 50 %.
    out = hrv_baseline(make_days(dates("2024-01-01", 3), hrv_rmssd_ms=[math.e, math.e**2,
                                                                       math.e**3]))
    assert out["hrv_ln_rmssd"].round(12).tolist() == [1.0, 2.0, 3.0]
    assert out["hrv_ln_rmssd_7d"].isna().tolist() == [True, True, False]
    assert out["hrv_ln_rmssd_7d"].iloc[2] == pytest.approx(2.0)
    assert out["hrv_cv_7d_pct"].iloc[2] == pytest.approx(50.0)
    assert out["hrv_7d_days"].tolist() == [1, 2, 3]


def test_hrv_7day_window_is_calendar_days_so_gaps_stay_gaps():
    # Days 1, 2, 3 and 9: the window of day 8 (2..8) holds days 2 and 3, that of day 9 (3..9)
    # days 3 and 9: two values each -> too few, so the line stops there.
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-09"],
                     hrv_rmssd_ms=[math.e] * 4)
    out = hrv_baseline(days)
    assert len(out) == 9
    assert out["hrv_ln_rmssd_7d"].isna().tolist() == [True, True, False, False, False, False,
                                                      False, True, True]
    assert out["hrv_7d_days"].tolist() == [1, 2, 3, 3, 3, 3, 3, 2, 2]


def test_hrv_normal_range_is_mean_plus_minus_half_sd_of_the_60_days_before():
    n = min_days(60)
    assert n == 20
    ln = [4.0, 4.2] * 10 + [3.0]               # 20 days of history, then a low day
    out = hrv_baseline(make_days(dates("2024-01-01", 21), hrv_rmssd_ms=list(np.exp(ln))))
    sd = np.std([4.0, 4.2] * 10, ddof=1)
    last = out.iloc[-1]
    assert last["hrv_normal_days"] == 20
    assert last["hrv_normal_mean"] == pytest.approx(4.1)
    assert last["hrv_normal_low"] == pytest.approx(4.1 - 0.5 * sd)
    assert last["hrv_normal_high"] == pytest.approx(4.1 + 0.5 * sd)
    # Day 20 rests on 19 days -> insufficient: NaN, never a line.
    assert out["hrv_normal_low"].iloc[:20].isna().all()
    assert out["hrv_normal_days"].iloc[19] == 19


def test_calibrating_pending_and_unscorable_days_are_left_out_of_baselines():
    states = ["SCORED"] * 20 + ["UNSCORABLE", "PENDING_SCORE", "SCORED", "SCORED"]
    calibrating = [False] * 22 + [True, False]
    hrv = [50.0] * 20 + [500.0, 500.0, 500.0, 50.0]
    out = hrv_baseline(make_days(dates("2024-01-01", 24), hrv_rmssd_ms=hrv,
                                 recovery_score_state=states, user_calibrating=calibrating))
    assert out["hrv_rmssd_ms"].iloc[20:23].isna().all()
    assert out["hrv_normal_days"].iloc[-1] == 20
    assert out["hrv_normal_mean"].iloc[-1] == pytest.approx(math.log(50.0))


def test_one_day_of_data_gives_insufficient_states_not_numbers():
    out = baselines(make_days(["2024-05-01"], hrv_rmssd_ms=[60.0], resting_heart_rate_bpm=[50.0]))
    assert len(out) == 1
    row = out.iloc[0]
    assert math.isnan(row["hrv_ln_rmssd_7d"]) and math.isnan(row["hrv_normal_low"])
    assert row["hrv_normal_days"] == 0 and row["rhr_days"] == 0
    assert math.isnan(row["rhr_baseline_bpm"]) and math.isnan(row["rhr_z"])
    assert not row["hrv_below_normal"]


def test_empty_input_gives_empty_frame_with_columns():
    out = baselines(schema.empty_frame("days"))
    assert out.empty
    assert {"hrv_ln_rmssd_7d", "hrv_normal_low", "rhr_z", "spo2_days"} <= set(out.columns)


def test_rhr_baseline_deviation_and_z_use_the_days_before():
    rhr = [49.0, 51.0] * 5 + [53.0]             # 10 days (= min_days(30)), then 53 bpm
    out = metric_baselines(make_days(dates("2024-01-01", 11), resting_heart_rate_bpm=rhr))
    sd = np.std([49.0, 51.0] * 5, ddof=1)
    last = out.iloc[-1]
    assert last["rhr_days"] == 10
    assert last["rhr_baseline_bpm"] == pytest.approx(50.0)
    assert last["rhr_dev_bpm"] == pytest.approx(3.0)
    assert last["rhr_z"] == pytest.approx(3.0 / sd)
    assert out["rhr_baseline_bpm"].iloc[:10].isna().all()


def test_z_is_nan_when_the_baseline_has_no_spread():
    out = metric_baselines(make_days(dates("2024-01-01", 12), respiratory_rate_rpm=[15.0] * 12))
    assert out["resp_sd_rpm"].iloc[-1] == pytest.approx(0.0)
    assert math.isnan(out["resp_z"].iloc[-1])


def test_respiratory_rate_follows_the_sleep_state():
    out = metric_baselines(make_days(dates("2024-01-01", 2), respiratory_rate_rpm=[15.0, 16.0],
                                     sleep_score_state=["SCORED", "UNSCORABLE"]))
    assert out["respiratory_rate_rpm"].isna().tolist() == [False, True]


def test_streak_and_flag_message_for_three_days_below_normal():
    ln = [4.0, 4.2] * 15 + [3.0] * 3
    out = baselines(make_days(dates("2024-01-01", 33), hrv_rmssd_ms=list(np.exp(ln))))
    # Day 31: 7-day mean (6 x 4.1 + 3) / 7 = 3.94 < low = 4.1 - 0.5 x 0.10 = 4.05.
    assert out["hrv_below_normal"].iloc[-4:].tolist() == [False, True, True, True]
    assert out["hrv_below_streak_days"].iloc[-1] == 3
    assert "HRV below your normal range for 3 days" in flag_messages(out)


def test_streak_counts_runs():
    import pandas as pd
    assert streak(pd.Series([True, True, False, True, True, True])).tolist() == [1, 2, 0, 1, 2, 3]


def test_flag_messages_empty_frame():
    assert flag_messages(baselines(schema.empty_frame("days"))) == []


def test_flag_lists_give_each_rows_flag_messages():
    """flag_lists (every row at once, the Team page) gives, row by row, what flag_messages
    gives for a frame ending on that row (the Overview), in the same order."""
    ln = np.r_[np.full(40, 4.0) + np.tile([0.05, -0.05], 20), np.full(6, 3.2), np.full(4, 4.9)]
    rhr = np.r_[np.full(40, 50.0) + np.tile([1.0, -1.0], 20), np.full(10, 70.0)]
    out = baselines(make_days(dates("2024-01-01", 50), hrv_rmssd_ms=list(np.exp(ln)),
                              resting_heart_rate_bpm=list(rhr)))
    rows = flag_lists(out)
    assert len(rows) == len(out)
    assert rows == [flag_messages(out.iloc[: i + 1]) for i in range(len(out))]
    assert any(len(r) >= 2 for r in rows) and any("above your normal" in " ".join(r) for r in rows)
    assert flag_lists(out.iloc[0:0]) == [] and flag_messages(out.iloc[0:0]) == []
    assert flag_lists(out[["date"]]) == [[]] * len(out)     # absent columns flag nothing
