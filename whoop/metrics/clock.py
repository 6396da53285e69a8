"""Bedtime and wake-time regularity with circular statistics, and social jet lag.

Clock times are local: ``sleep_onset_utc`` / ``wake_utc`` + the day's ``tz_offset_min`` (the
offset WHOOP recorded for the cycle), so a DST change or a trip does not shift the clock by an hour.
The cycle has one offset (that of its start, the sleep onset): on the one night of a change the
wake time is read in the evening's offset, so that single wake time is off by the change.
A clock time is an angle theta = 2 pi x minutes / 1440. Circular statistics (Fisher 1993
"Statistical Analysis of Circular Data", ch. 2; Mardia & Jupp 2000):

* mean resultant vector (C, S) = (mean cos theta, mean sin theta), length R = sqrt(C^2 + S^2);
* circular mean = atan2(S, C) (so 23:30 and 00:30 average to 00:00, not 12:00);
* circular SD = sqrt(-2 ln R), reported in minutes (x 1440 / 2 pi).

Mid-sleep = onset + (wake - onset) / 2. Social jet lag (Wittmann et al. 2006 Chronobiol Int
23:497-509) = |mid-sleep on free days - mid-sleep on work days| using circular means; a night is a
"free-day" night when the day it ends on is a Saturday or Sunday (the nights before free days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from whoop.metrics.calendar import full_calendar, sleep_ok

MIN_PER_DAY = 1440.0
MIN_NIGHTS = 3


@dataclass(frozen=True)
class ClockStats:
    """Circular summary of clock times. ``mean_min`` minutes after local midnight [0, 1440),
    ``sd_min`` circular SD in minutes, ``resultant_length`` R in [0, 1], ``n`` nights;
    ``sufficient`` is False (and the numbers NaN) below ``MIN_NIGHTS`` nights."""

    mean_min: float
    sd_min: float
    resultant_length: float
    n: int
    sufficient: bool


def circular_stats(minutes: pd.Series | np.ndarray, *, min_n: int = MIN_NIGHTS) -> ClockStats:
    """Circular mean and SD of clock times given in minutes after midnight (NaN ignored).

    Formula in the module docstring (Fisher 1993). Returns :class:`ClockStats`.
    """
    m = np.asarray(minutes, dtype=float)
    m = m[~np.isnan(m)]
    if m.size < max(min_n, 1):
        return ClockStats(np.nan, np.nan, np.nan, int(m.size), False)
    theta = 2 * np.pi * m / MIN_PER_DAY
    c, s = np.cos(theta).mean(), np.sin(theta).mean()
    r = float(min(np.hypot(c, s), 1.0))
    mean = float(np.mod(np.arctan2(s, c), 2 * np.pi) * MIN_PER_DAY / (2 * np.pi))
    sd = float(np.sqrt(max(0.0, -2 * np.log(r))) * MIN_PER_DAY / (2 * np.pi)) if r > 0 else np.inf
    return ClockStats(mean % MIN_PER_DAY, sd, r, int(m.size), True)


def circular_diff_min(a: float, b: float) -> float:
    """Signed shortest difference a - b of two clock times in minutes, in [-720, 720)."""
    return float((a - b + 720.0) % MIN_PER_DAY - 720.0)


def sleep_clock_times(days: pd.DataFrame) -> pd.DataFrame:
    """Local bedtime, wake time and mid-sleep of each scored main sleep.

    Args:
        days: daily frame (``schema.DAYS``: date, sleep_onset_utc, wake_utc, tz_offset_min,
            sleep_score_state, has_main_sleep).
    Returns:
        one row per calendar day (gaps as NaN rows): ``date`` datetime64[s]; ``bedtime_min``,
        ``wake_min``, ``mid_sleep_min`` float64 minutes after local midnight [0, 1440);
        ``free_day`` bool (the night ends on a Saturday or Sunday).
    """
    cal = full_calendar(days)
    if cal.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[s]"),
                             **{c: pd.Series(dtype="float64")
                                for c in ("bedtime_min", "wake_min", "mid_sleep_min")},
                             "free_day": pd.Series(dtype="bool")})
    ok = sleep_ok(cal).to_numpy()
    off = pd.to_numeric(cal["tz_offset_min"], errors="coerce").astype("float64")

    def local_min(col: str) -> pd.Series:
        t = pd.to_datetime(cal[col], utc=True).dt.tz_convert(None)
        epoch_min = (t - pd.Timestamp("1970-01-01")) / pd.Timedelta(minutes=1)
        return ((epoch_min + off) % MIN_PER_DAY).where(ok)

    onset_local = local_min("sleep_onset_utc")
    wake_local = local_min("wake_utc")
    dur = (pd.to_datetime(cal["wake_utc"], utc=True) - pd.to_datetime(cal["sleep_onset_utc"],
                                                                      utc=True))
    dur_min = dur / pd.Timedelta(minutes=1)
    mid = ((onset_local + dur_min / 2) % MIN_PER_DAY).where(ok)
    return pd.DataFrame({"date": cal["date"], "bedtime_min": onset_local, "wake_min": wake_local,
                         "mid_sleep_min": mid,
                         "free_day": (cal["date"].dt.day_of_week >= 5).astype(bool)})


def sleep_regularity(days: pd.DataFrame, *, min_n: int = MIN_NIGHTS) -> pd.DataFrame:
    """Mean clock time and spread of bedtime, wake time and mid-sleep: all nights, work-day nights
    and free-day nights (circular statistics, module docstring).

    Returns:
        9 rows: ``event`` str (bedtime / wake / mid_sleep), ``nights`` str (all / work / free),
        ``mean_min`` float64 (minutes after local midnight), ``sd_min`` float64 (min),
        ``resultant_length`` float64, ``n`` int64, ``sufficient`` bool.
    """
    clock = sleep_clock_times(days)
    rows = []
    for event in ("bedtime", "wake", "mid_sleep"):
        for nights, mask in (("all", slice(None)), ("work", ~clock["free_day"]),
                             ("free", clock["free_day"])):
            st = circular_stats(clock.loc[mask, f"{event}_min"], min_n=min_n)
            rows.append({"event": event, "nights": nights, "mean_min": st.mean_min,
                         "sd_min": st.sd_min, "resultant_length": st.resultant_length,
                         "n": st.n, "sufficient": st.sufficient})
    return pd.DataFrame(rows).astype({"event": "str", "nights": "str", "n": "int64",
                                      "sufficient": "bool"})


def social_jet_lag_min(days: pd.DataFrame, *, min_n: int = MIN_NIGHTS) -> float:
    """Social jet lag in minutes = |circular mean mid-sleep (free days) - (work days)| (Wittmann
    et al. 2006). NaN when either side has fewer than ``min_n`` nights."""
    clock = sleep_clock_times(days)
    free = circular_stats(clock.loc[clock["free_day"], "mid_sleep_min"], min_n=min_n)
    work = circular_stats(clock.loc[~clock["free_day"], "mid_sleep_min"], min_n=min_n)
    if not (free.sufficient and work.sufficient):
        return float("nan")
    return abs(circular_diff_min(free.mean_min, work.mean_min))


def rolling_clock(days: pd.DataFrame, *, window: int = 14, min_n: int = MIN_NIGHTS) -> pd.DataFrame:
    """Rolling circular mean and SD of bedtime and wake time over ``window`` calendar days.

    Returns:
        one row per calendar day: ``date``, ``bedtime_min``, ``wake_min`` (nightly values),
        ``bedtime_mean_min``, ``bedtime_sd_min``, ``wake_mean_min``, ``wake_sd_min`` float64
        minutes (NaN below ``min_n`` nights in the window).
    """
    clock = sleep_clock_times(days)
    out = clock[["date", "bedtime_min", "wake_min"]].copy()
    for event in ("bedtime", "wake"):
        theta = 2 * np.pi * clock[f"{event}_min"] / MIN_PER_DAY
        c = np.cos(theta).rolling(window, min_periods=1).mean()
        s = np.sin(theta).rolling(window, min_periods=1).mean()
        n = theta.rolling(window, min_periods=1).count()
        r = np.hypot(c, s).clip(upper=1.0)
        enough = n >= min_n
        out[f"{event}_mean_min"] = (np.mod(np.arctan2(s, c), 2 * np.pi) * MIN_PER_DAY
                                    / (2 * np.pi)).where(enough)
        out[f"{event}_sd_min"] = (np.sqrt((-2 * np.log(r.where(r > 0))).clip(lower=0))
                                  * MIN_PER_DAY / (2 * np.pi)).where(enough)
    return out
