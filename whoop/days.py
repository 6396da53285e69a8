"""The day model: one row per athlete per day, built from the record tables.

Rules (docs/ARCHITECTURE.md "The day model", after WHOOP's own labelling):

* A cycle runs from one main sleep's onset to the next. Its **day** is the local calendar date
  (the sleep's own UTC offset) of the wake-up that ends the main sleep opening the cycle.
* A cycle without a main sleep (a placeholder after a wear gap, or the first day of an account)
  takes the local date of its start (the cycle's offset).
* Naps never open a day; their minutes go to the cycle they fall in (``nap_min``, ``nap_count``).
* Day labels increase strictly with cycle start. Two cases in real exports would otherwise put
  two cycles on one date: a cycle that starts in the evening but has no recorded sleep (WHOOP's
  "cycle without recovery", not a 00:00 placeholder), and a short main sleep after a flight that
  wakes a second time on the same local date. The later cycle then takes the next date (or, when
  the earlier one is a placeholder without sleep, the placeholder takes the date before), as long
  as that date is free; only otherwise (never seen in real files) the cycle with a main sleep
  wins and the other is left out of the daily table (its records stay).

What a day's row depends on, for rebuilding part of the table (``Store.rebuild_days`` with a
window): its cycle's own records (the recovery keyed by the cycle's start; the sleeps, naps and
workouts whose ``cycle_start_utc`` is the cycle's start or, without one, that start inside the
cycle, so a cycle inserted or deleted moves records from or to the cycle before it), and its
label, which the strictly-increasing rule ties to its neighbours' labels. :func:`day_labels`
computes every label over the whole history from the few columns labels need;
:func:`build_days_window` builds the rows of a contiguous run of cycles with those labels, the
same rows :func:`build_days` gives them.
"""

from __future__ import annotations

import pandas as pd

from whoop import schema

_SLEEP_COLS = [
    "sleep_performance_pct", "sleep_efficiency_pct", "sleep_consistency_pct", "respiratory_rate_rpm",
    "asleep_min", "in_bed_min", "light_sleep_min", "deep_sleep_min", "rem_sleep_min", "awake_min",
    "sleep_need_min", "sleep_debt_min", "need_baseline_min", "need_strain_min", "need_nap_min",
    "disturbance_count",
]
_RECOVERY_COLS = [
    "recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm", "spo2_pct", "skin_temp_c",
    "user_calibrating",
]


def _local_date(instant: pd.Series, offset_min: pd.Series) -> pd.Series:
    """Local calendar date (datetime64[s] at midnight) of UTC ``instant`` at ``offset_min`` minutes."""
    local = instant.dt.tz_convert(None) + pd.to_timedelta(offset_min.astype("float64"), unit="min")
    return local.dt.floor("D").astype("datetime64[s]")


def assign_cycle(records: pd.DataFrame, cycles: pd.DataFrame) -> pd.Series:
    """For each record, the start of the cycle that holds its start (UTC).

    Uses the record's ``cycle_start_utc`` where set, else the latest cycle starting at or before
    the record's ``start_utc`` (cycles are contiguous, so that is the cycle the record falls in).

    Args:
        records: frame with ``start_utc`` and ``cycle_start_utc`` (datetime64[us, UTC]).
        cycles: frame with ``start_utc``.
    Returns:
        datetime64[us, UTC] series aligned to ``records.index``; NaT before the first cycle.
    """
    out = records["cycle_start_utc"].copy()
    missing = out.isna() & records["start_utc"].notna()
    if missing.any() and len(cycles):
        left = records.loc[missing, ["start_utc"]].reset_index().sort_values("start_utc")
        right = cycles[["start_utc"]].rename(columns={"start_utc": "cycle"}).sort_values("cycle")
        matched = pd.merge_asof(left, right, left_on="start_utc", right_on="cycle", direction="backward")
        out.loc[matched["index"].to_numpy()] = matched["cycle"].to_numpy()
    return out


def _strictly_increasing(labels: pd.Series, has_main_sleep: pd.Series) -> pd.Series:
    """Resolve labels that do not exceed their predecessor's (both ordered by cycle start).

    When the earlier cycle of a colliding pair has no main sleep (a placeholder) and the date
    before is free, the placeholder moves back a day; otherwise the later cycle moves to the next
    date when that is still free (below its successor's label).
    """
    values = labels.to_numpy().copy()
    sleeps = has_main_sleep.to_numpy()
    one_day = pd.Timedelta(days=1).to_timedelta64()
    for i in range(1, len(values)):
        if values[i] > values[i - 1]:
            continue
        back = values[i] - one_day
        if not sleeps[i - 1] and sleeps[i] and (i == 1 or back > values[i - 2]):
            values[i - 1] = back
            continue
        forward = values[i - 1] + one_day
        if i == len(values) - 1 or forward < values[i + 1]:
            values[i] = forward
    return pd.Series(values, index=labels.index)


def _per_cycle(cycles: pd.DataFrame, recoveries: pd.DataFrame, sleeps: pd.DataFrame,
               workouts: pd.DataFrame) -> pd.DataFrame:
    """One row per cycle (sorted by start) with its recovery, main sleep, nap and workout
    aggregates, ``has_main_sleep`` and ``is_open``; no ``date`` yet. A cycle's row depends only
    on the cycle and the records assigned to it (:func:`assign_cycle`)."""
    cyc = schema.conform(cycles, "cycles").sort_values("start_utc").reset_index(drop=True)
    rec = schema.conform(recoveries, "recoveries")
    slp = schema.conform(sleeps, "sleeps")
    wko = schema.conform(workouts, "workouts")
    slp["cycle_start_utc"] = assign_cycle(slp, cyc)
    wko["cycle_start_utc"] = assign_cycle(wko, cyc)

    main = slp[slp["nap"].fillna(False).eq(False) & slp["cycle_start_utc"].notna()]
    main = main.sort_values("start_utc").drop_duplicates("cycle_start_utc", keep="first")
    main = main.rename(columns={"start_utc": "sleep_onset_utc", "end_utc": "wake_utc",
                                "score_state": "sleep_score_state",
                                "tz_offset_min": "sleep_tz_offset_min"})
    naps = slp[slp["nap"].fillna(False).eq(True) & slp["cycle_start_utc"].notna()]
    nap_agg = naps.groupby("cycle_start_utc").agg(nap_count=("start_utc", "size"),
                                                  nap_min=("asleep_min", "sum"))
    wko_agg = wko[wko["cycle_start_utc"].notna()].groupby("cycle_start_utc").agg(
        workout_count=("start_utc", "size"))
    rec = rec.rename(columns={"score_state": "recovery_score_state"})

    day = cyc.rename(columns={"start_utc": "cycle_start_utc", "end_utc": "cycle_end_utc",
                              "score_state": "cycle_score_state"})
    day = day.merge(rec[["cycle_start_utc", "recovery_score_state", *_RECOVERY_COLS]],
                    on="cycle_start_utc", how="left")
    day = day.merge(main[["cycle_start_utc", "sleep_onset_utc", "wake_utc", "sleep_score_state",
                          "sleep_tz_offset_min", *_SLEEP_COLS]], on="cycle_start_utc", how="left")
    day = day.merge(nap_agg, left_on="cycle_start_utc", right_index=True, how="left")
    day = day.merge(wko_agg, left_on="cycle_start_utc", right_index=True, how="left")

    day["has_main_sleep"] = day["wake_utc"].notna()
    day["is_open"] = day["cycle_end_utc"].isna()
    return day


def _dated(day: pd.DataFrame) -> pd.DataFrame:
    """:func:`_per_cycle` rows of a whole history -> the kept rows with their ``date`` (the
    module docstring's rules: wake date or start date, strictly increasing, one cycle a date)."""
    wake_offset = day["sleep_tz_offset_min"].fillna(day["tz_offset_min"]).fillna(0)
    by_wake = _local_date(day["wake_utc"], wake_offset)
    by_start = _local_date(day["cycle_start_utc"], day["tz_offset_min"].fillna(0))
    day["date"] = _strictly_increasing(by_wake.where(day["has_main_sleep"], by_start),
                                       day["has_main_sleep"])
    day = day.sort_values(["date", "has_main_sleep", "cycle_start_utc"])
    return day.drop_duplicates("date", keep="last")


def _finish(day: pd.DataFrame) -> pd.DataFrame:
    """Dated rows -> the ``schema.DAYS`` frame (counts without naps or workouts are 0)."""
    day["nap_count"] = day["nap_count"].fillna(0)
    day["nap_min"] = day["nap_min"].fillna(0.0)
    day["workout_count"] = day["workout_count"].fillna(0)
    return schema.conform(day, "days").sort_values("date").reset_index(drop=True)


def build_days(cycles: pd.DataFrame, recoveries: pd.DataFrame, sleeps: pd.DataFrame,
               workouts: pd.DataFrame) -> pd.DataFrame:
    """The daily table of one athlete.

    Args:
        cycles, recoveries, sleeps, workouts: frames with the columns of :mod:`whoop.schema`
            (CYCLES, RECOVERIES, SLEEPS, WORKOUTS) for a single athlete; extra columns ignored.
    Returns:
        A frame with exactly the columns of ``schema.DAYS`` (``date`` datetime64[s], instants
        datetime64[us, UTC], measures float64), one row per day, sorted by ``date``. Days without
        any cycle are absent (gaps stay gaps). Units as in schema.py.
    """
    if cycles.empty:
        return schema.empty_frame("days")
    return _finish(_dated(_per_cycle(cycles, recoveries, sleeps, workouts)))


def day_labels(cycles: pd.DataFrame, sleeps: pd.DataFrame) -> pd.DataFrame:
    """The date of every cycle that gets a row in :func:`build_days` of the same history.

    A label depends on the cycle's start and offset and on its main sleep's wake-up and offset,
    and, through the strictly-increasing rule, on its neighbours' labels, so it is computed over
    the athlete's whole history; only these columns are needed, which keeps that cheap.

    Args:
        cycles: the athlete's cycles (at least ``start_utc``, ``end_utc``, ``tz_offset_min``).
        sleeps: the athlete's sleeps (at least ``start_utc``, ``end_utc``, ``tz_offset_min``,
            ``nap``, ``cycle_start_utc``).
    Returns:
        Frame ``cycle_start_utc`` (datetime64[us, UTC]), ``date`` (datetime64[s]) of the kept
        cycles, sorted by ``date``; empty without cycles.
    """
    if cycles.empty:
        return schema.empty_frame("days")[["cycle_start_utc", "date"]]
    none = cycles.iloc[0:0]
    day = _dated(_per_cycle(cycles, none, sleeps, none))
    return day[["cycle_start_utc", "date"]].sort_values("date").reset_index(drop=True)


def build_days_window(cycles: pd.DataFrame, recoveries: pd.DataFrame, sleeps: pd.DataFrame,
                      workouts: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The rows :func:`build_days` gives a contiguous run of an athlete's cycles, without
    reading the rest of the history.

    A row depends on its cycle's own records and on its label; the labels come from
    :func:`day_labels` over the whole history. So for the same rows as the full build:

    Args:
        cycles: a contiguous run of the athlete's cycles (no cycle of the history missing
            between the first and the last).
        recoveries, sleeps, workouts: every record assigned to those cycles: ``cycle_start_utc``
            one of theirs, or (sleeps, workouts) ``cycle_start_utc`` missing and ``start_utc``
            from the first cycle's start up to the start of the cycle after the last one.
            Records assigned to other cycles may be passed too (they match none of ``cycles``),
            except sleeps or workouts without ``cycle_start_utc`` starting at or after the start
            of the cycle after the last one (they would fall into the last).
        labels: :func:`day_labels` of the whole history.
    Returns:
        The ``schema.DAYS`` rows of the kept cycles of ``cycles`` (as :func:`build_days`).
    """
    if cycles.empty:
        return schema.empty_frame("days")
    day = _per_cycle(cycles, recoveries, sleeps, workouts)
    day = day.merge(labels[["cycle_start_utc", "date"]], on="cycle_start_utc", how="inner")
    return _finish(day)
