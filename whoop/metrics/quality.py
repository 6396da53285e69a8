"""Data quality: where each day came from, which days are missing, and which records the
statistics leave out and why (docs/ARCHITECTURE.md "The day model": only SCORED records count;
PENDING_SCORE, UNSCORABLE and user_calibrating are shown as such; naps are kept apart).
"""

from __future__ import annotations

import pandas as pd

from whoop.metrics.calendar import DateLike, full_calendar

SOURCES = ["api", "api+export", "export", "demo", "missing"]

EXCLUSION_COLUMNS = ["record", "reason", "count"]


def coverage(days: pd.DataFrame, *, start: DateLike | None = None,
             end: DateLike | None = None) -> pd.DataFrame:
    """Coverage map: one row per calendar day with where its data came from.

    Args:
        days: daily frame (``schema.DAYS``; date, source, score states).
        start, end: optional inclusive bounds (default: first and last day).
    Returns:
        ``date`` datetime64[s]; ``source`` str, one of :data:`SOURCES` ("missing" for absent
        days, "unknown" for a row without provenance; other values are kept as written);
        ``has_recovery``, ``has_sleep``,
        ``has_strain`` bool (the record is SCORED).
    """
    cal = full_calendar(days, start, end)
    if cal.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[s]"),
                             "source": pd.Series(dtype="str"),
                             **{c: pd.Series(dtype="bool")
                                for c in ("has_recovery", "has_sleep", "has_strain")}})
    src = cal["source"].astype("str") if "source" in cal else pd.Series("", index=cal.index)
    src = src.fillna("unknown").where(cal["has_row"], "missing")

    def scored(col: str) -> pd.Series:
        if col not in cal:
            return pd.Series(False, index=cal.index)
        return (cal[col] == "SCORED").fillna(False).astype(bool)

    return pd.DataFrame({"date": cal["date"], "source": src.astype("str"),
                         "has_recovery": scored("recovery_score_state"),
                         "has_sleep": scored("sleep_score_state"),
                         "has_strain": scored("cycle_score_state")})


def _count(rows: list, record: str, reason: str, mask: object) -> None:
    rows.append({"record": record, "reason": reason, "count": int(pd.Series(mask).sum())})


def excluded_counts(days: pd.DataFrame, sleeps: pd.DataFrame | None = None,
                    workouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many records the statistics leave out, and why.

    Rows (``record``, ``reason``):
    days: missing (calendar gaps between first and last day), open cycle;
    cycle: pending, unscorable; recovery: pending, unscorable, calibrating (scored but
    ``user_calibrating``), none (a cycle without recovery, e.g. a placeholder);
    sleep: pending, unscorable (main sleeps), nap (kept apart from the main sleep);
    workout: pending, unscorable.

    Returns:
        columns :data:`EXCLUSION_COLUMNS`: ``record`` str, ``reason`` str, ``count`` int64
        (every row listed, zeros included).
    """
    rows: list[dict] = []
    cal = full_calendar(days)

    def state(col: str) -> pd.Series:
        return cal[col].astype("str") if col in cal else pd.Series(pd.NA, index=cal.index,
                                                                   dtype="str")

    present = cal["has_row"] if len(cal) else pd.Series(dtype=bool)
    _count(rows, "day", "missing", ~present)
    _count(rows, "day", "open cycle", cal["is_open"].astype("boolean").fillna(False)
           if "is_open" in cal else False)
    for record, col in (("cycle", "cycle_score_state"), ("recovery", "recovery_score_state")):
        s = state(col)
        _count(rows, record, "pending", s == "PENDING_SCORE")
        _count(rows, record, "unscorable", s == "UNSCORABLE")
        if record == "recovery":
            cal_flag = cal["user_calibrating"].astype("boolean").fillna(False) \
                if "user_calibrating" in cal else False
            _count(rows, record, "calibrating", (s == "SCORED").fillna(False) & cal_flag)
            _count(rows, record, "none", present & s.isna())
    for record, frame in (("sleep", sleeps), ("workout", workouts)):
        if frame is None or frame.empty:
            frame = pd.DataFrame({"score_state": pd.Series(dtype="str"),
                                  "nap": pd.Series(dtype="boolean")})
        s = frame["score_state"].astype("str")
        if record == "sleep":
            nap = frame["nap"].astype("boolean").fillna(False).astype(bool)
            _count(rows, record, "pending", (s == "PENDING_SCORE").fillna(False) & ~nap)
            _count(rows, record, "unscorable", (s == "UNSCORABLE").fillna(False) & ~nap)
            _count(rows, record, "nap", nap)
        else:
            _count(rows, record, "pending", s == "PENDING_SCORE")
            _count(rows, record, "unscorable", s == "UNSCORABLE")
    out = pd.DataFrame(rows, columns=EXCLUSION_COLUMNS)
    return out.astype({"record": "str", "reason": "str", "count": "int64"})
