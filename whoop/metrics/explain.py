"""Explain a day: each input's deviation from its own baseline, the day's journal answers, and
the most similar past days.

Inputs (valid days only, docs/ARCHITECTURE.md "The day model") and their baselines (the trailing
window *before* the day, as in :mod:`whoop.metrics.baselines`):

The inputs are the catalogue's view "explain" (:mod:`whoop.metrics.catalog`):

* HRV: ln(RMSSD) vs the 60-day normal mean / SD (Plews et al. 2013); value shown in ms;
* the other daily columns (resting HR bpm, respiratory rate rpm, skin temperature C): 30-day
  baseline;
* sleep vs need: asleep - need (min) vs its 30-day baseline;
* prior-day strain: day strain of the previous calendar day vs its 30-day baseline.

z = (value - baseline mean) / baseline SD (ddof 1). Similar days: past days (before the date)
ranked by the root-mean-square difference of the z-scores over the inputs both days have
(at least ``MIN_SHARED`` = 3), i.e. a Euclidean nearest-neighbour search in z space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from whoop import schema
from whoop.metrics.baselines import (
    BASELINE_WINDOW_DAYS,
    HRV_NORMAL_WINDOW_DAYS,
    _trailing,
    min_days,
)
from whoop.metrics.calendar import DateLike, full_calendar, valid_columns
from whoop.metrics.catalog import columns

MIN_SHARED = 3

#: the catalogue's explain-a-day inputs (:mod:`whoop.metrics.catalog`, view "explain")
INPUTS: list[str] = columns("explain")


@dataclass(frozen=True)
class ExplainedDay:
    """Result of :func:`explain_day`.

    Attributes:
        date: the day asked about.
        found: False when the day has no row (then ``deviations`` values are NaN).
        recovery_score: that day's valid recovery (%), or NaN.
        deviations: one row per input of :data:`INPUTS`: ``input`` str, ``value`` float64 (the
            catalogue's canonical unit), ``baseline`` float64 (same unit; HRV: exp of the ln
            mean, ms), ``deviation`` float64 (value - baseline), ``z`` float64, ``days_used``
            int64.
        journal: ``question`` str, ``answered_yes`` bool, ``notes`` str of the answers filed
            under the day's cycle.
        similar: up to k rows: ``date`` datetime64[s], ``distance`` float64 (RMS z difference),
            ``shared_inputs`` int64, ``recovery_score`` float64 (%).
    """

    date: pd.Timestamp
    found: bool
    recovery_score: float
    deviations: pd.DataFrame
    journal: pd.DataFrame
    similar: pd.DataFrame


def input_z_scores(days: pd.DataFrame, *, hrv_window: int = HRV_NORMAL_WINDOW_DAYS,
                   window: int = BASELINE_WINDOW_DAYS) -> pd.DataFrame:
    """Per calendar day, each input's value, baseline, z and days used.

    Returns:
        ``date`` datetime64[s], ``recovery_score`` float64 and for each input ``x`` of
        :data:`INPUTS`: ``x`` (value), ``x_baseline``, ``x_z`` float64 and ``x_days`` int64.
    """
    cal = full_calendar(days)
    out = pd.DataFrame({"date": cal["date"]})
    if cal.empty:
        for x in INPUTS:
            for suffix, dt in (("", "float64"), ("_baseline", "float64"), ("_z", "float64"),
                               ("_days", "int64")):
                out[x + suffix] = pd.Series(dtype=dt)
        out["recovery_score"] = pd.Series(dtype="float64")
        return out
    plain = [x for x in INPUTS if x in schema.DAYS]  # the rest are derived below
    need = ["recovery_score", "asleep_min", "sleep_need_min", "day_strain", *plain]
    valid = valid_columns(cal, list(dict.fromkeys(need)))
    out["recovery_score"] = valid["recovery_score"]
    values = {x: valid[x] for x in plain}
    values["hrv_rmssd_ms"] = np.log(values["hrv_rmssd_ms"].where(values["hrv_rmssd_ms"] > 0))
    values["asleep_minus_need_min"] = valid["asleep_min"] - valid["sleep_need_min"]
    values["prior_day_strain"] = valid["day_strain"].shift(1)
    for x in INPUTS:
        v = values[x]
        w = hrv_window if x == "hrv_rmssd_ms" else window
        mean, sd, count = _trailing(v, w, min_days(w), include_today=False)
        z = (v - mean) / sd.where(sd > 1e-9)
        if x == "hrv_rmssd_ms":
            v, mean = np.exp(v), np.exp(mean)
        out[x], out[f"{x}_baseline"], out[f"{x}_z"], out[f"{x}_days"] = v, mean, z, count
    return out


def explain_day(days: pd.DataFrame, journal: pd.DataFrame | None, date: DateLike, *, k: int = 5,
                hrv_window: int = HRV_NORMAL_WINDOW_DAYS,
                window: int = BASELINE_WINDOW_DAYS) -> ExplainedDay:
    """Explain one day (see the module docstring and :class:`ExplainedDay`).

    Args:
        days: daily frame (``schema.DAYS``); journal: ``schema.JOURNAL`` frame or None.
        date: the day (anything ``pd.Timestamp`` accepts); k: number of similar days.
    Raises:
        whoop.errors.InputError: ``date`` cannot be read as a date.
    """
    from whoop.errors import InputError

    try:
        day = pd.Timestamp(date).normalize()
    except (TypeError, ValueError) as exc:
        raise InputError(f"Not a date: {date!r}") from exc
    z = input_z_scores(days, hrv_window=hrv_window, window=window)
    hit = z[z["date"] == day]
    found = bool(len(hit)) and bool((pd.to_datetime(days["date"]) == day).any())
    rows = []
    for x in INPUTS:
        r = hit.iloc[0] if len(hit) else None
        val = float(r[x]) if r is not None else np.nan
        base = float(r[f"{x}_baseline"]) if r is not None else np.nan
        rows.append({"input": x, "value": val, "baseline": base, "deviation": val - base,
                     "z": float(r[f"{x}_z"]) if r is not None else np.nan,
                     "days_used": int(r[f"{x}_days"]) if r is not None else 0})
    deviations = pd.DataFrame(rows).astype({"input": "str", "days_used": "int64"})
    answers = pd.DataFrame({"question": pd.Series(dtype="str"),
                            "answered_yes": pd.Series(dtype="bool"),
                            "notes": pd.Series(dtype="str")})
    if found and journal is not None and not journal.empty and "cycle_start_utc" in days.columns:
        cyc = days.loc[pd.to_datetime(days["date"]) == day, "cycle_start_utc"].iloc[-1]
        j = journal[journal["cycle_start_utc"] == cyc].drop_duplicates("question", keep="last")
        answers = pd.DataFrame({"question": j["question"].astype("str"),
                                "answered_yes": j["answered_yes"].astype("boolean"),
                                "notes": j["notes"].astype("str") if "notes" in j else ""})
        answers = answers.sort_values("question").reset_index(drop=True)
    similar = _similar(z, day, k) if len(hit) else _similar(z.iloc[0:0], day, k)
    rec = float(hit["recovery_score"].iloc[0]) if len(hit) else np.nan
    return ExplainedDay(day, found, rec, deviations, answers, similar)


def _similar(z: pd.DataFrame, day: pd.Timestamp, k: int) -> pd.DataFrame:
    zcols = [f"{x}_z" for x in INPUTS]
    empty = pd.DataFrame({"date": pd.Series(dtype="datetime64[s]"),
                          "distance": pd.Series(dtype="float64"),
                          "shared_inputs": pd.Series(dtype="int64"),
                          "recovery_score": pd.Series(dtype="float64")})
    target = z.loc[z["date"] == day, zcols]
    if target.empty:
        return empty
    t = target.to_numpy(dtype=float)[0]
    past = z[z["date"] < day]
    m = past[zcols].to_numpy(dtype=float)
    diff2 = (m - t) ** 2
    shared = (~np.isnan(diff2)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.sqrt(np.nansum(diff2, axis=1) / shared)
    cand = pd.DataFrame({"date": past["date"].to_numpy(), "distance": dist,
                         "shared_inputs": shared.astype("int64"),
                         "recovery_score": past["recovery_score"].to_numpy()})
    cand = cand[cand["shared_inputs"] >= MIN_SHARED]
    return cand.sort_values(["distance", "date"]).head(k).reset_index(drop=True)
