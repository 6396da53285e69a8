"""Streamlit glue that puts the analytics of :mod:`whoop.metrics` on the pages (Overview, HRV,
Sleep, Strain, Data): cached whole-history computations, range slicing, the "insufficient data"
callouts, the Overview flags and small display formats.

History-dependent numbers (baselines, the HRV normal range, the 14-night sleep-debt ledger,
rolling clock times, EWMA training load) are computed on the athlete's *whole* history and only
then sliced to the sidebar range, so the first day of a range has the same baseline as it has in
a longer range. Each computation is ``st.cache_data`` keyed by (database location, the athlete's
data version: :func:`whoop.ui.data.athlete_key`, athlete id, the settings' windows): health
frames only, never a token or secret. Display units (kJ/kcal, °C/°F, 12/24 h) are applied at
display time from
:func:`whoop.ui.analytics.current_settings`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from whoop.metrics import baselines as mb
from whoop.metrics import clock as mc
from whoop.metrics import exclusions as mx
from whoop.metrics import load as ml
from whoop.metrics import quality as mq
from whoop.metrics import sleep as ms
from whoop.metrics.basic import Kpi, in_range, local_in_range
from whoop.metrics.catalog import by_prefix, with_baseline
from whoop.metrics.units import Settings, format_duration, missing
from whoop.ui import data

INSUFFICIENT_ICON = ":material/hourglass_empty:"


def settings() -> Settings:
    """The effective display and window settings (:func:`whoop.ui.analytics.current_settings`)."""
    from whoop.ui.analytics import current_settings

    return current_settings()


def _key(athlete_id: int) -> tuple[str, str]:
    return data.athlete_key(athlete_id)


# ------------------------------------------------------------------- cached computations
_CACHE: data.CacheOptions = dict(ttl=data.TTL_S, max_entries=data.MAX_ENTRIES, show_spinner=False)


@st.cache_data(**_CACHE)
def _baselines(location: str, version: str, athlete_id: int, hrv_window: int,
               window: int) -> pd.DataFrame:
    return mb.baselines(data.days(athlete_id), hrv_window=hrv_window, window=window)


def baselines(athlete_id: int, s: Settings) -> pd.DataFrame:
    """:func:`whoop.metrics.baselines.baselines` over the whole history with the settings'
    windows (one row per calendar day, first to last day)."""
    return _baselines(*_key(athlete_id), athlete_id, s.hrv_normal_window_days, s.baseline_window_days)


@dataclass(frozen=True)
class SleepFrames:
    """Whole-history sleep analytics, one row per calendar day each: ``split``
    (:func:`~whoop.metrics.sleep.sleep_need_split`), ``ledger``
    (:func:`~whoop.metrics.sleep.sleep_debt_ledger`), ``stages``
    (:func:`~whoop.metrics.sleep.stage_percentages`), ``clock``
    (:func:`~whoop.metrics.clock.rolling_clock`, 14-day window)."""

    split: pd.DataFrame
    ledger: pd.DataFrame
    stages: pd.DataFrame
    clock: pd.DataFrame


@st.cache_data(**_CACHE)
def _sleep(location: str, version: str, athlete_id: int) -> SleepFrames:
    days = data.days(athlete_id)
    return SleepFrames(ms.sleep_need_split(days), ms.sleep_debt_ledger(days),
                       ms.stage_percentages(days), mc.rolling_clock(days, window=14))


def sleep_frames(athlete_id: int) -> SleepFrames:
    """The athlete's :class:`SleepFrames` (cached per data version)."""
    return _sleep(*_key(athlete_id), athlete_id)


@st.cache_data(**_CACHE)
def _regularity(location: str, version: str, athlete_id: int, start: date,
                end: date) -> tuple[pd.DataFrame, float]:
    days = in_range(data.days(athlete_id), start, end)
    return mc.sleep_regularity(days), mc.social_jet_lag_min(days)


def regularity(athlete_id: int, start: date, end: date) -> tuple[pd.DataFrame, float]:
    """(:func:`~whoop.metrics.clock.sleep_regularity` table, social jet lag in minutes or NaN)
    of the nights in ``[start, end]``."""
    return _regularity(*_key(athlete_id), athlete_id, start, end)


@st.cache_data(**_CACHE)
def _load(location: str, version: str, athlete_id: int, acute: int, chronic: int) -> pd.DataFrame:
    return ml.training_load(data.days(athlete_id), acute=acute, chronic=chronic)


def training_load(athlete_id: int, s: Settings) -> pd.DataFrame:
    """:func:`whoop.metrics.load.training_load` over the whole history with the settings'
    acute / chronic time constants."""
    return _load(*_key(athlete_id), athlete_id, s.acute_days, s.chronic_days)


@st.cache_data(**_CACHE)
def _pairs(location: str, version: str, athlete_id: int) -> pd.DataFrame:
    return ml.strain_vs_next_recovery(data.days(athlete_id))


def strain_pairs(athlete_id: int) -> pd.DataFrame:
    """:func:`whoop.metrics.load.strain_vs_next_recovery` over the whole history."""
    return _pairs(*_key(athlete_id), athlete_id)


@st.cache_data(**_CACHE)
def _workout_frames(location: str, version: str, athlete_id: int, start: date,
                    end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    workouts = local_in_range(data.records("workouts", athlete_id), start, end)
    freq = "W" if (end - start).days <= 120 else "MS"
    return ml.weekly_zone_minutes(workouts), ml.workouts_by_activity(workouts, freq=freq)


def workout_frames(athlete_id: int, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`whoop.metrics.load.weekly_zone_minutes` of scored workouts, weeks from Monday;
    :func:`whoop.metrics.load.workouts_by_activity` per week (ranges up to 120 days, labelled by
    the Monday) or per month) for workouts whose local start date is in ``[start, end]``."""
    return _workout_frames(*_key(athlete_id), athlete_id, start, end)


@st.cache_data(**_CACHE)
def _quality(location: str, version: str, athlete_id: int, start: date,
             end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = data.days(athlete_id)
    cov = mq.coverage(days, start=start, end=end)
    excl = mq.excluded_counts(in_range(days, start, end),
                              local_in_range(data.records("sleeps", athlete_id), start, end),
                              local_in_range(data.records("workouts", athlete_id), start, end))
    return cov, excl


def quality(athlete_id: int, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(coverage map of ``[start, end]``, excluded-record counts of the days, sleeps and
    workouts in the range) (:mod:`whoop.metrics.quality`)."""
    return _quality(*_key(athlete_id), athlete_id, start, end)


def exclusion_why(excl: pd.DataFrame, athlete_id: int, last_day: date) -> list[str]:
    """Why each row of :func:`quality`'s excluded-record counts is left out, worded by where
    the athlete's data comes from (sync or export) and its age
    (:func:`whoop.metrics.exclusions.why`; today = this machine's date)."""
    synced = mx.is_synced(data.days(athlete_id)["source"].dropna().unique())
    today = date.today()
    return [mx.why(r, w, synced=synced, last_day=last_day, today=today)
            for r, w in zip(excl["record"], excl["reason"], strict=True)]


# ----------------------------------------------------------------------------- display
def insufficient(reason: str) -> None:
    """The standard insufficient-data state: ``st.warning("Insufficient data: <reason>")``."""
    st.warning(f"Insufficient data: {reason}", icon=INSUFFICIENT_ICON)


def latest_row(frame: pd.DataFrame, columns: list[str]) -> pd.Series | None:
    """The last row of ``frame`` with a value in any of ``columns`` (None when none has)."""
    ok = frame[columns].notna().any(axis=1)
    return frame[ok].iloc[-1] if ok.any() else None


def flags(base: pd.DataFrame, asof: date) -> tuple[list[str], pd.Series | None]:
    """Plain-language flags (:func:`whoop.metrics.baselines.flag_messages`) for the latest day
    on or before ``asof`` that has an HRV 7-day mean or any baseline input, and that row."""
    upto = in_range(base, None, asof)
    cols = ["hrv_ln_rmssd_7d", *(m.column for m in with_baseline())]
    row = latest_row(upto, cols)
    if row is None:
        return [], None
    return mb.flag_messages(upto[upto["date"] <= row["date"]]), row


def hrv_ms(ln_value: float) -> float:
    """exp(ln RMSSD): a mean of ln(ms) back in ms (a geometric mean)."""
    return float(np.exp(ln_value)) if not missing(ln_value) else float("nan")


def fmt_clock_spread(stats_row: pd.Series, s: Settings) -> str:
    """"23:10 ± 0:35 (n=60)" from a :func:`~whoop.metrics.clock.sleep_regularity` row."""
    if not bool(stats_row["sufficient"]):
        return f"insufficient data (n={int(stats_row['n'])})"
    sd = stats_row["sd_min"]
    spread = format_duration(sd) if not missing(sd) and np.isfinite(sd) else "–"
    return f"{s.clock_label(stats_row['mean_min'])} ± {spread} (n={int(stats_row['n'])})"


# ------------------------------------------------------------ "normal for you?" one-liners
def _row_at(frame: pd.DataFrame, day: date | None) -> pd.Series | None:
    if day is None:
        return None
    hit = frame[frame["date"] == pd.Timestamp(day)]
    return hit.iloc[-1] if len(hit) else None


def hrv_kpi(base: pd.DataFrame, kpi: Kpi) -> tuple[Kpi, bool | None]:
    """The HRV card against the one HRV baseline the normal range and Explain a day use: the
    night's RMSSD (ms) against exp(mean ln RMSSD) of the ``hrv_normal_window_days`` before
    (:func:`whoop.metrics.baselines.hrv_baseline`, Plews et al. 2012/2013).

    Returns:
        ``kpi`` with ``baseline`` (ms), ``n`` (days in the baseline), ``delta`` (value -
        baseline, ms) and ``sd`` NaN; and whether the card is unusual: the 7-day mean outside
        the normal range (the rule of :func:`hrv_line`), None while the range is not known yet
        (then ``baseline`` and ``delta`` are NaN too)."""
    r = _row_at(base, kpi.day)
    if r is None or missing(r["hrv_normal_mean"]):
        n = 0 if r is None else int(r["hrv_normal_days"])
        return replace(kpi, baseline=float("nan"), n=n, delta=float("nan"),
                       sd=float("nan")), None
    centre = hrv_ms(r["hrv_normal_mean"])
    outside = bool(r["hrv_below_normal"]) or bool(r["hrv_above_normal"])
    return replace(kpi, baseline=centre, n=int(r["hrv_normal_days"]), delta=kpi.value - centre,
                   sd=float("nan")), outside


def baseline_kpi(base: pd.DataFrame, prefix: str, kpi: Kpi) -> tuple[Kpi, bool | None]:
    """A card of a catalogue metric with a baseline (``prefix``) measured against the same baseline as its
    "normal for you" words (:func:`baseline_line`: the settings' window, not a fixed 30 days),
    and whether it is unusual (|z| >= 2; None without a z)."""
    u = by_prefix(prefix).suffix
    r = _row_at(base, kpi.day)
    if r is None or missing(r[f"{prefix}_z"]):
        n = 0 if r is None else int(r[f"{prefix}_days"])
        return replace(kpi, baseline=float("nan"), n=n, delta=float("nan"),
                       sd=float("nan")), None
    return replace(kpi, baseline=float(r[f"{prefix}_baseline_{u}"]),
                   n=int(r[f"{prefix}_days"]), delta=float(r[f"{prefix}_dev_{u}"]),
                   sd=float(r[f"{prefix}_sd_{u}"])), abs(float(r[f"{prefix}_z"])) >= mb.UNUSUAL_Z


def hrv_line(base: pd.DataFrame, day: date | None, s: Settings) -> str:
    """HRV 7-day mean (ms) against the normal range on ``day``, in a few words."""
    r = _row_at(base, day)
    if r is None or missing(r["hrv_ln_rmssd_7d"]):
        return f"7-day mean: insufficient data (needs {mb.HRV_7D_MIN_DAYS} of 7 nights)."
    mean7 = hrv_ms(r["hrv_ln_rmssd_7d"])
    w = s.hrv_normal_window_days
    if missing(r["hrv_normal_low"]):
        return (f"7-day mean {mean7:.0f} ms; normal range: insufficient data "
                f"({int(r['hrv_normal_days'])} of {mb.min_days(w)} nights).")
    lo, hi = hrv_ms(r["hrv_normal_low"]), hrv_ms(r["hrv_normal_high"])
    where = ("**below**" if r["hrv_below_normal"] else "**above**" if r["hrv_above_normal"]
             else "within")
    return (f"7-day mean {mean7:.0f} ms, {where} your normal {lo:.0f}–{hi:.0f} ms "
            f"({w} d, {int(r['hrv_normal_days'])} nights).")


def baseline_line(base: pd.DataFrame, prefix: str, day: date | None, s: Settings, *,
                  named: bool = False, z_limit: float = mb.UNUSUAL_Z) -> str:
    """An input's deviation and z-score against its baseline on ``day``, in a few words
    (starting with the input's name when ``named``)."""
    metric = by_prefix(prefix)
    col, name, u = metric.column, metric.label, metric.suffix
    lead = f"{name}: " if named else ""
    r = _row_at(base, day)
    w = s.baseline_window_days
    if r is None or missing(r[col]):
        return f"{lead}no valid value on this day." if named else "No valid value on this day."
    if missing(r[f"{prefix}_z"]):
        return (f"{lead}{'b' if named else 'B'}aseline: insufficient data "
                f"({int(r[f'{prefix}_days'])} of {mb.min_days(w)} days).")
    z = float(r[f"{prefix}_z"])
    verdict = "**unusual for you**" if abs(z) >= z_limit else "normal for you"
    return (f"{lead}{metric.fmt(r[f'{prefix}_dev_{u}'], s, delta=True)} vs your "
            f"{w}-day baseline, z {z:+.1f} ({int(r[f'{prefix}_days'])} d): {verdict}.")


def ledger_line(ledger: pd.DataFrame, day: date | None) -> str:
    """Sleep vs need over the 7 nights ending on ``day`` (sum of the nightly balances against
    the need without its debt part, :func:`~whoop.metrics.sleep.sleep_debt_ledger`), the
    14-night debt with the 7 nights before that explain any difference (the 14-night ledger is
    max(0, shortfall of the last 7 nights - surplus of the 7 before), so "1 h 56 min short"
    beside "debt 0 min" says why), and WHOOP's own sleep debt that night."""
    r = _row_at(ledger, day)
    if r is None or day is None or missing(r["sleep_balance_min"]):
        return "Sleep vs need: no scored night."
    week = r["debt_7d_min"]
    if missing(week):
        out = "Last 7 nights: too few scored nights to add up."
    elif week > 0:
        out = f"Last 7 nights: {format_duration(week)} **short** of your sleep need."
    else:
        out = f"Last 7 nights: {format_duration(-week)} more than your sleep need."
    debt = r["debt_ledger_min"]
    if not missing(debt):
        out += f" Sleep debt over 14 nights: {format_duration(debt)}"
        end = pd.Timestamp(day)
        before = ledger[(ledger["date"] > end - pd.Timedelta(days=ms.LEDGER_NIGHTS))
                        & (ledger["date"] <= end - pd.Timedelta(days=ms.WEEK_NIGHTS))]
        earlier = before["sleep_balance_min"]
        if not missing(week) and earlier.notna().any():
            surplus = float(earlier.sum())
            word = "more" if surplus >= 0 else "less"
            out += (f" (the 7 nights before slept {format_duration(abs(surplus))} {word} than "
                    "needed" + (", which pays back the shortfall; never below zero"
                                if surplus > 0 and week > 0 else "") + ")")
        out += "."
    if not missing(r["whoop_sleep_debt_min"]):
        out += f" WHOOP's own sleep debt that night: {format_duration(r['whoop_sleep_debt_min'])}."
    return out


def acwr_line(load: pd.DataFrame, day: date | None, s: Settings) -> str:
    """Acute:chronic workload ratio of day strain on ``day`` against the 0.8-1.3 band."""
    r = _row_at(load, day)
    if r is None or missing(r["acwr_strain"]):
        return "Training load (ACWR): no data."
    ratio = float(r["acwr_strain"])
    if bool(r["acwr_provisional"]):
        return (f"Training load ACWR {ratio:.2f}, provisional: {int(r['load_days'])} of the last "
                f"{s.chronic_days} days have data (needs {provisional_need(s)}).")
    lo, hi = ml.SWEET_SPOT
    where = "within" if lo <= ratio <= hi else ("**above**" if ratio > hi else "below")
    return f"Training load ACWR {ratio:.2f}, {where} the {lo}–{hi} range."


def provisional_need(s: Settings) -> int:
    """Days with data the chronic window needs before the ACWR stops being provisional
    (21 of 28, scaled to the chosen chronic window: :mod:`whoop.metrics.load`)."""
    return int(np.ceil(s.chronic_days * ml.PROVISIONAL_MIN_DAYS / ml.CHRONIC_DAYS))
