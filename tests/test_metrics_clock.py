"""whoop.metrics.clock: circular clock statistics, DST nights, social jet lag."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.test_metrics_calendar import make_days
from whoop.metrics.clock import (
    circular_diff_min,
    circular_stats,
    rolling_clock,
    sleep_clock_times,
    sleep_regularity,
    social_jet_lag_min,
)


def test_circular_mean_across_midnight():
    st = circular_stats([23 * 60 + 30, 30], min_n=1)         # 23:30 and 00:30
    assert circular_diff_min(st.mean_min, 0.0) == pytest.approx(0.0, abs=1e-6)   # not 12:00
    assert st.n == 2 and st.sufficient


def test_circular_sd_by_hand():
    # +-60 min around 02:00: R = cos(pi/12); SD = sqrt(-2 ln R) x 1440 / (2 pi) = 60.35 min
    st = circular_stats([60.0, 180.0], min_n=1)
    r = math.cos(math.pi / 12)
    assert st.mean_min == pytest.approx(120.0)
    assert st.resultant_length == pytest.approx(r)
    assert st.sd_min == pytest.approx(math.sqrt(-2 * math.log(r)) * 1440 / (2 * math.pi))
    assert st.sd_min == pytest.approx(60.35, abs=0.01)
    assert circular_stats([1.0, 1.0, 1.0]).sd_min == pytest.approx(0.0, abs=1e-4)


def test_too_few_nights_is_insufficient():
    st = circular_stats([60.0, float("nan")])
    assert not st.sufficient and math.isnan(st.mean_min) and st.n == 1


def test_circular_difference():
    assert circular_diff_min(30, 1410) == 60.0
    assert circular_diff_min(1410, 30) == -60.0


def _nights(rows):
    """rows: (date, offset_min, onset local "HH:MM", wake local "HH:MM"); an onset from 12:00
    on is on the evening before ``date``, an earlier one after midnight of ``date``."""
    date, off, onset, wake = zip(*rows, strict=False)
    d = pd.to_datetime(pd.Series(date))
    offs = pd.to_timedelta(pd.Series(off), unit="min")
    on = pd.to_timedelta(pd.Series(onset) + ":00")
    onset_local = d + on - pd.to_timedelta((on >= pd.Timedelta(hours=12)).astype(int), unit="D")
    wake_local = d + pd.to_timedelta(pd.Series(wake) + ":00")
    return make_days(list(date), tz_offset_min=list(off),
                     sleep_onset_utc=(onset_local - offs).dt.tz_localize("UTC"),
                     wake_utc=(wake_local - offs).dt.tz_localize("UTC"))


def test_dst_night_keeps_the_local_clock():
    # Europe, spring forward on 2024-03-31: +60 before, +120 after; bed 23:00, up 07:00 local.
    days = _nights([("2024-03-29", 60, "23:00", "07:00"), ("2024-03-30", 60, "23:00", "07:00"),
                    ("2024-04-01", 120, "23:00", "07:00"), ("2024-04-02", 120, "23:00", "07:00")])
    # The change night itself: onset 23:00 at +60, wake 07:00 at +120 = 05:00 UTC. The cycle
    # has one offset (its start's), so that one wake reads 06:00.
    change = make_days(["2024-03-31"], tz_offset_min=[60],
                       sleep_onset_utc=[pd.Timestamp("2024-03-30 22:00", tz="UTC")],
                       wake_utc=[pd.Timestamp("2024-03-31 05:00", tz="UTC")])
    clock = sleep_clock_times(pd.concat([days, change]).sort_values("date"))
    assert clock["bedtime_min"].tolist() == [1380.0] * 5
    assert clock["wake_min"].tolist() == [420.0, 420.0, 360.0, 420.0, 420.0]
    # UTC clock times would jump by an hour across the change; the local ones don't.
    reg = sleep_regularity(days).set_index(["event", "nights"])
    assert reg.loc[("bedtime", "all"), "sd_min"] == pytest.approx(0.0, abs=1e-6)
    assert reg.loc[("bedtime", "all"), "mean_min"] == pytest.approx(1380.0)


def test_social_jet_lag_by_mid_sleep():
    # Work nights (end Mon-Fri): 23:00-07:00 -> mid 03:00; free nights (end Sat/Sun):
    # 01:00-09:00 -> mid 05:00. Social jet lag = 120 min (Wittmann et al. 2006).
    rows = []
    for d in pd.date_range("2024-01-01", periods=14):           # 2024-01-01 is a Monday
        free = d.day_of_week >= 5
        rows.append((d.strftime("%Y-%m-%d"), 0, "23:00" if not free else "01:00",
                     "07:00" if not free else "09:00"))
    days = _nights(rows)
    clock = sleep_clock_times(days)
    assert set(clock.loc[clock["free_day"], "mid_sleep_min"]) == {300.0}
    assert set(clock.loc[~clock["free_day"], "mid_sleep_min"]) == {180.0}
    assert social_jet_lag_min(days) == pytest.approx(120.0)
    assert math.isnan(social_jet_lag_min(days.iloc[:5]))      # no free nights yet


def test_rolling_clock_breaks_at_gaps():
    days = _nights([("2024-01-01", 0, "23:00", "07:00"), ("2024-01-02", 0, "23:30", "07:00"),
                    ("2024-01-03", 0, "00:30", "07:00")])
    out = rolling_clock(days, window=3, min_n=3)
    assert math.isnan(out["bedtime_mean_min"].iloc[1])
    assert len(out) == 3
