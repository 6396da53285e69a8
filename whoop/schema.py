"""Canonical record frames: the one shape that the export importer and the API sync both produce
and that :mod:`whoop.store` upserts.

Conventions (docs/ARCHITECTURE.md "Units and names"):

* instants are ``datetime64[us, UTC]`` truncated to whole seconds (the record key precision);
* ``tz_offset_min`` is the record's own UTC offset in minutes (``UTC+05:30`` -> 330, ``UTCZ`` -> 0);
* durations in minutes, energy in kJ (export kcal x 4.184), temperature in degrees C,
  percentages 0-100; measurements are ``float64`` with NaN for missing;
* ``score_state`` is WHOOP's ``SCORED`` / ``PENDING_SCORE`` / ``UNSCORABLE`` (API), and for the
  export: ``SCORED`` when the record has its metrics, ``PENDING_SCORE`` for the open cycle,
  ``UNSCORABLE`` for a closed record whose metrics are all empty;
* provenance: ``source`` is ``export``, ``demo`` or ``api`` (``api+export`` after a merge),
  ``source_ref`` names the file (``my_whoop_data_2025_02_16.zip:sleeps.csv``) or the sync run.

Keys (docs/ARCHITECTURE.md "Storage": athlete + start instant + kind):

=============  ===============================================
table          primary key
=============  ===============================================
cycles         (athlete_id, start_utc)
recoveries     (athlete_id, cycle_start_utc)
sleeps         (athlete_id, start_utc)          (naps share the cycle start, not the onset)
workouts       (athlete_id, start_utc)
journal        (athlete_id, entry_key)          ``entry_key`` = cycle start ISO + question, or
                                                 ``orphan|question|answer|notes`` for rows
                                                 whose cycle fields are empty (docs/EXPORT_QUIRKS.md)
=============  ===============================================

Frames handed to the store need not carry ``athlete_id`` / ``run_id``; the store adds them.
Any column missing from a frame is stored as NULL.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionArray

TS: Final = "datetime64[us, UTC]"
F: Final = "float64"
B: Final = "boolean"
S: Final = "string"
I: Final = "Int64"  # noqa: E741  (the dtype shorthands are one letter: TS, F, B, S, I)

PROVENANCE: dict[str, str] = {
    "source": S,        # export | demo | api | api+export
    "source_ref": S,    # file inside the export, or "sync run 12"
}

API_META: dict[str, str] = {
    "created_at_utc": TS,   # WHOOP's created_at (API only)
    "updated_at_utc": TS,   # WHOOP's updated_at (API only); a rescore moves it
    "raw_json": S,          # the API record exactly as received (API only)
}

CYCLES: dict[str, str] = {
    "start_utc": TS,
    "end_utc": TS,               # NaT for the open (current) cycle
    "tz_offset_min": I,
    "whoop_id": I,               # API cycle id (int64)
    "score_state": S,
    "day_strain": F,             # WHOOP strain 0-21
    "energy_kj": F,
    "avg_heart_rate_bpm": F,
    "max_heart_rate_bpm": F,
    **API_META,
    **PROVENANCE,
}

RECOVERIES: dict[str, str] = {
    "cycle_start_utc": TS,       # the cycle the recovery opens
    "cycle_whoop_id": I,
    "sleep_whoop_id": S,         # UUID of the main sleep (API only)
    "score_state": S,
    "user_calibrating": B,
    "recovery_score": F,         # 0-100 %
    "resting_heart_rate_bpm": F,
    "hrv_rmssd_ms": F,
    "spo2_pct": F,
    "skin_temp_c": F,
    **API_META,
    **PROVENANCE,
}

SLEEPS: dict[str, str] = {
    "start_utc": TS,             # sleep onset
    "end_utc": TS,               # wake onset
    "tz_offset_min": I,
    "whoop_id": S,               # API sleep UUID
    "cycle_whoop_id": I,
    "cycle_start_utc": TS,       # the cycle the sleep belongs to
    "nap": B,
    "score_state": S,
    "sleep_performance_pct": F,
    "sleep_efficiency_pct": F,
    "sleep_consistency_pct": F,
    "respiratory_rate_rpm": F,
    "in_bed_min": F,
    "asleep_min": F,             # light + deep + REM
    "light_sleep_min": F,
    "deep_sleep_min": F,         # slow-wave sleep
    "rem_sleep_min": F,
    "awake_min": F,
    "no_data_min": F,            # API only
    "sleep_need_min": F,         # total need (API: sum of the sleep_needed parts)
    "sleep_debt_min": F,         # export "Sleep debt"; API need_from_sleep_debt
    "need_baseline_min": F,      # API only
    "need_strain_min": F,        # API only
    "need_nap_min": F,           # API only, <= 0
    "sleep_cycle_count": I,      # API only
    "disturbance_count": I,      # API only
    **API_META,
    **PROVENANCE,
}

WORKOUTS: dict[str, str] = {
    "start_utc": TS,
    "end_utc": TS,
    "tz_offset_min": I,
    "whoop_id": S,               # API workout UUID
    "cycle_start_utc": TS,       # export: the parent cycle; API: the cycle whose interval holds start
    "sport_name": S,             # export "Activity name" as written; API sport_name
    "score_state": S,
    "activity_strain": F,
    "energy_kj": F,
    "avg_heart_rate_bpm": F,
    "max_heart_rate_bpm": F,
    "duration_min": F,
    "percent_recorded": F,       # API only
    "hr_zone_0_min": F,          # API only (the export has no zone 0)
    "hr_zone_1_min": F,          # export: zone % x duration / 100
    "hr_zone_2_min": F,
    "hr_zone_3_min": F,
    "hr_zone_4_min": F,
    "hr_zone_5_min": F,
    "distance_m": F,
    "altitude_gain_m": F,
    "altitude_change_m": F,
    "gps_enabled": B,
    **API_META,
    **PROVENANCE,
}

JOURNAL: dict[str, str] = {
    "entry_key": S,
    "cycle_start_utc": TS,       # NaT for orphan rows
    "cycle_end_utc": TS,
    "tz_offset_min": I,
    "question": S,
    "answered_yes": B,
    "notes": S,
    **PROVENANCE,
}

TABLES: dict[str, dict[str, str]] = {
    "cycles": CYCLES,
    "recoveries": RECOVERIES,
    "sleeps": SLEEPS,
    "workouts": WORKOUTS,
    "journal": JOURNAL,
}

KEYS: dict[str, tuple[str, ...]] = {
    "cycles": ("start_utc",),
    "recoveries": ("cycle_start_utc",),
    "sleeps": ("start_utc",),
    "workouts": ("start_utc",),
    "journal": ("entry_key",),
}

# The columns of the daily table (one row per athlete and day) as written to daily.csv, in order.
DAILY_EXPORT_COLUMNS: list[str] = [
    "athlete", "date", "recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm", "spo2_pct",
    "skin_temp_c", "respiratory_rate_rpm", "day_strain", "energy_kj", "avg_heart_rate_bpm",
    "max_heart_rate_bpm", "sleep_performance_pct", "sleep_efficiency_pct",
    "sleep_consistency_pct", "asleep_min", "in_bed_min", "light_sleep_min", "deep_sleep_min",
    "rem_sleep_min", "awake_min", "sleep_need_min", "sleep_debt_min", "nap_min", "workout_count",
]

# The daily table in the database: the export columns (athlete as athlete_id) plus context.
DAYS: dict[str, str] = {
    "date": "datetime64[s]",     # the day label (docs/ARCHITECTURE.md "The day model"), a calendar date
    "cycle_start_utc": TS,
    "cycle_end_utc": TS,
    "tz_offset_min": I,
    "is_open": B,                # the current cycle, still running
    "has_main_sleep": B,         # False for placeholder cycles (their day = start's local date)
    "cycle_score_state": S,
    "recovery_score_state": S,
    "sleep_score_state": S,
    "user_calibrating": B,
    "recovery_score": F,
    "hrv_rmssd_ms": F,
    "resting_heart_rate_bpm": F,
    "spo2_pct": F,
    "skin_temp_c": F,
    "respiratory_rate_rpm": F,
    "day_strain": F,
    "energy_kj": F,
    "avg_heart_rate_bpm": F,
    "max_heart_rate_bpm": F,
    "sleep_performance_pct": F,
    "sleep_efficiency_pct": F,
    "sleep_consistency_pct": F,
    "asleep_min": F,
    "in_bed_min": F,
    "light_sleep_min": F,
    "deep_sleep_min": F,
    "rem_sleep_min": F,
    "awake_min": F,
    "sleep_need_min": F,
    "sleep_debt_min": F,
    "need_baseline_min": F,
    "need_strain_min": F,
    "need_nap_min": F,
    "disturbance_count": I,      # main sleep, API only
    "sleep_onset_utc": TS,       # main sleep
    "wake_utc": TS,
    "nap_count": I,
    "nap_min": F,
    "workout_count": I,
    "source": S,                 # provenance of the cycle row
}


def empty_frame(table: str) -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes of ``table`` (a key of TABLES, or "days")."""
    return conform(pd.DataFrame(), table)


def conform(frame: pd.DataFrame, table: str, columns: Collection[str] | None = None
            ) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns of ``table``, in order and dtype, and a
    fresh ``RangeIndex``; with ``columns``, only those of them (still in the table's order).

    Missing columns are added as all-missing; extra columns are dropped. Instants are converted to
    UTC and truncated to whole seconds. A column already of its canonical dtype is taken as it is
    (instants are still truncated), so conforming a conformed frame costs little and changes
    nothing; the frame is built once from its columns (pandas copy-on-write keeps the input safe).

    Raises:
        KeyError: ``table`` is not a known table.
        ValueError / TypeError: a column cannot be converted to its canonical dtype.
    """
    spec = DAYS if table == "days" else TABLES[table]
    n = len(frame)
    out = {}
    for col, dtype in spec.items():
        if columns is not None and col not in columns:
            continue
        if col in frame.columns:
            out[col] = _column(frame[col], dtype).array
        else:
            out[col] = missing_array(dtype, n)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _column(values: pd.Series, dtype: str) -> pd.Series:
    """One column in its canonical ``dtype`` (see :func:`conform`)."""
    if dtype == TS:
        if values.dtype != _DTYPES[TS]:
            values = pd.to_datetime(values, utc=True)
        return values.dt.floor("s").astype(TS)
    if dtype == "datetime64[s]":
        return pd.to_datetime(values).astype("datetime64[s]")
    if values.dtype == _DTYPES[dtype]:
        return values
    if dtype == F:
        return pd.to_numeric(values, errors="raise").astype(F)
    return values.astype(_DTYPES[dtype])


def missing_array(dtype: str, n: int) -> np.ndarray | ExtensionArray:
    """An all-missing array of ``n`` values in ``dtype``, one of the canonical dtypes (NaN, NaT
    or <NA>), built without converting ``n`` Python objects.

    Raises:
        ValueError: ``dtype`` is not a canonical dtype.
    """
    if dtype == F:
        return np.full(n, np.nan)
    if dtype == TS:
        return pd.array(np.full(n, np.datetime64("NaT", "us")), dtype="datetime64[us]").tz_localize("UTC")
    if dtype == "datetime64[s]":
        return pd.array(np.full(n, np.datetime64("NaT", "s")), dtype="datetime64[s]")
    if dtype == B:
        return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    if dtype == I:
        return pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
    if dtype == S:
        return pd.array(pa.nulls(n, pa.large_string()), dtype=S)
    raise ValueError(f"{dtype!r} is not one of the canonical dtypes")


#: The pandas dtype objects of the canonical dtype names (equality with a column's dtype).
_DTYPES = {name: pd.api.types.pandas_dtype(name) for name in (TS, F, B, S, I)}
