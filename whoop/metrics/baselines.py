"""Baselines and normal ranges: "is this normal for me?".

HRV (Plews et al. 2012, Eur J Appl Physiol 112:3729-3741 "Heart rate variability in elite
triathletes, is variation in variability the key to effective training?"; Plews et al. 2013,
Sports Med 43:773-781 "Training adaptation and heart rate variability in elite endurance athletes:
opening the door to effective monitoring"; Plews et al. 2014 IJSPP 9:783-790 on compliance):

* daily ``ln(RMSSD)`` (RMSSD in ms, natural log), from scored, non-calibrating main-sleep
  recoveries;
* ``hrv_ln_rmssd_7d`` = mean of the daily ln(RMSSD) values in the 7 calendar days ending on the
  day
  (needs >= ``HRV_7D_MIN_DAYS`` = 3 values, Plews 2014);
* ``hrv_cv_7d_pct`` = 100 x SD / mean of the same 7-day ln(RMSSD) values (sample SD, ddof 1);
* normal range = mean +/- 0.5 SD (the "smallest worthwhile change" band, ddof 1) of daily ln(RMSSD)
  in the ``normal_window`` (default 60) calendar days *before* the day, needing >=
  ``min_days(normal_window)`` values; the 7-day mean is "below" / "above" when it leaves the band.

Other inputs (the catalogue's metrics with a baseline prefix, :mod:`whoop.metrics.catalog`:
resting HR, respiratory rate, skin temperature, SpO2): baseline = mean (ddof-1 SD)
of the ``window`` (default 30) calendar days *before* the day, deviation = value - baseline,
z = deviation / SD. Too few days -> NaN plus an explicit ``*_days`` count; never a line drawn
through a baseline that rests on a handful of nights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whoop.metrics.calendar import full_calendar, rolling_count, valid_columns
from whoop.metrics.catalog import with_baseline

HRV_7D_DAYS = 7
HRV_7D_MIN_DAYS = 3
HRV_NORMAL_WINDOW_DAYS = 60
HRV_NORMAL_SD_FACTOR = 0.5
BASELINE_WINDOW_DAYS = 30
#: |z| from which a value is "unusual for you" (flags, the cards' colour, the pages' words):
#: two SD from the person's own baseline, the usual cut for an unusual day (about 5 % of days
#: under a normal distribution)
UNUSUAL_Z = 2.0

def min_days(window: int) -> int:
    """Fewest valid days a ``window``-day baseline may rest on: ``max(7, ceil(window / 3))``
    (20 of 60 for the HRV normal range, 10 of 30 for the other baselines). A project rule,
    not a published one: a third of the window keeps a new user's first weeks honest."""
    return max(7, int(np.ceil(window / 3)))


def _trailing(values: pd.Series, window: int, min_periods: int, *, include_today: bool
              ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Rolling mean, SD (ddof 1) and count over ``window`` calendar rows (NaN skipped)."""
    src = values if include_today else values.shift(1)
    roll = src.rolling(window, min_periods=1)
    count = rolling_count(src, window)
    mean = roll.mean().where(count >= min_periods)
    sd = roll.std(ddof=1).where(count >= max(min_periods, 2))
    return mean, sd, count


def hrv_baseline(days: pd.DataFrame, *,
                 normal_window: int = HRV_NORMAL_WINDOW_DAYS) -> pd.DataFrame:
    """HRV 7-day ln(RMSSD) mean against its normal range (Plews et al. 2012/2013).

    Args:
        days: daily frame (``schema.DAYS``; uses date, hrv_rmssd_ms, recovery_score_state,
            user_calibrating, has_main_sleep). Absent days are fine.
        normal_window: calendar days of the normal range (default 60).
    Returns:
        one row per calendar day from the first to the last date:
        ``date`` datetime64[s]; ``hrv_rmssd_ms`` float64 (valid days only, else NaN);
        ``hrv_ln_rmssd`` float64 ln(ms); ``hrv_ln_rmssd_7d`` float64 ln(ms); ``hrv_7d_days`` int64;
        ``hrv_cv_7d_pct`` float64 %; ``hrv_normal_mean``, ``hrv_normal_low``, ``hrv_normal_high``
        float64 ln(ms); ``hrv_normal_days`` int64 (valid days in the window before the day);
        ``hrv_below_normal``, ``hrv_above_normal`` bool (7-day mean outside the band; False when
        either side is NaN); ``hrv_below_streak_days`` int64 (consecutive days below, ending today).
        Empty input -> empty frame with these columns.
    """
    cal = full_calendar(days)
    rmssd = valid_columns(cal, ["hrv_rmssd_ms"])["hrv_rmssd_ms"]
    rmssd = rmssd.where(rmssd > 0)
    ln = np.log(rmssd)
    roll7 = ln.rolling(HRV_7D_DAYS, min_periods=1)
    n7 = rolling_count(ln, HRV_7D_DAYS)
    mean7 = roll7.mean().where(n7 >= HRV_7D_MIN_DAYS)
    cv7 = (100 * roll7.std(ddof=1) / roll7.mean()).where(n7 >= HRV_7D_MIN_DAYS)
    nmean, nsd, ncount = _trailing(ln, normal_window, min_days(normal_window), include_today=False)
    low = nmean - HRV_NORMAL_SD_FACTOR * nsd
    high = nmean + HRV_NORMAL_SD_FACTOR * nsd
    below = (mean7 < low).fillna(False).astype(bool)
    above = (mean7 > high).fillna(False).astype(bool)
    out = pd.DataFrame({
        "date": cal["date"], "hrv_rmssd_ms": rmssd, "hrv_ln_rmssd": ln,
        "hrv_ln_rmssd_7d": mean7, "hrv_7d_days": n7, "hrv_cv_7d_pct": cv7,
        "hrv_normal_mean": nmean, "hrv_normal_low": low, "hrv_normal_high": high,
        "hrv_normal_days": ncount, "hrv_below_normal": below, "hrv_above_normal": above,
        "hrv_below_streak_days": streak(below),
    })
    return out.reset_index(drop=True)


def streak(flag: pd.Series) -> pd.Series:
    """Length (int64) of the run of consecutive True values ending at each row (0 where False)."""
    f = flag.to_numpy(dtype=bool)
    if f.size == 0:
        return pd.Series(np.zeros(0, dtype="int64"), index=flag.index)
    idx = np.arange(f.size)
    last_false = np.maximum.accumulate(np.where(~f, idx, -1))
    return pd.Series(np.where(f, idx - last_false, 0).astype("int64"), index=flag.index)


def metric_baselines(days: pd.DataFrame, *, window: int = BASELINE_WINDOW_DAYS) -> pd.DataFrame:
    """Resting HR, respiratory rate, skin temperature and SpO2 against a trailing baseline.

    For each metric of the catalogue with a baseline prefix ``p`` and unit suffix ``u``
    (:func:`whoop.metrics.catalog.with_baseline`: rhr bpm, resp rpm, skin_temp c, spo2 pct):
    ``{p}_baseline_{u}`` = mean of valid values in the ``window`` calendar days before the day,
    ``{p}_sd_{u}`` = their sample SD, ``{p}_dev_{u}`` = value - baseline, ``{p}_z`` = dev / SD
    (NaN when SD is 0), ``{p}_days`` = valid days in the window (int64). Baselines need
    ``min_days(window)`` valid days, else NaN. Valid = the metric's catalogue rule (scored,
    non-calibrating, main sleep; respiratory rate: scored main sleep). Source: common athlete-monitoring
    practice of individual rolling baselines (e.g. Buchheit 2014 Front Physiol 5:73); WHOOP's own 30-day view.

    Args:
        days: daily frame (``schema.DAYS``).
        window: baseline length in days (default 30).
    Returns:
        one row per calendar day: ``date`` datetime64[s], the daily value columns
        (``resting_heart_rate_bpm``, ``respiratory_rate_rpm``, ``skin_temp_c``, ``spo2_pct``...,
        float64, NaN where not valid) and the five columns per prefix above.
    """
    cal = full_calendar(days)
    metrics = with_baseline()
    valid = valid_columns(cal, [m.column for m in metrics])
    out = pd.DataFrame({"date": cal["date"]})
    need = min_days(window)
    for m in metrics:
        prefix, unit, values = m.baseline, m.suffix, valid[m.column]
        mean, sd, count = _trailing(values, window, need, include_today=False)
        dev = values - mean
        out[m.column] = values
        out[f"{prefix}_baseline_{unit}"] = mean
        out[f"{prefix}_sd_{unit}"] = sd
        out[f"{prefix}_dev_{unit}"] = dev
        out[f"{prefix}_z"] = dev / sd.where(sd > 1e-9)
        out[f"{prefix}_days"] = count
    return out.reset_index(drop=True)


def baselines(days: pd.DataFrame, *, hrv_window: int = HRV_NORMAL_WINDOW_DAYS,
              window: int = BASELINE_WINDOW_DAYS) -> pd.DataFrame:
    """:func:`hrv_baseline` and :func:`metric_baselines` side by side (one row per calendar day);
    the frame written to ``baselines.csv``."""
    hrv = hrv_baseline(days, normal_window=hrv_window)
    other = metric_baselines(days, window=window)
    if hrv["date"].equals(other["date"]) and not (set(hrv.columns) & set(other.columns)) - {"date"}:
        # the same calendar (as always): side by side as they are, what the merge would give
        return pd.concat([hrv, other.drop(columns="date")], axis=1)
    return hrv.merge(other, on="date", how="outer").sort_values("date").reset_index(drop=True)


def flag_messages(base: pd.DataFrame, *, z_limit: float = UNUSUAL_Z) -> list[str]:
    """Plain-language flags for the latest day of a :func:`baselines` frame (Overview page):
    :func:`flag_lists` of its last row. Returns [] for an empty frame or a last day with nothing
    unusual."""
    return flag_lists(base.iloc[-1:], z_limit=z_limit)[0] if len(base) else []


def flag_lists(base: pd.DataFrame, *, z_limit: float = UNUSUAL_Z) -> list[list[str]]:
    """Plain-language flags of every row of a :func:`baselines` frame (the Overview's for its
    latest day, the Team page's for each athlete's), in one pass over the columns.

    * "HRV below your normal range for N days" when ``hrv_below_streak_days`` >= 1
      (and "HRV above your normal range" when above);
    * "<name> is N.N SD above/below your baseline" when ``|z| >= z_limit`` (default 2), the
      catalogue's name of each metric with a baseline, in catalogue order.
    Absent columns and missing values flag nothing.

    Returns:
        one list of messages per row, in row order ([] for a row with nothing unusual).
    """
    n = len(base)
    msgs: list[list[str]] = [[] for _ in range(n)]

    def numbers(column: str) -> np.ndarray:
        if column not in base.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(base[column], errors="coerce").to_numpy(dtype="float64",
                                                                     na_value=np.nan)

    below = np.nan_to_num(numbers("hrv_below_streak_days"), nan=0.0)
    above = (base["hrv_above_normal"].fillna(False).to_numpy(dtype=bool)
             if "hrv_above_normal" in base.columns else np.zeros(n, dtype=bool))
    for i in np.flatnonzero((below >= 1) | above):
        days = int(below[i])
        msgs[i].append(f"HRV below your normal range for {days} day{'s' if days != 1 else ''}"
                       if days >= 1 else "HRV above your normal range")
    for m in with_baseline():
        z = numbers(f"{m.baseline}_z")
        for i in np.flatnonzero(~np.isnan(z) & (np.abs(z) >= z_limit)):
            side = "above" if z[i] > 0 else "below"
            msgs[i].append(f"{m.name} is {abs(z[i]):.1f} SD {side} your baseline")
    return msgs
