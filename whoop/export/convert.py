"""Convert parsed export tables (:class:`~whoop.export.table.RawTable`) into the canonical record
frames of :mod:`whoop.schema`.

Rules and their sources:

* instants: local wall-clock minus the row's ``Cycle timezone`` offset
  (docs/WHOOP.md#timestamps-and-offsets);
* energy: the export's "Energy burned (cal)" is kcal, x 4.184 -> kJ (docs/WHOOP.md#units);
* workout zone minutes: ``HR Zone n %`` / 100 x ``Duration (min)`` (schema.WORKOUTS);
* score_state for export rows: PENDING_SCORE for the open cycle, SCORED when metrics are present,
  UNSCORABLE when a closed record has none (schema.py docstring);
* keys: cycles by start, sleeps by onset (naps share the cycle start, docs/EXPORT_QUIRKS.md),
  workouts by start; the journal (streamed) in :mod:`whoop.export.journal` (docs/EXPORT_QUIRKS.md);
* a main sleep belongs to the cycle whose physiological_cycles.csv row names its onset
  (``Sleep onset``), and only otherwise to the cycle its sleeps.csv row names: some exports file
  a main sleep under the previous cycle's ``Cycle start time`` (docs/EXPORT_QUIRKS.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whoop import schema
from whoop.export import table as T
from whoop.export.table import RawTable

KCAL_TO_KJ = 4.184  # thermochemical calorie (docs/ARCHITECTURE.md "Units and names")

_SLEEP_FIELDS = {
    "Sleep performance %": "sleep_performance_pct",
    "Sleep efficiency %": "sleep_efficiency_pct",
    "Sleep consistency %": "sleep_consistency_pct",
    "Respiratory rate (rpm)": "respiratory_rate_rpm",
    "In bed duration (min)": "in_bed_min",
    "Asleep duration (min)": "asleep_min",
    "Light sleep duration (min)": "light_sleep_min",
    "Deep (SWS) duration (min)": "deep_sleep_min",
    "REM duration (min)": "rem_sleep_min",
    "Awake duration (min)": "awake_min",
    "Sleep need (min)": "sleep_need_min",
    "Sleep debt (min)": "sleep_debt_min",
}
_RECOVERY_FIELDS = {
    "Recovery score %": "recovery_score",
    "Resting heart rate (bpm)": "resting_heart_rate_bpm",
    "Heart rate variability (ms)": "hrv_rmssd_ms",
    "Skin temp (celsius)": "skin_temp_c",
    "Blood oxygen %": "spo2_pct",
}


def _any_present(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    return frame[cols].notna().any(axis=1).to_numpy()


def _provenance(frame: pd.DataFrame, source: str, ref: str) -> None:
    frame["source"] = source
    frame["source_ref"] = ref


def dedup_keep_last(frame: pd.DataFrame, key: str, what: str, file: str,
                    warnings: list[str]) -> pd.DataFrame:
    """Drop rows whose ``key`` repeats, keeping the last (docs/ARCHITECTURE.md "Storage": dedupe
    keep-last)."""
    dup = frame.duplicated(key, keep="last")
    if dup.any():
        warnings.append(f"{int(dup.sum())} {what} in {file} repeat the start time of another row; "
                        "kept the last of each")
        frame = frame[~dup.to_numpy()]
    return frame


def _sleep_frame(t: RawTable, offset: pd.Series, cycle_start: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({
        "start_utc": T.utc_time(t, "Sleep onset", offset, required=True),
        "end_utc": T.utc_time(t, "Wake onset", offset),
        "tz_offset_min": offset,
        "cycle_start_utc": cycle_start,
    })
    for col, name in _SLEEP_FIELDS.items():
        out[name] = T.number(t, col)
    scored = _any_present(out, list(_SLEEP_FIELDS.values()))
    out["score_state"] = np.where(scored, "SCORED",
                                  np.where(out["end_utc"].isna(), "PENDING_SCORE", "UNSCORABLE"))
    return out


def cycles(t: RawTable, source: str, warnings: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """physiological_cycles.csv -> (cycles, recoveries) canonical frames.

    A recoveries row exists only for cycles with at least one recovery metric (docs/EXPORT_QUIRKS.md:
    cycles without a scored sleep have empty recovery columns); ``user_calibrating`` is unknown.
    """
    offset = T.tz_offset_min(t)
    start = T.utc_time(t, "Cycle start time", offset, required=True)
    out = pd.DataFrame({
        "start_utc": start,
        "end_utc": T.utc_time(t, "Cycle end time", offset),
        "tz_offset_min": offset,
        "day_strain": T.number(t, "Day Strain"),
        "energy_kj": T.number(t, "Energy burned (cal)") * KCAL_TO_KJ,
        "avg_heart_rate_bpm": T.number(t, "Average HR (bpm)"),
        "max_heart_rate_bpm": T.number(t, "Max HR (bpm)"),
    })
    metrics = _any_present(out, ["day_strain", "energy_kj", "avg_heart_rate_bpm",
                                 "max_heart_rate_bpm"])
    out["score_state"] = np.where(out["end_utc"].isna(), "PENDING_SCORE",
                                  np.where(metrics, "SCORED", "UNSCORABLE"))
    _provenance(out, source, t.file)

    rec = pd.DataFrame({"cycle_start_utc": start})
    for col, name in _RECOVERY_FIELDS.items():
        rec[name] = T.number(t, col)
    rec["score_state"] = np.where(rec["recovery_score"].notna(), "SCORED", "UNSCORABLE")
    _provenance(rec, source, t.file)
    rec = rec[_any_present(rec, list(_RECOVERY_FIELDS.values()))]

    out = dedup_keep_last(out, "start_utc", "cycles", t.file, warnings)
    rec = rec.drop_duplicates("cycle_start_utc", keep="last")
    return schema.conform(out, "cycles"), schema.conform(rec, "recoveries")


def main_sleeps_from_cycles(t: RawTable, source: str) -> pd.DataFrame:
    """Main-sleep rows synthesized from the cycles file's sleep columns (used when sleeps.csv is
    absent; the cycles file carries only the main sleep, docs/EXPORT_QUIRKS.md)."""
    offset = T.tz_offset_min(t)
    start = T.utc_time(t, "Cycle start time", offset, required=True)
    has_sleep = (t.columns["Sleep onset"] != "").to_numpy()
    sub = RawTable(t.file, t.kind, {c: s[has_sleep].reset_index(drop=True)
                                    for c, s in t.columns.items()}, t.lines[has_sleep])
    out = _sleep_frame(sub, offset[has_sleep].reset_index(drop=True),
                       start[has_sleep].reset_index(drop=True))
    out["nap"] = False
    _provenance(out, source, t.file)
    return schema.conform(out.drop_duplicates("start_utc", keep="last"), "sleeps")


def sleeps(t: RawTable, source: str, warnings: list[str],
           cycles: RawTable | None = None) -> pd.DataFrame:
    """sleeps.csv -> canonical sleeps frame, keyed by onset; naps keep ``nap=True``; sleeps with
    onset and wake but no metrics are kept as UNSCORABLE (docs/EXPORT_QUIRKS.md).

    With ``cycles`` (the physiological_cycles.csv table of the same export), each main sleep's
    ``cycle_start_utc`` comes from the cycle row whose ``Sleep onset`` is that sleep's onset
    (same UTC instant), falling back to sleeps.csv's ``Cycle start time``
    (:func:`link_main_sleeps`).
    """
    offset = T.tz_offset_min(t)
    cycle_start = T.utc_time(t, "Cycle start time", offset)
    out = _sleep_frame(t, offset, cycle_start)
    out["nap"] = T.boolean(t, "Nap")
    _provenance(out, source, t.file)
    out = dedup_keep_last(out, "start_utc", "sleeps", t.file, warnings)
    if cycles is not None:
        out = link_main_sleeps(out, cycles, t.file, warnings)
    return schema.conform(out, "sleeps")


def link_main_sleeps(sleeps_frame: pd.DataFrame, cycles: RawTable, file: str,
                     warnings: list[str]) -> pd.DataFrame:
    """Point each main sleep at the cycle whose physiological_cycles.csv row names its onset.

    Some exports give a main sleep, in sleeps.csv, the previous cycle's ``Cycle start time``,
    while physiological_cycles.csv shows the same ``Sleep onset`` as the sleep of the next
    cycle, the one holding the recovery that sleep produced (docs/EXPORT_QUIRKS.md). Trusting
    sleeps.csv would leave that cycle's day without a main sleep. Rule: a non-nap sleep whose
    onset (UTC) equals a cycle row's ``Sleep onset`` (UTC, at that row's ``Cycle timezone``)
    takes that row's ``Cycle start time``; every other sleep keeps its sleeps.csv key. Naps are
    never moved: a cycle row may show a late nap's sleep columns instead of the main sleep's,
    and the nap stays in the cycle sleeps.csv names.

    Args:
        sleeps_frame: sleeps frame with ``start_utc``, ``cycle_start_utc`` (datetime64[us, UTC])
            and ``nap`` (boolean), one row per onset.
        cycles: the parsed physiological_cycles.csv.
        file: display name of the sleeps file, for the warning.
        warnings: appended with one note when any main sleep moved to another cycle.
    Returns:
        ``sleeps_frame`` with ``cycle_start_utc`` corrected (a copy; same index and columns).
    """
    offset = T.tz_offset_min(cycles)
    named = pd.DataFrame({
        "start_utc": T.utc_time(cycles, "Sleep onset", offset),
        "named_cycle": T.utc_time(cycles, "Cycle start time", offset, required=True),
    }).dropna(subset=["start_utc"]).drop_duplicates("start_utc", keep="last")
    out = sleeps_frame.copy()
    linked = out[["start_utc"]].merge(named, on="start_utc", how="left")["named_cycle"]
    linked.index = out.index
    main = out["nap"].fillna(False).eq(False).to_numpy() & linked.notna().to_numpy()
    before = out["cycle_start_utc"]
    moved = main & before.notna().to_numpy() & (linked != before).fillna(False).to_numpy()
    out.loc[main, "cycle_start_utc"] = linked[main]
    if moved.any():
        n = int(moved.sum())
        warnings.append(
            f"{n} main sleep{'s' if n != 1 else ''} in {file} carried another cycle's start "
            f"(the previous cycle's, a known export quirk); linked to the cycle whose row in "
            f"{cycles.file} names {'their' if n != 1 else 'its'} onset")
    return out


def workouts(t: RawTable, source: str, warnings: list[str]) -> pd.DataFrame:
    """workouts.csv (17 or 20 columns) -> canonical workouts frame; zone % -> minutes."""
    offset = T.tz_offset_min(t)
    start = T.utc_time(t, "Workout start time", offset, required=True)
    end = T.utc_time(t, "Workout end time", offset)
    duration = T.number(t, "Duration (min)")
    if not t.has("Duration (min)"):
        duration = (end - start).dt.total_seconds() / 60.0
    out = pd.DataFrame({
        "start_utc": start,
        "end_utc": end,
        "tz_offset_min": offset,
        "cycle_start_utc": T.utc_time(t, "Cycle start time", offset),
        "sport_name": t.columns["Activity name"],
        "activity_strain": T.number(t, "Activity Strain"),
        "energy_kj": T.number(t, "Energy burned (cal)") * KCAL_TO_KJ,
        "avg_heart_rate_bpm": T.number(t, "Average HR (bpm)"),
        "max_heart_rate_bpm": T.number(t, "Max HR (bpm)"),
        "duration_min": duration,
        "distance_m": T.number(t, "Distance (meters)"),
        "altitude_gain_m": T.number(t, "Altitude gain (meters)"),
        "altitude_change_m": T.number(t, "Altitude change (meters)"),
        "gps_enabled": T.boolean(t, "GPS enabled"),
    })
    for i in range(1, 6):
        out[f"hr_zone_{i}_min"] = T.number(t, f"HR Zone {i} %") / 100.0 * duration
    metrics = _any_present(out, ["activity_strain", "energy_kj", "avg_heart_rate_bpm",
                                 "max_heart_rate_bpm"])
    out["score_state"] = np.where(metrics, "SCORED", "UNSCORABLE")
    _provenance(out, source, t.file)
    out = dedup_keep_last(out, "start_utc", "workouts", t.file, warnings)
    return schema.conform(out, "workouts")

