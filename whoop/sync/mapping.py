"""WHOOP API v2 JSON -> canonical frames (whoop.schema), one function per collection.

Units (schema.py): durations ms -> minutes (/ 60,000), energy kJ as given, °C, %; instants UTC
floored to seconds; ``tz_offset_min`` from ``timezone_offset`` (``"+05:30"`` -> 330, ``"Z"`` -> 0;
:func:`whoop.timezones.offset_minutes`).
A record without ``score`` (``score_state`` not ``SCORED``) keeps NaN measures and its state.
A record we cannot read (a malformed instant or offset, a missing ``start``, a non-number
measure) raises :class:`~whoop.errors.ApiError` naming the collection and the record's id.
Field names: docs/WHOOP.md#records-and-fields (schemas Cycle, Recovery, Sleep, WorkoutV2 of WHOOP's
OpenAPI document, https://api.prod.whoop.com/developer/doc/openapi.json).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd

from whoop import schema
from whoop.errors import ApiError
from whoop.metrics.units import missing
from whoop.timezones import offset_minutes

if TYPE_CHECKING:
    from pandas.api.typing import NaTType

MS_PER_MIN = 60_000.0
NAN = math.nan


def instant(text: str | None) -> pd.Timestamp | NaTType:
    """ISO-8601 instant -> UTC Timestamp floored to the second (NaT for None)."""
    if not text:
        return pd.NaT
    return pd.Timestamp(text).tz_convert("UTC").floor("s") if pd.Timestamp(text).tzinfo else \
        pd.Timestamp(text).tz_localize("UTC").floor("s")


def _min(ms: float | None) -> float:
    return NAN if ms is None else float(ms) / MS_PER_MIN


def _f(v: float | str | None) -> float:
    return NAN if v is None else float(v)


def _count(v: float | str | None) -> int | None:
    """A count WHOOP sends as an integer; None stays None. Raises ValueError for a fraction."""
    if v is None:
        return None
    if float(v) != int(v):
        raise ValueError(f"not a whole count: {v!r}")
    return int(v)


def _meta(rec: dict, ref: str) -> dict:
    return {"created_at_utc": instant(rec.get("created_at")),
            "updated_at_utc": instant(rec.get("updated_at")),
            "raw_json": json.dumps(rec, separators=(",", ":"), sort_keys=True),
            "source": "api", "source_ref": ref}


_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


@contextmanager
def _reading(collection: str, rec: dict | None) -> Iterator[None]:
    """Turn a parse error of one record into ApiError naming the collection and the record id."""
    try:
        yield
    except _UNREADABLE as exc:
        rid = (rec or {}).get("id", (rec or {}).get("cycle_id")) if isinstance(rec, dict) else None
        raise ApiError(f"WHOOP sent a {collection} record we cannot read (id {rid}): "
                       f"{exc.__class__.__name__}: {str(exc)[:200]}") from None


def _frame(rows: list[dict], table: str, collection: str) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(table)
    with _reading(collection, None):
        return schema.conform(pd.DataFrame(rows), table)


def cycles(records: list[dict], ref: str) -> pd.DataFrame:
    """Cycle records -> schema.CYCLES frame (``day_strain`` = score.strain,
    ``energy_kj`` = score.kilojoule)."""
    rows = []
    for r in records:
        with _reading("cycle", r):
            s = r.get("score") or {}
            rows.append({"start_utc": instant(r["start"]), "end_utc": instant(r.get("end")),
                         "tz_offset_min": offset_minutes(r.get("timezone_offset")), "whoop_id": r.get("id"),
                         "score_state": r.get("score_state"), "day_strain": _f(s.get("strain")),
                         "energy_kj": _f(s.get("kilojoule")),
                         "avg_heart_rate_bpm": _f(s.get("average_heart_rate")),
                         "max_heart_rate_bpm": _f(s.get("max_heart_rate")), **_meta(r, ref)})
    return _frame(rows, "cycles", "cycle")


def recoveries(records: list[dict], cycle_starts: Mapping[int, pd.Timestamp], ref: str
               ) -> tuple[pd.DataFrame, int]:
    """Recovery records -> (schema.RECOVERIES frame, number skipped).

    A recovery has no time of its own; it is keyed by the start of its cycle, looked up in
    ``cycle_starts`` (cycle id -> start, UTC). Records whose cycle is unknown are skipped.
    """
    rows, skipped = [], 0
    for r in records:
        with _reading("recovery", r):
            cycle_id = r.get("cycle_id")
            start = cycle_starts.get(cycle_id) if cycle_id is not None else None
            if start is None or missing(start):
                skipped += 1
                continue
            s = r.get("score") or {}
            cal = s.get("user_calibrating")
            rows.append({"cycle_start_utc": start, "cycle_whoop_id": r.get("cycle_id"),
                         "sleep_whoop_id": r.get("sleep_id"), "score_state": r.get("score_state"),
                         "user_calibrating": pd.NA if cal is None else bool(cal),
                         "recovery_score": _f(s.get("recovery_score")),
                         "resting_heart_rate_bpm": _f(s.get("resting_heart_rate")),
                         "hrv_rmssd_ms": _f(s.get("hrv_rmssd_milli")),
                         "spo2_pct": _f(s.get("spo2_percentage")),
                         "skin_temp_c": _f(s.get("skin_temp_celsius")), **_meta(r, ref)})
    return _frame(rows, "recoveries", "recovery"), skipped


def sleeps(records: list[dict], cycle_starts: Mapping[int, pd.Timestamp], ref: str) -> pd.DataFrame:
    """Sleep records -> schema.SLEEPS frame. ``asleep_min`` = light + slow-wave + REM;
    ``sleep_need_min`` = the sum of the four ``sleep_needed`` parts (WHOOP: "the components sum
    to the total sleep need"); ``sleep_debt_min`` = ``need_from_sleep_debt_milli``."""
    rows = []
    for r in records:
        with _reading("sleep", r):
            s = r.get("score") or {}
            st = s.get("stage_summary") or {}
            need = s.get("sleep_needed") or {}
            light, sws, rem = (st.get(k) for k in ("total_light_sleep_time_milli",
                                                   "total_slow_wave_sleep_time_milli",
                                                   "total_rem_sleep_time_milli"))
            parts = [need.get(k) for k in ("baseline_milli", "need_from_sleep_debt_milli",
                                           "need_from_recent_strain_milli", "need_from_recent_nap_milli")]
            cycle_id = r.get("cycle_id")
            start = cycle_starts.get(cycle_id) if cycle_id is not None else None
            rows.append({
                "start_utc": instant(r["start"]), "end_utc": instant(r.get("end")),
                "tz_offset_min": offset_minutes(r.get("timezone_offset")), "whoop_id": r.get("id"),
                "cycle_whoop_id": r.get("cycle_id"),
                "cycle_start_utc": start if start is not None else pd.NaT,
                "nap": bool(r.get("nap")), "score_state": r.get("score_state"),
                "sleep_performance_pct": _f(s.get("sleep_performance_percentage")),
                "sleep_efficiency_pct": _f(s.get("sleep_efficiency_percentage")),
                "sleep_consistency_pct": _f(s.get("sleep_consistency_percentage")),
                "respiratory_rate_rpm": _f(s.get("respiratory_rate")),
                "in_bed_min": _min(st.get("total_in_bed_time_milli")),
                "asleep_min": (NAN if light is None or sws is None or rem is None
                               else (light + sws + rem) / MS_PER_MIN),
                "light_sleep_min": _min(light), "deep_sleep_min": _min(sws), "rem_sleep_min": _min(rem),
                "awake_min": _min(st.get("total_awake_time_milli")),
                "no_data_min": _min(st.get("total_no_data_time_milli")),
                "sleep_need_min": (NAN if None in parts
                                   else sum(p for p in parts if p is not None) / MS_PER_MIN),
                "sleep_debt_min": _min(parts[1]), "need_baseline_min": _min(parts[0]),
                "need_strain_min": _min(parts[2]), "need_nap_min": _min(parts[3]),
                "sleep_cycle_count": _count(st.get("sleep_cycle_count")),
                "disturbance_count": _count(st.get("disturbance_count")), **_meta(r, ref)})
    return _frame(rows, "sleeps", "sleep")


_ZONES = ("zero", "one", "two", "three", "four", "five")


def workouts(records: list[dict], ref: str) -> pd.DataFrame:
    """Workout records -> schema.WORKOUTS frame. ``cycle_start_utc`` is left NaT (the day builder
    assigns a workout to the cycle whose interval holds its start); ``duration_min`` = end - start;
    zone durations ms -> minutes."""
    rows = []
    for r in records:
        with _reading("workout", r):
            s = r.get("score") or {}
            z = s.get("zone_durations") or {}
            start, end = instant(r["start"]), instant(r.get("end"))
            row = {"start_utc": start, "end_utc": end,
                   "tz_offset_min": offset_minutes(r.get("timezone_offset")),
                   "whoop_id": r.get("id"), "cycle_start_utc": pd.NaT, "sport_name": r.get("sport_name"),
                   "score_state": r.get("score_state"), "activity_strain": _f(s.get("strain")),
                   "energy_kj": _f(s.get("kilojoule")), "avg_heart_rate_bpm": _f(s.get("average_heart_rate")),
                   "max_heart_rate_bpm": _f(s.get("max_heart_rate")),
                   "duration_min": ((end - start).total_seconds() / 60.0        # NaT is no Timestamp
                                    if isinstance(start, pd.Timestamp) and isinstance(end, pd.Timestamp)
                                    else NAN),
                   "percent_recorded": _f(s.get("percent_recorded")),
                   "distance_m": _f(s.get("distance_meter")),
                   "altitude_gain_m": _f(s.get("altitude_gain_meter")),
                   "altitude_change_m": _f(s.get("altitude_change_meter")), **_meta(r, ref)}
            for i, name in enumerate(_ZONES):
                row[f"hr_zone_{i}_min"] = _min(z.get(f"zone_{name}_milli"))
            rows.append(row)
    return _frame(rows, "workouts", "workout")
